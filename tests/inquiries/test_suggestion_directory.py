"""The suggestion agrees with the directory's filters on a seeded directory (issue 13).

The directory is the project's own demo (`seed_demo`, rated, with its conduct ledger). For each combination of
platform, category, wanted services and budget, the providers the suggestion finds are exactly those the directory
page lists with the equivalent filters (platform, category, each wanted service, the budget, 只看接受新客户的), in
the same order (tier, then composite); and both are what the rules say, checked against the rows themselves.
"""
import datetime as dt
import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from inquiries.selectors import SUGGESTION_LIMIT, providers_suggested
from providers.models import Category, Platform, Provider, Service

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)
LISTED_STATUSES, LISTED_SANCTIONS = {"active", "probation"}, {"none", "warning"}

# platform, category, wanted services, monthly budget.
COMBINATIONS = [
    ("jd", "pets", (), (15000, 30000)),
    ("tmall", "pets", ("operation",), (10000, 40000)),
    ("tmall", "food", ("operation", "warehousing"), (15000, 40000)),
    ("taobao", "pets", ("operation", "design"), (8000, 25000)),
    ("tmall", "apparel", ("operation", "customer_service"), (20000, 50000)),
    ("douyin", "health", ("live_streaming",), (10000, 30000)),
    ("taobao", "electronics", (), (60000, 80000)),
    ("kuaishou", "electronics", ("cross_border", "multilingual"), (1000, 5000)),
]


def directory_slugs(client, query: dict) -> list[str]:
    """Every provider the directory page lists for the query, page after page, in its order."""
    slugs, number = [], 1
    while True:
        response = client.get("/providers/", {**query, "page": number})
        assert response.status_code == 200
        page = response.context["page"]
        assert page.number == number
        slugs += [provider.slug for provider in page.object_list]
        if not page.has_next():
            return slugs
        number += 1


def directory_for(client, platform, category, services, budget) -> list[str]:
    """The directory's own filters for the same needs. Its service filter is "any of", so a provider offering every
    wanted service is one the page lists for each of them: the lists per service, intersected, in the page's order."""
    query = {"platform": platform, "category": category, "fee_from": budget[0], "fee_to": budget[1],
             "accepting": "on"}
    listed = directory_slugs(client, query)
    for code in services:
        offering = set(directory_slugs(client, {**query, "service": code}))
        listed = [slug for slug in listed if slug in offering]
    return listed


def by_the_rules(providers: list[Provider], platform, category, services, budget) -> tuple[set[str], set[str]]:
    """From the rows: who serves the platform and category, offers every service and whose fee range overlaps the
    budget; and of those, who is also listed (status, no hiding sanction) and accepting new clients."""
    low, high = budget
    fits = {
        p.slug for p in providers
        if platform in p.platform_codes and category in p.category_codes and set(services) <= p.service_codes
        and p.fee_min is not None and p.fee_max is not None and p.fee_min <= high and p.fee_max >= low
    }
    takes = {p.slug for p in providers if p.slug in fits and p.status in LISTED_STATUSES
             and p.sanction in LISTED_SANCTIONS and p.accepting_new_clients}
    return fits, takes


def order_key(provider: Provider):
    return (provider.tier is None, -(provider.tier or 0), provider.score is None, -(provider.score or 0))


def test_the_suggestion_lists_exactly_what_the_directory_lists_on_the_seeded_demo(client, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    call_command("seed_demo", providers=120, seed=1, stdout=StringIO())
    # The demo's providers all take new clients; every third (by slug) stops, so the rule is seen to act.
    full = list(Provider.objects.order_by("slug").values_list("pk", flat=True))[::3]
    Provider.objects.filter(pk__in=full).update(accepting_new_clients=False)
    providers = list(Provider.objects.prefetch_related("platforms", "categories", "services"))
    for p in providers:
        p.platform_codes = {row.code for row in p.platforms.all()}
        p.category_codes = {row.code for row in p.categories.all()}
        p.service_codes = {row.code for row in p.services.all()}
    # The fee rule below reads a range as both ends or "面议" (neither), as the demo writes it.
    assert not [p.slug for p in providers if (p.fee_min is None) != (p.fee_max is None)]
    rows = {p.slug: p for p in providers}

    suggested, listed, ruled, left_out = {}, {}, {}, {}
    for platform, category, services, budget in COMBINATIONS:
        combination = (platform, category, services, budget)
        found = providers_suggested(
            platform=Platform.objects.get(code=platform), category=Category.objects.get(code=category),
            services=list(Service.objects.filter(code__in=services)), budget_min=budget[0], budget_max=budget[1],
            limit=len(providers))
        assert all(reasons == [f"platform:{platform}", f"category:{category}", *(f"service:{s}" for s in services),
                               f"budget:{budget[0]}-{budget[1]}", "accepting"] for _p, reasons in found)
        suggested[combination] = [p.slug for p, _reasons in found]
        listed[combination] = directory_for(client, platform, category, services, budget)
        fits, takes = by_the_rules(providers, platform, category, services, budget)
        ruled[combination] = takes
        left_out[combination] = fits - takes
        # The first SUGGESTION_LIMIT are what a request with 让目录推荐 invites.
        assert [p.slug for p, _r in providers_suggested(
            platform=Platform.objects.get(code=platform), category=Category.objects.get(code=category),
            services=list(Service.objects.filter(code__in=services)), budget_min=budget[0],
            budget_max=budget[1])] == suggested[combination][:SUGGESTION_LIMIT]

    # Exactly the same lists, in the same order.
    assert suggested == listed
    # What the rules say, from the rows: the same providers, in tier-then-composite order.
    assert {c: set(slugs) for c, slugs in suggested.items()} == ruled
    for slugs in suggested.values():
        keys = [order_key(rows[slug]) for slug in slugs]
        assert keys == sorted(keys)
    # Not vacuous: some combination finds several providers, one finds none, and the rule on listing and on new
    # clients leaves out providers that would otherwise fit.
    assert max(len(slugs) for slugs in suggested.values()) >= 5
    assert min(len(slugs) for slugs in suggested.values()) == 0
    # The tier decides before the composite: somewhere a higher tier with a lower composite comes first.
    assert any(rows[a].tier != rows[b].tier and rows[a].score < rows[b].score
               for slugs in suggested.values() for a, b in itertools.pairwise(slugs))
    excluded = set().union(*left_out.values())
    assert any(not rows[slug].accepting_new_clients for slug in excluded)
    assert any(rows[slug].sanction not in LISTED_SANCTIONS or rows[slug].status not in LISTED_STATUSES
               for slug in excluded)

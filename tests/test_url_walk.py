"""Every URL pattern, walked as an anonymous visitor and as a plain merchant: no 500, no admin, no writes, no leaks.

The walk fills each pattern's parameters from a small dataset (a provider slug, the merchant's own review id,
a webhook subscription id …) and then checks every response body for data only admins or partners may see.
"""
import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from accounts.models import Account
from claims.services import store_claim_submit
from inquiries.services import request_create as inquiry_request_create
from partners.services import webhook_subscription_create
from ratings.models import Review
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    StoreFactory,
    UserFactory,
    api_key,
    category,
    merchant_of,
    platform,
    provider_staff,
    reset_anonymous_throttle,
)

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
SECRET_TEXTS = {
    Review.Status.PENDING: "待审核的秘密评价内容QX1",
    Review.Status.REJECTED: "已驳回的秘密评价内容QX2",
    Review.Status.MALICIOUS: "恶意评价秘密内容QX3",
}

# Patterns the walk cannot fill with a meaningful value, by route. Keep this list short and explicit.
UNFILLABLE: set[str] = set()


@dataclass
class Walked:
    route: str  # the pattern, converters left in (for messages and the skip list)
    url: str
    name: str  # namespace:name, or "" when unnamed
    is_admin: bool
    is_api: bool


@pytest.fixture
def dataset(django_db_setup, db):
    """A public provider, a merchant with one published review, and secrets that must never leak."""
    provider = ProviderFactory(slug="walk-provider")
    merchant = UserFactory(username="walk-merchant")
    own_store = StoreFactory()
    own_store.merchants.add(merchant)
    EngagementFactory(provider=provider, store=own_store, start_date=dt.date(2024, 1, 1))
    own_review = ReviewFactory(provider=provider, store=own_store, author=merchant,
                               created_at=timezone.localdate(), body="我自己的评价")

    # Another merchant's private data: their store id, e-mail, a phone number in a review, unpublished reviews.
    secret_store = StoreFactory(external_id="SECRETSTORE991")
    victim = merchant_of(secret_store, username="victim-merchant")
    victim.email = "victim.secret@example.org"
    victim.save()
    EngagementFactory(provider=provider, store=secret_store, start_date=dt.date(2024, 1, 1))
    ReviewFactory(provider=provider, store=secret_store, author=victim, body=f"有问题请打 {PHONE} 联系我")
    for day, (status, text) in enumerate(SECRET_TEXTS.items(), start=2):
        ReviewFactory(provider=provider, store=secret_store, author=victim, status=status, body=text, title=text,
                      created_at=dt.date(2025, 6, day))

    # Claims: the merchant's own (its evidence is theirs to open) and the victim's, whose store id must not leak.
    Account.objects.create(user=merchant, kind=Account.Kind.MERCHANT)
    own_claim = store_claim_submit(user=merchant, platform=own_store.platform, external_id="WALKCLAIM1",
                                   store_name="我认领的店", evidence=_walk_png())
    Account.objects.create(user=victim, kind=Account.Kind.MERCHANT)
    store_claim_submit(user=victim, platform=own_store.platform, external_id="SECRETCLAIM992",
                       store_name="别人认领的店", evidence=_walk_png())

    # Requests for proposals: the merchant's own to the walked provider, and the victim's, which must not leak.
    walked = ProviderFactory(slug="walk-provider-2", platforms=["tmall"], categories=["beauty"])
    own_request = inquiry_request_create(
        merchant=merchant, platform=platform("tmall"), category=category("beauty"), new_store_name="我的新店",
        services=[], budget_min=1000, budget_max=90000, start_month=dt.date(2027, 1, 1), term_months=6,
        description="我的需求", provider_ids=[walked.pk])
    inquiry_request_create(
        merchant=victim, platform=platform("tmall"), category=category("beauty"), new_store_name="SECRETSHOP994",
        services=[], budget_min=1000, budget_max=90000, start_month=dt.date(2027, 1, 1), term_months=6,
        description="SECRETINQUIRY993", provider_ids=[walked.pk])

    key, raw_key = api_key(scopes=("read", "ingest", "webhooks"))
    with override_settings(PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True):
        subscription = webhook_subscription_create(api_key=key, url="https://hooks.example.com/x", events=["provider.tier_changed"])
    return {
        "provider": provider, "merchant": merchant, "own_review": own_review, "own_claim": own_claim,
        "own_request": own_request, "own_bid": own_request.bids.get(),
        "subscription": subscription,
        "outsider": provider_staff(ProviderFactory(slug="walk-other"), username="walk-outsider", role="owner"),
        "secrets": ["SECRETINQUIRY993", "SECRETSHOP994", "SECRETCLAIM992", "别人认领的店", secret_store.external_id, victim.email, PHONE, key.prefix, raw_key, raw_key.split(".")[-1],
                    subscription.secret, *SECRET_TEXTS.values()],
    }


def _walk_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)


def _fill_regex(regex: str, values) -> str | None:
    """Replace each named group of a regex pattern with a value; None if a group has no value."""
    out, i = [], 0
    while i < len(regex):
        match = re.compile(r"\(\?P<(\w+)>").match(regex, i)
        if not match:
            out.append(regex[i])
            i += 1
            continue
        depth, j = 1, match.end()
        while depth:  # find the group's closing parenthesis
            depth += {"(": 1, ")": -1}.get(regex[j], 0) if regex[j - 1] != "\\" else 0
            j += 1
        body = regex[match.end():j - 1]
        value = values(match.group(1), body)
        if value is None:
            return None
        out.append(value)
        i = j
    text = "".join(out)
    text = re.sub(r"\^|\$|\\Z", "", text)
    text = text.replace("\\.", ".").replace("/?", "/")
    return None if re.search(r"[()\[\]*+?\\|]", text) else text


def walk(data) -> tuple[list[Walked], list[str]]:
    """Every URL pattern with its parameters filled, and the routes that could not be filled."""

    def value(name: str, body: str, route: str) -> str | None:
        if name == "format":
            return "json"
        if name == "app_label":
            return body.split("|")[0]
        if name == "slug":
            return data["provider"].slug
        if name == "pk" and route.startswith("requests/"):
            return str(data["own_request"].pk)
        if name == "bid_pk":
            return str(data["own_bid"].pk)
        if name == "pk" and "claims/" in route:
            return str(data["own_claim"].pk)
        if name == "pk" and "webhooks" in route:
            return str(data["subscription"].pk)
        if name == "pk":
            return str(data["own_review"].pk)
        if name in ("object_id", "content_type_id", "id", "engagement_id"):
            return "1"
        if name in ("kind", "action"):  # admin-only; sign-in comes before the value is looked at
            return "reviews"
        if name in ("path", "url"):
            return "no-such-thing/"
        if name == "token":  # a portal invitation link that opens nothing
            return "no-such-invitation"
        if name in ("key", "uidb36"):  # allauth's confirmation and reset links: a key that is no good
            return "1"
        return None

    found, skipped = [], []

    def visit(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                visit(pattern.url_patterns, route, ns)
                continue
            assert isinstance(pattern, URLPattern)
            full = re.sub(r"(?<!\?P)<(?:(\w+):)?(\w+)>", lambda m: f"(?P<{m.group(2)}>{m.group(1) or 'str'})", route)
            # Route patterns carry converters; regex patterns named groups. Fill both through one regex form.
            url = _fill_regex(full, lambda name, body: value(name, body, route))
            if url is None:
                skipped.append(route)
                continue
            url = "/" + url.replace("^", "")
            found.append(Walked(route, url, f"{namespace}{pattern.name or ''}",
                                is_admin=url.startswith("/admin/"), is_api=url.startswith("/api/v1/")))

    visit(get_resolver().url_patterns, "", "")
    return found, skipped


# Admin pages a signed-out visitor legitimately reaches: the sign-in form (and sign-out, which only takes POST).
ADMIN_PUBLIC = {"admin:login", "admin:logout"}


def clients(client, data):
    from django.test import Client

    merchant = Client()
    merchant.force_login(data["merchant"])
    # Staff of another provider: the walk's provider's portal pages must refuse them and show nothing of it.
    outsider = Client()
    outsider.force_login(data["outsider"])
    return {"anonymous": client, "merchant": merchant, "other provider's staff": outsider}


def get(client, url):
    if url.startswith("/api/"):
        reset_anonymous_throttle()
    return client.get(url, HTTP_ACCEPT="text/html,application/json")


def assert_no_secrets(body: str, url: str, who: str, secrets: list[str]):
    for secret in secrets:
        assert secret not in body, f"{who} GET {url} shows {secret!r}"


def test_the_walk_reaches_every_pattern_it_can_fill(dataset):
    found, skipped = walk(dataset)

    assert set(skipped) == UNFILLABLE, f"unfilled patterns: {skipped}"
    for item in found:
        # Each filled URL must resolve to a pattern (not necessarily the same one: the API catch-all is last).
        resolve(item.url.split("?")[0])
    names = {item.name for item in found}
    assert {"providers:list", "providers:detail", "ratings:edit", "api:provider-detail", "admin:index",
            "claims:mine", "claims:store-claim-new", "claims:store-claim-evidence", "claims:provider-claims",
            "claims:provider-claim-new", "portal:index", "portal:rating", "portal:reviews", "portal:team",
            "portal:invitation", "profiles:profile", "profiles:credentials", "profiles:cases",
            "profiles:merchant-cases", "profiles:evidence"} <= names


@pytest.mark.parametrize("who", ["anonymous", "merchant", "other provider's staff"])
def test_no_page_errors_leaks_or_opens_the_admin(client, dataset, who):
    found, _ = walk(dataset)
    http = clients(client, dataset)[who]
    problems = []
    for item in found:
        response = get(http, item.url)
        # Evidence files stream (FileResponse): read them too, they must not be anyone else's.
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace")
        if response.status_code >= 500:
            problems.append(f"{item.url} ({item.route}) -> {response.status_code}")
            continue
        assert_no_secrets(body, item.url, who, dataset["secrets"])
        if item.is_admin and item.name not in ADMIN_PUBLIC:
            assert response.status_code in (302, 403), f"{who} GET {item.url} -> {response.status_code}"
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], response["Location"]
    assert not problems, problems


def test_portal_pages_of_the_provider_refuse_everyone_outside_its_team(client, dataset):
    found, _ = walk(dataset)
    portal = [item for item in found if item.url.startswith(f"/portal/{dataset['provider'].slug}/")]
    assert {item.name for item in portal} >= {"portal:rating", "portal:reviews", "portal:team", "portal:invite",
                                              "profiles:profile", "profiles:credentials", "profiles:cases",
                                              "inquiries:inbox", "inquiries:bid", "inquiries:confirm"}
    for who, http in clients(client, dataset).items():
        for item in portal:
            status = get(http, item.url).status_code
            # Signed out: sent to sign in; signed in but outside the team: not found (POST-only pages: 405 to GET).
            expected = {302} if who == "anonymous" else {404, 405}
            assert status in expected, f"{who} GET {item.url} -> {status}"


@pytest.mark.parametrize("who", ["anonymous", "merchant"])
def test_api_writes_are_refused_without_a_key(client, dataset, who):
    found, _ = walk(dataset)
    http = clients(client, dataset)[who]
    refused = {401, 403, 405}
    for item in found:
        if not item.is_api:
            continue
        for method in ("post", "put", "patch", "delete"):
            reset_anonymous_throttle()
            response = getattr(http, method)(item.url, data={}, content_type="application/json")
            allowed = refused | ({404} if item.name == "api:not-found" else set())
            assert response.status_code in allowed, f"{who} {method.upper()} {item.url} -> {response.status_code}"


def test_phone_number_in_a_published_review_is_shown_masked(client, dataset):
    response = client.get(f"/providers/{dataset['provider'].slug}/")

    body = response.content.decode()
    assert "有问题请打" in body, "the published review is not on the provider page"
    assert PHONE not in body


@pytest.mark.parametrize("who", ["anonymous", "merchant"])
def test_every_page_that_answers_get_also_answers_head(client, dataset, who):
    # HEAD is GET without the body (RFC 9110 §9.3.2): link checkers, monitors and load balancers send it.
    found, _ = walk(dataset)
    http = clients(client, dataset)[who]
    refused = []
    for item in found:
        if get(http, item.url).status_code == 405:
            continue  # a POST-only view (sign-out): HEAD is refused like GET
        if item.is_api:
            reset_anonymous_throttle()
        response = http.head(item.url, HTTP_ACCEPT="text/html,application/json")
        if response.status_code == 405:
            refused.append(f"HEAD {item.url} ({item.route})")
    assert not refused, "\n".join(refused)

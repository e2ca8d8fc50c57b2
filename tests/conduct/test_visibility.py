"""Hidden, frozen, delisted and cleared providers leave the lists, search, home, API lists and suggestions; the page
stays reachable; frozen and worse take no new inquiries; a hidden provider is back on day 31."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conduct import services
from conduct.models import Violation
from inquiries.selectors import providers_suggested
from inquiries.services import request_create
from providers.models import Provider
from providers.selectors import provider_cities, provider_list, providers_top_by_platform, providers_top_by_tier
from tests.factories import ProviderFactory, StoreFactory, api_client, api_key, category, merchant_of, platform, service

pytestmark = pytest.mark.django_db
SANCTIONS = ["none", "warning", "hidden", "frozen", "delisted", "cleared"]


@pytest.fixture
def one_of_each():
    """A rated provider under each sanction (the column as conduct.services writes it), in its own city."""
    providers = {}
    for index, code in enumerate(SANCTIONS):
        providers[code] = ProviderFactory(
            slug=f"p-{code}", name=f"测试{code}", tier=5, score=Decimal("4.50") - index * Decimal("0.01"),
            city=f"城{index}", platforms=("tmall",), categories=("beauty",), services=("operation",),
            sanction=code,
        )
    return providers


def test_only_none_and_warning_stay_on_every_list(client, one_of_each):
    listed = ["p-none", "p-warning"]
    assert sorted(provider_list().values_list("slug", flat=True)) == listed
    assert sorted(p.slug for p in providers_top_by_tier()[5]) == listed
    assert sorted(p.slug for _platform, ps in providers_top_by_platform() for p in ps) == listed
    assert sorted(provider_cities()) == ["城0", "城1"]
    page = client.get(reverse("providers:list"))
    assert [p.slug for p in page.context["page"].object_list] == listed
    search = client.get(reverse("providers:list"), {"q": "测试"})
    assert sorted(p.slug for p in search.context["page"].object_list) == listed
    _key, raw = api_key()
    response = api_client(raw).get(reverse("api:provider-list"), {"status": ["active", "delisted"]})
    assert sorted(row["slug"] for row in response.json()["results"]) == listed
    suggested = providers_suggested(platform=platform("tmall"), category=category("beauty"),
                                    services=[service("operation")], budget_min=None, budget_max=None)
    assert sorted(p.slug for p, _why in suggested) == listed


def test_the_page_of_a_hidden_provider_stays_reachable_by_link(client, one_of_each):
    for code in SANCTIONS:
        assert client.get(reverse("providers:detail", kwargs={"slug": f"p-{code}"})).status_code == 200


@pytest.mark.parametrize("code", ["hidden", "frozen", "delisted", "cleared"])
def test_no_new_inquiry_reaches_a_sanctioned_provider(one_of_each, code):
    store = StoreFactory(platform=platform("tmall"))
    merchant = merchant_of(store)
    with pytest.raises(ValidationError) as refused:
        request_create(merchant=merchant, store=store, platform=platform("tmall"), category=category("beauty"),
                       services=[service("operation")], budget_min=10000, budget_max=20000,
                       start_month=dt.date(2027, 1, 1), term_months=6, description="天猫代运营",
                       provider_ids=[one_of_each[code].pk])
    assert list(refused.value.message_dict) == ["providers"]


def test_a_provider_pushed_over_24_points_leaves_the_same_day_and_is_back_on_day_31(
    client, today, django_capture_on_commit_callbacks
):
    provider = ProviderFactory(slug="pushed", tier=4, score=Decimal("4.10"))
    today(dt.date(2025, 6, 10))
    _key, raw = api_key()

    def listed() -> tuple[bool, bool]:
        page = client.get(reverse("providers:list"))
        api = api_client(raw).get(reverse("api:provider-list")).json()["results"]
        return (f'href="/providers/{provider.slug}/"' in page.content.decode(),
                provider.slug in [row["slug"] for row in api])

    assert listed() == (True, True)
    # After commit the directory's cached pages move on (providers.cache): run those callbacks as a commit would.
    with django_capture_on_commit_callbacks(execute=True):
        services.violation_record(provider=provider, violation_type="store_access", occurred_on=dt.date(2025, 6, 1),
                                  decided_on=dt.date(2025, 6, 10), reference="DY-9", source=Violation.Source.ADMIN)
    assert listed() == (False, False)
    today(dt.date(2025, 7, 9))  # day 30
    with django_capture_on_commit_callbacks(execute=True):
        services.sanctions_apply()
    assert listed() == (False, False)
    today(dt.date(2025, 7, 10))  # day 31
    with django_capture_on_commit_callbacks(execute=True):
        services.sanctions_apply()
    assert listed() == (True, True)
    assert Provider.objects.get(pk=provider.pk).sanction == "warning"


def test_a_warning_shows_as_a_mark_on_the_card_and_the_page(client, one_of_each):
    listing = client.get(reverse("providers:list")).content.decode()
    assert listing.count(">服务警告</summary>") == 1
    page = client.get(reverse("providers:detail", kwargs={"slug": "p-warning"})).content.decode()
    assert ">服务警告</summary>" in page

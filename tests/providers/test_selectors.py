import datetime as dt
from decimal import Decimal

import pytest

from providers.models import Provider
from providers.selectors import (
    DIRECTORY_ORDERING,
    provider_active_store_count,
    provider_get,
    provider_list,
    service_names_by_code,
)
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    StoreFactory,
)

TODAY = dt.date(2025, 7, 15)


@pytest.mark.django_db
def test_provider_list_leaves_out_delisted_and_suspended_providers():
    active = ProviderFactory(status=Provider.Status.ACTIVE)
    probation = ProviderFactory(status=Provider.Status.PROBATION)
    delisted = ProviderFactory(status=Provider.Status.DELISTED)
    suspended = ProviderFactory(status=Provider.Status.SUSPENDED)

    assert set(provider_list()) == {active, probation}
    assert set(provider_list(include_delisted=True)) == {active, probation, delisted, suspended}


@pytest.mark.django_db
def test_provider_get_finds_a_delisted_provider_by_slug():
    ProviderFactory(slug="gone", status=Provider.Status.DELISTED)

    assert provider_get(slug="gone").status == Provider.Status.DELISTED
    with pytest.raises(Provider.DoesNotExist):
        provider_get(slug="nobody")


@pytest.mark.django_db
def test_directory_ordering_puts_best_score_first_unrated_last_and_breaks_ties_by_name():
    ProviderFactory(slug="unrated", name="甲", score=None, tier=None)
    ProviderFactory(slug="untiered", name="丁", score=Decimal("4.95"), tier=None)  # best score, no gate met
    ProviderFactory(slug="low", name="乙", score=Decimal("3.60"), tier=3)
    ProviderFactory(slug="tie-b", name="B", score=Decimal("4.50"), tier=4)
    ProviderFactory(slug="tie-a", name="A", score=Decimal("4.50"), tier=4)
    ProviderFactory(slug="top", name="丙", score=Decimal("4.40"), tier=5)

    slugs = list(provider_list().order_by(*DIRECTORY_ORDERING).values_list("slug", flat=True))

    assert slugs == ["top", "tie-a", "tie-b", "low", "untiered", "unrated"]


@pytest.mark.django_db
def test_provider_list_prefetches_reference_data(django_assert_num_queries):
    ProviderFactory.create_batch(3, platforms=["tmall", "jd"], services=["operation"], categories=["beauty"])

    with django_assert_num_queries(4):  # providers + platforms + categories + services
        for provider in provider_list():
            list(provider.platforms.all()), list(provider.categories.all()), list(provider.services.all())


@pytest.mark.django_db
def test_active_store_count_counts_distinct_stores_running_on_the_day():
    provider = ProviderFactory()
    open_ended = StoreFactory()
    EngagementFactory(provider=provider, store=open_ended, start_date=dt.date(2024, 1, 1))
    # A second, later engagement on the same store is still one store.
    EngagementFactory(provider=provider, store=open_ended, start_date=dt.date(2025, 1, 1))
    EngagementFactory(provider=provider, start_date=dt.date(2024, 1, 1), end_date=TODAY)  # last day served
    EngagementFactory(provider=provider, start_date=dt.date(2024, 1, 1), end_date=TODAY - dt.timedelta(days=1))
    EngagementFactory(provider=provider, start_date=TODAY + dt.timedelta(days=1))  # not begun yet
    EngagementFactory(start_date=dt.date(2024, 1, 1))  # another provider's

    assert provider_active_store_count(provider=provider, on=TODAY) == 2


@pytest.mark.django_db
def test_service_names_by_code_come_from_reference_data():
    names = service_names_by_code()

    assert names["warehousing"] == "仓储物流"
    assert names["cross_border"] == "跨境电商"

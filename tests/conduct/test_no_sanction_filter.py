"""今年无处罚 / no_sanction: the directory box and the API parameter keep providers with no points this year and no
sanction in force (providers.selectors.no_sanction_this_year_q), over the columns the conduct ledger writes."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from conduct import services
from conduct.models import Violation
from providers.models import Provider
from tests.factories import ProviderFactory, api_client

pytestmark = pytest.mark.django_db

LIST_URL = reverse("providers:list")
API_LIST = reverse("api:provider-list")
EVERYONE = ["clean", "withdrawn", "last-year", "warned", "minor"]  # the directory's order: tier, then score
NO_SANCTION = ["clean", "withdrawn", "last-year"]


@pytest.fixture(autouse=True)
def _fresh_pages(settings):
    # Factories and the ledger's own cache bump aside, pages here are rendered fresh (one test turns the cache on).
    settings.DIRECTORY_CACHE_SECONDS = 0


def record(provider, violation_type, decided_on):
    """An upheld violation through the ledger's own service, which writes the provider's sanction and points."""
    return services.violation_record(
        provider=provider, violation_type=violation_type, occurred_on=decided_on, decided_on=decided_on,
        reference=f"test-{provider.slug}-{decided_on.isoformat()}", source=Violation.Source.ADMIN,
    )


@pytest.fixture
def ledger(today):
    """On 10 June 2025: a warning (12 points), 12 points withdrawn, none at all, last year's 12, and 6 this year."""
    today(dt.date(2025, 6, 10))
    rows = {}
    for slug, tier, score in [("clean", 5, "4.50"), ("withdrawn", 5, "4.40"), ("last-year", 4, "4.30"),
                              ("warned", 4, "4.20"), ("minor", 4, "4.10")]:
        rows[slug] = ProviderFactory(slug=slug, name=f"测试{slug}", tier=tier, score=Decimal(score))
    record(rows["warned"], "over_promise", dt.date(2025, 6, 1))
    services.violation_withdraw(violation=record(rows["withdrawn"], "over_promise", dt.date(2025, 5, 20)),
                                reason="申诉成立")
    record(rows["last-year"], "over_promise", dt.date(2024, 11, 3))
    record(rows["minor"], "complaint_ignored", dt.date(2025, 3, 2))
    return rows


def columns() -> dict[str, tuple[str, int]]:
    return {slug: (sanction, points) for slug, sanction, points in
            Provider.objects.values_list("slug", "sanction", "sanction_points")}


def listed_slugs(response) -> list[str]:
    assert response.status_code == 200
    return [provider.slug for provider in response.context["page"].object_list]


def api_slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_the_ledger_wrote_the_columns_the_filter_reads(ledger):
    assert columns() == {
        "clean": ("none", 0), "withdrawn": ("none", 0), "last-year": ("none", 0), "warned": ("warning", 12),
        "minor": ("none", 6),
    }


def test_the_directory_box_keeps_exactly_the_providers_without_points_or_sanction_this_year(client, ledger):
    assert listed_slugs(client.get(LIST_URL, {"no_sanction": "on"})) == NO_SANCTION
    assert listed_slugs(client.get(LIST_URL)) == EVERYONE


def test_the_box_combines_with_the_other_filters(client, ledger):
    assert listed_slugs(client.get(LIST_URL, {"no_sanction": "on", "min_tier": "5"})) == ["clean", "withdrawn"]


def test_the_box_is_labelled_and_its_chip_removes_it(client, ledger):
    html = client.get(LIST_URL, {"no_sanction": "on", "min_tier": "5"}).content.decode()

    assert ('<label class="check"><input type="checkbox" name="no_sanction" id="id_no_sanction" checked> 今年无处罚'
            '</label>') in html
    assert ('<li class="chip">今年无处罚 <a class="chip__remove" href="?min_tier=5" '
            'aria-label="移除筛选条件 今年无处罚">×</a></li>') in html


def test_the_box_and_its_chip_in_english(client, ledger):
    client.cookies.load({"django_language": "en"})
    html = client.get(LIST_URL, {"no_sanction": "on"}).content.decode()

    assert 'id="id_no_sanction" checked> No sanction this year</label>' in html
    assert '<li class="chip">No sanction this year <a class="chip__remove" href="?"' in html


def test_a_warning_from_last_year_no_longer_counts_once_the_daily_job_turns_the_year(client, today, ledger):
    today(dt.date(2026, 1, 1))
    services.sanctions_apply()  # what the daily beat job runs

    assert columns()["warned"] == ("none", 0) and columns()["minor"] == ("none", 0)
    assert listed_slugs(client.get(LIST_URL, {"no_sanction": "on"})) == EVERYONE


def test_the_filtered_directory_page_costs_the_same_queries_as_the_unfiltered_one(
    client, ledger, django_assert_num_queries
):
    # test_views_directory's count with the cache off: count + page, the cards' links and credentials, the form's 3
    # reference lists and the city list. The filter is a WHERE on two columns of the listing's own table.
    with django_assert_num_queries(7):
        assert listed_slugs(client.get(LIST_URL)) == EVERYONE
    with django_assert_num_queries(7):
        assert listed_slugs(client.get(LIST_URL, {"no_sanction": "on"})) == NO_SANCTION


def test_a_cached_filtered_page_drops_a_provider_as_soon_as_a_violation_is_recorded(
    client, settings, ledger, django_capture_on_commit_callbacks
):
    from providers.cache import directory_cache_bump

    settings.DIRECTORY_CACHE_SECONDS = 600
    directory_cache_bump()
    assert listed_slugs(client.get(LIST_URL, {"no_sanction": "on"})) == NO_SANCTION
    with django_capture_on_commit_callbacks(execute=True):
        record(ledger["clean"], "unauthorised_case", dt.date(2025, 6, 9))

    html = client.get(LIST_URL, {"no_sanction": "on"}).content.decode()
    assert 'href="/providers/clean/"' not in html and 'href="/providers/withdrawn/"' in html


@pytest.mark.parametrize(("query", "expected"), [
    ({"no_sanction": "true"}, NO_SANCTION),
    ({"no_sanction": "1"}, NO_SANCTION),
    ({"no_sanction": "false"}, EVERYONE),
    ({}, EVERYONE),
    ({"no_sanction": "true", "min_tier": 5}, ["clean", "withdrawn"]),
])
def test_the_api_parameter_keeps_the_same_providers(ledger, query, expected):
    # The API's default order is -score, the same as the directory's here.
    assert api_slugs(api_client().get(API_LIST, query)) == expected


@pytest.mark.parametrize("value", ["yes", "on", "2"])
def test_an_api_value_other_than_true_or_false_is_400_naming_the_parameter(ledger, value):
    response = api_client().get(API_LIST, {"no_sanction": value})

    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert [(error["field"], error["message"]) for error in body["errors"]] == [("no_sanction", "请填写 true 或 false。")]

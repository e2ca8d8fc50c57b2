"""ingest.importers.directory: the providers and engagements loaders, run through ingest.services."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.csv_import import ImportFailed
from ingest.services import import_engagements, import_providers
from providers.models import Engagement, Provider, Store
from tests.factories import EngagementFactory, ProviderFactory, StoreFactory, engagement_row, provider_row, table_counts


def codes(manager) -> list[str]:
    return sorted(manager.values_list("code", flat=True))


def errors_of(excinfo) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.code) for error in excinfo.value.errors]


# Providers


@pytest.mark.django_db
def test_import_providers_creates_exactly_the_rows_of_the_file():
    rows = [provider_row(), provider_row(
        slug="beta", name="贝塔", name_en="", city="上海", founded_year="", platforms="", categories="", services="",
        fee_min="", fee_max="", international_brands="", warehouse_area_m2="", website="",
    )]

    result = import_providers(rows=rows)

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    acme, beta = Provider.objects.get(slug="acme"), Provider.objects.get(slug="beta")
    assert result.affected_provider_ids == {acme.pk, beta.pk}
    assert (acme.name, acme.name_en, acme.city, acme.founded_year) == ("爱克美电商", "Acme Commerce", "杭州", 2015)
    assert (acme.fee_min, acme.fee_max) == (Decimal("10000.00"), Decimal("30000.50"))
    assert (acme.international_brands, acme.warehouse_area_m2) == (3, 1200)
    assert acme.website == "https://acme.example.cn"
    assert (acme.status, acme.verified, acme.tier) == (Provider.Status.ACTIVE, False, None)
    assert codes(acme.platforms) == ["jd", "tmall"]
    assert codes(acme.categories) == ["apparel"]
    assert codes(acme.services) == ["operation", "warehousing"]
    assert (beta.name_en, beta.founded_year, beta.fee_min, beta.fee_max, beta.website) == ("", None, None, None, "")
    assert (beta.international_brands, beta.warehouse_area_m2) == (0, 0)
    assert codes(beta.platforms) == codes(beta.categories) == codes(beta.services) == []


@pytest.mark.django_db
def test_reimporting_the_same_providers_changes_nothing():
    rows = [provider_row(), provider_row(slug="beta", services="")]
    import_providers(rows=rows)
    before = {p.slug: (p.updated_at, p.fee_max) for p in Provider.objects.all()}
    counts = table_counts()

    result = import_providers(rows=rows)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert result.affected_provider_ids == set()
    assert {p.slug: (p.updated_at, p.fee_max) for p in Provider.objects.all()} == before
    assert table_counts() == counts


@pytest.mark.django_db
def test_changing_one_field_counts_as_one_update():
    import_providers(rows=[provider_row(), provider_row(slug="beta")])
    beta_updated_at = Provider.objects.get(slug="beta").updated_at

    result = import_providers(rows=[provider_row(city="宁波"), provider_row(slug="beta")])

    acme = Provider.objects.get(slug="acme")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert result.affected_provider_ids == {acme.pk}
    assert acme.city == "宁波"
    assert acme.updated_at > Provider.objects.get(slug="beta").updated_at == beta_updated_at


@pytest.mark.django_db
def test_import_sets_relations_to_exactly_the_listed_codes():
    provider = ProviderFactory(slug="acme", platforms=["tmall", "douyin"], services=["design"])

    result = import_providers(rows=[provider_row(platforms="jd|tmall", services="")])

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert codes(provider.platforms) == ["jd", "tmall"]
    assert codes(provider.services) == []
    assert codes(provider.categories) == ["apparel"]


@pytest.mark.django_db
def test_changing_only_relations_counts_as_an_update():
    import_providers(rows=[provider_row()])
    updated_at = Provider.objects.get().updated_at

    result = import_providers(rows=[provider_row(services="operation|warehousing|cross_border")])

    provider = Provider.objects.get()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert codes(provider.services) == ["cross_border", "operation", "warehousing"]
    assert provider.updated_at > updated_at


@pytest.mark.django_db
def test_every_bad_cell_is_reported_and_no_row_is_written():
    ProviderFactory(slug="existing", city="北京")
    before = table_counts()
    rows = [
        provider_row(slug="good-one"),
        provider_row(slug="bad-year", founded_year="二零一五"),
        provider_row(slug="bad-fee", fee_min="100.123", fee_max="abc"),
        provider_row(slug="bad-codes", platforms="tmall|amazon", services="operation|teleport"),
        provider_row(slug="bad-range", founded_year="1900", fee_min="500", fee_max="100"),
        provider_row(slug="Bad Slug!", name="", website="not a url"),
        provider_row(slug="existing", city="", international_brands="-1"),
    ]

    with pytest.raises(ImportFailed) as excinfo:
        import_providers(rows=rows)

    assert errors_of(excinfo) == [
        (3, "founded_year", "invalid_integer"),
        (4, "fee_min", "too_many_decimals"),
        (4, "fee_max", "invalid_decimal"),
        (5, "platforms", "unknown_code"),
        (5, "services", "unknown_code"),
        (6, "founded_year", "out_of_range"),
        (6, "fee_max", "constraint"),
        (7, "slug", "invalid"),
        (7, "name", "required"),
        (7, "website", "invalid"),
        (8, "city", "required"),
        (8, "international_brands", "out_of_range"),
    ]
    messages = {(e.row, e.column): e.message for e in excinfo.value.errors}
    assert "amazon" in messages[5, "platforms"]
    assert "teleport" in messages[5, "services"]
    assert "1949–2100" in messages[6, "founded_year"]
    assert messages[6, "fee_max"] == "月服务费上限不能低于下限。"
    assert str(excinfo.value.errors[0]).startswith("第3行")
    assert table_counts() == before
    assert Provider.objects.get(slug="existing").city == "北京"


@pytest.mark.django_db
def test_too_long_name_is_an_error():
    with pytest.raises(ImportFailed) as excinfo:
        import_providers(rows=[provider_row(name="长" * 121)])

    assert errors_of(excinfo) == [(2, "name", "max_length")]


@pytest.mark.django_db
def test_duplicate_slug_in_the_file_names_both_rows():
    rows = [provider_row(), provider_row(slug="beta"), provider_row(name="另一个爱克美")]

    with pytest.raises(ImportFailed) as excinfo:
        import_providers(rows=rows)

    assert errors_of(excinfo) == [(4, "slug", "duplicate")]
    assert "第2行" in excinfo.value.errors[0].message
    assert Provider.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_reports_counts_and_writes_nothing():
    ProviderFactory(slug="acme", platforms=["tmall", "jd"])
    before = table_counts()

    result = import_providers(rows=[provider_row(), provider_row(slug="beta")], dry_run=True)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert table_counts() == before
    assert Provider.objects.get(slug="acme").name != "爱克美电商"


@pytest.mark.django_db
def test_provider_import_query_count_does_not_grow_with_rows(unbatched):
    def rows(prefix, count, **cells):
        return [provider_row(slug=f"{prefix}-{n}", **cells) for n in range(count)]

    def queries(rows):
        with CaptureQueriesContext(connection) as captured:
            import_providers(rows=rows)
        return len(captured)

    changed = {"city": "宁波", "services": "design"}
    created = queries(rows("small", 10)), queries(rows("big", 100))
    updated = queries(rows("small", 10, **changed)), queries(rows("big", 100, **changed))
    unchanged = queries(rows("small", 10, **changed)), queries(rows("big", 100, **changed))

    assert Provider.objects.filter(city="宁波").count() == 110
    assert created[0] == created[1]
    assert updated[0] == updated[1]
    assert unchanged[0] == unchanged[1]


# Engagements


@pytest.mark.django_db
def test_import_engagements_creates_stores_and_engagements(acme):
    beta = ProviderFactory(slug="beta")
    rows = [
        engagement_row(),
        engagement_row(provider_slug="beta", start_date="2022-03-01", end_date="2023-12-31"),
        engagement_row(platform="jd", store_external_id="JD-9", store_name="京东店", category=""),
    ]

    result = import_engagements(rows=rows)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.affected_provider_ids == {acme.pk, beta.pk}
    tmall = Store.objects.get(platform__code="tmall", external_id="TM001")
    assert (tmall.name, tmall.category.code) == ("爱克美旗舰店", "apparel")
    assert Store.objects.get(platform__code="jd", external_id="JD-9").category is None
    assert sorted(Engagement.objects.values_list("provider__slug", "store__external_id", "start_date", "end_date")) == [
        ("acme", "JD-9", dt.date(2024, 1, 1), None),
        ("acme", "TM001", dt.date(2024, 1, 1), None),
        ("beta", "TM001", dt.date(2022, 3, 1), dt.date(2023, 12, 31)),
    ]


@pytest.mark.django_db
def test_reimporting_the_same_engagements_changes_nothing(acme):
    rows = [engagement_row(), engagement_row(store_external_id="TM002", store_name="二店", end_date="2024-06-30")]
    import_engagements(rows=rows)
    counts = table_counts()

    result = import_engagements(rows=rows)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert result.affected_provider_ids == set()
    assert table_counts() == counts


@pytest.mark.django_db
def test_ending_an_engagement_and_renaming_a_store_are_updates(acme):
    import_engagements(rows=[engagement_row(), engagement_row(store_external_id="TM002", store_name="二店")])

    result = import_engagements(rows=[
        engagement_row(end_date="2025-02-28"),
        engagement_row(store_external_id="TM002", store_name="二店（新）", category="beauty"),
    ])

    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert Engagement.objects.get(store__external_id="TM001").end_date == dt.date(2025, 2, 28)
    store = Store.objects.get(external_id="TM002")
    assert (store.name, store.category.code) == ("二店（新）", "beauty")
    assert Store.objects.count() == 2


@pytest.mark.django_db
def test_engagement_import_uses_existing_stores(acme):
    store = StoreFactory(external_id="TM001", name="爱克美旗舰店")
    EngagementFactory(provider=acme, store=store, start_date=dt.date(2024, 1, 1))

    result = import_engagements(rows=[engagement_row(), engagement_row(start_date="2025-01-01")])

    assert (result.created, result.updated, result.unchanged) == (1, 0, 1)
    assert Store.objects.count() == 1
    assert list(store.engagements.order_by("start_date").values_list("start_date", flat=True)) == [
        dt.date(2024, 1, 1), dt.date(2025, 1, 1)]


@pytest.mark.django_db
def test_bad_engagement_rows_are_all_reported_and_nothing_is_written(acme):
    before = table_counts()
    rows = [
        engagement_row(),
        engagement_row(provider_slug="nobody", store_external_id="TM002"),
        engagement_row(platform="amazon", category="toys"),
        engagement_row(store_external_id="TM003", start_date="2024-02-30", end_date="2024/05/01"),
        engagement_row(store_external_id="TM004", start_date="2024-05-01", end_date="2024-04-30"),
        engagement_row(store_external_id="TM001", start_date="2024-01-01"),
        engagement_row(store_external_id="TM001", store_name="别的名字", start_date="2024-09-01"),
    ]

    with pytest.raises(ImportFailed) as excinfo:
        import_engagements(rows=rows)

    key = "provider_slug, platform, store_external_id, start_date"
    assert errors_of(excinfo) == [
        (3, "provider_slug", "unknown_provider"),
        (4, "platform", "unknown_code"),
        (4, "category", "unknown_code"),
        (5, "start_date", "invalid_date"),
        (5, "end_date", "invalid_date"),
        (6, "end_date", "constraint"),
        (7, key, "duplicate"),
        (8, "store_name", "conflict"),
    ]
    messages = {(e.row, e.column): e.message for e in excinfo.value.errors}
    assert "nobody" in messages[3, "provider_slug"]
    assert "amazon" in messages[4, "platform"]
    assert "第2行" in messages[7, key]
    assert "第2行" in messages[8, "store_name"]
    assert table_counts() == before


@pytest.mark.django_db
def test_engagement_dry_run_reports_counts_and_writes_nothing(acme):
    import_engagements(rows=[engagement_row()])
    before = table_counts()

    result = import_engagements(
        rows=[engagement_row(end_date="2025-01-31"), engagement_row(store_external_id="NEW1")], dry_run=True)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert table_counts() == before
    assert Engagement.objects.get().end_date is None


@pytest.mark.django_db
def test_engagement_import_query_count_does_not_grow_with_rows(acme, unbatched):
    def rows(prefix, count, **cells):
        return [engagement_row(store_external_id=f"{prefix}{n}", store_name=f"店{n}", **cells) for n in range(count)]

    def queries(rows):
        with CaptureQueriesContext(connection) as captured:
            import_engagements(rows=rows)
        return len(captured)

    created = queries(rows("S", 10)), queries(rows("B", 100))
    unchanged = queries(rows("S", 10)), queries(rows("B", 100))
    ended = queries(rows("S", 10, end_date="2025-01-31")), queries(rows("B", 100, end_date="2025-01-31"))

    assert Engagement.objects.filter(end_date=dt.date(2025, 1, 31)).count() == 110
    assert created[0] == created[1]
    assert unchanged[0] == unchanged[1]
    assert ended[0] == ended[1]

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.csv_import import ImportFailed, fetch_by_keys, read_csv
from ingest.importers import PROVIDER_COLUMNS
from ingest.services import import_engagements, import_providers
from providers.models import Engagement, Provider, Store
from ratings.models import PendingRecompute
from tests.factories import (
    EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, engagement_row, provider_row, table_counts,
    write_csv,
)


@pytest.fixture
def unbatched(monkeypatch):
    """Lift SQLite's 999-parameter split of bulk statements (PostgreSQL has none), so counts measure the importer."""
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: max(len(objs), 1))


def codes(manager) -> list[str]:
    return sorted(manager.values_list("code", flat=True))


def errors_of(excinfo) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.code) for error in excinfo.value.errors]


def import_file(importer, path, **kwargs):
    with open(path, "rb") as file:
        return importer(rows=read_csv(file), **kwargs)


# Reading files


@pytest.mark.django_db
def test_file_with_excel_bom_and_blank_lines_imports(tmp_path):
    path = tmp_path / "providers.csv"
    write_csv(path, [provider_row(), provider_row(slug="beta", name="贝塔")], encoding="utf-8-sig")
    path.write_bytes(path.read_bytes().replace(b"\r\nbeta", b"\r\n\r\n,,,,,,,,,,,,\r\nbeta") + b"\r\n\r\n")

    result = import_file(import_providers, path)

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert sorted(Provider.objects.values_list("slug", flat=True)) == ["acme", "beta"]


def test_rows_are_numbered_by_the_line_they_start_on():
    data = "slug,name\n\nacme,\"爱克美\n电商\"\nbeta,贝塔\n".encode()

    rows = read_csv(data)

    assert rows.columns == ["slug", "name"]
    assert rows.lines == [3, 5]
    assert rows[0] == {"slug": "acme", "name": "爱克美\n电商"}


@pytest.mark.django_db
def test_gbk_file_is_rejected_naming_the_line_and_nothing_is_written(tmp_path):
    path = tmp_path / "providers.csv"
    write_csv(path, [provider_row(), provider_row(slug="beta", name="贝塔电商")], encoding="gbk")
    before = table_counts()

    with pytest.raises(ImportFailed) as excinfo:
        import_file(import_providers, path)

    # The header is ASCII; the first Chinese character is on line 2.
    assert errors_of(excinfo) == [(2, "", "encoding")]
    assert "UTF-8" in excinfo.value.errors[0].message
    assert table_counts() == before


@pytest.mark.django_db
def test_missing_columns_are_named_in_one_error(tmp_path):
    columns = [c for c in PROVIDER_COLUMNS if c not in ("city", "website")]
    path = write_csv(tmp_path / "providers.csv", [provider_row()], columns=columns)
    before = table_counts()

    with pytest.raises(ImportFailed) as excinfo:
        import_file(import_providers, path)

    assert errors_of(excinfo) == [(1, "city, website", "missing_columns")]
    assert "city, website" in excinfo.value.errors[0].message
    assert table_counts() == before


@pytest.mark.django_db
def test_extra_column_is_an_error(tmp_path):
    path = write_csv(tmp_path / "providers.csv", [provider_row(phone="12345")])
    before = table_counts()

    with pytest.raises(ImportFailed) as excinfo:
        import_file(import_providers, path)

    assert errors_of(excinfo) == [(1, "phone", "unknown_columns")]
    assert table_counts() == before


@pytest.mark.django_db
def test_row_with_more_cells_than_the_header_is_an_error(tmp_path):
    path = write_csv(tmp_path / "providers.csv", [provider_row()])
    path.write_bytes(path.read_bytes().rstrip(b"\r\n") + b",surplus\r\n")

    with pytest.raises(ImportFailed) as excinfo:
        import_file(import_providers, path)

    assert errors_of(excinfo) == [(2, "", "extra_cells")]


@pytest.mark.django_db
def test_rows_from_a_list_are_numbered_from_first_row():
    rows = [provider_row(), provider_row(slug="beta", founded_year="一九九九")]

    with pytest.raises(ImportFailed) as excinfo:
        import_providers(rows=rows, first_row=0)

    assert errors_of(excinfo) == [(1, "founded_year", "invalid_integer")]
    assert Provider.objects.count() == 0


@pytest.mark.django_db
def test_keys_beyond_one_query_are_fetched_in_chunks():
    providers = ProviderFactory.create_batch(3)
    stores = StoreFactory.create_batch(3)
    slugs = [(f"missing-{n}",) for n in range(1000)] + [(p.slug,) for p in providers]
    store_keys = [(s.platform_id, f"missing-{n}") for n, s in enumerate(stores * 200)] + [
        (s.platform_id, s.external_id) for s in stores]

    with CaptureQueriesContext(connection) as captured:
        by_slug = fetch_by_keys(Provider.objects.all(), fields=("slug",), keys=slugs)
        by_store = fetch_by_keys(Store.objects.all(), fields=("platform_id", "external_id"), keys=store_keys)

    # 1003 slugs → 2 queries of ≤ 900; 603 two-column keys → 2 queries of ≤ 450.
    assert len(captured) == 4
    assert by_slug == {(p.slug,): p for p in providers}
    assert by_store == {(s.platform_id, s.external_id): s for s in stores}


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


@pytest.fixture
def acme(db):
    return ProviderFactory(slug="acme")


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
def test_engagement_import_refreshes_verification_and_requests_recompute(acme, django_capture_on_commit_callbacks):
    store = StoreFactory(external_id="TM001")
    review = ReviewFactory(provider=acme, store=store, created_at=dt.date(2025, 3, 1), verified=False)

    with django_capture_on_commit_callbacks() as callbacks:
        import_engagements(rows=[engagement_row(start_date="2025-01-01", store_name=store.name)])

    review.refresh_from_db()
    assert review.verified is True
    assert list(PendingRecompute.objects.values_list("provider_id", flat=True)) == [acme.pk]
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_engagement_import_calls_the_rating_services_with_the_affected_providers(acme):
    other = ProviderFactory(slug="other")
    import_engagements(rows=[engagement_row(provider_slug="other")])

    with mock.patch("ingest.services.reviews_refresh_verification") as refresh, \
            mock.patch("ingest.services.ratings_request_recompute") as recompute:
        import_engagements(rows=[engagement_row(provider_slug="other"), engagement_row(start_date="2024-02-01")])
        import_engagements(rows=[engagement_row(provider_slug="other")], dry_run=True)

    refresh.assert_called_once_with(provider_ids={acme.pk})
    recompute.assert_called_once_with(provider_ids={acme.pk})
    assert other.pk not in refresh.call_args.kwargs["provider_ids"]


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

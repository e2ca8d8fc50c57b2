"""ingest.csv_import: reading files (encodings, blank lines, row numbers, columns) and fetching keys in chunks."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.csv_import import ImportFailed, fetch_by_keys, read_csv
from ingest.importers import PROVIDER_COLUMNS
from ingest.services import import_providers
from providers.models import Provider, Store
from tests.factories import ProviderFactory, StoreFactory, provider_row, table_counts, write_csv


def errors_of(excinfo) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.code) for error in excinfo.value.errors]


def import_file(importer, path, **kwargs):
    with open(path, "rb") as file:
        return importer(rows=read_csv(file), **kwargs)


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

"""Fuzzing bad input (issue 7, item 5): every importer and the ingest API either succeed or fail cleanly.

Property: for any rows — random text and unicode, ~100 KB cells, formula-injection cells, files in the wrong
encoding, wrong shapes, non-string JSON — an import returns a result, or raises ImportFailed whose every error
names a row and says what is wrong, and then the database is exactly as before. The API answers 200 or 400,
never 500, with the same all-or-nothing rule. Exports neutralise formula cells and still re-import unchanged.
"""
import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from partners.authentication import throttle_reset
from ingest.csv_import import ImportFailed, ImportResult, read_csv
from ingest.importers import ENGAGEMENT_COLUMNS, PROVIDER_COLUMNS
from ingest.services import import_engagements, import_providers
from providers.models import Provider
from common import csv_writing
from ingest import exports
from ingest.importers import PERFORMANCE_COLUMNS, REVIEW_COLUMNS
from ingest.services import import_performance, import_reviews
from ratings.models import Review, StorePerformance
from tests.factories import (
    EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, api_client, api_key, engagement_row,
    performance_row, provider_row, review_row, table_counts,
)

pytestmark = pytest.mark.django_db

FUZZ = hsettings(
    max_examples=40, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

FORMULAS = [
    '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)*cmd|' /C calc'!A0", "=1+2",
    "\t=1", "\r=1", "'=already quoted", "-", "+", "@", "=",
]
HUGE = st.builds(lambda text, n: (text or "长") * n, st.text(min_size=1, max_size=3), st.integers(30_000, 100_000))
CELL = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(FORMULAS),
    st.sampled_from(["", " ", "NaN", "1e3", "-0", "99999999999999999999", "2025-02-30", "2025-13", "１２３", "\x00"]),
    HUGE,
)

IMPORTERS = {
    "providers": (import_providers, PROVIDER_COLUMNS, provider_row),
    "engagements": (import_engagements, ENGAGEMENT_COLUMNS, engagement_row),
    "reviews": (import_reviews, REVIEW_COLUMNS, review_row),
    "performance": (import_performance, PERFORMANCE_COLUMNS, performance_row),
}


@pytest.fixture
def world(db):
    """The provider, store and engagement the valid base rows refer to, so fuzzed rows may also succeed."""
    acme = ProviderFactory(slug="acme")
    store = StoreFactory(external_id="TM001")
    EngagementFactory(provider=acme, store=store, start_date=dt.date(2024, 1, 1))
    return acme


@st.composite
def fuzzed_rows(draw, base, columns):
    """1–4 rows: each the valid base row with some cells replaced, sometimes a column dropped or one added."""
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        row = dict(base())
        for column in draw(st.lists(st.sampled_from(columns), max_size=len(columns), unique=True)):
            row[column] = draw(CELL)
        shape = draw(st.sampled_from(["same", "same", "same", "drop", "extra"]))
        if shape == "drop":
            row.pop(draw(st.sampled_from(columns)))
        elif shape == "extra":
            row[draw(st.text(min_size=1, max_size=10))] = draw(CELL)
        rows.append(row)
    return rows


def to_csv(rows, columns) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue()


def assert_clean_outcome(call) -> ImportResult | None:
    """Run an import: a result, or ImportFailed with row-numbered, worded errors and no table touched."""
    before = table_counts()
    try:
        return call()
    except ImportFailed as exc:
        assert exc.errors, "ImportFailed without errors"
        for error in exc.errors:
            assert isinstance(error.row, int) and error.row >= 0, error
            assert str(error.message).strip(), error
            assert str(error)  # renders as the "第N行…" line shown to the user
        assert table_counts() == before
        return None


@pytest.mark.parametrize("kind", IMPORTERS)
def test_importers_succeed_or_fail_cleanly_on_random_rows(world, kind):
    importer, columns, base = IMPORTERS[kind]

    @FUZZ
    @given(rows=fuzzed_rows(base, columns), dry_run=st.booleans())
    def check(rows, dry_run):
        assert_clean_outcome(lambda: importer(rows=rows, dry_run=dry_run))

    check()


@pytest.mark.parametrize("kind", IMPORTERS)
def test_importers_succeed_or_fail_cleanly_on_random_csv_files(world, kind):
    """The file path: rows written as CSV, read back by read_csv (numbered by line), then imported."""
    importer, columns, base = IMPORTERS[kind]

    @FUZZ
    @given(rows=fuzzed_rows(base, columns))
    def check(rows):
        text = to_csv(rows, columns).replace("\x00", "")  # a NUL is the csv module's error, tested separately
        assert_clean_outcome(lambda: importer(rows=read_csv(text.encode("utf-8")), dry_run=True))

    check()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "latin-1", "utf-16", "utf-16-le", "cp1252"])
@pytest.mark.parametrize("kind", IMPORTERS)
def test_files_in_a_wrong_encoding_are_refused_with_an_encoding_error_or_import_cleanly(world, kind, encoding):
    importer, columns, base = IMPORTERS[kind]

    @hsettings(FUZZ, max_examples=8)
    @given(rows=fuzzed_rows(base, columns))
    def check(rows):
        data = to_csv(rows, columns).encode(encoding, errors="replace")
        before = table_counts()
        try:
            importer(rows=read_csv(data))
        except ImportFailed as exc:
            assert all(error.row >= 1 and error.message for error in exc.errors)
            assert table_counts() == before

    check()


def test_a_gbk_file_with_chinese_text_is_refused_as_not_utf8_on_its_first_bad_line(world):
    data = to_csv([review_row(title="服务很好")], REVIEW_COLUMNS).encode("gbk")
    before = table_counts()

    with pytest.raises(ImportFailed) as excinfo:
        import_reviews(rows=read_csv(data))

    assert [(error.row, error.code) for error in excinfo.value.errors] == [(2, "encoding")]
    assert table_counts() == before


def test_a_huge_cell_is_a_row_error_not_a_database_error(world):
    before = table_counts()

    with pytest.raises(ImportFailed) as excinfo:
        import_reviews(rows=[review_row(title="长" * 100_000)])

    assert [(error.row, error.column) for error in excinfo.value.errors] == [(2, "title")]
    assert table_counts() == before


# The ingest API


@pytest.fixture
def ingest(world):
    key, raw = api_key(scopes=["ingest"])
    client = api_client(raw)

    def post(body):
        throttle_reset(scope="ingest", ident=f"key:{key.prefix}")  # fuzzing is not the throttle's concern
        return client.post(reverse("api:performance"), body, format="json")

    return post


JSON_VALUE = st.one_of(CELL, st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                                            max_size=2))


@st.composite
def ingest_bodies(draw):
    rows = draw(fuzzed_rows(performance_row, PERFORMANCE_COLUMNS))
    for row in rows:
        if draw(st.booleans()):
            row[draw(st.sampled_from(PERFORMANCE_COLUMNS))] = draw(JSON_VALUE)
    body = {"rows": rows, "dry_run": draw(st.booleans())}
    return draw(st.one_of(st.just(body), st.just(body), st.just(body), JSON_VALUE, JSON_VALUE.map(lambda value: {"rows": value})))


def test_ingest_api_answers_200_or_a_clear_400_and_writes_all_rows_or_none(ingest):
    @FUZZ
    @given(body=ingest_bodies())
    def check(body):
        before = table_counts()
        response = ingest(body)

        assert response.status_code in (200, 400), (response.status_code, response.content[:300])
        if response.status_code == 400:
            assert response.json()  # a JSON body saying what is wrong
            assert table_counts() == before

    check()


def test_ingest_api_reports_each_bad_row_with_its_index_and_field(ingest):
    before = table_counts()

    response = ingest({"rows": [performance_row(), performance_row(product_score='=HYPERLINK("http://x","y")')]})

    assert response.status_code == 400
    assert '"row":1' in response.content.decode().replace(" ", "")
    assert table_counts() == before
    assert not StorePerformance.objects.exists()


# Exports: formula cells leave neutralised and come back unchanged


@pytest.mark.parametrize("value, exported", [
    ('=HYPERLINK("http://x","y")', "'=HYPERLINK(\"http://x\",\"y\")"), ("+cmd", "'+cmd"), ("-1+1", "'-1+1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("'=x", "''=x"), ("''", "'''"),
    ("-1", "-1"), ("+2.5", "+2.5"), ("服务很好", "服务很好"), ("a=b", "a=b"), ("'quoted'", "'quoted'"), ("", ""),
])
def test_csv_safe_quotes_formula_cells_only(value, exported):
    assert csv_writing.csv_safe(value) == exported


@FUZZ
@given(value=st.one_of(st.text(max_size=30), st.sampled_from(FORMULAS)))
def test_an_exported_cell_never_starts_a_formula_and_reads_back_as_itself(value):
    from ingest.csv_import import cell

    safe = csv_writing.csv_safe(value)
    assert not safe.startswith(("=", "+", "@", "\t", "\r")) and (not safe.startswith("-") or safe == value)
    if value == value.strip():  # the importer trims cells; stored values are trimmed
        assert cell({"c": safe}, "c") == value


def test_formula_text_in_reviews_and_providers_exports_neutralised_and_reimports_unchanged(world):
    store = world.engagements.get().store
    ReviewFactory(provider=world, store=store, title='=HYPERLINK("http://x","y")', body="-1+1 @SUM(A1)",
                  created_at=dt.date(2025, 3, 1))
    Provider.objects.filter(pk=world.pk).update(name="+cmd 爱克美", city="@杭州")

    reviews_csv = "".join(csv_writing.csv_lines(exports.reviews_export(Review.objects.all())))
    providers_csv = "".join(csv_writing.csv_lines(exports.providers_export(Provider.objects.filter(pk=world.pk))))

    assert ',"\'=HYPERLINK(""http://x"",""y"")",\'-1+1 @SUM(A1),' in reviews_csv
    assert ",'+cmd 爱克美," in providers_csv and ",'@杭州," in providers_csv
    for importer, text in ((import_reviews, reviews_csv), (import_providers, providers_csv)):
        result = importer(rows=read_csv(text.encode("utf-8")), dry_run=True)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 1)

"""Bad input on every merchant page, API endpoint and import: 400, a clear page or row errors, never a 500.

Each page is probed with a table of bad values for every parameter it reads (and a few it does not), one
parameter at a time, plus repeated parameters and oversized lists. Then the bad input the pipeline takes: periods
that are no month or out of range (API, dry run, command, admin upload), JSON nested too deep, and formula text
coming back in the admin's errors CSV.
"""
import base64
import csv
import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ingest.importers import PERFORMANCE_COLUMNS
from ingest.models import ImportJob
from partners.after_response import runner
from partners.authentication import throttle_reset
from partners.parsers import json_depth_exceeds
from ratings import scoring
from ratings.models import StorePerformance
from tests.factories import (
    STEWARDS, EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, UserFactory, api_client, api_key,
    performance_row, reset_anonymous_throttle, staff_user, table_counts, write_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_response_jobs_run_by_the_test(monkeypatch):
    """An admin upload's dry run waits for runner.run_here() (on the test's connection), not the runner's thread."""
    monkeypatch.setattr(runner, "threaded", False)
    yield
    runner.clear()


HUGE = "测" * 5000 + "a" * 5000
BAD_VALUES = [
    "abc", "", " ", "-1", "0", "9", "1.5", "1e309", "NaN", "Infinity", "-Infinity", "9" * 40, "１２",
    "'; DROP TABLE providers_provider;--", "<script>alert(1)</script>", "%00", "\u0000", "🙂", "[]", "{}",
    "../../etc/passwd", HUGE,
]
FILTERS = ["page", "tier", "min_tier", "platform", "category", "service", "city", "min_score", "q",
           "fee_from", "fee_to", "sort"]
PAGES = {
    # url: the parameters it reads (plus one it does not, to check unknown ones are ignored)
    "/": [*FILTERS, "unknown"],
    "/providers/": [*FILTERS, "unknown"],
    "/providers/bad-input-co/": ["sort", "page", "unknown"],
    "/compare/": ["p", "unknown"],
    "/tiers/": ["unknown"],
    "/me/reviews/": ["page", "unknown"],
    "/accounts/login/": ["next"],
}
API = {
    "/api/v1/providers/": [*FILTERS, "ordering", "cursor", "page_size"],
    "/api/v1/providers/bad-input-co/reviews/": ["cursor", "page_size", "ordering"],
    "/api/v1/providers/bad-input-co/history/": ["cursor", "page_size"],
    "/api/v1/compare/": ["providers"],
    "/api/v1/tiers/": ["unknown"],
    "/api/v1/policy/": ["unknown"],
    "/api/v1/platforms/": ["cursor", "page_size"],
    "/api/v1/categories/": ["cursor", "page_size"],
    "/api/v1/services/": ["cursor", "page_size"],
}
FIFTY_SLUGS = ",".join(f"provider-{n}" for n in range(50))


@pytest.fixture
def seeded(db):
    provider = ProviderFactory(slug="bad-input-co")
    ReviewFactory(provider=provider)
    return provider


@pytest.fixture
def merchant_client(db):
    client = Client()
    client.force_login(UserFactory(username="bad-input-merchant"))
    return client


def probe(client, url, params) -> int | str:
    if url.startswith("/api/"):
        reset_anonymous_throttle()
    try:
        return client.get(url, params).status_code
    except Exception as exc:  # the test client re-raises a view's exception; count it as the 500 it would be
        return f"500 ({type(exc).__name__}: {str(exc)[:80]})"


def failures(client, table, allowed) -> list[str]:
    found = []
    for url, names in table.items():
        cases = [{name: value} for name in names for value in BAD_VALUES]
        cases += [{name: ["1", "abc", HUGE]} for name in names]  # the same parameter three times
        cases += [{"p": FIFTY_SLUGS}, {"p": FIFTY_SLUGS.split(",")}, {"providers": FIFTY_SLUGS}]
        for params in cases:
            status = probe(client, url, params)
            if status not in allowed:
                shown = {k: (v if len(str(v)) < 60 else f"<{len(str(v))} chars>") for k, v in params.items()}
                found.append(f"GET {url} {shown} -> {status}")
    return found


def test_merchant_pages_answer_bad_parameters_with_a_page_or_400(client, seeded):
    # 200 (the page, bad values ignored or explained), 302 (compare normalises its URL), 400, 404 (unknown slug).
    assert failures(client, PAGES, allowed={200, 302, 400}) == []


def test_signed_in_pages_answer_bad_parameters_with_a_page_or_400(merchant_client, seeded):
    assert failures(merchant_client, {"/me/reviews/": ["page", "unknown"]}, allowed={200, 400}) == []


def test_api_answers_bad_parameters_with_json_400_or_a_result(client, seeded):
    # DRF answers an unreadable cursor with 404 "Invalid cursor"; everything else is 200 or a 400.
    assert failures(client, API, allowed={200, 400, 404}) == []


def test_api_errors_are_json(client, seeded):
    for params in ({"tier": "abc"}, {"providers": FIFTY_SLUGS}, {"cursor": "garbage"}):
        reset_anonymous_throttle()
        url = "/api/v1/compare/" if "providers" in params else "/api/v1/providers/"
        response = client.get(url, params)
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), (params, response["Content-Type"])
            assert response.json()["status"] == response.status_code


def test_fifty_slugs_to_compare_do_not_fail(client, seeded):
    response = client.get("/compare/", {"p": FIFTY_SLUGS})

    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("path", ["/providers/", "/compare/", "/api/v1/providers/", "/api/v1/compare/"])
def test_nul_in_the_query_string_is_refused_before_any_view(client, path):
    response = client.get(path, {"p": "\x00", "providers": "a\x00b", "q": "x"})
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json() == {
            "status": 400, "code": "invalid_query", "message": "The query string contains a NUL character.",
            "errors": [],
        }


# Periods: a month from 2000-01 to next month, through every way in (issue 8)


@pytest.fixture
def store(db):
    """The store `performance_row()` names, run by a provider, so a good row imports."""
    store = StoreFactory(external_id="TM001")
    EngagementFactory(provider=ProviderFactory(slug="acme"), store=store, start_date=dt.date(2024, 1, 1))
    return store


@pytest.fixture
def ingest(store):
    key, raw = api_key(scopes=["ingest"])
    client = api_client(raw)

    def post(body, *, content_type=None):
        throttle_reset(scope="ingest", ident=f"key:{key.prefix}")
        if content_type:  # a body sent as the text given
            return client.post(reverse("api:performance"), body, content_type=content_type)
        return client.post(reverse("api:performance"), body, format="json")

    return post


def api_errors(ingest, *, period, dry_run):
    response = ingest({"rows": [performance_row(period=period)], "dry_run": dry_run})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return [(e["row"], e["field"], e["code"], e["message"]) for e in response.json()["errors"]]


def command_errors(tmp_path, *, period, dry_run):
    path = write_csv(tmp_path / "performance.csv", [performance_row(period=period)])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_performance", str(path), *(["--dry-run"] if dry_run else []), stderr=err)
    return err.getvalue().splitlines()


def upload_errors(client, capture, *, period):
    client.force_login(staff_user(STEWARDS))
    data = io.StringIO()
    writer = csv.DictWriter(data, fieldnames=PERFORMANCE_COLUMNS)
    writer.writeheader()
    writer.writerow(performance_row(period=period))
    with capture(execute=True):
        client.post(reverse("admin:ingest_importjob_add"),
                    {"kind": "performance", "file": SimpleUploadedFile("p.csv", data.getvalue().encode())})
    runner.run_here()  # the dry run or import, after the response
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    return [(e["row"], e["column"], e["code"], e["message"]) for e in job.errors]


def next_month() -> dt.date:
    return scoring.add_months(scoring.month_start(timezone.localdate()), 1)


def range_message(value: str) -> str:
    return f"月份须在 2000-01 至 {next_month():%Y-%m} 之间：{value}"


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_period_in_year_0000_is_a_row_error_on_the_api_and_its_dry_run(ingest, dry_run):
    before = table_counts()

    assert api_errors(ingest, period="0000-05", dry_run=dry_run) == [
        (0, "period", "invalid_month", "月份须为 YYYY-MM 格式：0000-05")]
    assert table_counts() == before


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_period_in_year_0000_is_a_row_error_in_the_import_command(store, tmp_path, dry_run):
    before = table_counts()

    assert command_errors(tmp_path, period="0000-05", dry_run=dry_run) == [
        "row 2, column period: 月份须为 YYYY-MM 格式：0000-05"]
    assert table_counts() == before


def test_a_period_in_year_0000_is_a_row_error_in_the_admin_upload(
    store, client, django_capture_on_commit_callbacks
):
    assert upload_errors(client, django_capture_on_commit_callbacks, period="0000-05") == [
        (2, "period", "invalid_month", "月份须为 YYYY-MM 格式：0000-05")]


@pytest.mark.parametrize("period", ["9999-12", "0001-01", "1999-12", "next+1"])
def test_a_period_outside_2000_01_to_next_month_is_refused_naming_the_range(ingest, tmp_path, client,
                                                                            django_capture_on_commit_callbacks,
                                                                            period):
    if period == "next+1":
        period = f"{scoring.add_months(next_month(), 1):%Y-%m}"
    before = table_counts()

    assert api_errors(ingest, period=period, dry_run=False) == [
        (0, "period", "out_of_range", range_message(period))]
    assert api_errors(ingest, period=period, dry_run=True) == [
        (0, "period", "out_of_range", range_message(period))]
    assert command_errors(tmp_path, period=period, dry_run=False) == [f"row 2, column period: {range_message(period)}"]
    assert upload_errors(client, django_capture_on_commit_callbacks, period=period) == [
        (2, "period", "out_of_range", range_message(period))]
    assert table_counts() == before


@pytest.mark.parametrize("period", ["2000-01", "next"])
def test_the_range_of_periods_includes_both_ends(ingest, period):
    period = f"{next_month():%Y-%m}" if period == "next" else period

    response = ingest({"rows": [performance_row(period=period)]})

    assert response.status_code == 200, response.content[:300]
    assert StorePerformance.objects.get().period.strftime("%Y-%m") == period


# JSON nested too deep for the parser (issue 8)


def test_json_nested_100000_deep_is_a_clear_400_not_a_recursion_error(ingest):
    before = table_counts()

    response = ingest("[" * 100_000 + "]" * 100_000, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"status": 400, "code": "parse_error", "message": "JSON 嵌套过深：最多 32 层。",
                               "errors": []}
    assert table_counts() == before


def nested(depth: int) -> dict:
    """An ingest body nested `depth` objects and arrays deep: {"rows": [{…, "extra": [[…[1]…]]}]}."""
    value = 1
    for _ in range(depth - 3):  # the body, its rows and a row are the first three levels
        value = [value]
    return {"rows": [performance_row(extra=value)]}


@pytest.mark.parametrize("depth, refused", [(3, False), (32, False), (33, True), (500, True)])
def test_json_nested_past_32_levels_is_refused_even_when_python_could_parse_it(ingest, depth, refused):
    body = nested(depth)
    assert json_depth_exceeds(body, depth - 1) and not json_depth_exceeds(body, depth)

    response = ingest(body)

    assert response.status_code == 400  # when not refused, for the unknown column `extra`
    assert (response.json()["code"] == "parse_error") is refused, response.json()


def test_a_cursor_of_json_nested_100000_deep_is_an_invalid_cursor(client, seeded):
    reset_anonymous_throttle()
    cursor = base64.urlsafe_b64encode(("[" * 100_000 + "]" * 100_000).encode()).decode()

    response = client.get("/api/v1/providers/", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


# The admin's errors CSV: what the file said comes back as text, never as a live formula (issue 10)


def test_the_errors_csv_quotes_formula_text_from_the_uploaded_file(store, client, django_capture_on_commit_callbacks):
    client.force_login(staff_user(STEWARDS))
    formula = '=HYPERLINK("http://x","y")'
    data = io.StringIO()
    writer = csv.writer(data)
    writer.writerow([*PERFORMANCE_COLUMNS, formula])  # an unknown column: its error names it in the column cell
    writer.writerow([*performance_row().values(), "z"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:ingest_importjob_add"),
                    {"kind": "performance", "file": SimpleUploadedFile("p.csv", data.getvalue().encode())})
    runner.run_here()  # the dry run or import, after the response
    job = ImportJob.objects.get()
    assert [(e["row"], e["column"]) for e in job.errors] == [(1, formula)]

    response = client.get(reverse("admin:ingest_importjob_errors", args=[job.pk]))

    text = response.content.decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["row", "column", "message", "code"]
    assert rows[1:] == [["1", "'" + formula, f"未知的列：{formula}", "unknown_columns"]]

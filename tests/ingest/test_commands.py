"""The data pipeline's management commands: import_*, export_ratings and demo_accounts."""
import datetime as dt
import io
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connections
from django.utils import timezone

from providers.models import Provider
from ratings.models import Review, StorePerformance
from ratings.selectors import merchant_open_engagements
from tests.factories import (
    EngagementFactory, ProviderFactory, StoreFactory, engagement_row, merchant_of, performance_row, provider_row,
    review_row, seeded_review, table_counts, write_csv,
)
from tests.ingest.conftest import reimport_rows


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_from_shell(*argv) -> int:
    """Run as `manage.py …` would, returning the exit status (connections stay open for the test transaction)."""
    with mock.patch.object(connections, "close_all"):
        try:
            ManagementUtility(["manage.py", *argv]).execute()
        except SystemExit as exit:
            return exit.code
    return 0


@pytest.mark.django_db
def test_import_providers_prints_the_counts(tmp_path):
    path = write_csv(tmp_path / "providers.csv", [provider_row(), provider_row(slug="beta")])

    first, _ = run("import_providers", str(path))
    again, _ = run("import_providers", str(path))

    assert first == "created 2, updated 0, unchanged 0\n"
    assert again == "created 0, updated 0, unchanged 2\n"
    assert Provider.objects.count() == 2


@pytest.mark.django_db
def test_dry_run_prints_the_counts_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "providers.csv", [provider_row()])

    out, _ = run("import_providers", str(path), "--dry-run")

    assert out.startswith("created 1, updated 0, unchanged 0\n")
    assert Provider.objects.count() == 0


@pytest.mark.django_db
def test_bad_file_prints_every_error_and_fails(tmp_path):
    path = write_csv(tmp_path / "providers.csv", [
        provider_row(), provider_row(slug="beta", founded_year="abc"), provider_row(slug="gamma", platforms="amazon"),
    ])
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_providers", str(path), stdout=out, stderr=err)

    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["row 3, column founded_year", "row 4, column platforms"]
    assert "amazon" in lines[1]
    assert "2" in str(excinfo.value) and "未写入" in str(excinfo.value)
    assert out.getvalue() == ""
    assert Provider.objects.count() == 0


@pytest.mark.django_db
def test_non_utf8_file_fails_naming_the_line(tmp_path):
    path = write_csv(tmp_path / "providers.csv", [provider_row()], encoding="gbk")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_providers", str(path), stderr=err)

    assert err.getvalue().startswith("row 2: ")


@pytest.mark.django_db
def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("import_providers", str(tmp_path / "nope.csv"))

    assert "nope.csv" in str(excinfo.value)


@pytest.mark.django_db
def test_exit_status_is_zero_on_success_and_non_zero_on_errors(tmp_path, capsys):
    good = write_csv(tmp_path / "good.csv", [provider_row()])
    bad = write_csv(tmp_path / "bad.csv", [provider_row(slug="beta", fee_min="1.001")])

    assert run_from_shell("import_providers", str(good)) == 0
    assert run_from_shell("import_providers", str(bad)) == 1
    assert run_from_shell("import_providers", str(tmp_path / "nope.csv")) == 1

    captured = capsys.readouterr()
    assert "created 1, updated 0, unchanged 0" in captured.out
    assert "row 2, column fee_min: " in captured.err
    assert list(Provider.objects.values_list("slug", flat=True)) == ["acme"]


@pytest.mark.django_db
def test_import_engagements_command(tmp_path):
    ProviderFactory(slug="acme")
    path = write_csv(tmp_path / "engagements.csv", [engagement_row(), engagement_row(store_external_id="TM002")])

    out, _ = run("import_engagements", str(path))

    assert out == "created 2, updated 0, unchanged 0\n"
    assert table_counts()["providers.Engagement"] == 2


def test_import_reviews_command(store, tmp_path):
    path = write_csv(tmp_path / "reviews.csv", [review_row(), review_row(created_at="2025-03-02", rating="9")])
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_reviews", str(path), stderr=err)
    out, _ = run("import_reviews", str(write_csv(tmp_path / "fixed.csv", [review_row()])))

    assert err.getvalue().startswith("row 3, column rating: ")
    assert out == "created 1, updated 0, unchanged 0\n"
    assert Review.objects.get().verified is True


def test_import_performance_command(store, tmp_path):
    path = write_csv(tmp_path / "performance.csv", [performance_row(), performance_row(period="2025-04")])

    out, _ = run("import_performance", str(path))
    dry, _ = run("import_performance", str(path), "--dry-run")

    assert out == "created 2, updated 0, unchanged 0\n"
    assert dry.startswith("created 0, updated 0, unchanged 2\n")
    assert StorePerformance.objects.filter(store=store).count() == 2


# Re-imported reviews keep their moderation


def test_the_command_prints_the_kept_count(acme, moderated, tmp_path):
    path = write_csv(tmp_path / "reviews.csv", reimport_rows())
    out = io.StringIO()

    call_command("import_reviews", str(path), "--dry-run", stdout=out)

    assert out.getvalue().splitlines() == [
        "created 1, updated 1, unchanged 1",
        "试运行：未写入任何数据。",
        "保留审核状态 2 条：已有评价的状态不按文件改动。",
    ]
    assert Review.objects.get(created_at="2025-03-01").body == "运营团队专业，沟通及时。"


def test_the_command_adds_no_line_when_nothing_was_kept(acme, store, tmp_path):
    out = io.StringIO()

    call_command("import_reviews", str(write_csv(tmp_path / "reviews.csv", reimport_rows())), stdout=out)

    assert out.getvalue().splitlines() == ["created 3, updated 0, unchanged 0"]


# export_ratings


@pytest.mark.django_db
def test_export_rejects_a_bad_period():
    with pytest.raises(CommandError, match="'June' is not a month in the form YYYY-MM"):
        call_command("export_ratings", "--period", "June", stdout=io.StringIO())


@pytest.mark.django_db
def test_export_of_an_empty_period_prints_only_the_header():
    out = io.StringIO()
    call_command("export_ratings", "--period", "2030-01", stdout=out)
    assert out.getvalue() == (
        "slug,period,composite,reviews,performance,active_stores,excellent_stores,candidate_tier,tier,status,at_risk\n"
    )


# demo_accounts


@pytest.fixture
def today():
    return timezone.localdate()


def test_demo_accounts_picks_engagements_without_a_seeded_review(db, today):
    reviewed = EngagementFactory(provider=ProviderFactory(slug="top", score=Decimal("4.90")),
                                 start_date=today - dt.timedelta(days=200))
    seeded_review(reviewed, today - dt.timedelta(days=40))
    free = EngagementFactory(provider=reviewed.provider, start_date=today - dt.timedelta(days=100))
    other = EngagementFactory(provider=ProviderFactory(slug="second", score=Decimal("4.50")),
                              start_date=today - dt.timedelta(days=50))
    seeded_review(other, today - dt.timedelta(days=60))  # before that engagement began: does not count

    call_command("demo_accounts", password="demo-pass-1", stores=3, stdout=io.StringIO())

    from django.contrib.auth import get_user_model

    merchant = get_user_model().objects.get(username="demo_merchant")
    assert sorted(merchant.stores.values_list("pk", flat=True)) == sorted([free.store_id, other.store_id])
    assert sorted(e.pk for e in merchant_open_engagements(user=merchant, on=today)) == sorted([free.pk, other.pk])


def test_demo_accounts_fills_up_from_providers_already_chosen_and_resets_earlier_stores(db, today):
    top = ProviderFactory(slug="top", score=Decimal("4.90"))
    first = EngagementFactory(provider=top, start_date=today - dt.timedelta(days=300))
    second = EngagementFactory(provider=top, start_date=today - dt.timedelta(days=200))
    other = EngagementFactory(provider=ProviderFactory(slug="second", score=Decimal("4.50")),
                              start_date=today - dt.timedelta(days=50))
    stale = StoreFactory()
    merchant = merchant_of(stale, username="demo_merchant")
    errors = io.StringIO()

    call_command("demo_accounts", password="demo-pass-1", stores=3, stdout=io.StringIO(), stderr=errors)

    assert sorted(merchant.stores.values_list("pk", flat=True)) == sorted(
        [first.store_id, second.store_id, other.store_id]
    )
    assert errors.getvalue() == ""

    call_command("demo_accounts", password="demo-pass-1", stores=4, stdout=io.StringIO(), stderr=errors)
    assert errors.getvalue() == "only 3 unreviewed engagements of listed providers to offer\n"

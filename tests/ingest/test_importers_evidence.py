"""ingest.importers.evidence: the reviews and performance loaders, run through ingest.services."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.csv_import import ImportFailed, read_csv
from ingest.services import import_performance, import_reviews
from ratings.models import PendingRecompute, RatingEvent, Review, StorePerformance
from tests.factories import (
    EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, StorePerformanceFactory, performance_row,
    review_row, table_counts, write_csv,
)
from tests.ingest.conftest import reimport_rows


def errors_of(excinfo) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.code) for error in excinfo.value.errors]


def queries(importer, rows) -> int:
    with CaptureQueriesContext(connection) as captured:
        importer(rows=rows)
    return len(captured)


# Reviews


@pytest.mark.django_db
def test_import_reviews_from_a_file_creates_exactly_its_rows(store, acme, tmp_path):
    beta = ProviderFactory(slug="beta")
    path = write_csv(tmp_path / "reviews.csv", [
        review_row(),
        review_row(provider_slug="beta", rating="2", created_at="2025-04-15", status="pending", title="", body="",
                   effect="", communication="1", professionalism="2", responsiveness="3"),
    ])

    with open(path, "rb") as file:
        result = import_reviews(rows=read_csv(file))

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.affected_provider_ids == {acme.pk, beta.pk}
    first = Review.objects.get(provider=acme)
    assert (first.store, first.rating, first.created_at, first.status) == (
        store, 5, dt.date(2025, 3, 1), Review.Status.PUBLISHED)
    assert (first.title, first.body, first.author) == ("服务很好", "运营团队专业，沟通及时。", None)
    assert (first.effect, first.communication, first.professionalism, first.responsiveness) == (5, 4, None, None)
    second = Review.objects.get(provider=beta)
    assert (second.rating, second.created_at, second.status, second.title) == (
        2, dt.date(2025, 4, 15), Review.Status.PENDING, "")
    assert (second.effect, second.communication, second.professionalism, second.responsiveness) == (None, 1, 2, 3)
    # acme ran the store since 2024; beta never did.
    assert (first.verified, second.verified) == (True, False)
    assert sorted(PendingRecompute.objects.values_list("provider_id", flat=True)) == sorted([acme.pk, beta.pk])


@pytest.mark.django_db
def test_reimporting_the_same_reviews_changes_nothing(store):
    rows = [review_row(), review_row(created_at="2025-03-02", rating="4")]
    import_reviews(rows=rows)
    PendingRecompute.objects.all().delete()
    before = {r.pk: (r.updated_at, r.rating, r.verified) for r in Review.objects.all()}
    counts = table_counts()

    result = import_reviews(rows=rows)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert result.affected_provider_ids == set()
    assert {r.pk: (r.updated_at, r.rating, r.verified) for r in Review.objects.all()} == before
    assert table_counts() == counts


@pytest.mark.django_db
def test_a_file_status_does_not_change_an_existing_review(store, acme):
    # Moderation decides an existing review's status (the re-import tests below have the full story).
    existing = ReviewFactory(provider=acme, store=store, created_at=dt.date(2025, 3, 1), rating=5, title="服务很好",
                             body="运营团队专业，沟通及时。", effect=5, communication=4)
    import_reviews(rows=[review_row(created_at="2025-03-02")])

    result = import_reviews(rows=[review_row(status="malicious"), review_row(created_at="2025-03-02")])

    existing.refresh_from_db()
    assert (result.created, result.updated, result.unchanged, result.moderation_kept) == (0, 0, 2, 1)
    assert result.affected_provider_ids == set()
    assert existing.status == Review.Status.PUBLISHED
    assert Review.objects.count() == 2


@pytest.mark.django_db
def test_bad_review_rows_are_all_reported_and_nothing_is_written(store):
    before = table_counts()
    rows = [
        review_row(),
        review_row(created_at="2025-03-02", rating="6", effect="0"),
        review_row(created_at="2025-03-03", rating="五", status="hidden"),
        review_row(created_at="2025-02-30", title="长" * 121),
        review_row(provider_slug="nobody", created_at="2025-03-05"),
        review_row(store_external_id="TM404", created_at="2025-03-06"),
        review_row(platform="amazon", created_at="2025-03-07"),
        review_row(rating="3"),
    ]

    with pytest.raises(ImportFailed) as excinfo:
        import_reviews(rows=rows)

    key = "provider_slug, platform, store_external_id, created_at"
    assert errors_of(excinfo) == [
        (3, "rating", "out_of_range"),
        (3, "effect", "out_of_range"),
        (4, "rating", "invalid_integer"),
        (4, "status", "invalid_choice"),
        (5, "created_at", "invalid_date"),
        (5, "title", "max_length"),
        (6, "provider_slug", "unknown_provider"),
        (7, "store_external_id", "unknown_store"),
        (8, "platform", "unknown_code"),
        (9, key, "duplicate"),
    ]
    messages = {(e.row, e.column): e.message for e in excinfo.value.errors}
    assert "1–5" in messages[3, "rating"]
    assert "tmall:TM404" in messages[7, "store_external_id"]
    assert "第2行" in messages[9, key]
    assert table_counts() == before


@pytest.mark.django_db
def test_review_dry_run_reports_counts_and_writes_nothing(store):
    import_reviews(rows=[review_row()])
    before = table_counts()

    result = import_reviews(rows=[review_row(rating="1"), review_row(created_at="2025-03-02")], dry_run=True)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert table_counts() == before
    assert Review.objects.get().rating == 5


@pytest.mark.django_db
def test_review_import_query_count_does_not_grow_with_rows(store, unbatched):
    def rows(start, count, **cells):
        return [review_row(created_at=str(dt.date(2025, 1, 1) + dt.timedelta(days=start + n)), **cells)
                for n in range(count)]

    created = queries(import_reviews, rows(0, 10)), queries(import_reviews, rows(10, 100))
    updated = queries(import_reviews, rows(0, 10, rating="3")), queries(import_reviews, rows(10, 100, rating="3"))
    unchanged = queries(import_reviews, rows(0, 10, rating="3")), queries(import_reviews, rows(10, 100, rating="3"))

    assert Review.objects.filter(rating=3).count() == 110
    assert created[0] == created[1]
    assert updated[0] == updated[1]
    assert unchanged[0] == unchanged[1]


# Re-importing reviews keeps moderators' decisions


def moderation_of(review: Review) -> tuple:
    review.refresh_from_db()
    return review.status, review.moderated_at, review.moderated_by_id, review.burst


def test_reimport_keeps_moderation_decisions_and_applies_the_other_fields(acme, moderator, moderated):
    before = {day: moderation_of(review) for day, review in moderated.items()}
    events = RatingEvent.objects.count()

    result = import_reviews(rows=reimport_rows())

    assert (result.created, result.updated, result.unchanged, result.moderation_kept) == (1, 1, 1, 2)
    assert result.affected_provider_ids == {acme.pk}
    rejected, published = moderated["2025-03-01"], moderated["2025-03-02"]
    assert moderation_of(rejected) == before["2025-03-01"]
    assert moderation_of(published) == before["2025-03-02"]
    assert (rejected.status, rejected.moderated_by, published.status, published.moderated_by) == (
        Review.Status.REJECTED, moderator, Review.Status.PUBLISHED, moderator)
    assert rejected.body == "补充：后来响应变慢了。"
    assert published.body == "运营团队专业，沟通及时。"
    new = Review.objects.get(created_at="2025-03-05")
    assert (new.status, new.rating, new.moderated_at, new.moderated_by) == (Review.Status.PUBLISHED, 3, None, None)
    assert RatingEvent.objects.count() == events  # nothing was moderated by the import
    assert list(PendingRecompute.objects.values_list("provider_id", flat=True)) == [acme.pk]


def test_reimport_of_only_a_different_status_changes_nothing(acme, moderated):
    result = import_reviews(rows=[review_row(created_at="2025-03-01", status="published"),
                                  review_row(created_at="2025-03-02", status="malicious")])

    assert (result.created, result.updated, result.unchanged, result.moderation_kept) == (0, 0, 2, 2)
    assert result.affected_provider_ids == set()
    assert sorted(Review.objects.values_list("created_at", "status")) == [
        (dt.date(2025, 3, 1), "rejected"), (dt.date(2025, 3, 2), "published")]
    assert PendingRecompute.objects.count() == 0


def test_a_review_held_by_burst_detection_stays_held_on_reimport(acme, store):
    held = ReviewFactory(provider=acme, store=acme.engagements.get().store, created_at=dt.date(2025, 3, 1),
                         status=Review.Status.PENDING, burst=True, effect=5, communication=4)

    result = import_reviews(rows=[review_row(created_at="2025-03-01", status="published")])

    assert (result.created, result.updated, result.unchanged, result.moderation_kept) == (0, 0, 1, 1)
    assert moderation_of(held) == (Review.Status.PENDING, None, None, True)


def test_a_reimport_dry_run_reports_the_kept_count_and_writes_nothing(acme, moderated):
    before = {day: moderation_of(review) for day, review in moderated.items()}

    result = import_reviews(rows=reimport_rows(), dry_run=True)

    assert (result.created, result.updated, result.unchanged, result.moderation_kept) == (1, 1, 1, 2)
    assert {day: moderation_of(review) for day, review in moderated.items()} == before
    assert moderated["2025-03-01"].body == "运营团队专业，沟通及时。"
    assert Review.objects.count() == 2


# Performance


@pytest.mark.django_db
def test_import_performance_creates_rows_with_exact_values(store, acme):
    former = ProviderFactory(slug="former")
    EngagementFactory(provider=former, store=store, start_date=dt.date(2022, 1, 1), end_date=dt.date(2023, 12, 31))
    ProviderFactory(slug="unrelated")

    result = import_performance(rows=[performance_row(), performance_row(period="2025-04", product_score="4.500")])

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.affected_provider_ids == {acme.pk, former.pk}
    may = StorePerformance.objects.get(period=dt.date(2025, 5, 1))
    assert may.store == store
    assert (may.product_score, may.logistics_score, may.service_score) == (
        Decimal("4.80"), Decimal("4.60"), Decimal("4.75"))
    assert (may.gmv, may.orders) == (Decimal("1250000.50"), 8200)
    assert (may.complaint_rate, may.refund_rate, may.on_time_ship_rate) == (
        Decimal("0.0012"), Decimal("0.0350"), Decimal("0.9950"))
    assert may.after_sales_response_hours == Decimal("3.50")
    assert StorePerformance.objects.get(period=dt.date(2025, 4, 1)).product_score == Decimal("4.50")
    assert sorted(PendingRecompute.objects.values_list("provider_id", flat=True)) == sorted([acme.pk, former.pk])


@pytest.mark.django_db
def test_reimporting_the_same_performance_changes_nothing(store):
    rows = [performance_row(), performance_row(period="2025-04")]
    import_performance(rows=rows)
    PendingRecompute.objects.all().delete()
    counts = table_counts()

    result = import_performance(rows=rows)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert result.affected_provider_ids == set()
    assert table_counts() == counts


@pytest.mark.django_db
def test_changing_one_performance_value_counts_as_one_update(store):
    StorePerformanceFactory(store=store, period=dt.date(2025, 4, 1), product_score=Decimal("4.10"))
    import_performance(rows=[performance_row()])

    result = import_performance(rows=[performance_row(), performance_row(period="2025-04", product_score="4.2")])

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    april = StorePerformance.objects.get(period=dt.date(2025, 4, 1))
    assert april.product_score == Decimal("4.20")
    assert april.gmv == Decimal("1250000.50")


@pytest.mark.django_db
def test_bad_performance_rows_are_all_reported_and_nothing_is_written(store):
    StorePerformanceFactory(store=store, period=dt.date(2025, 1, 1))
    before = table_counts()
    rows = [
        performance_row(),
        performance_row(period="2025-13", product_score="5.01", logistics_score="4.555"),
        performance_row(period="2025/06", service_score="满分"),
        performance_row(period="2025-07", complaint_rate="1.5", refund_rate="0.12345", on_time_ship_rate="-0.1"),
        performance_row(period="2025-08", gmv="-1", orders="1.5", after_sales_response_hours=""),
        performance_row(period="2025-09", store_external_id="TM404"),
        performance_row(period="2025-05"),
    ]

    with pytest.raises(ImportFailed) as excinfo:
        import_performance(rows=rows)

    assert errors_of(excinfo) == [
        (3, "period", "invalid_month"),
        (3, "product_score", "out_of_range"),
        (3, "logistics_score", "too_many_decimals"),
        (4, "period", "invalid_month"),
        (4, "service_score", "invalid_decimal"),
        (5, "complaint_rate", "out_of_range"),
        (5, "refund_rate", "too_many_decimals"),
        (5, "on_time_ship_rate", "out_of_range"),
        (6, "gmv", "out_of_range"),
        (6, "orders", "invalid_integer"),
        (6, "after_sales_response_hours", "required"),
        (7, "store_external_id", "unknown_store"),
        (8, "platform, store_external_id, period", "duplicate"),
    ]
    messages = {(e.row, e.column): e.message for e in excinfo.value.errors}
    assert "0–5" in messages[3, "product_score"]
    assert "2" in messages[3, "logistics_score"]
    assert "4" in messages[5, "refund_rate"]
    assert table_counts() == before


@pytest.mark.django_db
def test_performance_rows_from_an_api_list_are_numbered_from_zero(store):
    rows = [performance_row(orders=8200), performance_row(period="2025-04", on_time_ship_rate=1.01)]

    with pytest.raises(ImportFailed) as excinfo:
        import_performance(rows=rows, first_row=0)

    assert errors_of(excinfo) == [(1, "on_time_ship_rate", "out_of_range")]
    assert StorePerformance.objects.count() == 0


@pytest.mark.django_db
def test_performance_dry_run_reports_counts_and_writes_nothing(store):
    import_performance(rows=[performance_row()])
    before = table_counts()

    result = import_performance(rows=[performance_row(gmv="1"), performance_row(period="2025-06")], dry_run=True)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert table_counts() == before
    assert StorePerformance.objects.get().gmv == Decimal("1250000.50")


@pytest.mark.django_db
def test_performance_import_query_count_does_not_grow_with_rows(acme, unbatched):
    stores = StoreFactory.create_batch(110)
    for one in stores:
        EngagementFactory(provider=acme, store=one)

    def rows(selected, **cells):
        return [performance_row(store_external_id=one.external_id, **cells) for one in selected]

    small, big = stores[:10], stores[10:]
    created = queries(import_performance, rows(small)), queries(import_performance, rows(big))
    updated = queries(import_performance, rows(small, orders="1")), queries(import_performance, rows(big, orders="1"))
    unchanged = queries(import_performance, rows(small, orders="1")), queries(import_performance, rows(big, orders="1"))

    assert StorePerformance.objects.filter(orders=1).count() == 110
    assert created[0] == created[1]
    assert updated[0] == updated[1]
    assert unchanged[0] == unchanged[1]

"""ratings.services.recompute against the database: evidence selection, history, idempotence, query counts."""
import datetime as dt
from decimal import Decimal as D
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.cache import directory_generation
from providers.models import Provider
from ratings import services
from ratings.models import PendingRecompute, RatingEvent, Review, ScoreSnapshot
from tests.factories import (
    EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, StorePerformanceFactory, TierOverrideFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2025, 6, 30)
MONTHS = [dt.date(2025, 4, 1), dt.date(2025, 5, 1), dt.date(2025, 6, 1)]


def run_stores(provider, n, *, score="4.00", months=MONTHS, start=dt.date(2024, 1, 1), end=None):
    """n stores run by provider since `start`, each with one performance row per month at `score`."""
    stores = []
    for _ in range(n):
        engagement = EngagementFactory(provider=provider, start_date=start, end_date=end)
        for month in months:
            StorePerformanceFactory(store=engagement.store, period=month, product_score=D(score),
                                    logistics_score=D(score), service_score=D(score))
        stores.append(engagement.store)
    return stores


def snapshot(provider, period=dt.date(2025, 6, 1)):
    return ScoreSnapshot.objects.get(provider=provider, period=period)


def test_recompute_scores_only_verified_published_reviews_dated_by_as_of():
    provider = ProviderFactory()
    a, b, c = run_stores(provider, 3)
    ReviewFactory(provider=provider, store=a, rating=5, created_at=JUNE_END)
    ReviewFactory(provider=provider, store=b, rating=1, created_at=dt.date(2025, 6, 10), status=Review.Status.PENDING)
    ReviewFactory(provider=provider, store=c, rating=1, created_at=dt.date(2025, 6, 10), status=Review.Status.REJECTED)
    ReviewFactory(provider=provider, store=a, rating=1, created_at=dt.date(2025, 6, 10), status=Review.Status.MALICIOUS)
    ReviewFactory(provider=provider, store=b, rating=1, created_at=dt.date(2025, 7, 1))  # after as_of
    ReviewFactory(provider=provider, store=StoreFactory(), rating=1, created_at=dt.date(2025, 6, 12))  # unverified
    assert services.reviews_refresh_verification() == 5
    services.ratings_recompute(as_of=JUNE_END)

    snap = snapshot(provider)
    assert snap.review_count == 1
    assert snap.review_average == D("5.00")
    assert snap.review_score == D("3.7500")  # (5×3.5 + 5) / (5 + 1)
    assert snap.performance_score == D("4.0000")
    assert snap.performance_rows == 9
    assert snap.composite == D("3.90")  # 0.4×3.75 + 0.6×4
    assert (snap.active_stores, snap.excellent_stores) == (3, 0)
    assert (snap.candidate_tier, snap.computed_tier, snap.tier) == (3, 3, 3)
    assert (snap.status, snap.at_risk, snap.overridden) == ("active", False, False)
    assert snap.as_of == JUNE_END
    assert snap.policy.version == 1
    assert snap.explanation["next_tier"]["tier"] == 4


def test_unverified_review_becomes_verified_when_engagement_appears():
    provider = ProviderFactory()
    store = StoreFactory()
    review = ReviewFactory(provider=provider, store=store, created_at=dt.date(2025, 3, 1))
    services.reviews_refresh_verification()
    review.refresh_from_db()
    assert review.verified is False
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2025, 3, 1))
    assert services.reviews_refresh_verification(provider_ids=[provider.pk]) == 1
    review.refresh_from_db()
    assert review.verified is True


def test_engagement_starting_after_the_review_does_not_verify_it():
    engagement = EngagementFactory(start_date=dt.date(2025, 3, 2))
    review = ReviewFactory(provider=engagement.provider, store=engagement.store, created_at=dt.date(2025, 3, 1))
    services.reviews_refresh_verification()
    review.refresh_from_db()
    assert review.verified is False


def test_performance_window_is_three_months_ending_with_the_period():
    provider = ProviderFactory()
    store, *_ = run_stores(provider, 3, score="4.00")
    StorePerformanceFactory(store=store, period=dt.date(2025, 3, 1), product_score=0, logistics_score=0,
                            service_score=0)  # before the window
    StorePerformanceFactory(store=store, period=dt.date(2025, 7, 1), product_score=0, logistics_score=0,
                            service_score=0)  # after the period
    services.ratings_recompute(as_of=JUNE_END)
    assert snapshot(provider).performance_rows == 9
    assert snapshot(provider).performance_score == D("4.0000")


def test_rows_count_only_for_months_the_engagement_was_active():
    provider = ProviderFactory()
    run_stores(provider, 2, score="4.00")
    # Ended mid-April: its April row counts, May and June do not; it is not an active store on D.
    run_stores(provider, 1, score="2.00", end=dt.date(2025, 4, 15))
    # Began 20 June: only its June row counts; it is active on D.
    run_stores(provider, 1, score="5.00", start=dt.date(2025, 6, 20))
    services.ratings_recompute(as_of=JUNE_END)
    snap = snapshot(provider)
    assert snap.performance_rows == 6 + 1 + 1
    assert snap.performance_score == D("3.8750")  # (6×4 + 2 + 5) / 8
    assert snap.active_stores == 3
    assert snap.excellent_stores == 1  # the June starter's latest row has E = 5.00


def test_excellent_store_is_judged_on_its_latest_row_in_the_window():
    provider = ProviderFactory()
    fading, steady, _ = run_stores(provider, 3, score="4.60")
    fading.performance.filter(period=dt.date(2025, 6, 1)).update(
        product_score=D("4.00"), logistics_score=D("4.00"), service_score=D("4.00"))
    services.ratings_recompute(as_of=JUNE_END)
    assert snapshot(provider).excellent_stores == 2


def test_a_store_taken_over_is_judged_only_on_months_its_new_provider_ran_it():
    previous, newcomer = ProviderFactory(), ProviderFactory()

    def rows(store, scores):
        for month, score in zip(MONTHS, scores):
            if score is not None:
                StorePerformanceFactory(store=store, period=month, product_score=D(score),
                                        logistics_score=D(score), service_score=D(score))

    # Excellent in April and May under the previous provider; no June row yet. Its latest row in the window
    # (May) predates the newcomer's engagement, so it is not the newcomer's excellent store.
    no_june_row = StoreFactory()
    rows(no_june_row, ["4.80", "4.80", None])
    # Taken over the same day; its June row (E 4.60) is the newcomer's: the takeover month counts.
    june_row = StoreFactory()
    rows(june_row, ["4.80", "4.80", "4.60"])
    for store in (no_june_row, june_row):
        EngagementFactory(provider=previous, store=store, end_date=dt.date(2025, 6, 9))
        EngagementFactory(provider=newcomer, store=store, start_date=dt.date(2025, 6, 10))
    run_stores(newcomer, 1, score="4.80")  # run by the newcomer all along

    services.ratings_recompute(as_of=dt.date(2025, 5, 31))
    services.ratings_recompute(as_of=JUNE_END)

    may = snapshot(previous, dt.date(2025, 5, 1))
    assert (may.active_stores, may.excellent_stores) == (2, 2)
    june = snapshot(newcomer)
    assert (june.active_stores, june.excellent_stores) == (3, 2)  # not no_june_row
    assert june.performance_rows == 3 + 1  # the same rows as P: its own store's three, june_row's June
    assert (snapshot(previous).active_stores, snapshot(previous).excellent_stores) == (0, 0)


def test_provider_without_performance_rows_is_unrated():
    provider = ProviderFactory()
    EngagementFactory(provider=provider)
    services.ratings_recompute(as_of=JUNE_END)
    snap = snapshot(provider)
    assert (snap.composite, snap.performance_score, snap.candidate_tier, snap.tier) == (None, None, None, None)
    assert snap.review_score == D("3.5000")
    assert snap.explanation["unrated"] is True


def test_rerun_of_the_same_as_of_date_is_identical_and_never_duplicated():
    provider = ProviderFactory()
    run_stores(provider, 3, score="3.00")
    services.ratings_recompute(as_of=JUNE_END)
    fields = [f.name for f in ScoreSnapshot._meta.fields if f.name != "id"]
    first = list(ScoreSnapshot.objects.values(*fields))
    events = list(RatingEvent.objects.values("provider", "kind", "period", "from_value", "to_value", "reason"))
    services.ratings_recompute(as_of=JUNE_END)
    assert list(ScoreSnapshot.objects.values(*fields)) == first
    assert ScoreSnapshot.objects.count() == 1
    assert list(RatingEvent.objects.values("provider", "kind", "period", "from_value", "to_value", "reason")) == events


def months_of(provider, scores, start=dt.date(2025, 1, 1)):
    """Run 8 stores with one month at each score, then rate each month in order as of its last day."""
    from ratings.scoring import add_months, month_end

    months = [add_months(start, i) for i in range(len(scores))]
    stores = run_stores(provider, 8, months=[])
    for month, score in zip(months, scores):
        for store in stores:
            StorePerformanceFactory(store=store, period=month, product_score=D(score), logistics_score=D(score),
                                    service_score=D(score))
    for month in months:
        services.ratings_recompute(as_of=month_end(month))
    return [snapshot(provider, m) for m in months]


def test_dip_is_kept_at_risk_then_demoted_then_probation_then_delisted():
    provider = ProviderFactory()
    # 8 stores, no reviews (R = 3.5, so S = 1.4 + 0.6·P); P is the mean E of the 3-month window.
    snaps = months_of(provider, ["4.60", "4.60", "4.60", "2.50", "2.50", "2.50"])
    got = [(s.composite, s.candidate_tier, s.tier, s.at_risk, s.status, s.excellent_stores) for s in snaps]
    assert got == [
        (D("4.16"), 4, 4, False, "active", 8),
        (D("4.16"), 4, 4, False, "active", 8),
        (D("4.16"), 4, 4, False, "active", 8),
        (D("3.74"), 3, 4, True, "active", 0),  # P = (4.6+4.6+2.5)/3 = 3.9: first month below 4★, kept at risk
        (D("3.32"), None, None, False, "probation", 0),  # second month below: demoted; S < 3.50: probation
        (D("2.90"), None, None, False, "delisted", 0),  # second failing month: delisted (清退)
    ]
    events = list(
        RatingEvent.objects.filter(provider=provider).order_by("period", "kind")
        .values_list("period", "kind", "from_value", "to_value")
    )
    assert events == [
        (dt.date(2025, 1, 1), "tier", "", "4"),
        (dt.date(2025, 5, 1), "status", "active", "probation"),
        (dt.date(2025, 5, 1), "tier", "4", ""),
        (dt.date(2025, 6, 1), "status", "probation", "delisted"),
    ]
    provider.refresh_from_db()
    assert (provider.status, provider.tier, provider.score) == ("delisted", None, D("2.90"))


def test_recompute_query_count_does_not_grow_with_providers():
    services.ratings_recompute(as_of=JUNE_END)  # the period's lock row exists from now on

    def measure(n):
        providers = ProviderFactory.create_batch(n, services=["warehousing"])
        for provider in providers:
            store, *_ = run_stores(provider, 2)
            ReviewFactory(provider=provider, store=store, created_at=dt.date(2025, 6, 1))
        with CaptureQueriesContext(connection) as ctx:
            services.ratings_recompute(as_of=JUNE_END, provider_ids=[p.pk for p in providers])
        return len(ctx.captured_queries)

    assert measure(2) == measure(12)


def test_full_recompute_query_count_does_not_grow_with_providers():
    services.ratings_recompute(as_of=JUNE_END)  # the period's lock row exists from now on

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            services.ratings_recompute(as_of=JUNE_END)
        return len(ctx.captured_queries)

    for provider in ProviderFactory.create_batch(2):
        run_stores(provider, 1)
    small = measure()
    for provider in ProviderFactory.create_batch(15):
        run_stores(provider, 1)
    assert measure() == small


def test_override_is_effective_until_it_expires():
    provider = ProviderFactory()
    run_stores(provider, 3, months=[dt.date(2025, 3, 1), *MONTHS])
    TierOverrideFactory(provider=provider, tier=5, starts_on=dt.date(2025, 5, 1), expires_on=dt.date(2025, 5, 31))
    services.ratings_recompute(as_of=dt.date(2025, 5, 31))
    may = snapshot(provider, dt.date(2025, 5, 1))
    assert (may.candidate_tier, may.computed_tier, may.tier, may.overridden) == (3, 3, 5, True)
    services.ratings_recompute(as_of=JUNE_END)
    june = snapshot(provider)
    assert (june.candidate_tier, june.tier, june.overridden) == (3, 3, False)
    # The provider row follows the newest period.
    provider.refresh_from_db()
    assert (provider.tier, provider.score, provider.rated_period) == (3, D("3.80"), dt.date(2025, 6, 1))


def test_backfilling_an_older_month_leaves_the_provider_row_alone():
    provider = ProviderFactory()
    run_stores(provider, 3, months=[dt.date(2025, 3, 1), *MONTHS])
    services.ratings_recompute(as_of=JUNE_END)
    services.ratings_recompute(as_of=dt.date(2025, 5, 31))
    provider.refresh_from_db()
    assert provider.rated_period == dt.date(2025, 6, 1)


def test_reinstated_provider_starts_with_a_clean_slate():
    provider = ProviderFactory()
    run_stores(provider, 3, score="2.00", months=[dt.date(2025, 4, 1), dt.date(2025, 5, 1)])
    services.ratings_recompute(as_of=dt.date(2025, 4, 30))
    services.ratings_recompute(as_of=dt.date(2025, 5, 31))
    provider.refresh_from_db()
    assert provider.status == "delisted"
    admin = UserFactory(username="grader")
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2025, 6, 5)):
        services.provider_reinstate(provider=provider, actor=admin, reason="整改完成")
    provider.refresh_from_db()
    assert (provider.status, provider.reinstated_on) == ("active", dt.date(2025, 6, 5))
    services.ratings_recompute(as_of=JUNE_END)  # June: no rows in June, April/May still in the window → failing
    june = snapshot(provider)
    assert (june.composite, june.status, june.failing_months) == (D("2.60"), "probation", 1)
    event = RatingEvent.objects.get(actor=admin)
    assert (event.kind, event.from_value, event.to_value, event.reason) == ("status", "delisted", "active", "整改完成")


def test_request_recompute_runs_one_job_after_commit(django_capture_on_commit_callbacks):
    provider = ProviderFactory()
    run_stores(provider, 3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.ratings_request_recompute(provider_ids=[provider.pk, provider.pk])
        assert PendingRecompute.objects.count() == 1
        assert ScoreSnapshot.objects.count() == 0  # nothing runs before commit
    # One job is scheduled; the run it makes (eager here) refreshes the cached pages once it has committed.
    assert [callback.__name__ for callback in callbacks] == ["_schedule_pending_recompute", "directory_cache_bump"]
    assert ScoreSnapshot.objects.filter(provider=provider).count() == 1
    assert PendingRecompute.objects.count() == 0


def test_requests_within_the_debounce_window_send_one_job(settings, django_capture_on_commit_callbacks):
    settings.RATINGS_RECOMPUTE_DEBOUNCE_SECONDS = 30
    first, second = ProviderFactory.create_batch(2)
    with mock.patch("ratings.tasks.ratings_recompute_pending_task.apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True):
            services.ratings_request_recompute(provider_ids=[first.pk])
        with django_capture_on_commit_callbacks(execute=True):
            services.ratings_request_recompute(provider_ids=[second.pk])
    send.assert_called_once_with(countdown=30)
    assert set(PendingRecompute.objects.values_list("provider_id", flat=True)) == {first.pk, second.pk}


def test_pin_and_lift_override_are_audited(django_capture_on_commit_callbacks):
    provider = ProviderFactory()
    grader = UserFactory(username="grader")
    with django_capture_on_commit_callbacks(execute=False):
        override = services.tier_override_pin(provider=provider, tier=6, reason="平台六星认证", actor=grader,
                                              starts_on=dt.date(2025, 6, 1))
        services.tier_override_lift(override=override, actor=grader, reason="认证到期")
    kinds = list(RatingEvent.objects.order_by("id").values_list("kind", "from_value", "to_value", "reason"))
    assert kinds == [("override", "", "6", "平台六星认证"), ("override", "6", "", "认证到期")]
    assert PendingRecompute.objects.filter(provider=provider).exists()


def test_override_without_reason_is_rejected():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        services.tier_override_pin(provider=ProviderFactory(), tier=5, reason="  ", actor=None)
    assert "reason" in err.value.message_dict


def test_snapshot_upsert_writes_every_column_of_the_model():
    from ratings.services.recompute import SNAPSHOT_COLUMNS

    columns = {f.column for f in ScoreSnapshot._meta.concrete_fields if not f.primary_key}
    assert sorted(SNAPSHOT_COLUMNS) == sorted(columns)


def test_recompute_inside_an_outer_transaction_bumps_the_directory_cache_only_on_commit(
    django_capture_on_commit_callbacks,
):
    provider = ProviderFactory()
    run_stores(provider, 3)
    before = directory_generation()
    # The admin's recompute-now wraps the run in its own transaction, with the audit trail after it.
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.ratings_recompute(as_of=JUNE_END, provider_ids=[provider.pk])
            assert directory_generation() == before  # nothing is committed yet
    assert directory_generation() > before


def test_directory_page_rendered_before_the_outer_commit_is_not_served_after_it(
    client, django_capture_on_commit_callbacks,
):
    provider = ProviderFactory(name="星海电商")
    run_stores(provider, 3)
    url = reverse("providers:list")
    client.get(url)  # cached under the current generation
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.ratings_recompute(as_of=JUNE_END, provider_ids=[provider.pk])
            # A visitor between the recompute and the commit. The test client shares this connection, so it
            # sees the writes so far; the rename below stands for the rest of the outer transaction, which a
            # visitor on another connection would not see either (nor, in production, the new ratings).
            client.get(url)
            Provider.objects.filter(pk=provider.pk).update(name="改名后的星海")
    html = client.get(url).content.decode()
    assert "改名后的星海" in html and "星海电商" not in html

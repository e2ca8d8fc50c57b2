"""ingest.services: an import run brings the affected providers' ratings up to date; stuck admin imports are failed."""
import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from ingest import services as import_services
from ingest.models import ImportJob
from ingest.services import import_engagements, import_performance, import_reviews
from ratings.models import PendingRecompute
from tests.factories import ProviderFactory, ReviewFactory, StoreFactory, engagement_row, performance_row, review_row
from tests.ingest.conftest import INTERRUPTED, importing_job

pytestmark = pytest.mark.django_db


# What an import asks of the ratings app


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
def test_review_import_calls_the_rating_services_with_the_affected_providers(store, acme):
    with mock.patch("ingest.services.reviews_refresh_verification") as refresh, \
            mock.patch("ingest.services.ratings_request_recompute") as recompute:
        import_reviews(rows=[review_row()])
        import_reviews(rows=[review_row()])
        import_reviews(rows=[review_row(rating="1")], dry_run=True)

    refresh.assert_called_once_with(provider_ids={acme.pk})
    recompute.assert_called_once_with(provider_ids={acme.pk})


@pytest.mark.django_db
def test_performance_import_requests_recompute_but_not_verification(store, acme):
    with mock.patch("ingest.services.reviews_refresh_verification") as refresh, \
            mock.patch("ingest.services.ratings_request_recompute") as recompute:
        import_performance(rows=[performance_row()])

    refresh.assert_not_called()
    recompute.assert_called_once_with(provider_ids={acme.pk})


# Admin imports whose worker died


def test_the_sweep_fails_an_import_stuck_for_longer_than_the_setting():
    now = timezone.now()
    stuck = importing_job(confirmed_minutes_ago=31)
    recent = importing_job(confirmed_minutes_ago=5)
    done = importing_job(confirmed_minutes_ago=120, status=ImportJob.Status.DONE, finished_at=now)

    assert import_services.import_jobs_fail_stuck(now=now) == 1

    stuck.refresh_from_db()
    assert (stuck.status, stuck.finished_at, stuck.created, stuck.updated, stuck.unchanged) == (
        "failed", now, 0, 0, 0)
    assert stuck.errors == [{"row": 0, "column": "", "message": INTERRUPTED, "code": "interrupted"}]
    recent.refresh_from_db()
    assert (recent.status, recent.finished_at, recent.errors) == ("importing", None, [])
    done.refresh_from_db()
    assert (done.status, done.finished_at, done.created, done.errors) == ("done", now, 2, [])


def test_the_sweep_fails_a_queued_file_only_once_no_worker_can_still_be_running_it(settings):
    # Its message may wait behind other tasks; Celery kills a task at its hard time limit (60 min), so "queued"
    # past it plus the margin (10) was lost.
    now = timezone.now()
    lost = importing_job(confirmed_minutes_ago=0, status=ImportJob.Status.QUEUED, confirmed_at=None)
    waiting = importing_job(confirmed_minutes_ago=0, status=ImportJob.Status.QUEUED, confirmed_at=None)
    ImportJob.objects.filter(pk=lost.pk).update(created_at=now - dt.timedelta(minutes=71))
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(minutes=69))

    assert import_services.import_jobs_fail_stuck(now=now) == 1

    assert list(ImportJob.objects.order_by("pk").values_list("pk", "status", "errors")) == [
        (lost.pk, "failed", [{"row": 0, "column": "", "message": "校验中断：处理该文件的进程已停止，请重新上传。",
                              "code": "interrupted"}]),
        (waiting.pk, "queued", []),
    ]

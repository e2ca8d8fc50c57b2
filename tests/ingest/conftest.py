"""Fixtures and shared rows of the data pipeline's tests: the provider "acme" and its store TM001 that the
factories' CSV rows name, a moderated pair of imported reviews, and import jobs left mid-run."""
import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import timezone

from ingest.models import ImportJob
from ingest.services import import_reviews
from partners.after_response import runner
from ratings.models import PendingRecompute, Review
from ratings.services.moderation import APPROVE, REJECT, reviews_moderate
from tests.factories import (
    MODERATORS, STEWARDS, EngagementFactory, ProviderFactory, StoreFactory, review_row, staff_user,
)

@pytest.fixture(autouse=True)
def _after_response_jobs_run_by_the_test(monkeypatch):
    """Without a broker an upload's dry run (and a confirmed import) runs after the response, in the runner's
    thread; here it waits in the queue until the test runs it with runner.run_here(), on the test's connection."""
    monkeypatch.setattr(runner, "threaded", False)
    yield
    runner.clear()


@pytest.fixture
def unbatched(monkeypatch):
    """Lift SQLite's 999-parameter split of bulk statements (PostgreSQL has none), so counts measure the importer."""
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: max(len(objs), 1))


@pytest.fixture
def acme(db):
    return ProviderFactory(slug="acme")


@pytest.fixture
def store(acme):
    store = StoreFactory(external_id="TM001")
    EngagementFactory(provider=acme, store=store, start_date=dt.date(2024, 1, 1))
    return store


@pytest.fixture
def steward():
    return staff_user(STEWARDS, username="steward")


@pytest.fixture
def steward_client(client, steward):
    client.force_login(steward)
    return client


# Re-importing reviews keeps moderators' decisions


@pytest.fixture
def moderator():
    return staff_user(MODERATORS, username="moderator")


@pytest.fixture
def moderated(acme, store, moderator):
    """Two imported reviews, one rejected and one published by a moderator; returns them by date."""
    import_reviews(rows=[review_row(created_at="2025-03-01", status="published"),
                         review_row(created_at="2025-03-02", status="pending")])
    first, second = Review.objects.get(created_at="2025-03-01"), Review.objects.get(created_at="2025-03-02")
    reviews_moderate(review_ids=[first.pk], decision=REJECT, actor=moderator, reason="广告内容")
    reviews_moderate(review_ids=[second.pk], decision=APPROVE, actor=moderator)
    PendingRecompute.objects.all().delete()
    return {"2025-03-01": first, "2025-03-02": second}


def reimport_rows():
    """The platform export again, every status "pending"; the first review's text edited; one new review."""
    return [
        review_row(created_at="2025-03-01", status="pending", body="补充：后来响应变慢了。"),
        review_row(created_at="2025-03-02", status="pending"),
        review_row(created_at="2025-03-05", status="published", rating="3"),
    ]


# An import whose worker died does not stay "importing"

INTERRUPTED = "导入中断：处理该文件的进程已停止，请重新上传。"


def importing_job(*, confirmed_minutes_ago: float, rows=None, **fields) -> ImportJob:
    rows = rows or [review_row(created_at="2025-03-01"), review_row(created_at="2025-03-02")]
    data = _csv(rows)
    defaults = {"kind": "reviews", "filename": "reviews.csv", "size": len(data), "data": data, "rows": len(rows),
                "status": ImportJob.Status.IMPORTING, "created": 2,
                "confirmed_at": timezone.now() - dt.timedelta(minutes=confirmed_minutes_ago)}
    return ImportJob.objects.create(**{**defaults, **fields})


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()

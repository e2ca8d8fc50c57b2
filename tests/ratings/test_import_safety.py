"""Imports that must not undo moderation, and admin imports that must not stay "importing" when a worker dies."""
import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ingest import services as import_services
from ratings import services
from ingest.services import import_reviews
from ingest.models import ImportJob
from ratings.models import PendingRecompute, RatingEvent, Review
from ratings.services.moderation import APPROVE, REJECT, reviews_moderate
from ingest.tasks import import_job_run_task, import_jobs_fail_stuck_task
from tests.factories import (
    MODERATORS, STEWARDS, EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, review_row, staff_user,
    write_csv,
)

pytestmark = pytest.mark.django_db

INTERRUPTED = "导入中断：处理该文件的进程已停止，请重新上传。"


@pytest.fixture
def acme():
    provider = ProviderFactory(slug="acme")
    EngagementFactory(provider=provider, store=StoreFactory(external_id="TM001"), start_date=dt.date(2024, 1, 1))
    return provider


@pytest.fixture
def moderator():
    return staff_user(MODERATORS, username="moderator")


@pytest.fixture
def moderated(acme, moderator):
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


def moderation_of(review: Review) -> tuple:
    review.refresh_from_db()
    return review.status, review.moderated_at, review.moderated_by_id, review.burst


# 1. Re-importing reviews keeps moderators' decisions


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


def test_a_review_held_by_burst_detection_stays_held_on_reimport(acme):
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


def test_the_admin_preview_and_the_import_show_the_kept_count(
    client, acme, moderated, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(staff_user(STEWARDS, username="steward"))
    data = write_csv(tmp_path / "reviews.csv", reimport_rows()).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:ingest_importjob_add"), {"kind": "reviews", "file": SimpleUploadedFile("reviews.csv", data)})
    job = ImportJob.objects.get()

    assert (job.status, job.created, job.updated, job.unchanged, job.moderation_kept) == ("ready", 1, 1, 1, 2)
    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()
    assert '<div class="wb-figure" id="moderation-kept"><b>2</b><span>将保留审核状态</span></div>' in page
    assert "已有评价保留审核人员的决定：文件中的状态只用于新评价，其余字段照常更新。" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.unchanged, job.moderation_kept) == ("done", 1, 1, 1, 2)
    assert sorted(Review.objects.values_list("created_at", "status")) == [
        (dt.date(2025, 3, 1), "rejected"), (dt.date(2025, 3, 2), "published"), (dt.date(2025, 3, 5), "published")]
    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()
    assert '<div class="wb-figure" id="moderation-kept"><b>2</b><span>已保留审核状态</span></div>' in page


def test_other_formats_show_no_kept_count(client, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(staff_user(STEWARDS, username="steward"))
    job = ImportJob.objects.create(kind="providers", filename="p.csv", size=1, data=b"x", status="ready", rows=1)

    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()

    assert 'id="moderation-kept"' not in page


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


def test_the_command_adds_no_line_when_nothing_was_kept(acme, tmp_path):
    out = io.StringIO()

    call_command("import_reviews", str(write_csv(tmp_path / "reviews.csv", reimport_rows())), stdout=out)

    assert out.getvalue().splitlines() == ["created 3, updated 0, unchanged 0"]


# 2. An import whose worker died does not stay "importing"


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


def test_a_redelivered_import_task_imports_the_stored_file_once(acme):
    job = importing_job(confirmed_minutes_ago=3)

    assert import_job_run_task.run(job.pk) == "done"
    # A second delivery (the first worker died after the commit but before the ack) finds the job done.
    assert import_job_run_task.run(job.pk) == "done"

    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.unchanged, job.errors) == ("done", 2, 0, 0, [])
    assert sorted(Review.objects.values_list("created_at", flat=True)) == [dt.date(2025, 3, 1), dt.date(2025, 3, 2)]


def test_a_run_killed_mid_import_writes_nothing_and_the_next_delivery_imports(acme):
    job = importing_job(confirmed_minutes_ago=3)

    # The worker dies after the importer's own transaction ended but before the job was marked done.
    save = ImportJob.save

    def killed_when_done(self, *args, update_fields=None, **kwargs):
        if update_fields and "status" in update_fields:
            raise SystemExit("worker killed")
        return save(self, *args, update_fields=update_fields, **kwargs)

    with mock.patch.object(ImportJob, "save", killed_when_done), pytest.raises(SystemExit):
        import_services.import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.finished_at, Review.objects.count()) == ("importing", None, 0)

    assert import_job_run_task.run(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.unchanged, Review.objects.count()) == ("done", 2, 0, 0, 2)


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


def test_the_sweep_fails_a_dry_run_only_once_no_worker_can_still_be_running_it(settings):
    # Celery kills a task at its hard time limit (60 min), so "checking" past it plus the margin (30) is dead.
    now = timezone.now()
    lost = importing_job(confirmed_minutes_ago=0, status=ImportJob.Status.CHECKING, confirmed_at=None)
    slow = importing_job(confirmed_minutes_ago=0, status=ImportJob.Status.CHECKING, confirmed_at=None)
    ImportJob.objects.filter(pk=lost.pk).update(created_at=now - dt.timedelta(minutes=91))
    ImportJob.objects.filter(pk=slow.pk).update(created_at=now - dt.timedelta(minutes=89))

    assert import_services.import_jobs_fail_stuck(now=now) == 1

    assert list(ImportJob.objects.order_by("pk").values_list("pk", "status", "errors")) == [
        (lost.pk, "failed", [{"row": 0, "column": "", "message": "校验中断：处理该文件的进程已停止，请重新上传。",
                              "code": "interrupted"}]),
        (slow.pk, "checking", []),
    ]


def test_the_sweep_task_uses_the_configured_minutes(settings):
    settings.ADMIN_IMPORT_STUCK_MINUTES = 10
    stuck, recent = importing_job(confirmed_minutes_ago=11), importing_job(confirmed_minutes_ago=9)

    assert import_jobs_fail_stuck_task.run() == 1

    assert list(ImportJob.objects.order_by("pk").values_list("pk", "status")) == [
        (stuck.pk, "failed"), (recent.pk, "importing")]


def test_a_late_delivery_after_the_sweep_does_not_import(acme):
    job = importing_job(confirmed_minutes_ago=31)
    import_services.import_jobs_fail_stuck(now=timezone.now())

    assert import_job_run_task.run(job.pk) == "failed"
    assert Review.objects.count() == 0


def test_the_admin_page_says_the_import_was_interrupted(client):
    client.force_login(staff_user(STEWARDS, username="steward"))
    job = importing_job(confirmed_minutes_ago=31)
    import_services.import_jobs_fail_stuck(now=timezone.now())

    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()

    assert f'<p class="wb-no" id="interrupted">{INTERRUPTED}</p>' in page
    assert "请修改文件后重新上传" not in page


def test_the_admin_page_says_the_check_was_interrupted(client):
    client.force_login(staff_user(STEWARDS, username="steward"))
    job = importing_job(confirmed_minutes_ago=0, status=ImportJob.Status.CHECKING, confirmed_at=None)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    import_services.import_jobs_fail_stuck(now=timezone.now())

    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()

    assert '<p class="wb-no" id="interrupted">校验中断：处理该文件的进程已停止，请重新上传。</p>' in page


def test_the_sweep_runs_every_five_minutes(settings):
    from config.celery_app import app

    assert settings.CELERY_BEAT_SCHEDULE["ratings-fail-stuck-imports"] == {
        "task": "ratings.tasks.import_jobs_fail_stuck_task", "schedule": 300.0}
    assert "ratings.tasks.import_jobs_fail_stuck_task" in app.tasks

"""ingest.tasks: an admin import's task run again imports its file once; the sweep fails imports whose worker died."""
import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from ingest import services as import_services
from ingest.models import ImportJob
from ingest.tasks import import_job_run_task, import_jobs_fail_stuck_task
from ratings.models import Review
from tests.ingest.conftest import importing_job

pytestmark = pytest.mark.django_db


def test_a_redelivered_import_task_imports_the_stored_file_once(acme, store):
    job = importing_job(confirmed_minutes_ago=3)

    assert import_job_run_task.run(job.pk) == "done"
    # A second delivery (the first worker died after the commit but before the ack) finds the job done.
    assert import_job_run_task.run(job.pk) == "done"

    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.unchanged, job.errors) == ("done", 2, 0, 0, [])
    assert sorted(Review.objects.values_list("created_at", flat=True)) == [dt.date(2025, 3, 1), dt.date(2025, 3, 2)]


def test_a_run_killed_mid_import_writes_nothing_and_the_next_delivery_imports(acme, store):
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


def test_the_sweep_task_uses_the_configured_minutes(settings):
    settings.ADMIN_IMPORT_STUCK_MINUTES = 10
    stuck, recent = importing_job(confirmed_minutes_ago=11), importing_job(confirmed_minutes_ago=9)

    assert import_jobs_fail_stuck_task.run() == 1

    assert list(ImportJob.objects.order_by("pk").values_list("pk", "status")) == [
        (stuck.pk, "failed"), (recent.pk, "importing")]


def test_a_late_delivery_after_the_sweep_does_not_import(acme, store):
    job = importing_job(confirmed_minutes_ago=31)
    import_services.import_jobs_fail_stuck(now=timezone.now())

    assert import_job_run_task.run(job.pk) == "failed"
    assert Review.objects.count() == 0


def test_the_sweep_runs_every_five_minutes(settings):
    from config.celery_app import app

    assert settings.CELERY_BEAT_SCHEDULE["ratings-fail-stuck-imports"] == {
        "task": "ratings.tasks.import_jobs_fail_stuck_task", "schedule": 300.0}
    assert "ratings.tasks.import_jobs_fail_stuck_task" in app.tasks

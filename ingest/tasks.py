"""Celery tasks of the data pipeline: thin wrappers that take IDs, call one service, and retry transient errors.

The tasks keep the names they had in `ratings.tasks`, where they lived first: messages already queued, and the
beat schedule, still find them.
"""
from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import services

RETRY = {"bind": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="ratings.tasks.import_job_run_task", **RETRY)
def import_job_run_task(self, job_id: int) -> str | None:
    """Run an admin upload's dry run or confirmed import; returns the job's new status (None if it is gone)."""
    job = services.import_job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="ratings.tasks.import_jobs_fail_stuck_task", **RETRY)
def import_jobs_fail_stuck_task(self) -> int:
    """Fail the admin imports whose worker stopped mid-run (periodic); returns how many were failed."""
    return services.import_jobs_fail_stuck(now=timezone.now())

"""Conduct tasks: take IDs, call one service, retry transient errors. Names are stable (the beat addresses them)."""
from celery import shared_task
from django.db import OperationalError

from . import complaints, services


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def sanctions_apply_task(self) -> int:
    """The daily job: every provider's sanction and points of today (a hidden window ends, a year turns)."""
    return len(services.sanctions_apply())


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def complaints_mark_unanswered_task(self) -> int:
    """The daily job: open complaints past their answer day become unanswered."""
    return complaints.complaints_mark_unanswered()

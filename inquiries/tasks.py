"""Celery tasks of the inquiry flow: thin wrappers over one service each."""
from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import services

RETRY = {"bind": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="inquiries.tasks.bids_expire_task", **RETRY)
def bids_expire_task(self) -> int:
    """Expire the invitations left unanswered past INQUIRY_RESPONSE_DAYS (periodic); returns how many."""
    return services.bids_expire(now=timezone.now())

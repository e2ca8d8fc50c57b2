"""Celery tasks: thin wrappers that take IDs/ISO dates, call one service, and retry transient errors."""
import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import services

# Only transient failures are retried: a lost database connection, or another run holding the period's lock.
RETRY = {
    "bind": True, "autoretry_for": (OperationalError, services.RecomputeBusy), "retry_backoff": True,
    "max_retries": 5,
}


def _as_of(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else timezone.localdate()


@shared_task(**RETRY)
def ratings_recompute_task(self, as_of: str | None = None) -> dict:
    """Recompute every provider for the month containing as_of (default: today)."""
    return services.ratings_recompute(as_of=_as_of(as_of)).as_dict()


@shared_task(**RETRY)
def ratings_recompute_previous_month_task(self) -> dict:
    """The final run for the month that just ended, as of its last day."""
    last_day = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return services.ratings_recompute(as_of=last_day).as_dict()


@shared_task(**RETRY)
def ratings_recompute_pending_task(self) -> int:
    """Recompute the providers marked by reviews and imports, as of today."""
    return services.ratings_recompute_pending(as_of=timezone.localdate())

"""Writes of the ratings engine: recompute requests, recompute runs, overrides and reinstatement."""
from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .models import PendingRecompute

RECOMPUTE_SCHEDULED_KEY = "ratings:recompute-pending-scheduled"


def ratings_request_recompute(*, provider_ids: Iterable[int]) -> int:
    """Mark providers for recompute and, after commit, schedule one debounced job for all marks.

    The marks are rows, so a request survives a broker outage; the beat schedule drains them too.
    Returns how many providers were marked.
    """
    ids = sorted(set(provider_ids))
    if not ids:
        return 0
    PendingRecompute.objects.bulk_create(
        [PendingRecompute(provider_id=pk) for pk in ids], ignore_conflicts=True, batch_size=1000
    )
    transaction.on_commit(_schedule_pending_recompute)
    return len(ids)


def _schedule_pending_recompute() -> None:
    from .tasks import ratings_recompute_pending_task

    delay = settings.RATINGS_RECOMPUTE_DEBOUNCE_SECONDS
    # Only the first request in a debounce window sends a job; later ones ride along with it.
    if delay and not cache.add(RECOMPUTE_SCHEDULED_KEY, 1, timeout=delay):
        return
    ratings_recompute_pending_task.apply_async(countdown=delay or None)

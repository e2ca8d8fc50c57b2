"""Celery tasks of the partner API: take IDs, call one service, retry."""
from celery import shared_task
from django.db import OperationalError

from . import services
from .models import WebhookDelivery


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def webhook_events_dispatch_task(self, event_ids: list[int]) -> int:
    """Create and queue the webhook deliveries for rating events (sent by the recompute after commit)."""
    return services.webhook_events_dispatch(event_ids=event_ids)


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def webhook_delivery_task(self, delivery_id: str) -> str | None:
    """One attempt at a delivery; a failed attempt is retried after an exponentially growing delay."""
    delivery = services.webhook_delivery_attempt(delivery_id=delivery_id)
    if delivery is None:
        return None
    if delivery.status == WebhookDelivery.Status.RETRYING:
        if self.request.is_eager:
            # No broker (development, tests): nothing would run a delayed retry, so the next attempt is now.
            return self.run(delivery_id)
        # The attempt limit lives in the service (PARTNERS_WEBHOOK_MAX_ATTEMPTS), not in Celery's retry count.
        raise self.retry(countdown=services.webhook_backoff_seconds(attempt=delivery.attempts), max_retries=None)
    return delivery.status


@shared_task
def idempotent_requests_purge_task() -> int:
    """Forget remembered Idempotency-Key responses older than the window."""
    return services.idempotent_requests_purge()

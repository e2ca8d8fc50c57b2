"""Celery tasks of the partner API: take IDs, call one service, retry."""
import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import services
from .after_response import runner
from .models import WebhookDelivery

# Without a broker one thread serves every subscriber, so a silent one gets less time than a worker gives it
# (PARTNERS_WEBHOOK_TIMEOUT_SECONDS, if that is shorter, still applies).
EMBEDDED_TIMEOUT_SECONDS = 2.0


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def webhook_events_dispatch_task(self, event_ids: list[int]) -> int:
    """Create and queue the webhook deliveries for rating events (sent by the recompute after commit)."""
    return services.webhook_events_dispatch(event_ids=event_ids)


@shared_task(name="partners.tasks.lead_events_dispatch_task", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def lead_events_dispatch_task(self, event_type: str, bid_ids: list[int]) -> int:
    """Create and queue the webhook deliveries of a lead event (sent by the inquiry flow after commit)."""
    return services.lead_events_dispatch(event_type=event_type, bid_ids=bid_ids)


@shared_task(name="partners.tasks.conduct_events_dispatch_task", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def conduct_events_dispatch_task(self, event_ids: list[int], as_of: str) -> int:
    """Create and queue the webhook deliveries of sanction changes (sent by the conduct ledger after commit)."""
    return services.conduct_events_dispatch(event_ids=event_ids, as_of=dt.date.fromisoformat(as_of))


def webhook_delivery_enqueue(delivery_id: str) -> None:
    """Send a delivery on its way, never inside the caller: a task with a broker, else after the response.

    Eager Celery (no broker) would run the task right here, in the request whose commit created the delivery.
    """
    if webhook_delivery_task.app.conf.task_always_eager:
        runner.submit(webhook_delivery_embedded, delivery_id)
    else:
        webhook_delivery_task.delay(delivery_id)


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def webhook_delivery_task(self, delivery_id: str) -> str | None:
    """One attempt at a delivery; a failed attempt is retried after an exponentially growing delay."""
    delivery = services.webhook_delivery_attempt(delivery_id=delivery_id)
    if delivery is None:
        return None
    if delivery.status == WebhookDelivery.Status.RETRYING:
        backoff = services.webhook_backoff_seconds(attempt=delivery.attempts)
        if self.request.is_eager:
            # No broker: nothing would run a delayed retry, and retrying here would hold the caller.
            runner.submit(webhook_delivery_embedded, delivery_id, delay=backoff)
            return delivery.status
        # The attempt limit lives in the service (PARTNERS_WEBHOOK_MAX_ATTEMPTS), not in Celery's retry count.
        raise self.retry(countdown=backoff, max_retries=None)
    return delivery.status


def webhook_delivery_embedded(delivery_id: str) -> str | None:
    """The embedded mode's attempt, in the after-response thread: a short time-out, the retry queued for later."""
    timeout = min(settings.PARTNERS_WEBHOOK_TIMEOUT_SECONDS, EMBEDDED_TIMEOUT_SECONDS)
    delivery = services.webhook_delivery_attempt(delivery_id=delivery_id, timeout=timeout)
    if delivery is None:
        return None
    if delivery.status == WebhookDelivery.Status.RETRYING:
        runner.submit(webhook_delivery_embedded, delivery_id,
                      delay=services.webhook_backoff_seconds(attempt=delivery.attempts))
    return delivery.status


@shared_task
def idempotent_requests_purge_task() -> int:
    """Forget remembered Idempotency-Key responses older than the window."""
    return services.idempotent_requests_purge()

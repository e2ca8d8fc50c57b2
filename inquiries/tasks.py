"""Celery tasks of the inquiry flow: thin wrappers over one service each."""
from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import notifications, services

RETRY = {"bind": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="inquiries.tasks.bids_expire_task", **RETRY)
def bids_expire_task(self) -> int:
    """Expire the invitations left unanswered past INQUIRY_RESPONSE_DAYS (periodic); returns how many."""
    return services.bids_expire(now=timezone.now())


@shared_task(name="inquiries.tasks.notification_email_task", **RETRY)
def notification_email_task(self, notification_id: int) -> bool:
    """E-mail one notification (queued after the commit that made it)."""
    from .notifications import notification_email_send

    return notification_email_send(notification_id=notification_id)


@shared_task(name="inquiries.tasks.review_invitations_task", **RETRY)
def review_invitations_task(self) -> int:
    """Invite merchants to review what they hired here (daily)."""
    return services.review_invitations_send(today=timezone.localdate())

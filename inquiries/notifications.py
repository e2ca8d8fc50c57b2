"""On-site notifications and their e-mails: one function to notify, one to send, one to opt out.

The header shows the unread count from the cache (filled at sign-in and kept current by every change here), so
pages cost no query for it; a cache that lost the key is refilled with one count.
"""
from __future__ import annotations

from celery import current_app
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import EmailOptOut, Notification

OPT_OUT_SALT = "inquiries.email-opt-out"


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    count = cache.get(_unread_key(user.pk))
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        cache.set(_unread_key(user.pk), count, None)
    return count


def _refresh_unread(user_id: int) -> None:
    cache.set(_unread_key(user_id), Notification.objects.filter(user_id=user_id, read_at__isnull=True).count(), None)


@receiver(user_logged_in)
def _count_at_sign_in(sender, user, **kwargs):
    _refresh_unread(user.pk)


def notify(*, users, kind: str, title: str, url: str) -> list[Notification]:
    """A notice for each user; their e-mails go out from a task once the surrounding transaction commits."""
    return notify_each(to=[(user, url) for user in users], kind=kind, title=title)


def notify_each(*, to, kind: str, title: str) -> list[Notification]:
    """A notice for each (user, link) pair, saved in one query whatever their number; e-mailed as notify's are."""
    notices = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, title=title, url=url) for user, url in to]
    )
    ids = [notice.pk for notice in notices]
    user_ids = {notice.user_id for notice in notices}

    def after_commit():
        for user_id in user_ids:
            _refresh_unread(user_id)
        for pk in ids:
            current_app.tasks["inquiries.tasks.notification_email_task"].delay(pk)

    transaction.on_commit(after_commit)
    return notices


def opt_out_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=OPT_OUT_SALT)


def opt_out_apply(token: str) -> tuple[int, str]:
    """Turn one kind of e-mail off for the token's user (idempotent); BadSignature for a forged token."""
    data = signing.loads(token, salt=OPT_OUT_SALT)
    EmailOptOut.objects.get_or_create(user_id=data["u"], kind=data["k"])
    return data["u"], data["k"]


def notification_email_send(*, notification_id: int, base_url: str | None = None) -> bool:
    """E-mail one notice unless its user turned that kind off or has no address; True when sent."""
    notice = Notification.objects.select_related("user").filter(pk=notification_id, emailed_at__isnull=True).first()
    if notice is None or not notice.user.email or not notice.user.is_active:
        return False
    if EmailOptOut.objects.filter(user_id=notice.user_id, kind=notice.kind).exists():
        return False
    base = (base_url or settings.SITE_URL).rstrip("/")
    context = {
        "notice": notice, "link": f"{base}{notice.url}",
        "opt_out": f"{base}{reverse('inquiries:email_opt_out', args=[opt_out_token(notice.user_id, notice.kind)])}",
        "kind": notice.get_kind_display(),
    }
    send_mail(
        subject=_("【代运营服务商目录】%(title)s") % {"title": notice.title},
        message=render_to_string("inquiries/email/notification.txt", context),
        from_email=None, recipient_list=[notice.user.email],
    )
    Notification.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
    return True


def notifications_mark_read(*, user) -> int:
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    cache.set(_unread_key(user.pk), 0, None)
    return count

"""The header's unread-notification count: from the cache (inquiries.notifications), no query on a page."""
from functools import partial

from .notifications import unread_count


def _count(request) -> int:
    return unread_count(request.user) if request.user.is_authenticated else 0


def notifications(request) -> dict:
    # A callable: only pages that show the header's count ask for it.
    return {"unread_notifications": partial(_count, request)}

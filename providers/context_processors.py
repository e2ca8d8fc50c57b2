"""Template context every page gets from the directory: the visitor's shortlist count for the header."""
from functools import partial

from .shortlist import shortlist_slugs


def _count(request) -> int:
    return len(shortlist_slugs(request))


def shortlist(request) -> dict:
    # A callable: templates call it only where they show the count (no session read on pages that do not).
    return {"shortlist_count": partial(_count, request)}

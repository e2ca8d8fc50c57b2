"""The compare shortlist: up to COMPARE_MAX providers a visitor picked, kept where it survives paging and returning.

Where it lives is the one rule here. Every visitor's list is in their session, which is also what pages read (so a
page costs no query for it). A signed-in user's list is in the database as well (ShortlistEntry): each change
writes there first and reloads the session from it, and signing in merges the list picked before signing in into
the saved one (`shortlist_merge`, called from the user_logged_in receiver in providers.apps), so the list follows
the account to another browser or a later visit. A list is only ever read through the requesting session or the
requesting user: no function here takes another user.

Reads and writes share one module because they share that rule; views only parse and render.
"""
from __future__ import annotations

import enum

from django.db import transaction

from .models import Provider, ShortlistEntry
from .selectors import COMPARE_MAX, LISTED_STATUSES

SESSION_KEY = "compare"


class Change(enum.Enum):
    """What a request to change the shortlist did."""

    ADDED = "added"
    ALREADY = "already"
    FULL = "full"
    UNKNOWN = "unknown"  # no such provider in the directory (or no longer listed)
    REMOVED = "removed"
    CLEARED = "cleared"
    REPLACED = "replaced"


def shortlist_slugs(request) -> list[str]:
    """The visitor's shortlist, in the order picked (at most COMPARE_MAX slugs; no query)."""
    # Reading the session of a visitor without one would create it; only look when a cookie came in.
    if not request.session.session_key and not request.session.modified:
        return []
    value = request.session.get(SESSION_KEY, [])
    return _clean(value) if isinstance(value, list) else []


def _clean(slugs) -> list[str]:
    seen: list[str] = []
    for slug in slugs:
        if isinstance(slug, str) and slug and slug not in seen:
            seen.append(slug)
    return seen[:COMPARE_MAX]


def user_shortlist(*, user) -> list[Provider]:
    """The providers on a signed-in user's saved shortlist, in the order added (the account's data export)."""
    entries = ShortlistEntry.objects.filter(user=user).select_related("provider").order_by("added_at", "pk")
    return [entry.provider for entry in entries.only("provider__slug", "provider__name", "provider__name_en")]


def _saved_slugs(user) -> list[str]:
    return list(
        ShortlistEntry.objects.filter(user=user).order_by("added_at", "pk").values_list("provider__slug", flat=True)
    )


def _remember(request, slugs: list[str]) -> None:
    if request.session.get(SESSION_KEY) != slugs:
        request.session[SESSION_KEY] = slugs


def _save(user, slugs: list[str]) -> None:
    """Append these providers to the user's saved list, in this order (ones already saved are skipped)."""
    by_slug = dict(Provider.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    ShortlistEntry.objects.bulk_create(
        [ShortlistEntry(user=user, provider_id=by_slug[slug]) for slug in slugs if slug in by_slug],
        ignore_conflicts=True,
    )


def shortlist_add(request, *, slug: str) -> Change:
    """Put a listed provider at the end of the shortlist, if there is room (one already on it stays where it is)."""
    current = shortlist_slugs(request)
    if slug in current and not request.user.is_authenticated:
        return Change.ALREADY
    provider = Provider.objects.filter(slug=slug, status__in=LISTED_STATUSES).only("pk").first()
    if provider is None:
        return Change.UNKNOWN
    if not request.user.is_authenticated:
        if len(current) >= COMPARE_MAX:
            return Change.FULL
        _remember(request, [*current, slug])
        return Change.ADDED
    with transaction.atomic():
        # The user's rows are locked so two tabs adding at once cannot pass the limit together.
        saved = list(ShortlistEntry.objects.select_for_update().filter(user=request.user).values_list("provider_id", flat=True))
        if provider.pk in saved:
            outcome = Change.ALREADY
        elif len(saved) >= COMPARE_MAX:
            outcome = Change.FULL
        else:
            ShortlistEntry.objects.create(user=request.user, provider=provider)
            outcome = Change.ADDED
    _remember(request, _saved_slugs(request.user)[:COMPARE_MAX])
    return outcome


def shortlist_remove(request, *, slug: str) -> Change:
    """Take a provider off the shortlist (nothing happens if it was not on it)."""
    if request.user.is_authenticated:
        ShortlistEntry.objects.filter(user=request.user, provider__slug=slug).delete()
        _remember(request, _saved_slugs(request.user)[:COMPARE_MAX])
    else:
        _remember(request, [s for s in shortlist_slugs(request) if s != slug])
    return Change.REMOVED


def shortlist_clear(request) -> Change:
    """Empty the shortlist."""
    if request.user.is_authenticated:
        ShortlistEntry.objects.filter(user=request.user).delete()
    _remember(request, [])
    return Change.CLEARED


@transaction.atomic
def shortlist_replace(request, *, slugs: list[str]) -> Change:
    """Make the shortlist exactly these providers (unknown slugs dropped, at most COMPARE_MAX), e.g. a shared set."""
    wanted = _clean(slugs)
    if request.user.is_authenticated:
        ShortlistEntry.objects.filter(user=request.user).delete()
        _save(request.user, wanted)
        kept = _saved_slugs(request.user)
    else:
        known = set(Provider.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        kept = [slug for slug in wanted if slug in known]
    _remember(request, kept)
    return Change.REPLACED


@transaction.atomic
def shortlist_merge(request, *, user) -> None:
    """On sign-in: the saved list first, then what the visitor picked before signing in, up to COMPARE_MAX; saved
    to the account and kept in the session."""
    picked = shortlist_slugs(request)
    saved = _saved_slugs(user)
    missing = [slug for slug in picked if slug not in saved][: max(COMPARE_MAX - len(saved), 0)]
    if missing:
        _save(user, missing)
        saved = _saved_slugs(user)
    request.session[SESSION_KEY] = saved[:COMPARE_MAX]

"""Reads of reviews and the rules that decide them: which reviews are verified (an engagement of the provider on
the store covers the review's date) and which engagements are already reviewed (once per engagement).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from accounts.models import Account
from providers.models import Engagement, Provider

from ..models import Review


def verifying_engagement() -> Exists:
    """The rule for a verified review: its store has an engagement with the provider that began on or before it."""
    return Exists(
        Engagement.objects.filter(
            provider_id=OuterRef("provider_id"), store_id=OuterRef("store_id"), start_date__lte=OuterRef("created_at")
        )
    )


REVIEW_SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "highest": ("-rating", "-created_at", "-id"),
    "lowest": ("rating", "-created_at", "-id"),
}


def provider_reviews(*, provider: Provider, sort: str = "newest") -> QuerySet[Review]:
    """The provider's published reviews in the chosen order; author and store are not loaded, pages must not show them.

    `author_deleted`: the author deleted their account (accounts.services.account_delete); the review stays and
    says so, and that is all a page learns about its author.
    """
    return (
        Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED)
        .annotate(author_deleted=Exists(
            Account.objects.filter(user_id=OuterRef("author_id"), deleted_at__isnull=False)
        ))
        .defer("author", "store", "engagement")
        .order_by(*REVIEW_SORTS.get(sort, REVIEW_SORTS["newest"]))
    )


def engagement_reviewed(*, on: dt.date) -> Exists:
    """Whether an (outer) engagement counts as reviewed: once per engagement, whoever wrote the review.

    A review of the provider from the store dated within the engagement's dates counts, with or without an author
    or an engagement link (imported and seeded reviews have neither), and so does one dated `on`: a new review
    would be dated that day, and the database takes one review per provider, store and day.
    """
    return Exists(
        Review.objects.filter(provider=OuterRef("provider_id"), store=OuterRef("store_id")).filter(
            Q(engagement=OuterRef("pk"))
            | Q(created_at=on)
            | Q(
                created_at__gte=OuterRef("start_date"),
                created_at__lte=Coalesce(OuterRef("end_date"), Value(dt.date.max), output_field=DateField()),
            )
        )
    )


def engagement_is_reviewed(*, engagement: Engagement, on: dt.date) -> bool:
    """The rule of engagement_reviewed for one engagement (one query)."""
    return Engagement.objects.filter(pk=engagement.pk).filter(engagement_reviewed(on=on)).exists()


def merchant_reviewable_engagements(*, user, provider: Provider, on: dt.date) -> QuerySet[Engagement]:
    """Engagements of the user's stores with the provider that have begun and are not reviewed yet."""
    if not user.is_authenticated:
        return Engagement.objects.none()
    return (
        Engagement.objects.filter(provider=provider, store__merchants=user, start_date__lte=on)
        .exclude(engagement_reviewed(on=on))
        .select_related("store__platform")
        .order_by("-start_date", "pk")
    )


def merchant_reviews(*, user) -> QuerySet[Review]:
    """Reviews the user wrote, any status, newest first, with the provider loaded."""
    return Review.objects.filter(author=user).select_related("provider", "store__platform").order_by("-submitted_at")


def merchant_open_engagements(*, user, on: dt.date) -> QuerySet[Engagement]:
    """All engagements of the user's stores that have begun and are not reviewed yet, with provider and store."""
    return (
        Engagement.objects.filter(store__merchants=user, start_date__lte=on)
        .exclude(engagement_reviewed(on=on))
        .select_related("provider", "store__platform")
        .order_by("-start_date", "pk")
    )


def member_reviews(*, user) -> QuerySet[Review]:
    """Published reviews of the providers the user answers for, newest first (store and author not loaded)."""
    return (
        Review.objects.filter(provider__members=user, status=Review.Status.PUBLISHED)
        .select_related("provider")
        .defer("author", "store")
        .order_by("-created_at", "-id")
    )

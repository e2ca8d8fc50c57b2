"""Reads of the directory: querysets shaped for each page and endpoint, with their joins prefetched."""
from __future__ import annotations

import datetime as dt

from django.db.models import F, OrderBy, Prefetch, Q, QuerySet

from ratings.models import Review, ScoreSnapshot

from .models import Category, Engagement, Platform, Provider, Service

LISTED_STATUSES = (Provider.Status.ACTIVE, Provider.Status.PROBATION)

# Best first; unrated providers last on every backend (PostgreSQL sorts NULL first in DESC), pk keeps pages stable.
DIRECTORY_ORDERING: tuple[OrderBy | str, ...] = (F("score").desc(nulls_last=True), "name", "pk")

LATEST_REVIEWS = 10


def provider_list(*, include_delisted: bool = False) -> QuerySet[Provider]:
    """Providers for listings, reference data prefetched; delisted and suspended ones left out by default."""
    qs = Provider.objects.prefetch_related(
        Prefetch("platforms", queryset=Platform.objects.order_by("position")),
        Prefetch("categories", queryset=Category.objects.order_by("position")),
        Prefetch("services", queryset=Service.objects.order_by("position")),
    )
    if not include_delisted:
        qs = qs.filter(status__in=LISTED_STATUSES)
    return qs


def provider_get(*, slug: str) -> Provider:
    """One provider by slug, whatever its status (delisted providers keep their page)."""
    return provider_list(include_delisted=True).get(slug=slug)


def engagement_active_q(*, on: dt.date) -> Q:
    """Engagements running on a day: started by then and not yet ended (an end date is the last day served)."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def provider_active_store_count(*, provider: Provider, on: dt.date) -> int:
    """How many distinct stores the provider runs on a day (a count only: stores are merchants' data)."""
    return (
        Engagement.objects.filter(engagement_active_q(on=on), provider=provider)
        .values("store_id")
        .distinct()
        .count()
    )


def provider_latest_snapshot(*, provider: Provider) -> ScoreSnapshot | None:
    """The provider's score snapshot for its latest computed period, or None before the first recompute."""
    return provider.snapshots.select_related("policy").order_by("-period").first()


def provider_published_reviews(*, provider: Provider, limit: int = LATEST_REVIEWS) -> QuerySet[Review]:
    """The provider's newest published reviews; author and store are not loaded, pages must not show them."""
    return (
        Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED)
        .defer("author", "store")
        .order_by("-created_at", "-id")[:limit]
    )


def service_names_by_code() -> dict[str, str]:
    """Service names keyed by code (snapshot explanations carry codes)."""
    return dict(Service.objects.values_list("code", "name"))

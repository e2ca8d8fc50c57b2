"""Reads of the directory: querysets shaped for each page and endpoint, with their joins prefetched."""
from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import (
    Avg, Count, DateField, Exists, F, Max, OrderBy, OuterRef, Prefetch, Q, QuerySet, Value, Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import get_language

from ratings.models import Review, ScoreSnapshot, StorePerformance
from ratings.scoring import add_months, month_start

from .models import Category, Engagement, Platform, Provider, Service

LISTED_STATUSES = (Provider.Status.ACTIVE, Provider.Status.PROBATION)

# Highest tier first, then composite score (providers/filters.py SORTS["tier"]); no tier and unrated last on every
# backend (PostgreSQL sorts NULL first in DESC); pk keeps pages stable.
DIRECTORY_ORDERING: tuple[OrderBy | str, ...] = (
    F("tier").desc(nulls_last=True), F("score").desc(nulls_last=True), "name", "pk",
)

LATEST_REVIEWS = 10


def _reference_prefetches() -> list[Prefetch]:
    return [
        Prefetch("platforms", queryset=Platform.objects.order_by("position")),
        Prefetch("categories", queryset=Category.objects.order_by("position")),
        Prefetch("services", queryset=Service.objects.order_by("position")),
    ]


def provider_list(*, include_delisted: bool = False, with_reference: bool = True) -> QuerySet[Provider]:
    """Providers for listings, delisted and suspended ones left out by default.

    Platforms, categories and services are prefetched unless with_reference=False (the directory fetches them
    only for the cards it has to render: see providers_load_reference).
    """
    qs = Provider.objects.prefetch_related(*_reference_prefetches()) if with_reference else Provider.objects.all()
    if not include_delisted:
        qs = qs.filter(status__in=LISTED_STATUSES)
    return qs


def providers_load_reference(providers: list[Provider]) -> None:
    """Prefetch platforms, categories and services onto already fetched providers (three queries, any count)."""
    prefetch_related_objects(providers, *_reference_prefetches())


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
    """Service names in the page's language keyed by code (snapshot explanations carry codes)."""
    return dict(Service.objects.values_list("code", "name_en" if get_language() == "en" else "name"))


# Merchant pages ----------------------------------------------------------------------------------------------------

TREND_MONTHS = 12
# Aggregated store performance is shown only over at least this many stores, so no single merchant's figures leak.
MIN_STORES_FOR_PERFORMANCE = 3
REVIEW_SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "highest": ("-rating", "-created_at", "-id"),
    "lowest": ("rating", "-created_at", "-id"),
}
COMPARE_MAX = 4


def provider_trend(*, provider: Provider, months: int = TREND_MONTHS) -> list[ScoreSnapshot]:
    """The provider's snapshots of the last `months` periods up to its latest one, oldest first."""
    latest = provider.snapshots.order_by("-period").values_list("period", flat=True)[:1]
    rows = (
        ScoreSnapshot.objects.filter(provider=provider, period__lte=latest)
        .only("period", "composite", "tier", "status")
        .order_by("-period")[:months]
    )
    return list(reversed(rows))


def provider_store_performance(*, provider: Provider, on: dt.date, months: int) -> dict | None:
    """Average platform scores and rates over the stores the provider runs on `on`, for the last `months` months.

    None when fewer than MIN_STORES_FOR_PERFORMANCE stores report: with one or two stores the "average" would be
    a merchant's own numbers.
    """
    first = add_months(month_start(on), -(months - 1))
    running = Engagement.objects.filter(engagement_active_q(on=on), provider=provider).values("store_id")
    figures = StorePerformance.objects.filter(store_id__in=running, period__gte=first, period__lte=on).aggregate(
        stores=Count("store_id", distinct=True), rows=Count("id"), latest=Max("period"),
        product=Avg("product_score"), logistics=Avg("logistics_score"), service=Avg("service_score"),
        complaint_rate=Avg("complaint_rate"), refund_rate=Avg("refund_rate"),
        on_time_ship_rate=Avg("on_time_ship_rate"), response_hours=Avg("after_sales_response_hours"),
    )
    if figures["stores"] < MIN_STORES_FOR_PERFORMANCE:
        return None
    figures["first"] = first
    return figures


def provider_reviews(*, provider: Provider, sort: str = "newest") -> QuerySet[Review]:
    """The provider's published reviews in the chosen order; author and store are not loaded, pages must not show them."""
    return (
        Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED)
        .defer("author", "store", "engagement")
        .order_by(*REVIEW_SORTS.get(sort, REVIEW_SORTS["newest"]))
    )


def providers_for_compare(*, slugs: list[str]) -> list[Provider]:
    """Up to COMPARE_MAX providers by slug, in the given order, each with `latest_snapshot` (or None) attached."""
    slugs = slugs[:COMPARE_MAX]
    by_slug = {p.slug: p for p in provider_list(include_delisted=True).filter(slug__in=slugs)}
    providers = [by_slug[slug] for slug in slugs if slug in by_slug]
    snapshots = {
        s.provider_id: s
        for s in ScoreSnapshot.objects.filter(
            provider__in=[p.pk for p in providers], period=F("provider__rated_period")
        ).select_related("policy")
    }
    for provider in providers:
        provider.latest_snapshot = snapshots.get(provider.pk)
    return providers


def providers_top_by_tier(*, per_tier: int = 3) -> dict[int, list[Provider]]:
    """The best-scored listed providers of each tier (6★ first), in one query."""
    rows = (
        Provider.objects.filter(status__in=LISTED_STATUSES, tier__isnull=False, score__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=[F("tier")], order_by=[F("score").desc(), F("name").asc()]))
        .filter(rank__lte=per_tier)
        .only("slug", "name", "name_en", "tier", "score", "review_count", "review_average", "status", "at_risk")
        .order_by("-tier", "rank")
    )
    grouped: dict[int, list[Provider]] = {}
    for provider in rows:
        grouped.setdefault(provider.tier, []).append(provider)
    return grouped


def providers_top_by_platform(*, per_platform: int = 3) -> list[tuple[Platform, list[Provider]]]:
    """Each platform with its best-scored listed providers, in one query."""
    through = Provider.platforms.through
    rows = (
        through.objects.filter(provider__status__in=LISTED_STATUSES, provider__score__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("platform_id")],
                order_by=[F("provider__score").desc(), F("provider__name").asc()],
            )
        )
        .filter(rank__lte=per_platform)
        .select_related("provider", "platform")
        .order_by("platform__position", "platform__code", "rank")
    )
    grouped: dict[int, tuple[Platform, list[Provider]]] = {}
    for row in rows:
        grouped.setdefault(row.platform_id, (row.platform, []))[1].append(row.provider)
    return list(grouped.values())


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


def member_providers(*, user) -> QuerySet[Provider]:
    """Providers the user answers for."""
    if not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(members=user).order_by("name")


def member_reviews(*, user) -> QuerySet[Review]:
    """Published reviews of the providers the user answers for, newest first (store and author not loaded)."""
    return (
        Review.objects.filter(provider__members=user, status=Review.Status.PUBLISHED)
        .select_related("provider")
        .defer("author", "store")
        .order_by("-created_at", "-id")
    )


def user_is_provider_member(*, user, provider: Provider) -> bool:
    return user.is_authenticated and provider.members.filter(pk=user.pk).exists()


def providers_for_tray(*, slugs: list[str]) -> list[Provider]:
    """Names of the shortlisted providers, in shortlist order (one small query)."""
    by_slug = {p.slug: p for p in Provider.objects.filter(slug__in=slugs[:COMPARE_MAX]).only("slug", "name", "name_en")}
    return [by_slug[slug] for slug in slugs if slug in by_slug]


class WindowCountPaginator(Paginator):
    """A Paginator whose page query also counts the matches (COUNT(*) OVER ()): one scan of the table, not two.

    Filtered directory requests scan thousands of rows (substring search cannot use an index for common
    words); Django's Paginator scans them once to count and again for the page. Pages past the end and empty
    results fall back to the plain count.
    """

    def get_page(self, number):
        try:
            # Capped: ?page=<40 digits> would overflow the database's OFFSET (a 500); past the end = last page.
            number = min(max(int(number), 1), 10**9)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(matches_total=Window(Count("*")))[bottom:bottom + self.per_page])
        if not rows or self.orphans:
            return super().get_page(number)
        self.__dict__["count"] = rows[0].matches_total  # fills the cached_property
        return self._get_page(rows, number, self)

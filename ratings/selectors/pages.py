"""Reads for the merchants' and providers' pages: a provider's snapshots, trend, performance and reviews, and which
engagements are reviewed (the one "already reviewed" rule, shared with the review form's service).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Max

from providers.models import Engagement, Provider
from providers.selectors import COMPARE_MAX, engagement_active_q, provider_list

from ..models import ScoreSnapshot, StorePerformance
from ..scoring import add_months, month_start

LATEST_REVIEWS = 10


def provider_latest_snapshot(*, provider: Provider) -> ScoreSnapshot | None:
    """The provider's score snapshot for its latest computed period, or None before the first recompute."""
    return provider.snapshots.select_related("policy").order_by("-period").first()


TREND_MONTHS = 12
# Aggregated store performance is shown only over at least this many stores, so no single merchant's figures leak.
MIN_STORES_FOR_PERFORMANCE = 3
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


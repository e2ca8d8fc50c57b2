"""Reads for the admin workbench: snapshot exports, a provider's history and audit trail, alerts, the moderation queue."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from providers.models import Engagement

from ..models import ProviderAlert, RatingEvent, Review, ReviewAppeal, ScoreSnapshot


EXPORT_COLUMNS = [
    "slug", "period", "composite", "reviews", "performance", "active_stores", "excellent_stores",
    "candidate_tier", "tier", "status", "at_risk",
]


def snapshot_export_rows(*, period: dt.date) -> list[dict]:
    """A period's snapshots as export rows (tiers 3–6 or None), ordered by provider slug."""
    rows = (
        ScoreSnapshot.objects.filter(period=period)
        .order_by("provider__slug")
        .values_list(
            "provider__slug", "composite", "review_score", "performance_score", "active_stores", "excellent_stores",
            "candidate_tier", "tier", "status", "at_risk",
        )
    )
    label = period.strftime("%Y-%m")
    return [
        {
            "slug": slug, "period": label,
            "composite": str(composite) if composite is not None else None,
            "reviews": str(review) if review is not None else None,
            "performance": str(performance) if performance is not None else None,
            "active_stores": active, "excellent_stores": excellent, "candidate_tier": candidate, "tier": tier,
            "status": status, "at_risk": at_risk,
        }
        for slug, composite, review, performance, active, excellent, candidate, tier, status, at_risk in rows
    ]


def provider_alerts_active(*, provider_ids: Iterable[int], now: dt.datetime | None = None) -> dict[int, list]:
    """Public manipulation alerts in force (posted, not expired, not withdrawn) per provider id, newest first.

    One query for any number of providers; providers without an alert are absent from the result.
    """
    now = now or timezone.now()
    alerts = defaultdict(list)
    qs = ProviderAlert.objects.filter(
        provider_id__in=list(provider_ids), posted_at__lte=now, expires_at__gt=now, withdrawn_at__isnull=True
    ).order_by("provider_id", "-posted_at", "-id")
    for alert in qs:
        alerts[alert.provider_id].append(alert)
    return dict(alerts)


def provider_snapshot_history(*, provider_id: int, months: int = 12) -> list[ScoreSnapshot]:
    """The provider's latest `months` snapshots, newest first, with the policy version each was computed by."""
    return list(
        ScoreSnapshot.objects.filter(provider_id=provider_id).select_related("policy").order_by("-period")[:months]
    )


def provider_audit_events(*, provider_id: int, limit: int = 50) -> list:
    """The provider's most recent rating and moderation events (who, when, from, to, why), newest first."""
    return list(
        RatingEvent.objects.filter(provider_id=provider_id).select_related("actor").order_by("-created_at", "-id")[
            :limit
        ]
    )


def review_queue() -> QuerySet:
    """The moderation queue: pending reviews and reviews with an open appeal, longest waiting first.

    Annotated for the list: when it joined the queue, the store's latest engagement with the provider, and how
    many other reviews its author wrote.
    """
    open_appeals = ReviewAppeal.objects.filter(review_id=OuterRef("pk"), status=ReviewAppeal.Status.OPEN)
    engagement = Engagement.objects.filter(
        provider_id=OuterRef("provider_id"), store_id=OuterRef("store_id")
    ).order_by("-start_date")
    others = (
        Review.objects.filter(author_id=OuterRef("author_id")).exclude(pk=OuterRef("pk"))
        .order_by().values("author_id").annotate(n=Count("pk")).values("n")
    )
    first_appeal = open_appeals.order_by().values("review_id").annotate(at=Min("created_at")).values("at")
    # Open appeals are few: their ids are fetched first, so the filter is an OR of two index lookups rather
    # than a correlated EXISTS evaluated on every review.
    appealed = list(ReviewAppeal.objects.filter(status=ReviewAppeal.Status.OPEN).values_list("review_id", flat=True))
    return (
        Review.objects.filter(Q(status=Review.Status.PENDING) | Q(pk__in=appealed))
        .annotate(
            queued_since=Case(
                When(status=Review.Status.PENDING, then=F("submitted_at")), default=Subquery(first_appeal)
            ),
            has_open_appeal=Exists(open_appeals),
            engagement_start=Subquery(engagement.values("start_date")[:1]),
            engagement_end=Subquery(engagement.values("end_date")[:1]),
            author_other_reviews=Case(
                When(author_id__isnull=True, then=Value(None)),
                default=Coalesce(Subquery(others, output_field=IntegerField()), Value(0)),
            ),
        )
        .order_by("queued_since", "pk")
    )


def review_moderation_context(*, review: Review, limit: int = 20) -> dict:
    """What a moderator weighs: the store's engagements, the author's other reviews, appeals and past decisions."""
    others = (
        Review.objects.filter(author_id=review.author_id).exclude(pk=review.pk).select_related("provider")
        .order_by("-created_at", "-id")
        if review.author_id else Review.objects.none()
    )
    return {
        "store_engagements": list(
            Engagement.objects.filter(store_id=review.store_id).select_related("provider").order_by("-start_date")
        ),
        "author_reviews": list(others[:limit]),
        "author_review_count": others.count() if review.author_id else 0,
        "appeals": list(ReviewAppeal.objects.filter(review=review).select_related("created_by", "resolved_by")),
        "decisions": list(
            RatingEvent.objects.filter(review=review).select_related("actor").order_by("-created_at", "-id")
        ),
    }


def review_latest_appeals(*, review_ids: Iterable[int]) -> dict[int, ReviewAppeal]:
    """The most recent appeal of each of the reviews that has one, by review id (one query, any count)."""
    latest: dict[int, ReviewAppeal] = {}
    ids = list(review_ids)
    if not ids:
        return latest
    appeals = (
        ReviewAppeal.objects.filter(review_id__in=ids)
        .only("pk", "review_id", "status", "created_at", "resolved_at")
        .order_by("review_id", "-created_at", "-id")
    )
    for appeal in appeals:
        latest.setdefault(appeal.review_id, appeal)
    return latest

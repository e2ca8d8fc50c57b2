"""Reads for the ratings engine: the active policy and the evidence a recompute aggregates, fetched set-based."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case, CharField, Count, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from providers.models import Engagement, Provider

from . import scoring
from .models import (
    ProviderAlert, RatingEvent, RatingPolicy, Review, ReviewAppeal, ScoreSnapshot, StorePerformance, TierOverride,
)

CENT = Decimal("0.01")


def policy_active() -> RatingPolicy:
    """The policy in force (exactly one is active, enforced by a constraint)."""
    return RatingPolicy.objects.prefetch_related("gates__required_services").get(is_active=True)


def policy_to_scoring(policy: RatingPolicy) -> scoring.Policy:
    """A plain, immutable copy of a policy row for the scoring functions."""
    gates = sorted(
        (
            scoring.Gate(
                tier=g.tier, min_score=g.min_score, min_active_stores=g.min_active_stores,
                min_excellent_stores=g.min_excellent_stores,
                required_services=frozenset(s.code for s in g.required_services.all()),
            )
            for g in policy.gates.all()
        ),
        key=lambda g: -g.tier,
    )
    return scoring.Policy(
        version=policy.version, prior_mean=policy.prior_mean, prior_weight=policy.prior_weight,
        half_life_days=policy.half_life_days, product_weight=policy.product_weight,
        logistics_weight=policy.logistics_weight, service_weight=policy.service_weight,
        window_months=policy.performance_window_months, excellent_threshold=policy.excellent_store_threshold,
        review_weight=policy.review_weight, performance_weight=policy.performance_weight,
        probation_threshold=policy.probation_threshold, delist_after_months=policy.delist_after_months,
        demote_after_months=policy.demote_after_months, gates=tuple(gates),
    )


def verifying_engagement() -> Exists:
    """The rule for a verified review: its store has an engagement with the provider that began on or before it."""
    return Exists(
        Engagement.objects.filter(
            provider_id=OuterRef("provider_id"), store_id=OuterRef("store_id"), start_date__lte=OuterRef("created_at")
        )
    )


def _restrict(qs: QuerySet, field: str, provider_ids: Iterable[int] | None) -> QuerySet:
    return qs if provider_ids is None else qs.filter(**{f"{field}__in": list(provider_ids)})


def providers_for_rating(*, provider_ids: Iterable[int] | None) -> list[tuple[int, str, dt.date | None]]:
    """(id, status, reinstated_on) of the providers a run rates."""
    return list(_restrict(Provider.objects.order_by("pk"), "pk", provider_ids).values_list("pk", "status", "reinstated_on"))


def provider_service_codes(*, provider_ids: Iterable[int] | None) -> dict[int, frozenset[str]]:
    through = Provider.services.through
    codes = defaultdict(set)
    for provider_id, code in _restrict(through.objects, "provider_id", provider_ids).values_list(
        "provider_id", "service__code"
    ):
        codes[provider_id].add(code)
    return {pk: frozenset(c) for pk, c in codes.items()}


def scored_review_groups(*, as_of: dt.date, provider_ids: Iterable[int] | None) -> dict[int, list[tuple[int, int, int]]]:
    """Verified, published reviews dated ≤ as_of, grouped per provider and day: (age_days, count, rating_sum)."""
    qs = Review.objects.filter(status=Review.Status.PUBLISHED, verified=True, created_at__lte=as_of)
    rows = (
        _restrict(qs, "provider_id", provider_ids)
        .annotate(day=_as_text_on_sqlite("created_at"))
        .values_list("provider_id", "day")
        .annotate(n=Count("id"), total=Sum("rating"))
        .order_by()
    )
    groups = defaultdict(list)
    ages: dict[str, int] = {}
    for provider_id, day, n, total in _raw_rows(rows):
        age = ages.get(day)
        if age is None:
            age = ages[day] = (as_of - (day if isinstance(day, dt.date) else dt.date.fromisoformat(day))).days
        groups[provider_id].append((age, n, total))
    return groups


def _as_text_on_sqlite(field: str):
    """A date column as ISO text on SQLite, where the driver would otherwise parse it row by row in Python.

    PostgreSQL's driver converts dates in C, and grouping by the plain column is faster there.
    """
    return Cast(field, CharField()) if connection.vendor == "sqlite" else F(field)


def _raw_rows(qs: QuerySet):
    """The queryset's rows straight from the cursor, skipping Django's per-value converters.

    Used for the one query whose result is hundreds of thousands of rows of plain integers and dates.
    """
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. `__in` an empty list: nothing to fetch
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(10_000):
            yield from batch


def engagements_for_rating(*, as_of: dt.date, window_start: dt.date, provider_ids: Iterable[int] | None):
    """(provider_id, store_id, start_date, end_date) of engagements begun by as_of and not ended before the window."""
    qs = Engagement.objects.filter(start_date__lte=as_of).filter(Q(end_date__isnull=True) | Q(end_date__gte=window_start))
    return list(_restrict(qs, "provider_id", provider_ids).values_list("provider_id", "store_id", "start_date", "end_date"))


def performance_rows(*, window_start: dt.date, period: dt.date, store_ids: set[int] | None):
    """(store_id, period, product, logistics, service) of the window's rows, scores as Decimal with 2 places."""
    qs = StorePerformance.objects.filter(period__gte=window_start, period__lte=period)
    if store_ids is not None:
        qs = qs.filter(store_id__in=list(store_ids))
    qs = qs.annotate(month=_as_text_on_sqlite("period")).values_list(
        "store_id", "month", "product_score", "logistics_score", "service_score"
    ).order_by()
    # Converting each value is most of the cost at scale, and there are only 3 months and ≤ 501 distinct scores
    # (0.00–5.00); SQLite returns them as text and floats, PostgreSQL as dates and Decimals.
    months: dict = {}
    scores: dict = {}

    def score(value) -> Decimal:
        converted = scores.get(value)
        if converted is None:
            converted = scores[value] = Decimal(str(value)).quantize(CENT)
        return converted

    for store_id, month, product, logistics, service in _raw_rows(qs):
        day = months.get(month)
        if day is None:
            day = months[month] = month if isinstance(month, dt.date) else dt.date.fromisoformat(month)
        yield store_id, day, score(product), score(logistics), score(service)


def previous_snapshots(*, period: dt.date, provider_ids: Iterable[int] | None) -> dict[int, dict]:
    qs = ScoreSnapshot.objects.filter(period=scoring.add_months(period, -1))
    return {
        row["provider_id"]: row
        for row in _restrict(qs, "provider_id", provider_ids).values(
            "provider_id", "as_of", "computed_tier", "tier", "status", "below_tier_months", "failing_months"
        )
    }


def overrides_in_force(*, on: dt.date, provider_ids: Iterable[int] | None) -> dict[int, TierOverride]:
    """The override holding on a date for each provider (the most recent one if several)."""
    qs = (
        TierOverride.objects.filter(starts_on__lte=on)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))
        .order_by("provider_id", "starts_on", "id")
    )
    return {o.provider_id: o for o in _restrict(qs, "provider_id", provider_ids)}


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

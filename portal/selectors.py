"""Reads of the portal: a team's own rating, the stores behind its P, its reviews inbox and its team.

Everything here is scoped to one provider by the caller's membership (providers.access.provider_membership):
no function takes a user's word for which provider it reads.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from providers.models import Engagement, Membership, Provider
from ratings.models import Review, ScoreSnapshot, StorePerformance
from ratings.scoring import add_months, month_start, performance_entry
from ratings.selectors import provider_snapshot_history, review_latest_appeals

from .models import Invitation

HISTORY_MONTHS = 12


def rating_history(*, provider: Provider) -> list[ScoreSnapshot]:
    """The provider's latest HISTORY_MONTHS snapshots, newest first, with their policy (one query)."""
    return provider_snapshot_history(provider_id=provider.pk, months=HISTORY_MONTHS)


@dataclass
class StoreMonth:
    period: dt.date
    product: Decimal
    logistics: Decimal
    service: Decimal
    entry: Decimal  # E, the weighted mix that P averages


@dataclass
class StoreRow:
    """One of the provider's own stores in the snapshot's performance window, with the months that counted."""

    name: str
    platform: object
    active: bool
    months: list[StoreMonth] = field(default_factory=list)
    excellent: bool = False

    @property
    def latest(self) -> StoreMonth | None:
        return self.months[0] if self.months else None


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def rating_store_performance(*, provider: Provider, snapshot: ScoreSnapshot) -> list[StoreRow]:
    """The rows behind the snapshot's P: each of the provider's own stores run in the window, its months counted
    (those the provider ran it in, as the engine counts them) and E of each, and whether it counts as excellent
    (active on the snapshot's day, latest E ≥ the policy's threshold). Two queries; only stores with an
    engagement of this provider, so no other provider's data can appear.
    """
    window = snapshot.policy.performance_window_months
    window_start = add_months(month_start(snapshot.period), -(window - 1))
    engagements = list(
        Engagement.objects.filter(provider=provider, start_date__lte=snapshot.as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=window_start))
        .select_related("store__platform")
        .order_by("store__name", "store_id", "start_date")
    )
    stores: dict[int, StoreRow] = {}
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for engagement in engagements:
        store = engagement.store
        active = engagement.end_date is None or engagement.end_date >= snapshot.as_of
        row = stores.setdefault(store.pk, StoreRow(name=store.name, platform=store.platform, active=False))
        row.active = row.active or active
        spans.setdefault(store.pk, []).append((engagement.start_date, engagement.end_date))
    if not stores:
        return []
    rows = StorePerformance.objects.filter(
        store_id__in=list(stores), period__gte=window_start, period__lte=snapshot.period
    ).order_by("store_id", "-period")
    weights = _Weights(snapshot.policy)
    for perf in rows:
        ran = any(
            start <= _month_end(perf.period) and (end is None or end >= perf.period) for start, end in spans[perf.store_id]
        )
        if not ran:
            continue
        entry = performance_entry(perf.product_score, perf.logistics_score, perf.service_score, weights)
        stores[perf.store_id].months.append(StoreMonth(
            period=perf.period, product=perf.product_score, logistics=perf.logistics_score,
            service=perf.service_score, entry=entry,
        ))
    for row in stores.values():
        row.excellent = row.active and row.latest is not None and row.latest.entry >= weights.excellent_threshold
    return sorted(stores.values(), key=lambda row: (not row.active, row.name))


class _Weights:
    """The three weights and the excellent threshold of a policy row, as scoring.performance_entry reads them."""

    def __init__(self, policy):
        self.product_weight = policy.product_weight
        self.logistics_weight = policy.logistics_weight
        self.service_weight = policy.service_weight
        self.excellent_threshold = policy.excellent_store_threshold


# The reviews inbox ---------------------------------------------------------------------------------------------


def inbox_reviews(
    *, provider: Provider, unanswered: bool = False, low: bool = False, platform: str = ""
) -> QuerySet[Review]:
    """The provider's published reviews to answer, newest first, with the store's platform and, for a store the
    provider has an engagement with (its own store), the store's name; the author is not loaded.

    `low`: rating ≤ 3; `unanswered`: no reply yet; `platform`: a platform code.
    """
    reviews = Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED)
    if unanswered:
        reviews = reviews.filter(reply="")
    if low:
        reviews = reviews.filter(rating__lte=3)
    if platform:
        reviews = reviews.filter(store__platform__code=platform)
    own_store = Exists(Engagement.objects.filter(provider_id=OuterRef("provider_id"), store_id=OuterRef("store_id")))
    return (
        reviews.annotate(
            own_store=own_store, store_name=F("store__name"),
            platform_code=F("store__platform__code"),
            platform_name=F("store__platform__name"), platform_name_en=F("store__platform__name_en"),
        )
        .defer("author", "store", "engagement")
        .order_by("-created_at", "-id")
    )


def inbox_attach_appeals(reviews: list[Review]) -> None:
    """Each review's latest appeal (or None), one query."""
    latest = review_latest_appeals(review_ids=[review.pk for review in reviews])
    for review in reviews:
        review.appeal = latest.get(review.pk)


def inbox_platforms(*, provider: Provider) -> list[tuple[str, str, str]]:
    """(code, name, name_en) of the platforms of the provider's published reviews, for the filter (one query)."""
    return list(
        Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED)
        .values_list("store__platform__code", "store__platform__name", "store__platform__name_en")
        .distinct()
        .order_by("store__platform__code")
    )


# The team ------------------------------------------------------------------------------------------------------


def team_members(*, provider: Provider) -> list[Membership]:
    """The team, owners first, then by joining date, with each account (one query)."""
    order = {Membership.Role.OWNER: 0, Membership.Role.MANAGER: 1, Membership.Role.MEMBER: 2}
    members = list(Membership.objects.filter(provider=provider).select_related("user").order_by("joined_at", "pk"))
    return sorted(members, key=lambda m: order[m.role])


def team_open_invitations(*, provider: Provider) -> list[Invitation]:
    """Invitations of the team not accepted, revoked or expired yet, newest first (one query)."""
    return list(
        Invitation.objects.filter(
            provider=provider, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
        ).order_by("-created_at", "-pk")
    )

"""Moderators' writes: review decisions, provider appeals, burst holds and public manipulation alerts.

Every decision is audited as a RatingEvent on the provider and marks the provider for recompute, so the
scores follow after commit (ratings_request_recompute schedules the job on commit).
"""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.cache import directory_cache_bump
from common.chunking import MAX_PARAMS_PER_QUERY, chunks
from providers.models import Provider

from .. import scoring, selectors
from ..models import ALERT_VISIBLE_DAYS, ProviderAlert, RatingEvent, Review, ReviewAppeal
from .recompute import ratings_request_recompute

APPROVE, REJECT, MALICIOUS = "approve", "reject", "malicious"
DECISION_STATUS = {
    APPROVE: Review.Status.PUBLISHED,
    REJECT: Review.Status.REJECTED,
    MALICIOUS: Review.Status.MALICIOUS,
}


def _required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写理由。")})
    return reason


@transaction.atomic
def reviews_moderate(*, review_ids: Iterable[int], decision: str, actor, reason: str = "") -> int:
    """Approve, reject or mark reviews malicious (reason required but for approval); returns how many were decided.

    Open appeals of the reviews are settled with the decision: upheld when the review goes, dismissed when it stays.
    """
    if decision not in DECISION_STATUS:
        raise ValueError(f"unknown decision {decision!r}")
    reason = reason.strip() if decision == APPROVE else _required(reason)
    to_status = DECISION_STATUS[decision]
    now = timezone.now()
    reviews = list(
        Review.objects.select_for_update().filter(pk__in=list(review_ids)).only("pk", "provider_id", "status")
    )
    if not reviews:
        return 0
    ids = [review.pk for review in reviews]
    Review.objects.filter(pk__in=ids).update(status=to_status, moderated_at=now, moderated_by=actor, updated_at=now)
    ReviewAppeal.objects.filter(review_id__in=ids, status=ReviewAppeal.Status.OPEN).update(
        status=ReviewAppeal.Status.DISMISSED if decision == APPROVE else ReviewAppeal.Status.UPHELD,
        resolved_by=actor, resolved_at=now, resolution=reason,
    )
    RatingEvent.objects.bulk_create(
        [
            RatingEvent(
                provider_id=review.provider_id, review_id=review.pk, kind=RatingEvent.Kind.REVIEW,
                from_value=review.status, to_value=to_status, reason=reason or _("审核通过"), actor=actor,
            )
            for review in reviews
        ],
        batch_size=500,
    )
    ratings_request_recompute(provider_ids={review.provider_id for review in reviews})
    return len(reviews)


@transaction.atomic
def reviews_confirm_manipulation(
    *, review_ids: Iterable[int], actor, reason: str, kind: str, message: str
) -> list[ProviderAlert]:
    """Mark the reviews malicious (paid or fake) and post one public alert on each provider they concern."""
    ids = list(review_ids)
    provider_ids = sorted(set(Review.objects.filter(pk__in=ids).values_list("provider_id", flat=True)))
    reviews_moderate(review_ids=ids, decision=MALICIOUS, actor=actor, reason=reason)
    return [
        provider_alert_post(provider=provider, kind=kind, message=message, reason=reason, actor=actor)
        for provider in Provider.objects.filter(pk__in=provider_ids).order_by("pk")
    ]


@transaction.atomic
def review_appeal_submit(*, review: Review, author, explanation: str) -> ReviewAppeal:
    """A provider's account contests a published review of the provider; the appeal joins the moderation queue."""
    if not review.provider.members.filter(pk=author.pk).exists():
        raise PermissionDenied(_("只有该服务商的账号可以申诉。"))
    if review.status != Review.Status.PUBLISHED:
        raise ValidationError(_("只能申诉已发布的评价。"))
    if ReviewAppeal.objects.filter(review=review, status=ReviewAppeal.Status.OPEN).exists():
        raise ValidationError(_("这条评价已有待处理的申诉。"))
    appeal = ReviewAppeal(
        review=review, provider_id=review.provider_id, explanation=explanation.strip(), created_by=author
    )
    appeal.full_clean()
    appeal.save()
    return appeal


def review_appeal_file(*, review: Review, author, reason: str, explanation: str) -> ReviewAppeal:
    """A provider's appeal from its review page: the short reason heads the explanation moderators read.

    The appeal model has one text field, so the reason is stored as "【reason】explanation". Two submissions racing
    past the open-appeal check meet the database's one-open-appeal constraint; the loser gets the same message.
    """
    reason, explanation = reason.strip(), explanation.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写申诉理由。")})
    if not explanation:
        raise ValidationError({"explanation": _("请填写申诉说明。")})
    try:
        return review_appeal_submit(review=review, author=author, explanation=f"【{reason}】{explanation}")
    except IntegrityError:
        raise ValidationError(_("这条评价已有待处理的申诉。")) from None


@transaction.atomic
def provider_alert_post(*, provider: Provider, kind: str, message: str, reason: str, actor) -> ProviderAlert:
    """Post a public manipulation alert on a provider, shown on its page and in the API for ALERT_VISIBLE_DAYS days."""
    now = timezone.now()
    alert = ProviderAlert(
        provider=provider, kind=kind, message=message.strip(), reason=_required(reason), posted_by=actor,
        posted_at=now, expires_at=now + dt.timedelta(days=ALERT_VISIBLE_DAYS),
    )
    alert.full_clean()
    alert.save()
    RatingEvent.objects.create(
        provider=provider, kind=RatingEvent.Kind.ALERT, to_value=kind, reason=alert.reason, actor=actor
    )
    transaction.on_commit(directory_cache_bump)  # cached anonymous pages must show the alert
    return alert


@transaction.atomic
def provider_alert_withdraw(*, alert: ProviderAlert, actor, reason: str) -> ProviderAlert:
    """Take an alert down before it expires (e.g. posted in error), with a reason."""
    if alert.withdrawn_at is not None:
        raise ValidationError(_("该警示已撤回。"))
    alert.withdrawn_at, alert.withdrawn_by, alert.withdraw_reason = timezone.now(), actor, _required(reason)
    alert.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    RatingEvent.objects.create(
        provider_id=alert.provider_id, kind=RatingEvent.Kind.ALERT, from_value=alert.kind, to_value="",
        reason=alert.withdraw_reason, actor=actor,
    )
    transaction.on_commit(directory_cache_bump)
    return alert


@transaction.atomic
def review_reply_moderate(*, review: Review, actor, body: str, reason: str) -> Review:
    """A moderator replaces a provider's reply (say, with its contact details cut) or removes it (empty body).

    Only published reviews carry replies; the change is audited on the provider and shown on its cached pages.
    """
    why = _required(reason)
    if review.status != Review.Status.PUBLISHED:
        raise ValidationError(_("只能处理已发布评价的回复。"))
    if not review.reply:
        raise ValidationError({"reply": _("该评价没有服务商回复。")})
    body = body.strip()
    review.reply, review.replied_at = body, (review.replied_at if body else None)
    review.full_clean()
    review.save(update_fields=["reply", "replied_at", "updated_at"])
    RatingEvent.objects.create(
        provider_id=review.provider_id, review=review, kind=RatingEvent.Kind.REVIEW,
        from_value="reply", to_value="reply_edited" if body else "reply_removed", reason=why, actor=actor,
    )
    transaction.on_commit(directory_cache_bump)
    return review


@transaction.atomic
def reviews_flag_bursts(*, provider_ids: Iterable[int], since: dt.datetime | None = None) -> int:
    """Hold as pending, and flag, the reviews of days on which a provider got an unusual number of reviews.

    A day is a burst when the provider has more than `burst_min_reviews` reviews dated that day and more than
    `burst_rate_multiplier` × its usual daily rate (reviews dated in the `burst_baseline_days` before, per day).
    Reviews carry a date, not a time, so "24 hours" is one calendar day. The days checked are those of the
    providers' reviews written or changed since `since` (default: the last 24 hours). Reviews a moderator
    already decided are never held again. Returns how many reviews were newly held.
    """
    ids = sorted(set(provider_ids))
    if not ids:
        return 0
    policy = selectors.policy_active()
    since = since or timezone.now() - dt.timedelta(hours=24)
    bursts: dict[tuple[int, dt.date], tuple[int, Decimal]] = {}
    for chunk in chunks(ids, MAX_PARAMS_PER_QUERY):
        days = set(
            Review.objects.filter(provider_id__in=chunk, updated_at__gte=since)
            .values_list("provider_id", "created_at").distinct().order_by()
        )
        if days:
            bursts.update(_burst_days(days, policy))
    if not bursts:
        return 0
    held_by_day: dict[tuple[int, dt.date], int] = defaultdict(int)
    published_providers: set[int] = set()
    for chunk in chunks(list(bursts), MAX_PARAMS_PER_QUERY // 2):
        holdable = (
            Review.objects.filter(Q(*(Q(provider_id=p, created_at=d) for p, d in chunk), _connector=Q.OR))
            .filter(moderated_at__isnull=True, status__in=[Review.Status.PUBLISHED, Review.Status.PENDING])
            .exclude(status=Review.Status.PENDING, burst=True)
        )
        rows = list(holdable.values_list("pk", "provider_id", "created_at", "status"))
        for _pk, provider_id, day, status in rows:
            held_by_day[(provider_id, day)] += 1
            if status == Review.Status.PUBLISHED:
                published_providers.add(provider_id)
        Review.objects.filter(pk__in=[row[0] for row in rows]).update(
            status=Review.Status.PENDING, burst=True, updated_at=timezone.now()
        )
    RatingEvent.objects.bulk_create(
        [
            RatingEvent(
                provider_id=provider_id, kind=RatingEvent.Kind.BURST, period=scoring.month_start(day),
                to_value=str(held), reason=_(
                    "%(day)s 当日收到 %(count)d 条评价（此前日均 %(rate)s 条），%(held)d 条暂缓发布，等待审核"
                ) % {"day": day.isoformat(), "count": bursts[(provider_id, day)][0],
                     "rate": bursts[(provider_id, day)][1], "held": held},
            )
            for (provider_id, day), held in sorted(held_by_day.items())
        ],
        batch_size=500,
    )
    # Held reviews that were published leave the scored set.
    ratings_request_recompute(provider_ids=published_providers)
    return sum(held_by_day.values())


def _burst_days(days: set[tuple[int, dt.date]], policy) -> dict[tuple[int, dt.date], tuple[int, Decimal]]:
    """Of the (provider, day) pairs, those that are bursts, with the day's count and the usual daily rate."""
    window = policy.burst_baseline_days
    provider_ids = sorted({provider_id for provider_id, _day in days})
    first = min(day for _p, day in days) - dt.timedelta(days=window)
    last = max(day for _p, day in days)
    per_day: dict[int, dict[dt.date, int]] = defaultdict(dict)
    rows = (
        Review.objects.filter(provider_id__in=provider_ids, created_at__gte=first, created_at__lte=last)
        .values_list("provider_id", "created_at").annotate(n=Count("id")).order_by()
    )
    for provider_id, day, n in rows:
        per_day[provider_id][day] = n
    # Running totals per provider, so each day's baseline is two bisections, not a scan.
    cumulative = {}
    for provider_id, counts in per_day.items():
        ordered = sorted(counts)
        totals = list(itertools.accumulate(counts[d] for d in ordered))
        cumulative[provider_id] = (ordered, totals)

    def total_before(provider_id: int, day: dt.date) -> int:
        ordered, totals = cumulative.get(provider_id, ([], []))
        index = bisect.bisect_left(ordered, day)
        return totals[index - 1] if index else 0

    found = {}
    for provider_id, day in days:
        count = per_day[provider_id].get(day, 0)
        before = total_before(provider_id, day) - total_before(provider_id, day - dt.timedelta(days=window))
        if count > policy.burst_min_reviews and count > policy.burst_rate_multiplier * Decimal(before) / window:
            found[(provider_id, day)] = (count, scoring.round_half_up(Decimal(before) / window))
    return found

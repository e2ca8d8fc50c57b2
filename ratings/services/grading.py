"""Graders' writes beyond overrides and reinstatement: recompute-now with an audit trail, and suspension."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.models import Provider

from ..models import RatingEvent
from .recompute import RecomputeResult, ratings_recompute, ratings_request_recompute, tier_label

# Selections larger than this are recomputed by the worker rather than inside the request.
RECOMPUTE_IN_REQUEST_MAX = 200


def providers_recompute(*, provider_ids: Iterable[int], actor, reason: str = "") -> RecomputeResult | None:
    """A grader's recompute of a selection: at once (audited) up to RECOMPUTE_IN_REQUEST_MAX providers, else queued.

    Returns the run's result, or None when the selection went to the worker (a whole-directory run takes minutes).
    """
    ids = sorted(set(provider_ids))
    if len(ids) > RECOMPUTE_IN_REQUEST_MAX:
        providers_recompute_later(provider_ids=ids, actor=actor, reason=reason)
        return None
    return providers_recompute_now(provider_ids=ids, actor=actor, reason=reason)


def providers_recompute_now(
    *, provider_ids: Iterable[int], actor, reason: str = "", as_of: dt.date | None = None
) -> RecomputeResult:
    """Recompute the given providers at once (as of today) and record one audit event each: tier before → after."""
    ids = sorted(set(provider_ids))
    as_of = as_of or timezone.localdate()
    why = reason.strip() or _("手动重算")
    # One transaction: the snapshots and the audit trail of who asked for them commit together.
    with transaction.atomic():
        before = dict(Provider.objects.filter(pk__in=ids).values_list("pk", "tier"))
        result = ratings_recompute(as_of=as_of, provider_ids=ids)
        after = dict(Provider.objects.filter(pk__in=ids).values_list("pk", "tier"))
        RatingEvent.objects.bulk_create(
            [
                RatingEvent(
                    provider_id=pk, kind=RatingEvent.Kind.RECOMPUTE, period=result.period,
                    from_value=tier_label(before[pk]), to_value=tier_label(after[pk]), reason=why, actor=actor,
                )
                for pk in ids
                if pk in before
            ],
            batch_size=500,
        )
    return result


@transaction.atomic
def providers_recompute_later(*, provider_ids: Iterable[int], actor, reason: str = "") -> int:
    """Queue many providers for the debounced recompute job (after commit), auditing who asked; returns how many."""
    ids = sorted(set(Provider.objects.filter(pk__in=list(provider_ids)).values_list("pk", flat=True)))
    why = reason.strip() or _("手动重算（已排队）")
    RatingEvent.objects.bulk_create(
        [RatingEvent(provider_id=pk, kind=RatingEvent.Kind.RECOMPUTE, reason=why, actor=actor) for pk in ids],
        batch_size=500,
    )
    return ratings_request_recompute(provider_ids=ids)


@transaction.atomic
def provider_suspend(*, provider: Provider, actor, reason: str) -> Provider:
    """Suspend a provider (it leaves the listings and keeps the status whatever its scores) until reinstated."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写理由。")})
    if provider.status == Provider.Status.SUSPENDED:
        raise ValidationError({"status": _("该服务商已处于暂停状态。")})
    before = provider.status
    provider.status = Provider.Status.SUSPENDED
    provider.save(update_fields=["status", "updated_at"])
    RatingEvent.objects.create(
        provider=provider, kind=RatingEvent.Kind.STATUS, from_value=before, to_value=provider.status,
        reason=reason.strip(), actor=actor,
    )
    ratings_request_recompute(provider_ids=[provider.pk])
    return provider

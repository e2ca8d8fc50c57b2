"""Reads of the conduct ledger: the active policy, each provider's ledger inputs, standings on a day, page data."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from common.chunking import MAX_PARAMS_PER_QUERY, chunks
from providers.models import Engagement, Provider

from . import ledger
from .models import Appeal, Complaint, ConductPolicy, Reinstatement, Violation


def policy_active() -> ConductPolicy:
    """The policy in force (migration 0002 loads v1; the one-active constraint keeps it single)."""
    return ConductPolicy.objects.get(is_active=True)


def policy_thresholds(policy: ConductPolicy) -> ledger.Thresholds:
    return ledger.Thresholds(
        warning=policy.warning_at, hidden=policy.hidden_at, frozen=policy.frozen_at, delisted=policy.delisted_at,
        cleared=policy.cleared_at, hidden_days=policy.hidden_days, cap=policy.cleared_at,
    )


@dataclass(frozen=True)
class LedgerInputs:
    violations: list[ledger.Violation]
    reinstatements: list[dt.date]


def ledger_inputs(*, provider_ids: Iterable[int] | None = None) -> dict[int, LedgerInputs]:
    """Every provider's counted violations and reinstatement days (two queries per chunk of ids, or two for all)."""
    violations: dict[int, list[ledger.Violation]] = defaultdict(list)
    reinstatements: dict[int, list[dt.date]] = defaultdict(list)
    id_chunks = [None] if provider_ids is None else list(chunks(sorted(set(provider_ids)), MAX_PARAMS_PER_QUERY))
    for chunk in id_chunks:
        v_rows = Violation.objects.filter(status=Violation.Status.UPHELD)
        r_rows = Reinstatement.objects.all()
        if chunk is not None:
            v_rows, r_rows = v_rows.filter(provider_id__in=chunk), r_rows.filter(provider_id__in=chunk)
        for provider_id, decided_on, points in v_rows.values_list("provider_id", "decided_on", "points"):
            violations[provider_id].append(ledger.Violation(decided_on, points))
        for provider_id, on in r_rows.values_list("provider_id", "on"):
            reinstatements[provider_id].append(on)
    ids = set(violations) | set(reinstatements)
    return {pk: LedgerInputs(violations[pk], reinstatements[pk]) for pk in ids}


_EMPTY = LedgerInputs([], [])


def standings_on(*, on: dt.date, provider_ids: Iterable[int] | None = None,
                 policy: ConductPolicy | None = None) -> dict[int, ledger.Standing]:
    """Each provider's points and sanction on a day (every provider, or those given), computed by conduct.ledger."""
    thresholds = policy_thresholds(policy or policy_active())
    inputs = ledger_inputs(provider_ids=provider_ids)
    ids = Provider.objects.values_list("pk", flat=True) if provider_ids is None else set(provider_ids)
    return {
        pk: ledger.standing(data.violations, data.reinstatements, on=on, thresholds=thresholds)
        for pk in ids
        for data in (inputs.get(pk, _EMPTY),)
    }


def provider_standing(*, provider: Provider, on: dt.date) -> ledger.Standing:
    return standings_on(on=on, provider_ids=[provider.pk])[provider.pk]


@dataclass(frozen=True)
class ConductSummary:
    """What the provider's page shows: the sanction in force, the year's points, the last 12 months' violations, and
    for a sanction that takes the provider off the lists, the policy's threshold that was reached and the last day it
    lasts (None: until a grader reinstates it, or for ever)."""

    sanction: str
    sanction_label: str
    points: int
    violations: list[Violation]
    threshold: int | None = None
    until: dt.date | None = None


def violations_recent(*, provider: Provider, on: dt.date) -> list[Violation]:
    """Upheld violations decided in the 12 months up to D, newest first, with their appeals (never a complainant)."""
    since = _one_year_before(on)
    return list(
        Violation.objects.filter(provider=provider, status=Violation.Status.UPHELD, decided_on__gt=since,
                                 decided_on__lte=on)
        .only("pk", "provider_id", "type", "decided_on", "points", "reference", "status")
        # One appeal per violation (a constraint), so its status rides along in the same query.
        .annotate(appeal_status=Subquery(Appeal.objects.filter(violation=OuterRef("pk")).values("status")[:1]))
        .order_by("-decided_on", "-pk")
    )


def _one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def provider_conduct_summary(*, provider: Provider, on: dt.date) -> ConductSummary:
    """The page's conduct box from the denormalized sanction and points plus one query for the violations, and one
    for the policy's figures when the sanction in force takes the provider off the lists (its rule is explained)."""
    violations = violations_recent(provider=provider, on=on)
    threshold = until = None
    if provider.sanction in ledger.UNLISTED:
        thresholds = policy_thresholds(policy_active())
        threshold = getattr(thresholds, provider.sanction)
        if provider.sanction == ledger.HIDDEN:
            # This year's violations decided by D are all within the last 12 months, so the window is theirs.
            window = ledger.hidden_window([ledger.Violation(v.decided_on, v.points) for v in violations],
                                          year=on.year, thresholds=thresholds)
            until = window[1] if window is not None else None
        elif provider.sanction == ledger.FROZEN:
            until = dt.date(on.year, 12, 31)
    return ConductSummary(
        sanction=provider.sanction, sanction_label=Provider.Sanction(provider.sanction).label,
        points=provider.sanction_points, violations=violations, threshold=threshold, until=until,
    )


# Complaints --------------------------------------------------------------------------------------------------------

def complaints_for_provider(*, provider: Provider):
    """The provider's complaints for its portal, newest first (the merchant's identity is not selected)."""
    return (Complaint.objects.filter(provider=provider)
            .defer("merchant_id", "evidence")
            .order_by("-created_at", "-pk"))


def complaints_for_merchant(*, user):
    return Complaint.objects.filter(merchant=user).select_related("provider").order_by("-created_at", "-pk")


# Export --------------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("slug", "as_of", "points", "sanction")


def conduct_export_rows(*, on: dt.date) -> list[dict]:
    """Every provider's points and sanction on D, by slug, computed afresh by conduct.ledger (not the stored column):
    anyone with the violations and reinstatements can reproduce it."""
    standings = standings_on(on=on)
    slugs = dict(Provider.objects.values_list("pk", "slug"))
    return [
        {"slug": slugs[pk], "as_of": on.isoformat(), "points": standing.points, "sanction": standing.sanction}
        for pk, standing in sorted(standings.items(), key=lambda item: slugs[item[0]])
    ]


def merchant_engagement(*, user, engagement_id: int):
    """The engagement if it is on one of the user's stores (else None): a merchant complains only about their own."""
    return (Engagement.objects.select_related("provider", "store")
            .filter(pk=engagement_id, store__merchants=user).first())

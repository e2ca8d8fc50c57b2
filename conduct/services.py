"""Writes of the conduct ledger: violations, reinstatements and applying the ledger's sanctions to providers.

Every decision ends in `sanctions_apply` for its provider, so a sanction follows at once; the daily beat job applies
the new day to everyone. All writes are atomic and audited as ConductEvents. Complaints and appeals: complaints.py.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.cache import directory_cache_bump
from providers.models import Provider

from . import ledger, selectors
from .models import ConductEvent, ConductPolicy, Reinstatement, Violation


def event_record(*, provider_id: int, kind: str, actor=None, violation=None, complaint=None, from_value="", to_value="",
                 reason="") -> ConductEvent:
    """One audit row of the ledger (who, what, from, to, why); an anonymous or system actor is stored as None."""
    return ConductEvent.objects.create(
        provider_id=provider_id, kind=kind, actor=actor if actor and actor.is_authenticated else None,
        violation=violation, complaint=complaint, from_value=from_value, to_value=to_value, reason=reason,
    )


# Applying the ledger --------------------------------------------------------------------------------------------

@transaction.atomic
def sanctions_apply(*, on: dt.date | None = None, provider_ids: Iterable[int] | None = None, actor=None,
                    reason: str = "") -> list[ConductEvent]:
    """Write each provider's sanction and points on D (today) from the ledger; audit every sanction change.

    Returns the sanction_changed events; after commit the directory's cache moves on and the events go, with D, to
    the tasks named in CONDUCT_EVENT_TASKS (webhooks, by name: conduct sits below partners).
    """
    on = on or timezone.localdate()
    standings = selectors.standings_on(on=on, provider_ids=provider_ids)
    providers = Provider.objects.filter(pk__in=list(standings)).only("pk", "sanction", "sanction_points")
    changed, events = [], []
    for provider in providers.select_for_update(of=("self",)).order_by("pk"):
        standing = standings[provider.pk]
        if (provider.sanction, provider.sanction_points) == (standing.sanction, standing.points):
            continue
        if provider.sanction != standing.sanction:
            events.append(ConductEvent(
                provider_id=provider.pk, kind=ConductEvent.Kind.SANCTION_CHANGED, from_value=provider.sanction,
                to_value=standing.sanction, reason=reason or _("按 %(day)s 的违规积分重算") % {"day": on.isoformat()},
                actor=actor if actor and actor.is_authenticated else None,
            ))
        provider.sanction, provider.sanction_points = standing.sanction, standing.points
        changed.append(provider)
    Provider.objects.bulk_update(changed, ["sanction", "sanction_points"], batch_size=1000)
    events = ConductEvent.objects.bulk_create(events)
    if changed:
        transaction.on_commit(directory_cache_bump)
    if events:
        event_ids = [event.pk for event in events]
        transaction.on_commit(lambda: _announce(event_ids, on))
    return events


def _announce(event_ids: list[int], on: dt.date) -> None:
    # The day goes along: an event row does not keep it, and a reinstatement may apply a day other than today.
    for name in settings.CONDUCT_EVENT_TASKS:
        current_app.tasks[name].delay(event_ids, on.isoformat())


# Violations -----------------------------------------------------------------------------------------------------

def violation_validate(*, violation_type: str, occurred_on: dt.date, decided_on: dt.date,
                       today: dt.date | None = None) -> None:
    """The rules a violation's dates keep, wherever it comes from (admin, import, API, complaint)."""
    today = today or timezone.localdate()
    errors = {}
    if occurred_on > today:
        errors["occurred_on"] = _("发生日期不能晚于今天。")
    if decided_on > today:
        errors["decided_on"] = _("认定日期不能晚于今天。")
    elif decided_on < occurred_on:
        errors["decided_on"] = _("认定日期不能早于发生日期。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def violation_record(*, provider: Provider, violation_type: str, occurred_on: dt.date, decided_on: dt.date,
                     reference: str, source: str, actor=None, note: str = "", complaint=None,
                     policy: ConductPolicy | None = None) -> Violation:
    """Record an upheld violation (points from the active policy) and apply the ledger to its provider."""
    violation_validate(violation_type=violation_type, occurred_on=occurred_on, decided_on=decided_on)
    policy = policy or selectors.policy_active()
    violation = Violation(
        provider=provider, type=violation_type, occurred_on=occurred_on, decided_on=decided_on, reference=reference,
        status=Violation.Status.UPHELD, points=policy.points_for(violation_type), source=source, note=note,
        complaint=complaint,
    )
    violation.full_clean()
    violation.save()
    event_record(provider_id=provider.pk, kind=ConductEvent.Kind.VIOLATION_RECORDED, actor=actor, violation=violation,
           complaint=complaint, to_value=f"{violation.type}:{violation.points}", reason=note)
    sanctions_apply(provider_ids=[provider.pk], actor=actor)
    return violation


@transaction.atomic
def violation_withdraw(*, violation: Violation, actor=None, reason: str) -> Violation:
    """Withdraw an upheld violation: it then counts nowhere; its record stays."""
    if not reason.strip():
        raise ValidationError({"reason": _("撤销须填写理由。")})
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    if violation.status != Violation.Status.UPHELD:
        raise ValidationError(_("该违规记录已撤销。"))
    violation.status = Violation.Status.WITHDRAWN
    violation.save(update_fields=["status", "updated_at"])
    event_record(provider_id=violation.provider_id, kind=ConductEvent.Kind.VIOLATION_WITHDRAWN, actor=actor,
           violation=violation, from_value=Violation.Status.UPHELD, to_value=Violation.Status.WITHDRAWN,
           reason=reason)
    sanctions_apply(provider_ids=[violation.provider_id], actor=actor)
    return violation


@transaction.atomic
def violations_upsert(*, rows: list[dict], source: str, actor=None, dry_run: bool = False) -> tuple[int, int, int]:
    """Upsert checked rows (provider_id, type, occurred_on, decided_on, reference, status) by provider + reference.

    The importer (ingest) and the partners' API validate first; this writes, audits each change and applies the
    ledger once to the providers touched. A re-sent row changes nothing; a dry run only counts. Returns (created,
    updated, unchanged).
    Points come from the active policy for a new row or a changed type; an unchanged row keeps its points.
    """
    policy = selectors.policy_active()
    keys = {(row["provider_id"], row["reference"]) for row in rows}
    existing = {
        (v.provider_id, v.reference): v
        for v in Violation.objects.select_for_update().filter(
            provider_id__in={pk for pk, _ref in keys}, reference__in={ref for _pk, ref in keys})
    }
    created = updated = unchanged = 0
    touched: set[int] = set()
    fields = ("type", "occurred_on", "decided_on", "status")
    for row in rows:
        violation = existing.get((row["provider_id"], row["reference"]))
        if dry_run:
            if violation is None:
                created += 1
            elif all(getattr(violation, name) == row[name] for name in fields):
                unchanged += 1
            else:
                updated += 1
            continue
        if violation is None:
            violation = Violation.objects.create(
                provider_id=row["provider_id"], reference=row["reference"], source=source,
                points=policy.points_for(row["type"]), **{name: row[name] for name in fields})
            event_record(provider_id=violation.provider_id, kind=ConductEvent.Kind.VIOLATION_RECORDED, actor=actor,
                   violation=violation, to_value=f"{violation.type}:{violation.points}:{violation.status}")
            created += 1
        else:
            before = {name: getattr(violation, name) for name in fields}
            if all(before[name] == row[name] for name in fields):
                unchanged += 1
                continue
            for name in fields:
                setattr(violation, name, row[name])
            if before["type"] != row["type"]:
                violation.points = policy.points_for(row["type"])
            violation.save()
            kind = (ConductEvent.Kind.VIOLATION_WITHDRAWN
                    if row["status"] == Violation.Status.WITHDRAWN != before["status"]
                    else ConductEvent.Kind.VIOLATION_CHANGED)
            event_record(provider_id=violation.provider_id, kind=kind, actor=actor, violation=violation,
                   from_value=f"{before['type']}:{before['status']}", to_value=f"{row['type']}:{row['status']}",
                   reason=_("数据导入"))
            updated += 1
        touched.add(violation.provider_id)
    if touched:
        sanctions_apply(provider_ids=touched, actor=actor)
    return created, updated, unchanged


# Reinstatement --------------------------------------------------------------------------------------------------

REFUSAL_MESSAGES = {
    "cleared": _("已清退的服务商永不恢复。"),
    "not_delisted": _("该服务商当前未被下架，无需恢复。"),
    "too_early": _("下架当年不能恢复：最早在下架次年 1 月 1 日恢复。"),
}


def reinstatement_check(*, provider: Provider, on: dt.date) -> None:
    """ValidationError (with the ledger's code) unless a reinstatement of the provider on D is allowed."""
    inputs = selectors.ledger_inputs(provider_ids=[provider.pk]).get(provider.pk, selectors.LedgerInputs([], []))
    try:
        ledger.reinstatement_check(inputs.violations, inputs.reinstatements, on=on,
                                   thresholds=selectors.policy_thresholds(selectors.policy_active()))
    except ledger.ReinstatementRefused as refused:
        raise ValidationError(str(REFUSAL_MESSAGES[refused.code]), code=refused.code) from None


@transaction.atomic
def reinstatement_record(*, provider: Provider, reason: str, actor, on: dt.date | None = None) -> Reinstatement:
    """A grader lifts a delisting (never a clearance; no earlier than 1 January after the year it was reached)."""
    on = on or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": _("恢复须填写理由。")})
    Provider.objects.select_for_update().filter(pk=provider.pk).first()
    reinstatement_check(provider=provider, on=on)
    reinstatement = Reinstatement.objects.create(provider=provider, on=on, reason=reason, granted_by=actor)
    event_record(provider_id=provider.pk, kind=ConductEvent.Kind.REINSTATED, actor=actor, from_value=ledger.DELISTED,
           reason=reason)
    sanctions_apply(on=on, provider_ids=[provider.pk], actor=actor, reason=reason)
    return reinstatement

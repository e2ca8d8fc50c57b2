"""Writes of profile changes, credentials and cases: the team submits, a grader decides, a merchant consents.

Every write is atomic and audited as a ProfileEvent; what the public sees changes only on a grader's approval,
after which the directory's page cache starts a new generation (and the provider's search row is rebuilt).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import evidence_content_type
from providers.access import role_at_least
from providers.cache import directory_cache_bump
from providers.cities import CITY_NAMES_EN
from providers.models import Membership, Provider
from providers.search.services import providers_search_refresh

from .fields import RELATIONS, changed_values, stored_value
from .models import Case, PlatformCredential, ProfileChange, ProfileEvent
from .selectors import gate_service_codes, provider_case_stores
from .states import transition_check

SUBJECTS = {
    ProfileChange: ProfileEvent.Subject.CHANGE,
    PlatformCredential: ProfileEvent.Subject.CREDENTIAL,
    Case: ProfileEvent.Subject.CASE,
}
# The admin permission that makes a staff account a grader of each kind (granted to "Graders").
GRADER_PERMISSIONS = {
    ProfileChange: "profiles.change_profilechange",
    PlatformCredential: "profiles.change_platformcredential",
    Case: "profiles.change_case",
}


def _audit(obj, *, action: str, actor, from_status: str = "", to_status: str = "", reason: str = "") -> None:
    ProfileEvent.objects.create(
        provider_id=obj.provider_id, subject=SUBJECTS[type(obj)], object_id=obj.pk, action=action,
        from_status=from_status, to_status=to_status, actor=actor, reason=reason,
    )


def _require_manager(membership: Membership) -> None:
    if not role_at_least(membership.role, Membership.Role.MANAGER):
        raise PermissionDenied(_("此操作需要“%(role)s”或更高的团队角色。") % {"role": Membership.Role.MANAGER.label})


def _attach_evidence(obj, upload) -> None:
    """Check the file by its content before anything is written; ValidationError keyed "evidence" otherwise."""
    try:
        obj.evidence_type = evidence_content_type(upload)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.error_list}) from None
    obj.evidence = upload


def _after_public_change() -> None:
    # The provider's page, its card and the compare page show what changed; cached copies are stale.
    transaction.on_commit(directory_cache_bump)


# Profile changes --------------------------------------------------------------------------------------------------

def profile_change_submit(*, membership: Membership, values: dict, evidence=None) -> ProfileChange:
    """Propose new profile values (a form's cleaned data); only the fields that differ are kept. A pending change
    of the same provider is superseded by this one (the team's latest word replaces the unreviewed one)."""
    _require_manager(membership)
    provider = membership.provider
    proposed = changed_values(provider, {name: stored_value(name, value) for name, value in values.items()})
    if not proposed:
        raise ValidationError(_("没有任何修改：提交的资料与当前公开资料相同。"), code="no_change")
    _check_proposal(proposed)
    change = ProfileChange(provider=provider, proposed=proposed, submitted_by=membership.user)
    added_gates = sorted(set(proposed.get("services", [])) - set(provider.services.values_list("code", flat=True))
                         & gate_service_codes())
    if added_gates:
        if evidence is None:
            raise ValidationError({"evidence": _("新增星级门槛服务（%(codes)s）须上传证明材料（PNG、JPEG 或 PDF）。")
                                   % {"codes": "、".join(added_gates)}})
        _attach_evidence(change, evidence)
    elif evidence is not None:
        _attach_evidence(change, evidence)
    with transaction.atomic():
        previous = (
            ProfileChange.objects.select_for_update().filter(provider=provider, status=ProfileChange.Status.PENDING)
            .first()
        )
        if previous is not None:
            move = transition_check(previous, "supersede")
            previous.status = move.target
            previous.save(update_fields=["status"])
            _audit(previous, action="supersede", actor=membership.user, from_status=ProfileChange.Status.PENDING,
                   to_status=move.target)
        change.full_clean(exclude=["evidence"])
        change.save()
        _audit(change, action="submit", actor=membership.user, to_status=change.status)
    return change


def _check_proposal(proposed: dict) -> None:
    unknown = [city for city in proposed.get("cities_served", []) if city not in CITY_NAMES_EN]
    if unknown:
        raise ValidationError({"cities_served": _("未知城市：%(cities)s。") % {"cities": "、".join(unknown)}})


def profile_change_decide(*, change: ProfileChange, action: str, actor, reason: str = "") -> ProfileChange:
    """A grader approves (every proposed field applied at once) or rejects (with a reason the team sees)."""
    _require_grader(actor, ProfileChange)
    with transaction.atomic():
        change = ProfileChange.objects.select_for_update().get(pk=change.pk)
        move = transition_check(change, action, reason=reason)
        if action == "approve":
            _apply(change)
        before = change.status
        change.status, change.decided_by, change.decided_at = move.target, actor, timezone.now()
        change.reason = reason.strip()
        change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        _audit(change, action=action, actor=actor, from_status=before, to_status=move.target, reason=change.reason)
        if action == "approve":
            _after_public_change()
    return change


def _apply(change: ProfileChange) -> None:
    """Write the proposed values on the provider, checked like any provider edit (full_clean), all or nothing."""
    provider = Provider.objects.select_for_update().get(pk=change.provider_id)
    plain = {name: value for name, value in change.proposed.items() if name not in RELATIONS}
    for name, value in plain.items():
        setattr(provider, name, value)
    provider.full_clean()
    provider.save()
    for name, model in RELATIONS.items():
        if name in change.proposed:
            codes = change.proposed[name]
            items = list(model.objects.filter(code__in=codes))
            if len(items) != len(codes):
                raise ValidationError(_("提议中的“%(field)s”含有已不存在的代码。") % {"field": name})
            getattr(provider, name).set(items)
    providers_search_refresh(provider_ids=[provider.pk])


def _require_grader(actor, model) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(GRADER_PERMISSIONS[model])):
        raise PermissionDenied(_("只有评级审核员可以审核。"))


# Platform credentials ---------------------------------------------------------------------------------------------

def credential_submit(*, membership: Membership, platform, kind: str, level: str, period_start: dt.date,
                      period_end: dt.date, evidence) -> PlatformCredential:
    """The team submits a platform's grade with its evidence (required); a grader verifies it."""
    _require_manager(membership)
    if evidence is None:
        raise ValidationError({"evidence": _("请上传平台资质的证明材料（PNG、JPEG 或 PDF）。")})
    credential = PlatformCredential(
        provider=membership.provider, platform=platform, kind=kind, level=level.strip(), period_start=period_start,
        period_end=period_end, submitted_by=membership.user,
    )
    _attach_evidence(credential, evidence)
    credential.full_clean(exclude=["evidence"])
    with transaction.atomic():
        credential.save()
        _audit(credential, action="submit", actor=membership.user, to_status=credential.status)
    return credential


def credential_decide(*, credential: PlatformCredential, action: str, actor, reason: str = "") -> PlatformCredential:
    """A grader verifies the credential against its evidence, or rejects it (also a verified one) with a reason."""
    _require_grader(actor, PlatformCredential)
    with transaction.atomic():
        credential = PlatformCredential.objects.select_for_update().get(pk=credential.pk)
        move = transition_check(credential, action, reason=reason)
        before = credential.status
        credential.status, credential.decided_by, credential.decided_at = move.target, actor, timezone.now()
        credential.reason = reason.strip()
        credential.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        _audit(credential, action=action, actor=actor, from_status=before, to_status=move.target,
               reason=credential.reason)
        _after_public_change()
    return credential


# Cases ------------------------------------------------------------------------------------------------------------

def case_submit(*, membership: Membership, title: str, platform, category, period_start: dt.date,
                period_end: dt.date, work_done: str, result: str, store=None) -> Case:
    """A case for moderation. Naming a store needs an engagement with it; a claimed store's merchant is asked
    whether it may be named (until then, and if no merchant claimed it, the case is shown anonymously)."""
    _require_manager(membership)
    provider = membership.provider
    if store is not None and not provider_case_stores(provider=provider).filter(pk=store.pk).exists():
        raise ValidationError({"store": _("只能关联与本服务商有（或曾有）合作记录的店铺。")})
    case = Case(
        provider=provider, title=title.strip(), platform=platform, category=category,
        period_start=period_start.replace(day=1), period_end=period_end.replace(day=1), work_done=work_done.strip(),
        result=result.strip(), store=store, submitted_by=membership.user,
        naming=Case.Naming.REQUESTED if store is not None and store.merchants.exists() else Case.Naming.ANONYMOUS,
    )
    case.full_clean()
    with transaction.atomic():
        case.save()
        _audit(case, action="submit", actor=membership.user, to_status=case.status)
        if case.naming == Case.Naming.REQUESTED:
            _audit(case, action="name_request", actor=membership.user, to_status=case.naming)
    return case


def case_decide(*, case: Case, action: str, actor, reason: str = "") -> Case:
    """A grader publishes the case or rejects it (also a published one) with a reason."""
    _require_grader(actor, Case)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        move = transition_check(case, action, reason=reason)
        before = case.status
        case.status, case.decided_by, case.decided_at = move.target, actor, timezone.now()
        case.reason = reason.strip()
        case.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        _audit(case, action=action, actor=actor, from_status=before, to_status=move.target, reason=case.reason)
        _after_public_change()
    return case


def case_naming_decide(*, case: Case, user, approve: bool) -> Case:
    """The store's merchant lets the case name their store, or not (then it stays anonymous)."""
    with transaction.atomic():
        # Lock only the case row: PostgreSQL refuses FOR UPDATE on the nullable side of the join to its store.
        case = Case.objects.select_for_update(of=("self",)).select_related("store").get(pk=case.pk)
        if case.store is None or not case.store.merchants.filter(pk=user.pk).exists():
            raise PermissionDenied(_("只有该店铺的商家可以决定是否署名。"))
        action = "name_approve" if approve else "name_decline"
        move = transition_check(case, action)
        before = case.naming
        case.naming, case.naming_decided_by, case.naming_decided_at = move.target, user, timezone.now()
        case.save(update_fields=["naming", "naming_decided_by", "naming_decided_at"])
        _audit(case, action=action, actor=user, from_status=before, to_status=move.target)
        _after_public_change()
    return case


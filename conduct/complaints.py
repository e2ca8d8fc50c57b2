"""Complaints and appeals: their one transition table each, and the writes behind every move.

A merchant files a complaint on an engagement of theirs; the provider answers within the policy's days (or the daily
job marks it unanswered); a moderator upholds it (a violation decided today, `complaint_ignored` possible only when
unanswered) or dismisses it, with a reason; both sides are told by e-mail. A provider appeals an upheld violation
within the policy's days; a grader grants it (the violation is withdrawn and the sanction follows at once) or refuses.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import evidence_content_type
from providers.access import role_at_least
from providers.models import Engagement, Membership

from . import selectors, services
from .models import STAFF_ONLY_TYPES, Appeal, Complaint, ConductEvent, Violation, ViolationType

C, A = Complaint.Status, Appeal.Status
# move → (statuses it may start from, status it ends in, the permission it takes; None: the provider's team)
COMPLAINT_MOVES = {
    "answer": ((C.OPEN,), C.ANSWERED, None),
    "mark_unanswered": ((C.OPEN,), C.UNANSWERED, "system"),
    "uphold": ((C.OPEN, C.ANSWERED, C.UNANSWERED), C.UPHELD, "conduct.decide_complaint"),
    "dismiss": ((C.OPEN, C.ANSWERED, C.UNANSWERED), C.DISMISSED, "conduct.decide_complaint"),
}
APPEAL_MOVES = {
    "grant": ((A.PENDING,), A.GRANTED, "conduct.change_appeal"),
    "refuse": ((A.PENDING,), A.REFUSED, "conduct.change_appeal"),
}
COMPLAINT_EVENTS = {
    "answer": ConductEvent.Kind.COMPLAINT_ANSWERED, "mark_unanswered": ConductEvent.Kind.COMPLAINT_UNANSWERED,
    "uphold": ConductEvent.Kind.COMPLAINT_UPHELD, "dismiss": ConductEvent.Kind.COMPLAINT_DISMISSED,
}
MERCHANT_TYPES = [choice for choice in ViolationType if choice not in STAFF_ONLY_TYPES]


def _check_move(table: dict, move: str, current: str, actor) -> str:
    sources, target, permission = table[move]
    if permission not in (None, "system") and not (actor and actor.has_perm(permission)):
        raise PermissionDenied(_("没有处理此事项的权限。"))
    if current not in sources:
        raise ValidationError(_("当前状态下不能进行此操作。"), code="wrong_status")
    return target


def _tell(messages: list[tuple[str, str, list[str]]]) -> None:
    """Plain e-mail after commit (conduct sits below inquiries' notifications); never the complainant's identity."""
    mails = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r for r in to if r]) for subject, body, to in messages]
    mails = [mail for mail in mails if mail[3]]
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))


def _merchant_email(complaint: Complaint) -> list[str]:
    return [complaint.merchant.email] if complaint.merchant_id else []


def _team_emails(provider_id: int) -> list[str]:
    return list(Membership.objects.filter(provider_id=provider_id, user__is_active=True)
                .exclude(user__email="").values_list("user__email", flat=True))


# Complaints -----------------------------------------------------------------------------------------------------

@transaction.atomic
def complaint_file(*, merchant, engagement: Engagement, violation_type: str, description: str,
                   evidence=None) -> Complaint:
    """A merchant's complaint on one of their engagements (staff-only types refused); evidence checked by content."""
    if not engagement.store.merchants.filter(pk=merchant.pk).exists():
        raise PermissionDenied(_("只能就自己店铺的合作提交投诉。"))
    errors = {}
    if violation_type not in MERCHANT_TYPES:
        errors["type"] = _("该类型只能由工作人员记录。") if violation_type in ViolationType.values else _("未知的投诉类型。")
    if not description.strip():
        errors["description"] = _("请填写投诉内容。")
    evidence_type = ""
    if evidence:
        try:
            evidence_type = evidence_content_type(evidence)
        except ValidationError as exc:
            errors["evidence"] = exc.messages
    if errors:
        raise ValidationError(errors)
    policy = selectors.policy_active()
    complaint = Complaint(
        provider_id=engagement.provider_id, engagement=engagement, merchant=merchant, type=violation_type,
        description=description.strip(), evidence=evidence or "", evidence_type=evidence_type,
        answer_due=timezone.localdate() + dt.timedelta(days=policy.answer_days),
    )
    complaint.full_clean(exclude=["evidence"])
    complaint.save()
    services.event_record(provider_id=complaint.provider_id, kind=ConductEvent.Kind.COMPLAINT_FILED,
                          actor=merchant, complaint=complaint, to_value=C.OPEN)
    _tell([(_("收到新的商家投诉"), _("您的服务商收到一条投诉，请在 %(day)s 前于服务商后台答复。")
            % {"day": complaint.answer_due.isoformat()}, _team_emails(complaint.provider_id))])
    return complaint


def _move(complaint: Complaint, move: str, *, actor, reason: str = "", **fields) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    before = complaint.status
    complaint.status = _check_move(COMPLAINT_MOVES, move, before, actor)
    for name, value in fields.items():
        setattr(complaint, name, value)
    complaint.save()
    services.event_record(provider_id=complaint.provider_id, kind=COMPLAINT_EVENTS[move], actor=actor,
                          complaint=complaint, from_value=before, to_value=complaint.status, reason=reason)
    return complaint


@transaction.atomic
def complaint_answer(*, complaint: Complaint, membership: Membership, answer: str) -> Complaint:
    """The provider's answer (a manager or the owner of the complained-about provider)."""
    if membership.provider_id != complaint.provider_id or not role_at_least(membership.role, Membership.Role.MANAGER):
        raise PermissionDenied(_("只有该服务商的管理员可以答复投诉。"))
    if not answer.strip():
        raise ValidationError({"answer": _("请填写答复内容。")})
    complaint = _move(complaint, "answer", actor=membership.user, answer=answer.strip(), answered_at=timezone.now(),
                      answered_by=membership.user)
    _tell([(_("您的投诉已获服务商答复"), _("服务商已答复您的投诉，请登录查看。"), _merchant_email(complaint))])
    return complaint


@transaction.atomic
def complaints_mark_unanswered(*, today: dt.date | None = None) -> int:
    """Open complaints past their answer day become unanswered (the daily job); returns how many."""
    today = today or timezone.localdate()
    overdue = list(Complaint.objects.filter(status=C.OPEN, answer_due__lt=today).order_by("pk"))
    for complaint in overdue:
        _move(complaint, "mark_unanswered", actor=None, reason=_("超过答复期限"))
    return len(overdue)


@transaction.atomic
def complaint_uphold(*, complaint: Complaint, actor, reason: str, violation_type: str | None = None) -> Violation:
    """A moderator upholds: a violation decided today (the complaint's type, or complaint_ignored if unanswered)."""
    if not reason.strip():
        raise ValidationError({"decision_reason": _("请填写处理理由。")})
    violation_type = violation_type or complaint.type
    if violation_type == ViolationType.COMPLAINT_IGNORED and complaint.status != C.UNANSWERED:
        raise ValidationError({"type": _("只有逾期未答复的投诉可以认定为“投诉未跟进”。")})
    complaint = _move(complaint, "uphold", actor=actor, reason=reason, decision_reason=reason.strip(),
                      decided_at=timezone.now(), decided_by=actor)
    today = timezone.localdate()
    violation = services.violation_record(
        provider=complaint.provider, violation_type=violation_type, occurred_on=min(complaint.created_at.date(), today),
        decided_on=today, reference=f"complaint-{complaint.pk}", source=Violation.Source.COMPLAINT, actor=actor,
        note=reason.strip(), complaint=complaint,
    )
    _tell_decision(complaint)
    return violation


@transaction.atomic
def complaint_dismiss(*, complaint: Complaint, actor, reason: str) -> Complaint:
    if not reason.strip():
        raise ValidationError({"decision_reason": _("请填写处理理由。")})
    complaint = _move(complaint, "dismiss", actor=actor, reason=reason, decision_reason=reason.strip(),
                      decided_at=timezone.now(), decided_by=actor)
    _tell_decision(complaint)
    return complaint


def _tell_decision(complaint: Complaint) -> None:
    outcome = complaint.get_status_display()
    _tell([
        (_("投诉处理结果：%(outcome)s") % {"outcome": outcome}, complaint.decision_reason, _merchant_email(complaint)),
        (_("投诉处理结果：%(outcome)s") % {"outcome": outcome}, complaint.decision_reason,
         _team_emails(complaint.provider_id)),
    ])


# Appeals --------------------------------------------------------------------------------------------------------

@transaction.atomic
def appeal_file(*, violation: Violation, membership: Membership, reason: str) -> Appeal:
    """The provider (manager or owner) appeals an upheld violation within the policy's days of its decision."""
    if membership.provider_id != violation.provider_id or not role_at_least(membership.role, Membership.Role.MANAGER):
        raise PermissionDenied(_("只有该服务商的管理员可以申诉。"))
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    deadline = violation.decided_on + dt.timedelta(days=selectors.policy_active().appeal_days)
    if violation.status != Violation.Status.UPHELD:
        raise ValidationError(_("该违规记录已撤销。"))
    if timezone.localdate() > deadline:
        raise ValidationError(_("申诉期限已过（%(day)s 截止）。") % {"day": deadline.isoformat()}, code="too_late")
    if Appeal.objects.filter(violation=violation).exists():
        raise ValidationError(_("该违规记录已申诉过。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写申诉理由。")})
    appeal = Appeal.objects.create(violation=violation, filed_by=membership.user, reason=reason.strip())
    services.event_record(provider_id=violation.provider_id, kind=ConductEvent.Kind.APPEAL_FILED,
                          actor=membership.user, violation=violation, to_value=A.PENDING, reason=reason.strip())
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor, grant: bool, reason: str) -> Appeal:
    """A grader grants (the violation is withdrawn, sanctions follow at once) or refuses an appeal, with a reason."""
    if not reason.strip():
        raise ValidationError({"decision_reason": _("请填写处理理由。")})
    appeal = Appeal.objects.select_for_update().select_related("violation").get(pk=appeal.pk)
    move = "grant" if grant else "refuse"
    before = appeal.status
    appeal.status = _check_move(APPEAL_MOVES, move, before, actor)
    appeal.decision_reason, appeal.decided_at, appeal.decided_by = reason.strip(), timezone.now(), actor
    appeal.save()
    kind = ConductEvent.Kind.APPEAL_GRANTED if grant else ConductEvent.Kind.APPEAL_REFUSED
    services.event_record(provider_id=appeal.violation.provider_id, kind=kind, actor=actor,
                          violation=appeal.violation, from_value=before, to_value=appeal.status, reason=reason.strip())
    if grant:
        services.violation_withdraw(violation=appeal.violation, actor=actor, reason=reason.strip())
    _tell([(_("申诉处理结果：%(outcome)s") % {"outcome": appeal.get_status_display()}, reason.strip(),
            _team_emails(appeal.violation.provider_id))])
    return appeal

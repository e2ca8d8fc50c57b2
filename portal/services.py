"""Writes of the portal: invitations into a team, joining by one, changing roles and removing members.

Every write is atomic and leaves a TeamEvent. The permission to act (owner for every change) is checked here too,
on the acting membership, so no caller can skip it; the last owner of a team is never removed or demoted.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.normalise import normalise_email
from providers.access import role_at_least
from providers.models import Membership

from .models import Invitation, TeamEvent

INVITATION_DAYS_DEFAULT = 7


def invitation_lifetime() -> dt.timedelta:
    """How long an invitation link works (PORTAL_INVITATION_DAYS, 7 days by default)."""
    return dt.timedelta(days=getattr(settings, "PORTAL_INVITATION_DAYS", INVITATION_DAYS_DEFAULT))


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_owner(actor: Membership) -> None:
    if not role_at_least(actor.role, Membership.Role.OWNER):
        raise PermissionDenied(_("只有所有者可以管理团队。"))


def _clean_role(role: str) -> str:
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("未知的角色“%(role)s”：可选 所有者、管理员、成员。") % {"role": role}})
    return role


def _event(*, provider_id: int, action: str, actor, subject_user_id=None, invitation=None, from_role="", role=""):
    return TeamEvent.objects.create(
        provider_id=provider_id, action=action, actor=actor, subject_user_id=subject_user_id,
        invitation=invitation, from_role=from_role, role=role,
    )


@transaction.atomic
def invitation_create(*, actor: Membership, email: str, role: str, accept_url: str) -> tuple[Invitation, str]:
    """An owner invites an address with a role; returns the invitation and the raw token (only the link holds it).

    `accept_url` is the link with "{token}" in place of the token (the view builds it absolute). Inviting an
    address that already has an open invitation replaces it (the old link stops working); an address of someone
    already in the team is refused. The mail leaves after commit.
    """
    _require_owner(actor)
    address = normalise_email(email)
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": _("“%(email)s”不是有效的邮箱地址。") % {"email": email.strip()}})
    role = _clean_role(role)
    provider = actor.provider
    if Membership.objects.filter(
        provider=provider, user__emailaddress__email=address, user__emailaddress__verified=True
    ).exists():
        raise ValidationError({"email": _("这个邮箱的账号已经在团队中。")})
    now = timezone.now()
    for old in Invitation.objects.select_for_update().filter(
        provider=provider, email=address, accepted_at=None, revoked_at=None
    ):
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        _event(provider_id=provider.pk, action=TeamEvent.Action.REVOKED, actor=actor.user, invitation=old,
               role=old.role)
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        provider=provider, email=address, role=role, token_hash=token_hash(raw), invited_by=actor.user,
        created_at=now, expires_at=now + invitation_lifetime(),
    )
    invitation.full_clean()
    invitation.save()
    _event(provider_id=provider.pk, action=TeamEvent.Action.INVITED, actor=actor.user, invitation=invitation,
           role=role)
    link = accept_url.replace("{token}", raw)
    transaction.on_commit(lambda: invitation_mail_send(invitation=invitation, link=link))
    return invitation, raw


def invitation_mail_send(*, invitation: Invitation, link: str) -> None:
    """The invitation e-mail, Chinese then English in one message (we do not know the invitee's language)."""
    context = {
        "provider": invitation.provider, "link": link, "expires_at": invitation.expires_at,
        "role_zh": _role_label(invitation.role, "zh-hans"), "role_en": _role_label(invitation.role, "en"),
    }
    subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
    body = render_to_string("portal/email/invitation_message.txt", context)
    send_mail(subject, body, None, [invitation.email])


def _role_label(role: str, language: str) -> str:
    with translation.override(language):
        return str(Membership.Role(role).label)


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation_id: int) -> Invitation:
    """An owner withdraws an open invitation of their own team (another team's is not found)."""
    _require_owner(actor)
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, provider_id=actor.provider_id).first()
    if invitation is None:
        raise Invitation.DoesNotExist
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("这个邀请已被接受或撤销，不能再撤销。"))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _event(provider_id=actor.provider_id, action=TeamEvent.Action.REVOKED, actor=actor.user, invitation=invitation,
           role=invitation.role)
    return invitation


class InvitationProblem(ValidationError):
    """Why an invitation link cannot be used; `code` is one of the INVITATION_* names below."""


INVITATION_UNKNOWN, INVITATION_EXPIRED, INVITATION_REVOKED, INVITATION_USED = "unknown", "expired", "revoked", "used"
INVITATION_WRONG_ACCOUNT, INVITATION_ALREADY_MEMBER = "wrong_account", "already_member"


def invitation_by_token(raw: str, *, lock: bool = False) -> Invitation:
    """The invitation a link's token opens, usable or not; InvitationProblem(unknown) for none."""
    qs = Invitation.objects.select_related("provider")
    if lock:
        qs = qs.select_for_update()
    invitation = qs.filter(token_hash=token_hash(raw)).first() if raw else None
    if invitation is None:
        raise InvitationProblem(_("邀请链接无效，请向邀请你的同事索取新的邀请。"), code=INVITATION_UNKNOWN)
    return invitation


def invitation_check(invitation: Invitation, *, user=None) -> None:
    """Raise InvitationProblem if the invitation cannot be accepted (by `user`, when given)."""
    # Someone already in the team (who followed the link again, say) is simply sent to the portal.
    if user is not None and Membership.objects.filter(provider_id=invitation.provider_id, user=user).exists():
        raise InvitationProblem(_("你已经是这个团队的成员。"), code=INVITATION_ALREADY_MEMBER)
    if invitation.accepted_at:
        raise InvitationProblem(_("这个邀请已经被使用过了。"), code=INVITATION_USED)
    if invitation.revoked_at:
        raise InvitationProblem(_("这个邀请已被撤销，请向邀请你的同事索取新的邀请。"), code=INVITATION_REVOKED)
    if invitation.expires_at <= timezone.now():
        raise InvitationProblem(_("这个邀请已过期，请向邀请你的同事索取新的邀请。"), code=INVITATION_EXPIRED)
    if user is None:
        return
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise InvitationProblem(
            _("这个邀请发给了另一个邮箱地址。请退出当前账号，用收到邀请的邮箱登录或注册（该邮箱需已验证）。"),
            code=INVITATION_WRONG_ACCOUNT,
        )


@transaction.atomic
def invitation_accept(*, user, raw_token: str) -> Membership:
    """The signed-in user with the invited, verified address joins the team with the invitation's role."""
    invitation = invitation_by_token(raw_token, lock=True)
    invitation_check(invitation, user=user)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(provider=invitation.provider, user=user, role=invitation.role)
    except IntegrityError:  # joined in a race through another link
        raise InvitationProblem(_("你已经是这个团队的成员。"), code=INVITATION_ALREADY_MEMBER)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _event(provider_id=invitation.provider_id, action=TeamEvent.Action.JOINED, actor=user, subject_user_id=user.pk,
           invitation=invitation, role=invitation.role)
    return membership


def _team_locked(actor: Membership, membership_id: int) -> tuple[Membership, int]:
    """The target membership of the actor's team and the team's owner count, the team's rows locked (so two owners
    demoting each other at once cannot leave none)."""
    rows = list(Membership.objects.select_for_update().filter(provider_id=actor.provider_id).order_by("pk"))
    target = next((row for row in rows if row.pk == membership_id), None)
    if target is None:
        raise Membership.DoesNotExist
    return target, sum(1 for row in rows if row.role == Membership.Role.OWNER)


@transaction.atomic
def member_role_change(*, actor: Membership, membership_id: int, role: str) -> Membership:
    """An owner gives a member of their team another role; the last owner keeps theirs."""
    _require_owner(actor)
    role = _clean_role(role)
    target, owners = _team_locked(actor, membership_id)
    if target.role == role:
        return target
    if target.role == Membership.Role.OWNER and owners <= 1:
        raise ValidationError({"role": _("团队至少要有一位所有者：请先把另一位成员设为所有者。")})
    from_role, target.role = target.role, role
    target.save(update_fields=["role"])
    _event(provider_id=actor.provider_id, action=TeamEvent.Action.ROLE_CHANGED, actor=actor.user,
           subject_user_id=target.user_id, from_role=from_role, role=role)
    return target


@transaction.atomic
def member_remove(*, actor: Membership, membership_id: int) -> None:
    """An owner removes a member from their team; the last owner cannot be removed."""
    _require_owner(actor)
    target, owners = _team_locked(actor, membership_id)
    if target.role == Membership.Role.OWNER and owners <= 1:
        raise ValidationError(_("不能移除团队唯一的所有者：请先把另一位成员设为所有者。"))
    target.delete()
    _event(provider_id=actor.provider_id, action=TeamEvent.Action.REMOVED, actor=actor.user,
           subject_user_id=target.user_id, from_role=target.role)

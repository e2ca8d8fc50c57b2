"""Writes of the claims app: submit, verify/approve, reject and withdraw claims; each atomic and audited.

Evidence is checked by content (common.uploads) before anything is written; if the row cannot be written after
the file was stored, the file is deleted again, so a refused claim leaves neither a row nor a file.
"""
from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Account
from accounts.selectors import account_is_verified, account_kind
from common.uploads import evidence_content_type
from providers.models import Membership, Platform, Provider, Store

from .models import (
    ClaimEvent,
    ClaimStatus,
    ProviderClaim,
    ProviderCreditCode,
    StoreClaim,
)
from .states import claim_advance
from .uscc import uscc_validate


def api_key_actor_label(prefix: str) -> str:
    """How a partner's key is named in the audit (its public prefix; the key itself is never stored)."""
    return f"api-key:{prefix}"


# Shared steps.

def _account_check(*, user, kind: str, refusal: str) -> None:
    if not account_is_verified(user=user):
        raise ValidationError(_("请先验证您的邮箱地址，然后再提交认领。"), code="unverified")
    if account_kind(user=user) != kind:
        raise ValidationError(refusal, code="wrong_kind")


def _evidence_type(evidence) -> str:
    if not evidence:
        raise ValidationError({"evidence": ValidationError(_("请上传证明材料（PNG、JPEG 或 PDF，最大 5 MB）。"),
                                                           code="required")})
    try:
        return evidence_content_type(evidence)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.error_list}) from None


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("请填写驳回理由：认领人会看到它。"), code="required")})
    return reason


def _event(claim, *, action: str, actor=None, actor_label: str = "", reason: str = "") -> ClaimEvent:
    target = {"store_claim": claim} if isinstance(claim, StoreClaim) else {"provider_claim": claim}
    return ClaimEvent.objects.create(**target, action=action, actor=actor, actor_label=actor_label, reason=reason)


def _save_new_claim(claim, *, also: Callable[[], None]) -> None:
    """Insert the claim (its file is stored first, by FileField) and its audit row; on any failure the stored
    file is deleted, since a database rollback cannot take a file back."""
    try:
        with transaction.atomic():
            claim.save()
            also()
    except IntegrityError:
        _delete_stored_evidence(claim)
        # Two submits racing past full_clean meet the pending-claim constraint.
        raise ValidationError(_("您已有一条相同的待审核认领。"), code="duplicate") from None
    except BaseException:
        _delete_stored_evidence(claim)
        raise


def _delete_stored_evidence(claim) -> None:
    if claim.evidence and getattr(claim.evidence, "_committed", False):
        claim.evidence.storage.delete(claim.evidence.name)


# Store claims.

def store_claim_submit(*, user, platform: Platform, external_id: str, store_name: str, evidence) -> StoreClaim:
    """A merchant's pending claim to the store (platform, external_id), with evidence checked by content."""
    _account_check(user=user, kind=Account.Kind.MERCHANT, refusal=_("只有商家账号可以认领店铺。"))
    external_id, store_name = (external_id or "").strip(), (store_name or "").strip()
    evidence_type = _evidence_type(evidence)
    store = Store.objects.filter(platform=platform, external_id=external_id).first()
    if store is not None and store.merchants.filter(pk=user.pk).exists():
        raise ValidationError(_("该店铺已关联到您的账号，无需再次认领。"), code="already_yours")
    claim = StoreClaim(user=user, platform=platform, external_id=external_id, store_name=store_name, store=store,
                       evidence=evidence, evidence_type=evidence_type)
    claim.full_clean()
    _save_new_claim(claim, also=lambda: _event(claim, action=ClaimEvent.Action.SUBMITTED, actor=user))
    return claim


@transaction.atomic
def store_claim_verify(*, claim: StoreClaim, actor=None, actor_label: str = "") -> StoreClaim:
    """Verify a pending claim: the store (found, or made now from the claim) gets the account as a merchant.

    Idempotent: a claim already verified is returned as it is (a partner's retry), with no second event.
    """
    claim = StoreClaim.objects.select_for_update().select_related("platform").get(pk=claim.pk)
    if claim.status == ClaimStatus.VERIFIED:
        return claim
    claim_advance(claim, ClaimStatus.VERIFIED)
    # Matched on the store's unique key, so a store imported since the claim was filed is the one linked.
    store, _created = Store.objects.get_or_create(
        platform=claim.platform, external_id=claim.external_id, defaults={"name": claim.store_name}
    )
    claim.store = store
    claim.save(update_fields=["status", "reason", "decided_at", "store"])
    store.merchants.add(claim.user_id)
    _event(claim, action=ClaimEvent.Action.VERIFIED, actor=actor, actor_label=actor_label)
    return claim


def store_claim_reject(*, claim: StoreClaim, reason: str, actor=None, actor_label: str = "") -> StoreClaim:
    """Reject a pending claim with the reason the merchant will read."""
    return _claim_reject(claim, reason=reason, actor=actor, actor_label=actor_label)


def store_claim_withdraw(*, claim: StoreClaim, user) -> StoreClaim:
    """The merchant takes back their own pending claim."""
    return _claim_withdraw(claim, user=user)


@transaction.atomic
def _claim_reject(claim, *, reason: str, actor, actor_label: str = ""):
    reason = _reason_required(reason)
    claim = type(claim).objects.select_for_update().get(pk=claim.pk)
    claim_advance(claim, ClaimStatus.REJECTED, reason=reason)
    claim.save(update_fields=["status", "reason", "decided_at"])
    _event(claim, action=ClaimEvent.Action.REJECTED, actor=actor, actor_label=actor_label, reason=reason)
    return claim


@transaction.atomic
def _claim_withdraw(claim, *, user):
    claim = type(claim).objects.select_for_update().get(pk=claim.pk)
    if claim.user_id != user.pk:
        raise PermissionDenied
    claim_advance(claim, ClaimStatus.WITHDRAWN)
    claim.save(update_fields=["status", "reason", "decided_at"])
    _event(claim, action=ClaimEvent.Action.WITHDRAWN, actor=user)
    return claim


# Provider claims.

def _provider_claim_refusal(*, provider: Provider, code: str) -> str | None:
    """Why a claim with this code cannot make its account the provider's owner (None: it can).

    One rule for submit and approve. A provider with an owner takes no claims: the owner invites colleagues
    from the portal, so nobody joins a team its owner does not know of.
    """
    # The conduct ledger's clearance (清退) is permanent: the cleared provider's code never claims a provider again.
    if ProviderCreditCode.objects.filter(code=code, provider__sanction=Provider.Sanction.CLEARED).exists():
        return _("该统一社会信用代码所属的服务商已被清退，不能再认领任何服务商。")
    if Membership.objects.filter(provider=provider, role=Membership.Role.OWNER).exists():
        return _("该服务商已有所有者：请联系所有者在服务商后台邀请您加入团队。")
    taken = ProviderCreditCode.objects.filter(code=code).exclude(provider=provider).exists()
    if taken:
        return _("该统一社会信用代码已用于另一家服务商。")
    known = ProviderCreditCode.objects.filter(provider=provider).values_list("code", flat=True).first()
    if known is not None and known != code:
        return _("该统一社会信用代码与此服务商已核验的代码不符。")
    return None


def provider_claim_submit(*, user, provider: Provider, credit_code: str, evidence) -> ProviderClaim:
    """A provider-staff account's pending claim to a listed provider, with its 统一社会信用代码 and licence."""
    _account_check(user=user, kind=Account.Kind.PROVIDER_STAFF, refusal=_("只有服务商账号可以认领服务商。"))
    try:
        code = uscc_validate(credit_code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.error_list}) from None
    evidence_type = _evidence_type(evidence)
    if Membership.objects.filter(provider=provider, user=user).exists():
        raise ValidationError(_("您已是该服务商的团队成员。"), code="already_member")
    refusal = _provider_claim_refusal(provider=provider, code=code)
    if refusal:
        raise ValidationError(refusal, code="refused")
    claim = ProviderClaim(user=user, provider=provider, credit_code=code, evidence=evidence,
                          evidence_type=evidence_type)
    claim.full_clean()
    _save_new_claim(claim, also=lambda: _event(claim, action=ClaimEvent.Action.SUBMITTED, actor=user))
    return claim


@transaction.atomic
def provider_claim_approve(*, claim: ProviderClaim, actor) -> ProviderClaim:
    """A grader approves: the code is recorded as the provider's, and the account becomes its owner."""
    # Lock the provider: two claims to it are decided one after the other, so only one becomes owner.
    provider = Provider.objects.select_for_update().get(pk=claim.provider_id)
    claim = ProviderClaim.objects.select_for_update().get(pk=claim.pk)
    claim_advance(claim, ClaimStatus.VERIFIED)
    refusal = _provider_claim_refusal(provider=provider, code=claim.credit_code)
    if refusal:
        raise ValidationError(refusal, code="refused")
    try:
        with transaction.atomic():
            ProviderCreditCode.objects.get_or_create(provider=provider, defaults={"code": claim.credit_code,
                                                                                  "claim": claim})
    except IntegrityError:  # the same code approved for another provider at the same moment
        raise ValidationError(_("该统一社会信用代码已用于另一家服务商。"), code="refused") from None
    Membership.objects.update_or_create(provider=provider, user_id=claim.user_id,
                                        defaults={"role": Membership.Role.OWNER})
    claim.save(update_fields=["status", "reason", "decided_at"])
    _event(claim, action=ClaimEvent.Action.VERIFIED, actor=actor)
    return claim


def provider_claim_reject(*, claim: ProviderClaim, reason: str, actor) -> ProviderClaim:
    """A grader rejects a pending provider claim with the reason the claimant will read."""
    return _claim_reject(claim, reason=reason, actor=actor)


def provider_claim_withdraw(*, claim: ProviderClaim, user) -> ProviderClaim:
    """The claimant takes back their own pending provider claim."""
    return _claim_withdraw(claim, user=user)

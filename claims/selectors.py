"""Reads of the claims app; every read of one claim is scoped to who asks (the claimant, or staff allowed to)."""
from __future__ import annotations

from django.db.models import QuerySet

from providers.models import Platform, Provider, Store

from .models import ProviderClaim, StoreClaim

STORE_EVIDENCE_PERMISSION = "claims.view_storeclaim"
PROVIDER_EVIDENCE_PERMISSION = "claims.view_providerclaim"


def stores_of(*, user) -> QuerySet[Store]:
    """The stores the account is a verified merchant of, with their platform."""
    return Store.objects.filter(merchants=user).select_related("platform").order_by("platform__position", "name")


def store_claims_of(*, user) -> QuerySet[StoreClaim]:
    """The account's own store claims, newest first."""
    return StoreClaim.objects.filter(user=user).select_related("platform")


def provider_claims_of(*, user) -> QuerySet[ProviderClaim]:
    """The account's own provider claims, newest first."""
    return ProviderClaim.objects.filter(user=user).select_related("provider")


def store_claim_of(*, user, pk: int) -> StoreClaim | None:
    """One of the account's own store claims (None for anybody else's)."""
    return StoreClaim.objects.filter(user=user, pk=pk).first()


def provider_claim_of(*, user, pk: int) -> ProviderClaim | None:
    return ProviderClaim.objects.filter(user=user, pk=pk).first()


def _evidence_claim(model, *, user, pk: int, permission: str):
    if not user.is_authenticated:
        return None
    claims = model.objects.filter(pk=pk)
    if not (user.is_active and user.is_staff and user.has_perm(permission)):
        claims = claims.filter(user=user)
    return claims.first()


def store_claim_evidence_for(*, user, pk: int) -> StoreClaim | None:
    """The claim whose evidence this user may open: their own, or any for staff who may view store claims."""
    return _evidence_claim(StoreClaim, user=user, pk=pk, permission=STORE_EVIDENCE_PERMISSION)


def provider_claim_evidence_for(*, user, pk: int) -> ProviderClaim | None:
    """The same rule for provider claims (graders hold the view permission)."""
    return _evidence_claim(ProviderClaim, user=user, pk=pk, permission=PROVIDER_EVIDENCE_PERMISSION)


def platforms_for_claims() -> QuerySet[Platform]:
    return Platform.objects.order_by("position", "code")


def provider_for_claim(*, slug: str) -> Provider | None:
    """A provider of the directory by its slug (the claim form's field); a delisted one takes no claims."""
    return Provider.objects.filter(slug=(slug or "").strip()).exclude(status=Provider.Status.DELISTED).first()


def store_claim_get(*, pk: int) -> StoreClaim | None:
    """A store claim by id with its platform (the partner API; partners see no claimant data)."""
    return StoreClaim.objects.select_related("platform").filter(pk=pk).first()

"""The account's own pages under /me/: stores and store claims, provider claims, and the evidence of a claim.

Every view reads the claim through a selector scoped to who asks, so another account's claim is a 404.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import verified_account_required

from . import selectors, services
from .forms import ProviderClaimForm, StoreClaimForm
from .states import ClaimStateError, claim_is_open

EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}


def _evidence_response(claim, *, prefix: str) -> FileResponse:
    """The stored file with its checked type: images inline, PDFs as a download; never sniffed, never cached."""
    try:
        handle = claim.evidence.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=claim.evidence_type, as_attachment=not claim.evidence_type.startswith("image/"),
        filename=f"{prefix}-{claim.pk}{EXTENSIONS.get(claim.evidence_type, '')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_safe
@login_required
def my_stores_view(request):
    """/me/: the stores the account is a verified merchant of, and its store claims with status and reasons."""
    claims = list(selectors.store_claims_of(user=request.user))
    for claim in claims:
        claim.can_withdraw = claim_is_open(claim)
    return render(request, "claims/my_stores.html", {
        "stores": selectors.stores_of(user=request.user), "claims": claims,
    })


def _claim_form_page(request, *, form_class, submit, done: str, back: str, title: str, lead: str, initial=None):
    """The new-claim page of either kind: the form, the service's refusals shown on it, back to the list."""
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            submit(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "claims/claim_form.html", {"form": form, "title": title, "back": back, "lead": lead},
                  status=400 if form.errors else 200)


def _withdraw(request, *, claim, withdraw, back: str):
    if claim is None:
        raise Http404
    try:
        withdraw(claim=claim, user=request.user)
    except ClaimStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("认领已撤回。"))
    return redirect(back)


@login_required
@verified_account_required
def store_claim_create_view(request):
    return _claim_form_page(
        request, form_class=StoreClaimForm, submit=services.store_claim_submit, back="claims:mine",
        done=_("认领已提交，核验通过后店铺会出现在“我的店铺”中。"), title=_("认领店铺"),
        lead=_("上传能证明您管理这家店铺的卖家后台截图（要能看到店铺名称和店铺ID）。数据管理员核验后，店铺会关联到您的账号。"),
    )


@require_POST
@login_required
def store_claim_withdraw_view(request, pk: int):
    return _withdraw(request, claim=selectors.store_claim_of(user=request.user, pk=pk),
                     withdraw=services.store_claim_withdraw, back="claims:mine")


@require_safe
def store_claim_evidence_view(request, pk: int):
    """The evidence of a store claim: for its claimant, or staff who may view store claims; 404 for anyone else."""
    claim = selectors.store_claim_evidence_for(user=request.user, pk=pk)
    if claim is None:
        raise Http404
    return _evidence_response(claim, prefix="store-claim")


@require_safe
@login_required
def provider_claims_view(request):
    """/me/provider-claims/: the provider-staff account's claims with status and reasons."""
    claims = list(selectors.provider_claims_of(user=request.user))
    for claim in claims:
        claim.can_withdraw = claim_is_open(claim)
    return render(request, "claims/provider_claims.html", {"claims": claims})


@login_required
@verified_account_required
def provider_claim_create_view(request):
    return _claim_form_page(
        request, form_class=ProviderClaimForm, submit=services.provider_claim_submit, back="claims:provider-claims",
        done=_("认领已提交，评级人员审核通过后您将成为该服务商的所有者。"), title=_("认领服务商"),
        lead=_("填写服务商的统一社会信用代码并上传营业执照。评级人员核验后，第一个通过的账号成为服务商的所有者，之后由所有者邀请同事加入。"),
        initial={"provider": request.GET.get("provider", "")},
    )


@require_POST
@login_required
def provider_claim_withdraw_view(request, pk: int):
    return _withdraw(request, claim=selectors.provider_claim_of(user=request.user, pk=pk),
                     withdraw=services.provider_claim_withdraw, back="claims:provider-claims")


@require_safe
def provider_claim_evidence_view(request, pk: int):
    """The business licence of a provider claim: its claimant, or staff who may view provider claims; else 404."""
    claim = selectors.provider_claim_evidence_for(user=request.user, pk=pk)
    if claim is None:
        raise Http404
    return _evidence_response(claim, prefix="provider-claim")

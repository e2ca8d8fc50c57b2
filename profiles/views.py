"""The team's portal pages (profile, platform credentials, cases), the evidence files, and the merchant's page
where a store's merchant lets a case name the store.

Portal pages go through providers.access.provider_membership (outsiders 404, members may look, managers and
owners submit); the services check the role again.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.decorators import verified_account_required
from common.uploads import evidence_file_response
from providers.access import provider_membership, role_at_least, user_memberships
from providers.models import Membership

from . import selectors, services
from .fields import proposal_diff
from .forms import CaseForm, CredentialForm, ProfileChangeForm
from .models import PlatformCredential, ProfileChange
from .presenters import case_display, credential_badge

EVIDENCE_MODELS = {"change": ProfileChange, "credential": PlatformCredential}


def _portal_context(request, membership: Membership, section: str) -> dict:
    # The portal frame's own context (portal/base.html); portal.views has the same, which this app may not import.
    return {
        "membership": membership,
        "provider": membership.provider,
        "section": section,
        "memberships": user_memberships(user=request.user),
        "can_see_team": role_at_least(membership.role, Membership.Role.MANAGER),
        "can_submit": role_at_least(membership.role, Membership.Role.MANAGER),
    }


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _submit(request, membership, form, submit) -> bool:
    """Run `submit()` for a valid form; a refusal becomes the form's errors. True when it went through."""
    if not form.is_valid():
        return False
    try:
        submit()
    except ValidationError as exc:
        _form_errors(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_view(request, slug):
    membership = provider_membership(user=request.user, slug=slug)
    provider = membership.provider
    form = None
    if request.method == "POST":
        membership = provider_membership(user=request.user, slug=slug, at_least=Membership.Role.MANAGER)
        form = ProfileChangeForm(request.POST, request.FILES, provider=provider)
        evidence = request.FILES.get("evidence")
        values = lambda: {name: value for name, value in form.cleaned_data.items() if name != "evidence"}
        if _submit(request, membership, form, lambda: services.profile_change_submit(
                membership=membership, values=values(), evidence=evidence)):
            messages.success(request, _("资料修改已提交，评级审核员通过后才会公开。"))
            return redirect("profiles:profile", slug=slug)
    elif role_at_least(membership.role, Membership.Role.MANAGER):
        form = ProfileChangeForm(provider=provider)
    pending = selectors.provider_pending_change(provider=provider)
    return render(request, "profiles/profile.html", {
        **_portal_context(request, membership, "profile"),
        "form": form,
        "pending": pending,
        "pending_diff": proposal_diff(provider, pending.proposed) if pending else [],
        "history": [change for change in selectors.provider_changes(provider=provider) if change != pending],
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def credentials_view(request, slug):
    membership = provider_membership(user=request.user, slug=slug)
    form = CredentialForm() if role_at_least(membership.role, Membership.Role.MANAGER) else None
    if request.method == "POST":
        membership = provider_membership(user=request.user, slug=slug, at_least=Membership.Role.MANAGER)
        form = CredentialForm(request.POST, request.FILES)
        if _submit(request, membership, form, lambda: services.credential_submit(
                membership=membership, **form.cleaned_data)):
            messages.success(request, _("平台资质已提交，评级审核员核验后展示。"))
            return redirect("profiles:credentials", slug=slug)
    today = timezone.localdate()
    credentials = selectors.provider_credentials(provider=membership.provider)
    return render(request, "profiles/credentials.html", {
        **_portal_context(request, membership, "credentials"),
        "form": form,
        "credentials": [(credential, credential_badge(credential, today=today)) for credential in credentials],
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cases_view(request, slug):
    membership = provider_membership(user=request.user, slug=slug)
    stores = selectors.provider_case_stores(provider=membership.provider)
    form = CaseForm(stores=stores) if role_at_least(membership.role, Membership.Role.MANAGER) else None
    if request.method == "POST":
        membership = provider_membership(user=request.user, slug=slug, at_least=Membership.Role.MANAGER)
        form = CaseForm(request.POST, stores=stores)
        if _submit(request, membership, form, lambda: services.case_submit(membership=membership,
                                                                          **form.cleaned_data)):
            messages.success(request, _("案例已提交，审核通过后展示在公开主页。"))
            return redirect("profiles:cases", slug=slug)
    return render(request, "profiles/cases.html", {
        **_portal_context(request, membership, "cases"),
        "form": form,
        "cases": [case_display(case) for case in selectors.provider_cases(provider=membership.provider)],
    })


@login_required
@require_safe
def evidence_view(request, kind, pk):
    """An evidence file: for graders (the view permission) and the provider's own team; 404 for anyone else."""
    model = EVIDENCE_MODELS.get(kind)
    obj = selectors.evidence_owner(model=model, pk=pk) if model else None
    if obj is None or not obj.evidence:
        raise Http404
    if not request.user.has_perm(f"profiles.view_{model._meta.model_name}"):
        provider_membership(user=request.user, slug=obj.provider.slug)
    return evidence_file_response(obj.evidence, content_type=obj.evidence_type, filename=f"{kind}-{obj.pk}")


# The merchant's page ----------------------------------------------------------------------------------------------

@login_required
@require_safe
def merchant_cases_view(request):
    cases = selectors.merchant_case_requests(user=request.user)
    return render(request, "profiles/merchant_cases.html", {
        "cases": [case_display(case) for case in cases],
    })


@login_required
@verified_account_required
@require_POST
def merchant_case_decide_view(request, pk):
    case = selectors.merchant_case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("请选择同意或拒绝署名。"))
        return redirect("profiles:merchant-cases")
    try:
        services.case_naming_decide(case=case, user=request.user, approve=decision == "approve")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已同意署名。") if decision == "approve" else _("已拒绝署名，该案例将匿名展示。"))
    return redirect("profiles:merchant-cases")


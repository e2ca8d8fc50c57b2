"""Conduct pages: the public policy; a merchant's complaints; the provider's complaints and appeals in its portal.

Views parse and check who asks (providers.access.provider_membership for the portal; the engagement's store for a
merchant); the moves and their rules are conduct.complaints'.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from common.uploads import evidence_response
from providers.access import provider_membership, user_memberships
from ratings.masking import mask_personal_data

from . import complaints
from .forms import AnswerForm, ComplaintForm, ViolationAppealForm
from .models import Complaint, Violation
from .presenters import policy_ladder_rows, policy_type_rows
from .selectors import (
    complaints_for_merchant, complaints_for_provider, merchant_engagement, policy_active, violations_recent,
)


@require_safe
def policy_view(request):
    """The live conduct policy: points per violation type and the sanction ladder."""
    policy = policy_active()
    return render(request, "conduct/policy.html", {
        "policy": policy, "types": policy_type_rows(policy), "ladder": policy_ladder_rows(policy),
    })


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Merchants ------------------------------------------------------------------------------------------------------

@login_required
@require_safe
def my_complaints_view(request):
    return render(request, "conduct/my_complaints.html", {"complaints": complaints_for_merchant(user=request.user)})


@login_required
def complaint_create_view(request, engagement_id: int):
    engagement = merchant_engagement(user=request.user, engagement_id=engagement_id)
    if engagement is None:
        raise Http404
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaints.complaint_file(merchant=request.user, engagement=engagement,
                                      violation_type=form.cleaned_data["type"],
                                      description=form.cleaned_data["description"],
                                      evidence=form.cleaned_data["evidence"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("投诉已提交，服务商须在 3 日内答复。"))
            return redirect("conduct:my-complaints")
    return render(request, "conduct/complaint_form.html", {"form": form, "engagement": engagement})


@login_required
@require_safe
def complaint_evidence_view(request, pk: int):
    """The complainant and staff who may view complaints see the evidence; nobody else learns it exists."""
    complaint = get_object_or_404(Complaint.objects.only("pk", "merchant_id", "evidence", "evidence_type"), pk=pk)
    if complaint.merchant_id != request.user.pk and not request.user.has_perm("conduct.view_complaint"):
        raise Http404
    return evidence_response(complaint, prefix="complaint")


# The provider's portal ------------------------------------------------------------------------------------------

@login_required
@require_safe
def portal_complaints_view(request, slug: str):
    membership = provider_membership(user=request.user, slug=slug)
    provider = membership.provider
    items = list(complaints_for_provider(provider=provider))
    for complaint in items:
        # The complainant's identity stays private: no account is shown, and contact details in the text are masked.
        complaint.description_shown = mask_personal_data(complaint.description)
        complaint.answer_form = AnswerForm(auto_id=f"answer-{complaint.pk}-%s") if complaint.status == "open" else None
    violations = violations_recent(provider=provider, on=timezone.localdate())
    for violation in violations:
        violation.appeal_form = ViolationAppealForm(auto_id=f"appeal-{violation.pk}-%s")
    return render(request, "conduct/portal_complaints.html", {
        "membership": membership, "provider": provider, "section": "complaints",
        "memberships": user_memberships(user=request.user), "complaints": items, "violations": violations,
    })


@login_required
@require_POST
def portal_complaint_answer_view(request, slug: str, pk: int):
    membership = provider_membership(user=request.user, slug=slug)
    complaint = get_object_or_404(Complaint, pk=pk, provider=membership.provider)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["answer"])
        complaints.complaint_answer(complaint=complaint, membership=membership, answer=form.cleaned_data["answer"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已答复。"))
    return redirect("conduct:portal-complaints", slug=slug)


@login_required
@require_POST
def portal_violation_appeal_view(request, slug: str, pk: int):
    membership = provider_membership(user=request.user, slug=slug)
    violation = get_object_or_404(Violation, pk=pk, provider=membership.provider)
    form = ViolationAppealForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        complaints.appeal_file(violation=violation, membership=membership, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("申诉已提交。"))
    return redirect("conduct:portal-complaints", slug=slug)

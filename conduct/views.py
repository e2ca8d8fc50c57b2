"""Conduct pages: the public policy; the provider's complaints in its portal; a merchant's complaint form."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .presenters import policy_ladder_rows, policy_type_rows
from .selectors import policy_active


@require_safe
def policy_view(request):
    """The live conduct policy: points per violation type and the sanction ladder."""
    policy = policy_active()
    return render(request, "conduct/policy.html", {
        "policy": policy, "types": policy_type_rows(policy), "ladder": policy_ladder_rows(policy),
    })

"""Pages of the provider portal: the team switcher, My rating, the reviews inbox, the team and invitations.

Every page under /portal/<slug>/ goes through providers.access.provider_membership: outsiders get a 404, a role too
low for the page or action a 403. The writes are portal.services' (which check the role again).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_ratelimit.decorators import ratelimit

from accounts.decorators import verified_account_required
from accounts.models import Account
from accounts.selectors import account_kind
from providers.access import provider_membership, user_memberships
from providers.models import Membership
from providers.presenters import explanation_display, gate_table, localized
from providers.selectors import service_names_by_code
from ratings.forms import AppealForm

from . import selectors, services
from .forms import InboxFilterForm, InvitationForm, RoleForm

INBOX_PAGE_SIZE = 20


def _portal_context(request, membership: Membership, section: str) -> dict:
    """What every portal page's frame needs: the team, the user's role, the other teams for the switcher."""
    return {
        "membership": membership,
        "provider": membership.provider,
        "section": section,
        "memberships": user_memberships(user=request.user),
    }


@login_required
@require_safe
def portal_index_view(request):
    """One team: straight to it; several: the switcher; none: how to get one (merchants are refused)."""
    memberships = user_memberships(user=request.user)
    if len(memberships) == 1:
        return redirect("portal:rating", slug=memberships[0].provider.slug)
    if memberships:
        return render(request, "portal/portal_index.html", {"memberships": memberships})
    if account_kind(user=request.user) == Account.Kind.MERCHANT:
        raise PermissionDenied(_("服务商后台只对服务商团队的账号开放；商家账号请到“我的评价”。"))
    return render(request, "portal/portal_no_team.html", {})


@login_required
@require_safe
def rating_view(request, slug):
    membership = provider_membership(user=request.user, slug=slug)
    provider = membership.provider
    history = selectors.rating_history(provider=provider)
    snapshot = history[0] if history else None
    names = service_names_by_code()
    explanation = explanation_display(snapshot.explanation, service_names=names) if snapshot else {}
    return render(request, "portal/rating.html", {
        **_portal_context(request, membership, "rating"),
        "snapshot": snapshot,
        "gate_rows": gate_table(_services_named(snapshot.explanation, names)) if snapshot else [],
        "next_tier": explanation.get("next_tier"),
        "history": history,
        "stores": selectors.rating_store_performance(provider=provider, snapshot=snapshot) if snapshot else [],
    })


def _services_named(explanation: dict, names: dict[str, str]) -> dict:
    """A copy of a snapshot explanation whose services checks carry names, not codes (gate_table shows them)."""
    gates = []
    for gate in explanation.get("gates", []):
        checks = [
            {**check, "value": [names.get(code, code) for code in check["value"]],
             "threshold": [names.get(code, code) for code in check["threshold"]]}
            if check.get("name") == "services" else check
            for check in gate.get("checks", [])
        ]
        gates.append({**gate, "checks": checks})
    return {**explanation, "gates": gates}


@login_required
@require_safe
def reviews_view(request, slug):
    membership = provider_membership(user=request.user, slug=slug)
    provider = membership.provider
    platforms = selectors.inbox_platforms(provider=provider)
    form = InboxFilterForm(request.GET, platforms=[
        (code, localized(_Named(name, name_en))) for code, name, name_en in platforms
    ])
    # A value that does not parse (an unknown platform) is shown as a form error with no reviews.
    filters = form.cleaned_data if form.is_valid() else None
    reviews = (
        selectors.inbox_reviews(provider=provider, **filters) if filters is not None
        else selectors.inbox_reviews(provider=provider).none()
    )
    page = Paginator(reviews, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    selectors.inbox_attach_appeals(page.object_list)
    for review in page.object_list:
        review.platform_label = localized(_Named(review.platform_name, review.platform_name_en))
        open_appeal = review.appeal is not None and review.appeal.status == "open"
        review.appeal_form = None if open_appeal else AppealForm(auto_id=f"appeal-{review.pk}-%s")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/reviews.html", {
        **_portal_context(request, membership, "reviews"),
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(filters and any(filters.values())),
        "here": request.get_full_path(),
    })


class _Named:
    """A name pair as presenters.localized reads it."""

    def __init__(self, name: str, name_en: str):
        self.name, self.name_en = name, name_en


# The team ---------------------------------------------------------------------------------------------------------


@login_required
@require_safe
def team_view(request, slug):
    """Managers and owners see the team and its open invitations; only owners get the forms to change it."""
    membership = provider_membership(user=request.user, slug=slug, at_least=Membership.Role.MANAGER)
    return _team_page(request, membership)


def _team_page(request, membership: Membership, *, invite_form=None, status: int = 200):
    provider = membership.provider
    members = selectors.team_members(provider=provider)
    owners = sum(1 for m in members if m.role == Membership.Role.OWNER)
    for member in members:
        member.role_form = RoleForm(initial={"role": member.role}, auto_id=f"role-{member.pk}-%s")
        member.is_last_owner = member.role == Membership.Role.OWNER and owners == 1
    return render(request, "portal/team.html", {
        **_portal_context(request, membership, "team"),
        "members": members,
        "invitations": selectors.team_open_invitations(provider=provider),
        "invite_form": invite_form or InvitationForm(),
    }, status=status)


INVITE_RATE = lambda group, request: getattr(settings, "PORTAL_INVITE_RATE", "30/h")


@login_required
@verified_account_required
@ratelimit(key="user", rate=INVITE_RATE, method="POST", group="portal:invite", block=False)
@require_POST
def team_invite_view(request, slug):
    membership = provider_membership(user=request.user, slug=slug, at_least=Membership.Role.OWNER)
    form = InvitationForm(request.POST)
    if getattr(request, "limited", False):
        form.add_error(None, _("邀请发送过于频繁，请稍后再试。"))
        return _team_page(request, membership, invite_form=form, status=429)
    if not form.is_valid():
        return _team_page(request, membership, invite_form=form, status=400)
    link = request.build_absolute_uri(reverse("portal:invitation", kwargs={"token": "TOKEN"}))
    try:
        services.invitation_create(actor=membership, accept_url=link.replace("TOKEN", "{token}"), **form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, error)
        return _team_page(request, membership, invite_form=form, status=400)
    messages.success(request, _("邀请已发送，对方用该邮箱登录或注册后即可加入团队。"))
    return redirect("portal:team", slug=slug)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@verified_account_required
@require_POST
def invitation_revoke_view(request, slug, pk):
    membership = provider_membership(user=request.user, slug=slug, at_least=Membership.Role.OWNER)
    try:
        services.invitation_revoke(actor=membership, invitation_id=pk)
    except services.Invitation.DoesNotExist:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("邀请已撤销，链接不再有效。"))
    return redirect("portal:team", slug=slug)


@login_required
@verified_account_required
@require_POST
def member_role_view(request, slug, pk):
    membership = provider_membership(user=request.user, slug=slug, at_least=Membership.Role.OWNER)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择 所有者、管理员 或 成员。"))
        return redirect("portal:team", slug=slug)
    try:
        services.member_role_change(actor=membership, membership_id=pk, role=form.cleaned_data["role"])
    except Membership.DoesNotExist:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("角色已更新。"))
    return redirect("portal:team", slug=slug)


@login_required
@verified_account_required
@require_POST
def member_remove_view(request, slug, pk):
    membership = provider_membership(user=request.user, slug=slug, at_least=Membership.Role.OWNER)
    try:
        services.member_remove(actor=membership, membership_id=pk)
    except Membership.DoesNotExist:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("portal:team", slug=slug)
    messages.success(request, _("已移出团队。"))
    if pk == membership.pk:  # an owner who left their own team has no team page any more
        return redirect("portal:index")
    return redirect("portal:team", slug=slug)


# Following an invitation link ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_view(request, token):
    """The link in the invitation e-mail: sign in or sign up first (and come back), then join with one button."""
    user = request.user if request.user.is_authenticated else None
    try:
        invitation = services.invitation_by_token(token)
    except services.InvitationProblem as problem:
        return render(request, "portal/invitation.html", {"problem": problem.messages[0]}, status=404)
    try:
        services.invitation_check(invitation, user=user)
    except services.InvitationProblem as problem:
        if problem.code == services.INVITATION_ALREADY_MEMBER:
            messages.info(request, problem.messages[0])
            return redirect("portal:rating", slug=invitation.provider.slug)
        if problem.code == services.INVITATION_WRONG_ACCOUNT:
            return render(request, "portal/invitation.html", {
                "invitation": invitation, "problem": problem.messages[0], "wrong_account": True,
            }, status=403)
        return render(request, "portal/invitation.html", {"problem": problem.messages[0]}, status=410)
    if user is None:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "portal/invitation.html", {"invitation": invitation, "next": request.get_full_path()})
    if request.method == "POST":
        try:
            membership = services.invitation_accept(user=user, raw_token=token)
        except services.InvitationProblem as problem:  # used or revoked in the meantime
            return render(request, "portal/invitation.html", {"problem": problem.messages[0]}, status=410)
        messages.success(request, _("你已加入 %(provider)s 的团队。") % {"provider": localized(membership.provider)})
        return redirect("portal:rating", slug=membership.provider.slug)
    return render(request, "portal/invitation.html", {"invitation": invitation, "can_join": True})

"""Who may act for a provider: the one check behind every portal page and every provider-side write.

Someone outside the team gets a 404 (a provider's portal does not even confirm it exists to them); a member
whose role is too low for the action gets a 403 that says so.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Membership

ROLE_RANK = {Membership.Role.MEMBER: 1, Membership.Role.MANAGER: 2, Membership.Role.OWNER: 3}


def role_at_least(role: str, at_least: str) -> bool:
    return ROLE_RANK[role] >= ROLE_RANK[at_least]


def provider_membership(*, user, slug: str, at_least: str = Membership.Role.MEMBER) -> Membership:
    """The user's membership of the provider with this slug (provider loaded), if their role is high enough."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    membership = Membership.objects.select_related("provider").filter(provider__slug=slug, user=user).first()
    if membership is None:
        raise Http404
    if not role_at_least(membership.role, at_least):
        raise PermissionDenied(_("此操作需要“%(role)s”或更高的团队角色。") % {"role": Membership.Role(at_least).label})
    return membership


def user_memberships(*, user) -> list[Membership]:
    """Every team the user is in, with the provider, by provider name (the portal's switcher)."""
    if not user.is_authenticated:
        return []
    return list(Membership.objects.select_related("provider").filter(user=user).order_by("provider__name", "pk"))

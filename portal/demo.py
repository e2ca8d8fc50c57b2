"""The demo provider's team, so the portal's team page has something to show: the demo staff account as owner, a
manager and a member who can sign in with the same password, and one invitation still waiting.

Called by `manage.py demo_accounts`. Idempotent: a rerun resets the roles and replaces the open invitation.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from accounts.models import Account
from accounts.services import account_email_set_verified
from providers.models import Membership, Provider

from .services import invitation_create

DEMO_COLLEAGUES = (("demo_manager", Membership.Role.MANAGER), ("demo_member", Membership.Role.MEMBER))
DEMO_INVITEE = "demo_invitee@example.com"


@transaction.atomic
def portal_demo_team(*, provider: Provider, owner, password: str) -> list[str]:
    """Make `owner` the provider's owner, add the demo colleagues, invite DEMO_INVITEE; lines for the console."""
    Membership.objects.update_or_create(provider=provider, user=owner, defaults={"role": Membership.Role.OWNER})
    lines = []
    for username, role in DEMO_COLLEAGUES:
        user, _created = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        email = f"{username}@example.com"
        account_email_set_verified(user=user, email=email, kind=Account.Kind.PROVIDER_STAFF)
        Membership.objects.update_or_create(provider=provider, user=user, defaults={"role": role})
        lines.append(f"team      {email} / {password}  {Membership.Role(role).label} of {provider.name}")
    actor = Membership.objects.select_related("provider", "user").get(provider=provider, user=owner)
    link = settings.SITE_URL.rstrip("/") + reverse("portal:invitation", kwargs={"token": "TOKEN"})
    _invitation, token = invitation_create(
        actor=actor, email=DEMO_INVITEE, role=Membership.Role.MEMBER, accept_url=link.replace("TOKEN", "{token}")
    )
    lines.append(f"invited   {DEMO_INVITEE} (open)  {link.replace('TOKEN', token)}")
    return lines

"""Reads about accounts: verification, the kind, and the account's own data for its export."""
from __future__ import annotations

from allauth.account.models import EmailAddress

from .models import Account


def account_is_verified(*, user) -> bool:
    """Whether the user has confirmed an e-mail address: the condition for posting anything on the site."""
    if not getattr(user, "is_authenticated", False):
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def account_kind(*, user) -> str | None:
    """The kind chosen at sign-up (Account.Kind), or None for users made elsewhere (admin, createsuperuser)."""
    return Account.objects.filter(user=user).values_list("kind", flat=True).first()


def account_export_profile(*, user) -> dict:
    """The account's own profile and e-mail addresses, as plain JSON-ready values (the export's first part)."""
    account = Account.objects.filter(user=user).first()
    return {
        "profile": {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "kind": account.kind if account else None,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
    }

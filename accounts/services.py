"""Writes to accounts: creating one at sign-up, confirming a demo address, deleting (anonymising) one."""
from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.utils import timezone

from .models import Account, AccountEvent


@transaction.atomic
def account_create(*, user, kind: str) -> Account:
    """Give a new user their account of the chosen kind (called by the sign-up form, in its transaction)."""
    account = Account(user=user, kind=kind)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def account_email_set_verified(*, user, email: str, kind: str | None = None) -> EmailAddress:
    """Make `email` the user's primary, verified address (demo accounts: no mail server in `make run`)."""
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
    address, _created = EmailAddress.objects.update_or_create(
        user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
    )
    if kind is not None:
        Account.objects.update_or_create(user=user, defaults={"kind": kind})
    return address


@transaction.atomic
def account_delete(*, user) -> None:
    """Delete a user's account (PIPL): erase their personal data and deactivate them; their reviews stay.

    The user row is kept, anonymised, so published reviews keep their author and show as a deleted account. Its
    e-mail addresses, second factors and sign-in records (django-axes keeps names and addresses) are removed;
    is_active off and an unusable password end every session and sign-in. Audited as an AccountEvent.
    """
    names = {user.get_username(), user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    names.discard("")
    AccessAttempt.objects.filter(username__in=names).delete()
    AccessLog.objects.filter(username__in=names).delete()
    AccessFailureLog.objects.filter(username__in=names).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    now = timezone.now()
    Account.objects.update_or_create(
        user=user, defaults={"deleted_at": now}, create_defaults={"kind": Account.Kind.MERCHANT, "deleted_at": now}
    )
    AccountEvent.objects.create(user=user, user_ref=user.pk, kind=AccountEvent.Kind.DELETED)


def account_export_record(*, user) -> None:
    """Audit that the user downloaded their own data."""
    AccountEvent.objects.create(user=user, user_ref=user.pk, kind=AccountEvent.Kind.EXPORTED)

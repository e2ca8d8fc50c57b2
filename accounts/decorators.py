"""View guards of the accounts app."""
from functools import wraps

from django.shortcuts import render

from .selectors import account_is_verified


def verified_account_required(view):
    """Refuse (403, with the way to fix it) an account that has not confirmed an e-mail address yet.

    Goes under login_required. Posting anything (reviews, replies, appeals) needs a confirmed address; allauth's
    mandatory verification keeps new accounts from signing in before, this covers every other way in.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not account_is_verified(user=request.user):
            return render(request, "accounts/verification_required.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped

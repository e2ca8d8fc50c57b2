"""Sign-in: one protected sign-in for the site (django-allauth, by e-mail) and the admin (by user name).

Names and e-mails are normalised by accounts.normalise (re-exported here).

Two layers guard every password check. django-ratelimit throttles the sign-in pages (site and admin share the
buckets): a few tries per account name and a few more per client address, each per minute. django-axes' backend
(settings.AUTHENTICATION_BACKENDS) then locks an account name *from one client address* out after repeated
failures, for every authenticate() call, whichever page made it. Both count the normalised name, so `  merB  `
and `ｍｅｒＢ` are merB, and both take the client address from `client_ip`, which believes X-Forwarded-For only
when the peer is one of settings.TRUSTED_PROXIES.
"""
import ipaddress
from functools import lru_cache

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import UserChangeForm
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from accounts.normalise import normalise_email, normalise_username

__all__ = ["client_ip", "normalise_email", "normalise_username"]

# axes stores the name it counts in a 255-character column; longer input cannot be an account (User: 150).
_LOCKOUT_NAME_MAX = 255


# --- Client address -------------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy.

    Then X-Forwarded-For is read from the right (each proxy appends the peer it saw) past every trusted hop; the
    first address that is not a trusted proxy is the client. Anything further left was written by the client and
    is ignored, so a spoofed header buys no fresh budget. With no TRUSTED_PROXIES the header is never read.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    current = _address(remote)
    if not trusted or current is None:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    while any(current in network for network in trusted) and hops:
        previous = _address(hops.pop())
        if previous is None:  # garbage where a proxy should have written an address: stop at the last known hop
            break
        current = previous
    return str(current)


# --- Sign-in --------------------------------------------------------------------------------------------------------

class NormalisedModelBackend(ModelBackend):
    """Django's backend, looking the account up by its normalised name whichever form or client sent it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            username = normalise_username(username)
        return super().authenticate(request, username=username, password=password, **kwargs)


def sign_in_name(value: str | None) -> str:
    """The account name a sign-in attempt counts against, whichever page it came from.

    The site signs in by e-mail (django-allauth's `login` field), the admin by user name: an address of a known
    account counts as that account's name, so both pages share one budget and one lockout. Any other address
    counts as itself, normalised.
    """
    name = normalise_username(value)
    if "@" not in name:
        return name[:_LOCKOUT_NAME_MAX]
    email = normalise_email(value)
    User = get_user_model()
    owner = (
        User.objects.filter(Q(emailaddress__email__iexact=email) | Q(email__iexact=email))
        .order_by("pk").values_list(User.USERNAME_FIELD, flat=True).first()
    )
    return (owner or email)[:_LOCKOUT_NAME_MAX]


def _posted_name(request) -> str | None:
    """The name a sign-in form posted: allauth's `login` (the site) or the user name (the admin)."""
    return request.POST.get("login", request.POST.get(get_user_model().USERNAME_FIELD))


def lockout_username(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the name axes counts failures against (sign_in_name of what was tried)."""
    credentials = credentials or {}
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("email")
    if username is None and request is not None:
        username = _posted_name(request)
    return sign_in_name(username)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the site's page (429) instead of axes' plain-text one, for the site and the admin."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def _account_key(group, request) -> str:
    return sign_in_name(_posted_name(request))


def _address_key(group, request) -> str:
    return client_ip(request)


def sign_in_throttled(view):
    """Password guessing: 5 tries per account name and 20 per client address, each per minute.

    Fixed groups, so the site's and the admin's sign-in share one budget: the admin is no side door.
    """
    view = ratelimit(group="sign-in:address", key=_address_key, rate="20/m", method="POST", block=True)(view)
    return ratelimit(group="sign-in:account", key=_account_key, rate="5/m", method="POST", block=True)(view)


# django-allauth's sign-in (e-mail + password, then the second factor if the account has one), on the site's page.
login_view = sign_in_throttled(allauth_views.LoginView.as_view(template_name="accounts/login.html"))


class SignOutView(auth_views.LogoutView):
    """Django's logout (POST only), then a note on the page the visitor lands on, so the click visibly worked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("已退出登录。"))
        return response


# --- Admin ----------------------------------------------------------------------------------------------------------

class AccountUserChangeForm(UserChangeForm):
    """The admin's user form; the name is already NFKC + stripped by UsernameField, the e-mail is normalised here."""

    def clean_email(self):
        return normalise_email(self.cleaned_data.get("email"))


class AccountUserAdmin(UserAdmin):
    """Django's user admin with e-mails normalised like every other way in."""

    form = AccountUserChangeForm


def admin_site_protect(site) -> None:
    """Staff sign in through the admin's own page, throttled like the site's; its user form normalises e-mails.

    The admin keeps its own page (not a redirect to the site's sign-in) because it tells a signed-in user without
    staff rights why they are refused, where the site's sign-in would send them straight back: a loop.
    Idempotent, so a second import of the URLconf does not count every attempt twice.
    """
    if not getattr(site.login, "sign_in_throttled", False):
        site.login = sign_in_throttled(site.login)
        site.login.sign_in_throttled = True
    User = get_user_model()
    if site.is_registered(User):
        if isinstance(site.get_model_admin(User), AccountUserAdmin):
            return
        site.unregister(User)
    site.register(User, AccountUserAdmin)

"""Staff reach the admin only after signing in with their second factor (settings.ADMIN_REQUIRE_MFA)."""
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _


def session_used_mfa(request) -> bool:
    """Whether this session's sign-in (or a later re-authentication) passed a second factor (allauth.mfa)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class AdminRequiresMFAMiddleware:
    """A staff user opening the admin without TOTP set up is sent to set it up; one whose session did not use it
    (a password-only sign-in, e.g. on the admin's own page) is asked for a code first. Sign-out stays open.

    Runs after AuthenticationMiddleware and allauth's AccountMiddleware. The check is here rather than in each
    admin view so that every admin URL, including ones added later, is covered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.ADMIN_REQUIRE_MFA and request.user.is_authenticated and request.user.is_staff:
            admin = reverse("admin:index")
            # A session that used its second factor is through without a query; only the others are looked at.
            if (request.path.startswith(admin) and request.path != reverse("admin:logout")
                    and not session_used_mfa(request)):
                back = urlencode({"next": request.get_full_path()})
                if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
                    messages.warning(request, _("管理后台要求两步验证：请先设置身份验证器应用。"))
                    return redirect(f"{reverse('mfa_activate_totp')}?{back}")
                messages.info(request, _("进入管理后台前，请输入身份验证器应用中的验证码。"))
                return redirect(f"{reverse('mfa_reauthenticate')}?{back}")
        return self.get_response(request)

"""Account views: sign-in with rate limits, and sign-out that says it happened."""
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

# Password guessing: a few tries per account name and a few more per address, each per minute.
login_view = ratelimit(key="post:username", rate="5/m", method="POST", block=True)(
    ratelimit(key="ip", rate="20/m", method="POST", block=True)(
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
    )
)


class SignOutView(auth_views.LogoutView):
    """Django's logout (POST only), then a note on the page the visitor lands on, so the click visibly worked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("已退出登录。"))
        return response

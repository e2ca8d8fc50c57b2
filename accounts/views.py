"""Pages of the accounts app: deleting one's own account."""
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from .forms import AccountDeleteForm
from .services import account_delete


@login_required
@ratelimit(key="user", rate="5/m", method="POST", group="accounts:delete", block=True)
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete_view(request):
    """The signed-in user deletes their own account (there is no way to name another one), after their password."""
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account_delete(user=request.user)
        logout(request)
        messages.success(request, _("账号已注销，个人信息已删除。你发布的评价仍保留，显示为“已注销用户”。"))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form}, status=400 if form.is_bound else 200)

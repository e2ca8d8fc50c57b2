"""Forms on top of django-allauth's: the account kind at sign-up, e-mails normalised at sign-in, deletion."""
from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Account
from .normalise import normalise_email
from .services import account_create


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (e-mail, password twice) plus the account kind; the user and its account commit together."""

    kind = forms.ChoiceField(label=_("账号类型"), choices=Account.Kind.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        data = kwargs.get("data", args[0] if args else None)
        if data is not None and "email" in data:
            data = data.copy()
            data["email"] = normalise_email(data.get("email"))
            if "data" in kwargs:
                kwargs["data"] = data
            else:
                args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.fields["kind"].help_text = _("商家账号评价合作过的服务商；服务商账号回复自己公司收到的评价。")
        self.order_fields(["email", "password1", "password2", "kind"])

    @transaction.atomic
    def save(self, request):
        user = super().save(request)
        account_create(user=user, kind=self.cleaned_data["kind"])
        return user


class LoginForm(AllauthLoginForm):
    """allauth's sign-in by e-mail, the address normalised first: `  Mer.B@Example.COM ` and full-width forms are
    the same account, for the lookup and for the lockout that counts failures against it."""

    def __init__(self, *args, **kwargs):
        data = kwargs.get("data", args[0] if args else None)
        if data is not None and "login" in data:
            data = data.copy()
            data["login"] = normalise_email(data.get("login"))
            if "data" in kwargs:
                kwargs["data"] = data
            else:
                args = (data, *args[1:])
        super().__init__(*args, **kwargs)


class AccountDeleteForm(forms.Form):
    """Deleting one's own account: the current password confirms it is really them."""

    password = forms.CharField(label=_("当前密码"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("密码不正确。"), code="password_incorrect")
        return password

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号")

    def ready(self):
        # allauth's second-factor model has no verbose_name, so the admin lists it as "Authenticators" in either
        # language; the names (and django-axes' lower-case ones) come from this project's catalogs instead.
        from allauth.mfa.models import Authenticator

        Authenticator._meta.verbose_name = _("认证器")
        Authenticator._meta.verbose_name_plural = pgettext_lazy("plural", "认证器")

"""Accounts: what a person is on the site (merchant or provider staff), and the audit of changes to accounts.

Sign-up, e-mail addresses, verification, reset and two-factor sign-in are django-allauth's (allauth.account,
allauth.mfa); this app adds only what the site needs on top of them.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Account(models.Model):
    """A user's account on the site: the kind chosen at sign-up, and when it was deleted (PIPL)."""

    class Kind(models.TextChoices):
        MERCHANT = "merchant", _("商家")
        PROVIDER_STAFF = "provider_staff", pgettext_lazy("account kind", "服务商")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account", verbose_name=_("用户")
    )
    kind = models.CharField(_("账号类型"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Set by accounts.services.account_delete: the user row stays (reviews keep their author) but is anonymised.
    deleted_at = models.DateTimeField(_("注销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.user_id}"


class AccountEvent(models.Model):
    """An audited change to an account: what happened, to which user, when, at whose hand. No personal data."""

    class Kind(models.TextChoices):
        DELETED = "deleted", _("注销账号")
        EXPORTED = "exported", _("导出数据")

    # SET_NULL: users are anonymised, not deleted, but an admin may still delete one; the event outlives it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("用户")
    )
    # The user's id as a plain number, kept when the row above is gone.
    user_ref = models.PositiveBigIntegerField(_("用户编号"))
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("账号事件")
        verbose_name_plural = _("账号事件")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.user_ref}"

"""Moderation: the review queue, providers' appeals and public manipulation alerts."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from providers.models import Provider

from .evidence import Review


class ReviewQueue(Review):
    """The moderation queue: pending reviews and reviews a provider has appealed (a proxy with its own admin)."""

    class Meta:
        proxy = True
        verbose_name = _("审核队列")
        verbose_name_plural = _("审核队列")


class ReviewAppeal(models.Model):
    """A provider contesting a review of it (e.g. a malicious review, 恶意差评), with its explanation."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        DISMISSED = "dismissed", _("申诉驳回")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("评价"))
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("服务商"))
    explanation = models.TextField(_("申诉说明"), max_length=2000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("申诉人"),
    )
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("处理人"),
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("评价申诉")
        verbose_name_plural = _("评价申诉")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"], condition=Q(status="open"), name="%(app_label)s_%(class)s_one_open_per_review",
                violation_error_message=_("这条评价已有待处理的申诉。"),
            ),
            models.CheckConstraint(condition=~Q(explanation=""), name="%(app_label)s_%(class)s_explanation_required"),
        ]

    def __str__(self):
        return f"{self.provider} · {self.review_id} · {self.get_status_display()}"


ALERT_VISIBLE_DAYS = 90


class ProviderAlert(models.Model):
    """A public warning that a moderator confirmed review manipulation; shown for ALERT_VISIBLE_DAYS days."""

    class Kind(models.TextChoices):
        PAID_REVIEWS = "paid_reviews", _("有偿刷评")
        FAKE_REVIEWS = "fake_reviews", _("虚假评价")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("服务商"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    message = models.TextField(_("公开说明"))
    reason = models.TextField(_("内部理由"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("发布人"),
    )
    posted_at = models.DateTimeField(_("发布时间"))
    expires_at = models.DateTimeField(_("到期时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("撤回人"),
    )
    withdraw_reason = models.TextField(_("撤回理由"), blank=True)

    class Meta:
        verbose_name = _("公开警示")
        verbose_name_plural = _("公开警示")
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["provider", "expires_at"], name="ratings_alert_provider_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(message=""), name="%(app_label)s_%(class)s_message_required"),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_required"),
        ]

    def __str__(self):
        return f"{self.provider} · {self.get_kind_display()}"

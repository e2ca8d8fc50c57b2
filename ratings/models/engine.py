"""What the engine writes and is steered by: snapshots, overrides, the audit trail, recompute marks and locks."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from providers.models import TIER_CHOICES, Provider

from .fields import decimal_field as _dec
from .policy import RatingPolicy


class ScoreSnapshot(models.Model):
    """A provider's computed scores, tier and status for one calendar month (one row per provider and period)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("服务商"))
    period = models.DateField(_("月份"))  # first day of the month
    as_of = models.DateField(_("计算截止日"))
    policy = models.ForeignKey(RatingPolicy, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("规则版本"))
    review_score = _dec(6, 4, _("评价分 R"))
    review_count = models.PositiveIntegerField(_("计分评价数"))
    review_average = _dec(3, 2, _("平均评分"), null=True, blank=True)
    performance_score = _dec(6, 4, _("表现分 P"), null=True, blank=True)
    performance_rows = models.PositiveIntegerField(_("表现数据行数"))
    composite = _dec(4, 2, _("综合分 S"), null=True, blank=True)
    active_stores = models.PositiveIntegerField(_("在营店铺"))
    excellent_stores = models.PositiveIntegerField(_("优秀店铺"))
    candidate_tier = models.PositiveSmallIntegerField(_("候选星级"), null=True, blank=True, choices=TIER_CHOICES)
    # The tier after hysteresis, before any admin override.
    computed_tier = models.PositiveSmallIntegerField(_("计算星级"), null=True, blank=True, choices=TIER_CHOICES)
    tier = models.PositiveSmallIntegerField(_("生效星级"), null=True, blank=True, choices=TIER_CHOICES)
    overridden = models.BooleanField(_("人工锁定"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Provider.Status.choices)
    at_risk = models.BooleanField(_("降级预警"), default=False)
    # Consecutive months the candidate sat below the held tier / the composite below the probation line.
    below_tier_months = models.PositiveSmallIntegerField(_("连续低于星级月数"), default=0)
    failing_months = models.PositiveSmallIntegerField(_("连续不达标月数"), default=0)
    explanation = models.JSONField(_("说明"), default=dict)
    # A hash of every figure above (ratings.services.recompute.figures_hash): a rerun that computes the same
    # figures recognises the row by it and sends nothing. Null on rows written before it existed.
    figures_hash = models.BigIntegerField(_("数据摘要"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("评分快照")
        verbose_name_plural = _("评分快照")
        ordering = ["provider", "-period"]
        # Pin, lift, reinstate, suspend and recompute on the provider's admin page (the Graders' work).
        permissions = [("grade_provider", _("可评级服务商（锁定、解除、恢复、暂停、重算）"))]
        indexes = [models.Index(fields=["period", "tier"], name="ratings_snapshot_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["provider", "period"], name="%(app_label)s_%(class)s_unique_provider_period"),
        ]

    def __str__(self):
        return f"{self.provider} {self.period:%Y-%m}"


class TierOverride(models.Model):
    """An admin's pin of a provider's tier, with a reason and an optional expiry."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("服务商"))
    tier = models.PositiveSmallIntegerField(_("锁定星级"), choices=TIER_CHOICES)
    reason = models.TextField(_("理由"))
    starts_on = models.DateField(_("生效日期"))
    expires_on = models.DateField(_("到期日期"), null=True, blank=True)
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("星级锁定")
        verbose_name_plural = _("星级锁定")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__gte=3, tier__lte=6), name="%(app_label)s_%(class)s_tier_range"),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_required"),
        ]

    def __str__(self):
        return f"{self.provider} → {self.tier}★"


class RatingEvent(models.Model):
    """The audit trail of a provider's rating: who or what, when, from, to, why, for seven kinds of change.

    `tier` and `status`: the engine moved the tier or status in a recompute; `override`: a grader pinned or lifted a
    tier; `recompute`: a grader asked for a recompute; `review`: a moderator decided a review or edited its reply;
    `burst`: reviews held for an unusual burst; `alert`: a public manipulation alert posted or withdrawn.
    """

    class Kind(models.TextChoices):
        TIER = "tier", _("星级")
        STATUS = "status", _("状态")
        OVERRIDE = "override", _("人工锁定")
        RECOMPUTE = "recompute", _("手动重算")
        REVIEW = "review", _("评价审核")
        BURST = "burst", _("集中评价")
        ALERT = "alert", _("公开警示")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="rating_events", verbose_name=_("服务商"))
    # The review a moderation or burst event is about.
    review = models.ForeignKey(
        "Review", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("评价")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    period = models.DateField(_("月份"), null=True, blank=True)
    from_value = models.CharField(_("原值"), max_length=20, blank=True)
    to_value = models.CharField(_("新值"), max_length=20, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    # Null actor: the rating engine made the change.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评级事件")
        verbose_name_plural = _("评级事件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "period"], name="ratings_event_provider_idx"),
            # The audit list is newest first and filtered by kind.
            models.Index(fields=["created_at"], name="ratings_event_created_idx"),
            models.Index(fields=["kind", "created_at"], name="ratings_event_kind_idx"),
        ]

    def __str__(self):
        return f"{self.provider} {self.kind}: {self.from_value} → {self.to_value}"


class PendingRecompute(models.Model):
    """A provider whose ratings must be recomputed; drained by one debounced job (durable even if the broker is down)."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="+", verbose_name=_("服务商"))
    requested_at = models.DateTimeField(_("请求时间"), auto_now=True)

    class Meta:
        verbose_name = _("待重算")
        verbose_name_plural = _("待重算")


class PeriodLock(models.Model):
    """One row per period; locked FOR UPDATE so two database-locked runs of a period never interleave."""

    period = models.DateField(unique=True)

"""The rating policy: versioned weights, thresholds and tier gates (published on /tiers/)."""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from providers.models import TIER_CHOICES, Service

from .fields import decimal_field as _dec


class RatingPolicy(models.Model):
    """A numbered version of the published rating rules (exactly one active), or an unnumbered draft."""

    # Null while a draft: activation numbers it (ratings.services.policy_activate), after which it is read-only.
    version = models.PositiveIntegerField(_("版本"), unique=True, null=True, blank=True)
    name = models.CharField(_("名称"), max_length=80)
    is_active = models.BooleanField(_("生效中"), default=False)
    # Review score: Bayesian prior and time decay.
    prior_mean = _dec(4, 2, _("先验均值"), default=Decimal("3.50"))
    prior_weight = _dec(6, 2, _("先验权重"), default=Decimal("5"))
    half_life_days = models.PositiveIntegerField(_("评价半衰期（天）"), default=180)
    # Performance score: weights of the platform's three sub-scores, window in months.
    product_weight = _dec(4, 3, _("商品分权重"), default=Decimal("0.5"))
    logistics_weight = _dec(4, 3, _("物流分权重"), default=Decimal("0.2"))
    service_weight = _dec(4, 3, _("服务分权重"), default=Decimal("0.3"))
    performance_window_months = models.PositiveSmallIntegerField(_("表现窗口（月）"), default=3)
    excellent_store_threshold = _dec(4, 2, _("优秀店铺门槛"), default=Decimal("4.50"))
    # Composite.
    review_weight = _dec(4, 3, _("评价分权重"), default=Decimal("0.4"))
    performance_weight = _dec(4, 3, _("表现分权重"), default=Decimal("0.6"))
    # Status: below this composite → probation; that many consecutive failing months → delisted.
    probation_threshold = _dec(4, 2, _("考察期门槛"), default=Decimal("3.50"))
    delist_after_months = models.PositiveSmallIntegerField(_("连续不达标月数清退"), default=2)
    demote_after_months = models.PositiveSmallIntegerField(_("连续低于星级月数降级"), default=2)
    # Burst detection: more than burst_min_reviews reviews of one provider on one day, and more than
    # burst_rate_multiplier × its usual daily rate over the burst_baseline_days before, are held for moderation.
    burst_min_reviews = models.PositiveSmallIntegerField(_("集中评价：单日评价数超过"), default=5)
    burst_rate_multiplier = _dec(5, 2, _("集中评价：超过日常日均的倍数"), default=Decimal("3"))
    burst_baseline_days = models.PositiveSmallIntegerField(_("集中评价：日常日均的统计天数"), default=90)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("启用人"),
    )

    class Meta:
        verbose_name = _("评级规则")
        verbose_name_plural = _("评级规则")
        ordering = ["-version"]
        permissions = [("activate_ratingpolicy", _("可启用评级规则草稿"))]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="%(app_label)s_%(class)s_one_active"
            ),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(version__isnull=False),
                name="%(app_label)s_%(class)s_active_has_version",
            ),
            models.CheckConstraint(
                condition=Q(burst_baseline_days__gt=0), name="%(app_label)s_%(class)s_burst_baseline_positive"
            ),
            models.CheckConstraint(
                condition=Q(half_life_days__gt=0), name="%(app_label)s_%(class)s_half_life_positive"
            ),
            models.CheckConstraint(
                condition=Q(performance_window_months__gte=1), name="%(app_label)s_%(class)s_window_positive"
            ),
        ]

    def __str__(self):
        return f"v{self.version} {self.name}" if self.version is not None else f"{_('草稿')} {self.name}"

    @property
    def is_draft(self) -> bool:
        return self.version is None


class TierGate(models.Model):
    """The thresholds a provider must meet for one tier under one policy."""

    policy = models.ForeignKey(RatingPolicy, on_delete=models.CASCADE, related_name="gates", verbose_name=_("评级规则"))
    tier = models.PositiveSmallIntegerField(_("星级"), choices=TIER_CHOICES)
    min_score = _dec(4, 2, _("最低综合分"))
    min_active_stores = models.PositiveIntegerField(_("最少在营店铺"))
    min_excellent_stores = models.PositiveIntegerField(_("最少优秀店铺"))
    required_services = models.ManyToManyField(Service, blank=True, verbose_name=_("必备服务"))

    class Meta:
        verbose_name = _("星级门槛")
        verbose_name_plural = _("星级门槛")
        ordering = ["policy", "-tier"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "tier"], name="%(app_label)s_%(class)s_unique_policy_tier"),
            models.CheckConstraint(condition=Q(tier__gte=3, tier__lte=6), name="%(app_label)s_%(class)s_tier_range"),
        ]

    def __str__(self):
        return f"{self.policy} {self.tier}★"

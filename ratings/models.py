"""Evidence (reviews, monthly store performance), the rating policy, and the snapshots computed from them."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from providers.models import TIER_CHOICES, Engagement, Provider, Service, Store  # noqa: F401 (TIER_CHOICES re-exported)



def _dec(max_digits, places, label, **kw):
    return models.DecimalField(label, max_digits=max_digits, decimal_places=places, **kw)


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


DIMENSION_FIELDS = ("effect", "communication", "professionalism", "responsiveness")
_rating_validators = [MinValueValidator(1), MaxValueValidator(5)]


class Review(models.Model):
    """A merchant's review of a provider for one of its stores."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        PENDING = "pending", _("待审核")
        REJECTED = "rejected", _("已驳回")
        MALICIOUS = "malicious", _("恶意评价")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("服务商"))
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("店铺"))
    # Set for reviews written on the site: one review per engagement. Imported reviews have none.
    engagement = models.ForeignKey(
        Engagement, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews", verbose_name=_("合作")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("作者")
    )
    rating = models.PositiveSmallIntegerField(_("总体评分"), validators=_rating_validators)
    effect = models.PositiveSmallIntegerField(_("运营效果"), null=True, blank=True, validators=_rating_validators)
    communication = models.PositiveSmallIntegerField(_("沟通"), null=True, blank=True, validators=_rating_validators)
    professionalism = models.PositiveSmallIntegerField(_("专业度"), null=True, blank=True, validators=_rating_validators)
    responsiveness = models.PositiveSmallIntegerField(_("响应速度"), null=True, blank=True, validators=_rating_validators)
    title = models.CharField(_("标题"), max_length=120, blank=True)
    body = models.TextField(_("内容"), blank=True)
    # The review's date (the CSV's created_at). Scoring works in whole days, so a date is enough.
    created_at = models.DateField(_("评价日期"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    # Denormalized by ratings.services.reviews_refresh_verification (engagement started on or before the review).
    verified = models.BooleanField(_("已验证合作"), default=False)
    reply = models.TextField(_("服务商回复"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Set by ratings.services.reviews_flag_bursts when the review arrived in an unusual burst and was held.
    burst = models.BooleanField(_("集中评价"), default=False)
    # A moderator's last decision; a decided review is never held again by burst detection.
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("审核人"),
    )

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "verified", "created_at"], name="ratings_review_scoring_idx"),
            models.Index(fields=["provider", "status", "created_at"], name="ratings_review_provider_idx"),
            # The moderation queue: pending reviews, oldest submission first.
            models.Index(fields=["status", "submitted_at"], name="ratings_review_queue_idx"),
            # The admin's review list: newest first, ties by id, read backwards a page at a time.
            models.Index(fields=["created_at", "id"], name="ratings_review_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "store", "created_at"],
                name="%(app_label)s_%(class)s_unique_provider_store_date",
                violation_error_message=_("该店铺在同一天已评价过此服务商。"),
            ),
            models.UniqueConstraint(
                fields=["engagement"], condition=Q(engagement__isnull=False),
                name="%(app_label)s_%(class)s_one_per_engagement",
                violation_error_message=_("这次合作已经评价过了。"),
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="%(app_label)s_%(class)s_rating_range",
                violation_error_message=_("评分须为 1–5。"),
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 1, f"{f}__lte": 5}),
                    name=f"%(app_label)s_%(class)s_{f}_range",
                )
                for f in DIMENSION_FIELDS
            ],
        ]

    def __str__(self):
        return f"{self.provider} · {self.rating}★ · {self.created_at}"


class StorePerformance(models.Model):
    """One month of a store's performance as its platform reports it (商家体验分 style)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="performance", verbose_name=_("店铺"))
    # First day of the month the row describes.
    period = models.DateField(_("月份"))
    product_score = _dec(3, 2, _("商品体验分"))
    logistics_score = _dec(3, 2, _("物流体验分"))
    service_score = _dec(3, 2, _("服务体验分"))
    gmv = _dec(16, 2, _("成交额（元）"))
    orders = models.PositiveIntegerField(_("订单数"))
    complaint_rate = _dec(5, 4, _("投诉率"))
    refund_rate = _dec(5, 4, _("退款率"))
    on_time_ship_rate = _dec(5, 4, _("准时发货率"))
    after_sales_response_hours = _dec(7, 2, _("售后响应时长（小时）"))

    class Meta:
        verbose_name = _("店铺月度表现")
        verbose_name_plural = _("店铺月度表现")
        ordering = ["-period", "store"]
        indexes = [models.Index(fields=["period", "store"], name="ratings_perf_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["store", "period"], name="%(app_label)s_%(class)s_unique_store_period"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__gte": 0, f"{f}__lte": 5}), name=f"%(app_label)s_%(class)s_{f}_range"
                )
                for f in ("product_score", "logistics_score", "service_score")
            ],
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__gte": 0, f"{f}__lte": 1}), name=f"%(app_label)s_%(class)s_{f}_range"
                )
                for f in ("complaint_rate", "refund_rate", "on_time_ship_rate")
            ],
            models.CheckConstraint(
                condition=Q(gmv__gte=0, after_sales_response_hours__gte=0),
                name="%(app_label)s_%(class)s_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.store} {self.period:%Y-%m}"


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
    """A change of a provider's tier or status: who or what, when, from, to, why."""

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

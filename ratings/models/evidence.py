"""The evidence a rating is computed from: merchants' reviews and stores' monthly platform performance."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from providers.models import Engagement, Provider, Store

from .fields import decimal_field as _dec


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

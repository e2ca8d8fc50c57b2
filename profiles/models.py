"""What a provider says of itself, checked before anyone sees it: profile changes, platform credentials, cases.

Each row has a life cycle (profiles.states holds the allowed moves); every move is a ProfileEvent.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.uploads import evidence_upload_to, private_storage
from providers.models import Category, Platform, Provider, Store


class Evidence(models.Model):
    """An optional evidence file (type checked by content, kept in the private storage) with its checked type."""

    evidence = models.FileField(_("证明材料"), storage=private_storage, upload_to=evidence_upload_to, blank=True)
    evidence_type = models.CharField(_("材料类型"), max_length=40, blank=True)

    class Meta:
        abstract = True


class Decided(models.Model):
    """Who submitted it, and which grader decided, when and why."""

    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("提交人"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Shown to the team when a grader rejects: what to fix.
    reason = models.TextField(_("驳回理由"), blank=True)

    class Meta:
        abstract = True


class ProfileChange(Evidence, Decided):
    """A team's proposed edit of its public profile: only the changed fields, applied when a grader approves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")
        # A newer submission took its place (one pending change per provider).
        SUPERSEDED = "superseded", _("已被新提交替换")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="profile_changes",
                                 verbose_name=_("服务商"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    # {field: value}; many-to-many fields as lists of codes, money as decimal strings (profiles.fields).
    proposed = models.JSONField(_("提议的修改"), default=dict)

    class Meta:
        verbose_name = _("资料修改申请")
        verbose_name_plural = _("资料修改申请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"], condition=Q(status="pending"), name="%(app_label)s_%(class)s_one_pending",
                violation_error_message=_("该服务商已有一份待审核的资料修改。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected", "superseded"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.provider} #{self.pk}"


class PlatformCredential(Evidence, Decided):
    """A grade a platform itself gave the provider (天猫星级服务商, 淘拍档, 抖音电商服务商…), for a period."""

    class Kind(models.TextChoices):
        TMALL_STAR = "tmall_star", _("天猫星级服务商")
        TAOPAIDANG = "taopaidang", _("淘拍档")
        DOUYIN_OPERATION = "douyin_operation", _("抖音电商运营类服务商")
        JD_PARTNER = "jd_partner", _("京东服务商")
        OTHER = "other", _("其他平台资质")

    class Status(models.TextChoices):
        PENDING = "pending", _("待核验")
        VERIFIED = "verified", _("已核验")
        REJECTED = "rejected", _("已驳回")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="credentials",
                                 verbose_name=_("服务商"))
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="+", verbose_name=_("平台"))
    kind = models.CharField(_("资质类型"), max_length=20, choices=Kind.choices)
    # The platform's own words for the grade: "五星", "金牌", "认证服务商".
    level = models.CharField(_("等级"), max_length=40)
    period_start = models.DateField(_("有效期起"))
    period_end = models.DateField(_("有效期止"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)

    class Meta:
        verbose_name = _("平台资质")
        verbose_name_plural = _("平台资质")
        ordering = ["-period_end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="%(app_label)s_%(class)s_period_ordered",
                violation_error_message=_("有效期止不能早于有效期起。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "verified", "rejected"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.provider} · {self.get_kind_display()} {self.level}"

    def expired_on(self, today: dt.date) -> bool:
        """Past its period: computed when read, so a badge turns 已过期 without any job."""
        return self.period_end < today


class Case(Decided):
    """A piece of work the provider shows (案例): its own words, optionally beside a store's verified figures."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        PUBLISHED = "published", _("已发布")
        REJECTED = "rejected", _("已驳回")

    class Naming(models.TextChoices):
        # No store, or a store no merchant has claimed: shown as "某美妆品牌天猫旗舰店".
        ANONYMOUS = "anonymous", _("匿名展示")
        REQUESTED = "requested", _("待商家同意署名")
        APPROVED = "approved", _("商家同意署名")
        DECLINED = "declined", _("商家拒绝署名")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="cases", verbose_name=_("服务商"))
    title = models.CharField(_("标题"), max_length=120)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="+", verbose_name=_("平台"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("类目"))
    # Months (first day of each); the store's performance is read for these months.
    period_start = models.DateField(_("开始月份"))
    period_end = models.DateField(_("结束月份"))
    work_done = models.TextField(_("所做工作"))
    result = models.TextField(_("成果（服务商自述）"))
    store = models.ForeignKey(Store, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("关联店铺"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    naming = models.CharField(_("署名"), max_length=10, choices=Naming.choices, default=Naming.ANONYMOUS)
    naming_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="+", verbose_name=_("署名决定人"))
    naming_decided_at = models.DateTimeField(_("署名决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("案例")
        verbose_name_plural = _("案例")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="%(app_label)s_%(class)s_period_ordered",
                violation_error_message=_("结束月份不能早于开始月份。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "published", "rejected"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(naming__in=["anonymous", "requested", "approved", "declined"]),
                name="%(app_label)s_%(class)s_naming_valid",
            ),
        ]

    def __str__(self):
        return f"{self.provider} · {self.title}"


class ProfileEvent(models.Model):
    """The audit of every move of a profile change, credential or case (no personal data: ids and reasons)."""

    class Subject(models.TextChoices):
        CHANGE = "change", _("资料修改")
        CREDENTIAL = "credential", _("平台资质")
        CASE = "case", _("案例")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="profile_events",
                                 verbose_name=_("服务商"))
    subject = models.CharField(_("对象"), max_length=12, choices=Subject.choices)
    object_id = models.PositiveBigIntegerField(_("对象ID"))
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资料审核记录")
        verbose_name_plural = _("资料审核记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject", "object_id"], name="profiles_event_subject_idx")]

    def __str__(self):
        return f"{self.get_subject_display()} #{self.object_id} {self.action}"

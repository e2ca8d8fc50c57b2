"""The conduct ledger's evidence: the policy, violations, reinstatements, complaints, appeals and their audit.

The sanction in force is not stored here: conduct.ledger computes it from these rows, and conduct.services writes
the result onto Provider.sanction (denormalized, so listings filter without joins).
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.uploads import evidence_upload_to, private_storage
from providers.models import Engagement, Provider


class ViolationType(models.TextChoices):
    """Stable codes; the points of each are fields of the policy (`<code>_points`)."""

    OVER_PROMISE = "over_promise", _("过度承诺（保证销量、流量、排名或 ROI）")
    STORE_ACCESS = "store_access", _("合作结束后未按期交还店铺权限或数据")
    REFUND_OVERDUE = "refund_overdue", _("应退款项 30 天内未退")
    COMPLAINT_IGNORED = "complaint_ignored", _("商家投诉 3 日内未跟进")
    FAKE_REVIEWS = "fake_reviews", _("刷单或虚假评价（经核实）")
    UNAUTHORISED_CASE = "unauthorised_case", _("未经授权展示客户案例")
    FRAUD = "fraud", _("欺诈")


# Only staff record these; a merchant's complaint may name any other type.
STAFF_ONLY_TYPES = (ViolationType.FRAUD, ViolationType.FAKE_REVIEWS)


class ConductPolicy(models.Model):
    """A numbered version of the published conduct rules: points per violation type and the sanction ladder."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    name = models.CharField(_("名称"), max_length=80)
    is_active = models.BooleanField(_("生效中"), default=False)
    over_promise_points = models.PositiveSmallIntegerField(_("过度承诺 分值"))
    store_access_points = models.PositiveSmallIntegerField(_("未交还店铺权限 分值"))
    refund_overdue_points = models.PositiveSmallIntegerField(_("退款逾期 分值"))
    complaint_ignored_points = models.PositiveSmallIntegerField(_("投诉未跟进 分值"))
    fake_reviews_points = models.PositiveSmallIntegerField(_("刷单或虚假评价 分值"))
    unauthorised_case_points = models.PositiveSmallIntegerField(_("未经授权展示案例 分值"))
    fraud_points = models.PositiveSmallIntegerField(_("欺诈 分值"))
    warning_at = models.PositiveSmallIntegerField(_("服务警告 积分"))
    hidden_at = models.PositiveSmallIntegerField(_("服务隐藏 积分"))
    hidden_days = models.PositiveSmallIntegerField(_("服务隐藏 天数"))
    frozen_at = models.PositiveSmallIntegerField(_("新签冻结 积分"))
    delisted_at = models.PositiveSmallIntegerField(_("服务下架 积分"))
    cleared_at = models.PositiveSmallIntegerField(_("清退 积分"))
    answer_days = models.PositiveSmallIntegerField(_("投诉答复期限（天）"))
    appeal_days = models.PositiveSmallIntegerField(_("申诉期限（天）"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("违规积分规则")
        verbose_name_plural = _("违规积分规则")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="%(app_label)s_%(class)s_one_active"
            ),
            models.CheckConstraint(
                condition=Q(warning_at__gt=0, hidden_at__gt=F("warning_at"), frozen_at__gt=F("hidden_at"),
                            delisted_at__gt=F("frozen_at"), cleared_at__gt=F("delisted_at"), hidden_days__gt=0),
                name="%(app_label)s_%(class)s_ladder_ordered",
                violation_error_message=_("处罚门槛须依次递增：警告 < 隐藏 < 冻结 < 下架 < 清退。"),
            ),
        ]

    def __str__(self):
        return f"v{self.version} {self.name}"

    def points_for(self, violation_type: str) -> int:
        return getattr(self, f"{ViolationType(violation_type).value}_points")


class Violation(models.Model):
    """An upheld (or later withdrawn) breach of the conduct policy by a provider, keyed by its decision day."""

    class Status(models.TextChoices):
        UPHELD = "upheld", _("成立")
        WITHDRAWN = "withdrawn", _("已撤销")

    class Source(models.TextChoices):
        COMPLAINT = "complaint", _("商家投诉")
        ADMIN = "admin", _("后台录入")
        IMPORT = "import", _("文件导入")
        API = "api", _("合作方接口")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="violations",
                                 verbose_name=_("服务商"))
    type = models.CharField(_("违规类型"), max_length=20, choices=ViolationType.choices)
    occurred_on = models.DateField(_("发生日期"))
    decided_on = models.DateField(_("认定日期"), db_index=True)
    reference = models.CharField(_("编号"), max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.UPHELD)
    # Copied from the policy in force when recorded: a later policy never rewrites past decisions.
    points = models.PositiveSmallIntegerField(_("扣分"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    complaint = models.OneToOneField("Complaint", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="violation", verbose_name=_("投诉"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("违规记录")
        verbose_name_plural = _("违规记录")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"],
                                    name="%(app_label)s_%(class)s_reference_per_provider",
                                    violation_error_message=_("该服务商已有此编号的违规记录。")),
            models.CheckConstraint(condition=Q(decided_on__gte=F("occurred_on")),
                                   name="%(app_label)s_%(class)s_decided_after_occurred",
                                   violation_error_message=_("认定日期不能早于发生日期。")),
            models.CheckConstraint(condition=Q(status__in=["upheld", "withdrawn"]),
                                   name="%(app_label)s_%(class)s_status_valid"),
        ]

    def __str__(self):
        return f"{self.provider_id} {self.reference} ({self.type}, {self.points})"

    @property
    def appeal_label(self) -> str:
        """The label of the appeal status annotated by conduct.selectors.violations_recent ("" without appeal)."""
        status = getattr(self, "appeal_status", None)
        return str(Appeal.Status(status).label) if status else ""


class Reinstatement(models.Model):
    """A grader lifting a delisting, with a reason (no earlier than 1 January after the year it was reached)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="reinstatements",
                                 verbose_name=_("服务商"))
    on = models.DateField(_("恢复日期"))
    reason = models.TextField(_("理由"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("操作人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("恢复上架")
        verbose_name_plural = _("恢复上架")
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"{self.provider_id} {self.on}"


class Complaint(models.Model):
    """A merchant's complaint about a provider on one of the merchant's engagements."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")
        UNANSWERED = "unanswered", _("逾期未答复")
        UPHELD = "upheld", _("投诉成立")
        DISMISSED = "dismissed", _("投诉驳回")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="complaints",
                                 verbose_name=_("服务商"))
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="complaints",
                                   verbose_name=_("合作"))
    # Null once the merchant deletes their account: the complaint and its decision stay, anonymous.
    merchant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="complaints", verbose_name=_("投诉商家"))
    type = models.CharField(_("投诉类型"), max_length=20, choices=ViolationType.choices)
    description = models.TextField(_("投诉内容"))
    evidence = models.FileField(_("证明材料"), storage=private_storage, upload_to=evidence_upload_to,
                                max_length=200, blank=True)
    evidence_type = models.CharField(_("材料类型"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer_due = models.DateField(_("答复截止日期"))
    answer = models.TextField(_("服务商答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("答复人"))
    decision_reason = models.TextField(_("处理理由"), blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("处理人"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("商家投诉")
        verbose_name_plural = _("商家投诉")
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_complaint", _("可处理商家投诉"))]

    def __str__(self):
        return f"#{self.pk} {self.provider_id} {self.type} ({self.status})"


class Appeal(models.Model):
    """A provider's appeal of an upheld violation (within the policy's days); a grader grants or refuses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        GRANTED = "granted", _("申诉成立")
        REFUSED = "refused", _("申诉驳回")

    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="appeals",
                                  verbose_name=_("违规记录"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                 verbose_name=_("申诉人"))
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("处理理由"), blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("处理人"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("违规申诉")
        verbose_name_plural = _("违规申诉")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One appeal per violation: a refused appeal is final.
            models.UniqueConstraint(fields=["violation"], name="%(app_label)s_%(class)s_once_per_violation",
                                    violation_error_message=_("该违规记录已申诉过。")),
        ]

    def __str__(self):
        return f"#{self.pk} {self.violation_id} ({self.status})"


class ConductEvent(models.Model):
    """Audit of every change in the ledger: who, when, what, from, to, why."""

    class Kind(models.TextChoices):
        VIOLATION_RECORDED = "violation_recorded", _("记录违规")
        VIOLATION_CHANGED = "violation_changed", _("修改违规")
        VIOLATION_WITHDRAWN = "violation_withdrawn", _("撤销违规")
        SANCTION_CHANGED = "sanction_changed", _("处罚变更")
        REINSTATED = "reinstated", _("恢复上架")
        COMPLAINT_FILED = "complaint_filed", _("提交投诉")
        COMPLAINT_ANSWERED = "complaint_answered", _("答复投诉")
        COMPLAINT_UNANSWERED = "complaint_unanswered", _("投诉逾期未答复")
        COMPLAINT_UPHELD = "complaint_upheld", _("投诉成立")
        COMPLAINT_DISMISSED = "complaint_dismissed", _("投诉驳回")
        APPEAL_FILED = "appeal_filed", _("提交申诉")
        APPEAL_GRANTED = "appeal_granted", _("申诉成立")
        APPEAL_REFUSED = "appeal_refused", _("申诉驳回")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="conduct_events",
                                 verbose_name=_("服务商"))
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    violation = models.ForeignKey(Violation, on_delete=models.SET_NULL, null=True, blank=True, related_name="events",
                                  verbose_name=_("违规记录"))
    complaint = models.ForeignKey(Complaint, on_delete=models.SET_NULL, null=True, blank=True, related_name="events",
                                  verbose_name=_("投诉"))
    from_value = models.CharField(_("原值"), max_length=40, blank=True)
    to_value = models.CharField(_("新值"), max_length=40, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("违规积分日志")
        verbose_name_plural = _("违规积分日志")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.provider_id} {self.kind} {self.from_value}→{self.to_value}"

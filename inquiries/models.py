"""Requests for proposals (需求单), each invited provider's part (Bid), proposals, messages, reports and the audit."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .states import BidStatus, RequestStatus


class InquiryRequest(models.Model):
    """What a merchant needs, sent to up to five providers."""

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inquiry_requests", verbose_name=_("商家")
    )
    platform = models.ForeignKey("providers.Platform", on_delete=models.PROTECT, related_name="+", verbose_name=_("平台"))
    category = models.ForeignKey("providers.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("类目"))
    # One of the merchant's verified stores, or none for a store still to open (named in new_store_name).
    store = models.ForeignKey(
        "providers.Store", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("店铺")
    )
    new_store_name = models.CharField(_("新店名称"), max_length=120, blank=True)
    services = models.ManyToManyField("providers.Service", related_name="+", blank=True, verbose_name=_("所需服务"))
    budget_min = models.PositiveIntegerField(_("月预算下限（元）"))
    budget_max = models.PositiveIntegerField(_("月预算上限（元）"))
    start_month = models.DateField(_("期望开始月份"))
    term_months = models.PositiveSmallIntegerField(_("合作期限（月）"))
    description = models.TextField(_("需求说明"), max_length=4000)
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN,
                              db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("需求单")
        verbose_name_plural = _("需求单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_max__gte=F("budget_min")), name="inquiries_budget_ordered"),
            models.CheckConstraint(condition=Q(term_months__gte=1, term_months__lte=60), name="inquiries_term_range"),
            models.CheckConstraint(condition=Q(store__isnull=False) | ~Q(new_store_name=""),
                                   name="inquiries_store_or_new_store"),
        ]

    def __str__(self):
        return f"需求单 #{self.pk}"


class Bid(models.Model):
    """One provider's part in a request: invited, then a proposal or a refusal, then chosen or not."""

    request = models.ForeignKey(InquiryRequest, on_delete=models.CASCADE, related_name="bids", verbose_name=_("需求单"))
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="bids",
                                 verbose_name=_("服务商"))
    status = models.CharField(_("状态"), max_length=12, choices=BidStatus.choices, default=BidStatus.INVITED,
                              db_index=True)
    # Chosen by the directory's suggestion (with why it matched) rather than by the merchant.
    suggested = models.BooleanField(_("系统推荐"), default=False)
    match_reasons = models.JSONField(_("推荐理由"), default=list, blank=True)
    decline_reason = models.CharField(_("婉拒理由"), max_length=500, blank=True)
    invited_at = models.DateTimeField(_("邀请时间"), auto_now_add=True, db_index=True)
    # The provider's first answer (proposal or refusal): the response statistics are measured to it.
    responded_at = models.DateTimeField(_("首次回复时间"), null=True, blank=True)
    engagement = models.OneToOneField("providers.Engagement", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="bid", verbose_name=_("合作"))

    class Meta:
        verbose_name = _("服务商应答")
        verbose_name_plural = _("服务商应答")
        ordering = ["request", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "provider"], name="inquiries_bid_once_per_provider"),
        ]
        indexes = [models.Index(fields=["provider", "invited_at"], name="inquiries_bid_provider_idx")]

    def __str__(self):
        return f"{self.request} → {self.provider}"


class Proposal(models.Model):
    """A provider's offer for a request (方案)."""

    bid = models.OneToOneField(Bid, on_delete=models.CASCADE, related_name="proposal", verbose_name=_("应答"))
    monthly_fee = models.PositiveIntegerField(_("月服务费（元）"))
    setup_fee = models.PositiveIntegerField(_("启动费（元）"), default=0)
    commission_pct = models.DecimalField(_("销售提成（%）"), max_digits=4, decimal_places=1, null=True, blank=True)
    services = models.ManyToManyField("providers.Service", related_name="+", blank=True, verbose_name=_("包含服务"))
    term_months = models.PositiveSmallIntegerField(_("合作期限（月）"))
    commitments = models.TextField(_("服务承诺"), max_length=4000)
    message = models.TextField(_("附言"), max_length=4000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                               verbose_name=_("提交人"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("方案")
        verbose_name_plural = _("方案")
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_pct__isnull=True) | Q(commission_pct__gte=0, commission_pct__lte=50),
                name="inquiries_commission_range",
            ),
            models.CheckConstraint(condition=Q(term_months__gte=1, term_months__lte=60),
                                   name="inquiries_proposal_term_range"),
        ]

    def __str__(self):
        return f"方案 · {self.bid}"


class Message(models.Model):
    """A message in the thread between the merchant and one provider about one request."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="messages", verbose_name=_("应答"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                               verbose_name=_("作者"))
    from_provider = models.BooleanField(_("来自服务商"))
    body = models.TextField(_("内容"), max_length=4000)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["bid", "created_at", "pk"]


class PromiseReport(models.Model):
    """A merchant's report of guarantee language (保证销量…) in a proposal or message: a complaint to moderate."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("成立")
        DISMISSED = "dismissed", _("不成立")

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="reports", verbose_name=_("应答"))
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("消息"))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                 verbose_name=_("举报人"))
    # The guarantee phrases found, so the moderator sees at once what was flagged.
    phrases = models.JSONField(_("涉及用语"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(_("举报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺举报")
        verbose_name_plural = _("承诺举报")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Once per reporter for the proposal, and once per message.
            models.UniqueConstraint(fields=["bid", "reporter"], condition=Q(message__isnull=True),
                                    name="inquiries_report_proposal_once"),
            models.UniqueConstraint(fields=["message", "reporter"], condition=Q(message__isnull=False),
                                    name="inquiries_report_message_once"),
        ]


class InquiryEvent(models.Model):
    """The audit of every move: which request and provider part, from and to which status, by whom, why."""

    request = models.ForeignKey(InquiryRequest, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("需求单"))
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                            verbose_name=_("应答"))
    action = models.CharField(_("动作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("询价事件")
        verbose_name_plural = _("询价事件")
        ordering = ["at", "pk"]


class Notification(models.Model):
    """An on-site notice of one step of the flow (the header shows the unread count); e-mailed unless turned off."""

    class Kind(models.TextChoices):
        NEW_REQUEST = "new_request", _("新需求")
        PROPOSAL = "proposal", _("收到方案")
        MESSAGE = "message", _("新消息")
        ACCEPTED = "accepted", _("方案被选定")
        NOT_SELECTED = "not_selected", _("方案未被选中")
        CONFIRMED = "confirmed", _("合作已确认")
        EXPIRED = "expired", _("需求超时")
        CLOSED = "closed", _("需求单已结束")
        REOPENED = "reopened", _("重新选择方案")
        REVIEW_INVITATION = "review_invitation", _("评价邀请")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("用户"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    # Text without personal data: who and what are named by the page the link opens, after its own checks.
    title = models.CharField(_("标题"), max_length=200)
    url = models.CharField(_("链接"), max_length=300)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="inquiries_notice_unread_idx")]


class EmailOptOut(models.Model):
    """A kind of notification a user no longer wants by e-mail (the on-site notice stays)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("用户"))
    kind = models.CharField(_("类型"), max_length=20, choices=Notification.Kind.choices)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("邮件退订")
        verbose_name_plural = _("邮件退订")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="inquiries_optout_once")]


class ReviewInvitation(models.Model):
    """That the merchant was invited to review an engagement at one moment (30 days in, or its end): sent once."""

    class Moment(models.TextChoices):
        DAY_30 = "day_30", _("合作 30 天")
        ENDED = "ended", _("合作结束")

    engagement = models.ForeignKey("providers.Engagement", on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("合作"))
    moment = models.CharField(_("时机"), max_length=10, choices=Moment.choices)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")
        constraints = [models.UniqueConstraint(fields=["engagement", "moment"], name="inquiries_invitation_once")]

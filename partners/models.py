"""Partner access: API keys, webhook subscriptions and their delivery log, and remembered idempotent requests."""
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("读取")
    INGEST = "ingest", _("上传表现数据")
    WEBHOOKS = "webhooks", _("管理 Webhook")
    # A provider's own key: the requests for proposals sent to that provider (/api/v1/leads/, lead webhooks).
    LEADS = "leads", _("读取需求单")
    # A platform partner verifies merchants' store claims (POST /api/v1/store-claims/{id}/verify/).
    CLAIMS = "claims", _("核验店铺认领")


class ApiKey(models.Model):
    """A partner's API key: only a lookup prefix and the SHA-256 of the whole key are stored."""

    name = models.CharField(_("名称"), max_length=120)
    # Public part of the key (`<prefix>.<secret>`), unique, so a request finds its row without scanning hashes.
    prefix = models.CharField(_("前缀"), max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    can_read = models.BooleanField(_("读取"), default=True)
    can_ingest = models.BooleanField(_("上传表现数据"), default=False)
    can_webhooks = models.BooleanField(_("管理 Webhook"), default=False)
    can_leads = models.BooleanField(_("读取需求单"), default=False)
    can_claims = models.BooleanField(_("核验店铺认领"), default=False)
    # Set for a provider's own key: the leads scope then reads that provider's requests, and only those.
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="api_keys", verbose_name=_("所属服务商"))
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def scopes(self) -> frozenset[str]:
        flags = {Scope.READ: self.can_read, Scope.INGEST: self.can_ingest, Scope.WEBHOOKS: self.can_webhooks,
                 # Leads only on a provider's own key: a partner's key never reads requests.
                 Scope.LEADS: self.can_leads and self.provider_id is not None,
                 Scope.CLAIMS: self.can_claims}
        return frozenset(scope.value for scope, allowed in flags.items() if allowed)

    def clean(self):
        if self.can_leads and self.provider_id is None:
            raise ValidationError({"can_leads": _("“leads”权限只能给服务商自己的密钥（请选择所属服务商）。")})

    def is_usable(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class WebhookEvent(models.TextChoices):
    TIER_CHANGED = "provider.tier_changed", _("星级变更")
    STATUS_CHANGED = "provider.status_changed", _("状态变更")
    # The conduct ledger's sanction, for every provider (listed or not: partners learn that one was hidden).
    SANCTION_CHANGED = "provider.sanction_changed", _("处罚变更")
    # For a provider's own key with the leads scope: its new requests and its confirmed hires.
    INQUIRY_CREATED = "inquiry.created", _("收到需求单")
    ENGAGEMENT_CONFIRMED = "engagement.confirmed", _("合作已确认")


class WebhookSubscription(models.Model):
    """A URL a partner's key wants its chosen events (WebhookEvent) POSTed to, signed with the subscription's secret."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("API 密钥"))
    url = models.URLField(_("回调地址"), max_length=500)
    events = models.JSONField(_("事件"), default=list)
    # Kept in clear: every delivery is signed with it (HMAC), so it cannot be stored as a one-way hash.
    secret = models.CharField(_("签名密钥"), max_length=128)
    is_active = models.BooleanField(_("启用"), default=True)
    # Consecutive deliveries that failed for good; reset by a success, disables the subscription at the limit.
    failure_count = models.PositiveIntegerField(_("连续失败次数"), default=0)
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")
        ordering = ["-created_at", "id"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one subscription, with the outcome of its latest attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        RETRYING = "retrying", _("重试中")
        SUCCEEDED = "succeeded", _("已送达")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("订阅")
    )
    event = models.CharField(_("事件"), max_length=40, choices=WebhookEvent.choices)
    # What changed, independent of the RatingEvent row (a recompute rerun rebuilds those rows with new ids).
    event_key = models.CharField(_("事件标识"), max_length=120)
    event_id = models.UUIDField(_("事件ID"))
    payload = models.JSONField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    response_status = models.PositiveSmallIntegerField(_("响应状态码"), null=True, blank=True)
    response_body = models.TextField(_("响应内容（截断）"), blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "created_at"], name="partners_delivery_sub_idx")]
        constraints = [
            # A rerun of a recompute reports the same change again; it is delivered once per subscription.
            models.UniqueConstraint(
                fields=["subscription", "event_key"], name="%(app_label)s_%(class)s_unique_subscription_event"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "retrying", "succeeded", "failed"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription_id} ({self.status})"


class IdempotentRequest(models.Model):
    """The first response to a write sent with an `Idempotency-Key`, replayed when the same key is sent again."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+", verbose_name=_("API 密钥"))
    key = models.CharField(_("幂等键"), max_length=255)
    endpoint = models.CharField(_("接口"), max_length=80)
    # SHA-256 of the request body: the same key with another body is the client's mistake, not a retry.
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("响应状态码"))
    response_body = models.JSONField(_("响应内容"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "endpoint", "key"], name="%(app_label)s_%(class)s_unique_key_endpoint"
            ),
        ]

    def __str__(self):
        return f"{self.endpoint} {self.key}"

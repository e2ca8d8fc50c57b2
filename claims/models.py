"""Claims: a merchant account claims a store, a provider-staff account claims a provider; both audited.

A claim carries private evidence (a back-office screenshot, a business licence) kept in the private storage and
served only by claims.views.evidence views. Status moves live in claims/states.py, writes in claims/services.py.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.uploads import evidence_upload_to, private_storage
from providers.models import Platform, Provider, Store


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    VERIFIED = "verified", _("已核验")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class EvidenceMixin(models.Model):
    # The type read from the file's first bytes at upload (common.uploads), served back as the content type.
    evidence = models.FileField(_("证明材料"), storage=private_storage, upload_to=evidence_upload_to, max_length=200)
    evidence_type = models.CharField(_("材料类型"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING, db_index=True
    )
    # Shown to the claimant: why it was rejected.
    reason = models.TextField(_("驳回理由"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        abstract = True


class StoreClaim(EvidenceMixin):
    """A merchant account's claim to a store (platform + the platform's store id), verified by a steward or partner.

    The store row is looked up at claim time and created only when the claim is verified, so rejected or
    withdrawn claims leave no made-up stores in the directory's data; it is matched on (platform, external_id),
    the store's unique key, so it is never duplicated.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_claims", verbose_name=_("账号")
    )
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="+", verbose_name=_("平台"))
    external_id = models.CharField(_("平台店铺ID"), max_length=64)
    store_name = models.CharField(_("店铺名称"), max_length=120)
    store = models.ForeignKey(
        Store, on_delete=models.SET_NULL, null=True, blank=True, related_name="claims", verbose_name=_("店铺")
    )

    class Meta:
        verbose_name = _("店铺认领")
        verbose_name_plural = _("店铺认领")
        ordering = ["-created_at", "-pk"]
        permissions = [("verify_storeclaim", _("可核验或驳回店铺认领"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "platform", "external_id"], condition=Q(status="pending"),
                name="%(app_label)s_%(class)s_one_pending_per_account_store",
                violation_error_message=_("您已有一条该店铺的待审核认领。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="%(app_label)s_%(class)s_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(store__isnull=False),
                name="%(app_label)s_%(class)s_verified_has_store",
            ),
        ]

    def __str__(self):
        return f"{self.store_name} · {self.external_id}"


class ProviderClaim(EvidenceMixin):
    """A provider-staff account's claim to a listed provider, backed by its 统一社会信用代码 and business licence."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_claims", verbose_name=_("账号")
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="claims", verbose_name=_("服务商"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)

    class Meta:
        verbose_name = _("服务商认领")
        verbose_name_plural = _("服务商认领")
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_providerclaim", _("可批准或驳回服务商认领"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "provider"], condition=Q(status="pending"),
                name="%(app_label)s_%(class)s_one_pending_per_account_provider",
                violation_error_message=_("您已有一条该服务商的待审核认领。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="%(app_label)s_%(class)s_rejected_has_reason",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} · {self.credit_code}"


class ProviderCreditCode(models.Model):
    """The 统一社会信用代码 an approved claim proved for a provider: one code backs one provider, and back."""

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, related_name="verified_credit_code", verbose_name=_("服务商")
    )
    code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True,
        error_messages={"unique": _("该统一社会信用代码已用于另一家服务商。")},
    )
    claim = models.ForeignKey(
        ProviderClaim, on_delete=models.PROTECT, related_name="+", verbose_name=_("依据的认领")
    )
    at = models.DateTimeField(_("核验时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("统一社会信用代码")
        verbose_name_plural = _("统一社会信用代码")

    def __str__(self):
        return self.code


class ClaimEvent(models.Model):
    """One audited move of a claim: who (an account, or a partner's API key by its prefix), what, why, when.

    No personal data: the actor is a foreign key (or `api-key:<prefix>`), never a name or an address.
    """

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("提交")
        VERIFIED = "verified", _("核验通过")
        REJECTED = "rejected", _("驳回")
        WITHDRAWN = "withdrawn", _("撤回")

    store_claim = models.ForeignKey(
        StoreClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("店铺认领")
    )
    provider_claim = models.ForeignKey(
        ProviderClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
        verbose_name=_("服务商认领"),
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("操作人"),
    )
    # A partner's key has no user row: "api-key:<prefix>" (claims sits below partners, so no foreign key to it).
    actor_label = models.CharField(_("操作方"), max_length=40, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("认领事件")
        verbose_name_plural = _("认领事件")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(store_claim__isnull=False, provider_claim__isnull=True)
                | Q(store_claim__isnull=True, provider_claim__isnull=False),
                name="%(app_label)s_%(class)s_one_claim",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

"""Admin for partner access: issue (shown once) and revoke API keys; webhook subscriptions and the delivery log."""
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ApiKey, WebhookDelivery, WebhookSubscription


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "scope_list", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["can_read", "can_ingest", "can_webhooks", "can_claims"]
    search_fields = ["name", "prefix", "note"]
    readonly_fields = ["prefix", "created_by", "created_at", "revoked_at", "last_used_at"]
    fields = ["name", "can_read", "can_ingest", "can_webhooks", "can_claims", "provider", "can_leads", "expires_at",
              "note", *readonly_fields]
    autocomplete_fields = ["provider"]
    list_select_related = ["created_by"]
    actions = ["revoke_keys"]

    @admin.display(description=_("权限"))
    def scope_list(self, obj):
        return ", ".join(sorted(obj.scopes)) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The whole key exists only in this request: it is shown once by response_add and never stored.
        obj._issued_key = services.api_key_issue(api_key=obj, created_by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "api_key": obj,
                   "raw_key": obj._issued_key, "title": _("API 密钥已创建")}
        response = TemplateResponse(request, "admin/partners/apikey/created.html", context)
        # The page holds a secret: no cache may keep it.
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("吊销所选密钥"))
    def revoke_keys(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for api_key in keys:
            services.api_key_revoke(api_key=api_key)
        self.message_user(request, ngettext("已吊销 %d 个密钥。", "已吊销 %d 个密钥。", len(keys)) % len(keys),
                          messages.SUCCESS)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "api_key", "events", "is_active", "failure_count", "disabled_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "api_key__name", "api_key__prefix"]
    list_select_related = ["api_key"]
    # The signing secret is never shown: the partner set or received it when subscribing.
    exclude = ["secret"]
    readonly_fields = ["api_key", "url", "events", "failure_count", "disabled_at", "disabled_reason", "created_at",
                       "updated_at"]
    actions = ["enable", "disable"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("启用所选订阅（清零失败次数）"))
    def enable(self, request, queryset):
        for subscription in queryset:
            services.webhook_subscription_update(subscription=subscription, is_active=True)

    @admin.action(description=_("停用所选订阅"))
    def disable(self, request, queryset):
        for subscription in queryset:
            services.webhook_subscription_update(subscription=subscription, is_active=False)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "subscription", "status", "attempts", "response_status", "error"]
    list_filter = ["status", "event"]
    search_fields = ["subscription__url", "event_id"]
    list_select_related = ["subscription"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

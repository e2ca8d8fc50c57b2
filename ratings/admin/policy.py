"""Rating policy versions in the admin: drafts edited with their tier gates, previewed, activated by Graders."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy as _

from common.admin import validation_messages

from .. import selectors, services
from ..models import TIER_CHOICES, RatingPolicy, TierGate


class TierGateInline(admin.TabularInline):
    model = TierGate
    extra = 0
    autocomplete_fields = ("required_services",)

    # Gates belong to their policy: editable while it is a draft, frozen once it has a version.
    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)


@admin.register(RatingPolicy)
class RatingPolicyAdmin(admin.ModelAdmin):
    """Drafts are edited, previewed against the active version, and activated (Graders); versions are frozen."""

    list_display = ("label", "name", "state", "activated_at", "activated_by", "created_at")
    list_select_related = ("activated_by",)
    inlines = (TierGateInline,)
    readonly_fields = ("version", "is_active", "created_at", "activated_at", "activated_by")
    change_form_template = "admin/ratings/ratingpolicy/change_form.html"
    actions = ["copy_as_draft"]
    fieldsets = (
        (None, {"fields": ("name", ("version", "is_active"), ("activated_at", "activated_by"), "created_at")}),
        (_("评价分"), {"fields": (("prior_mean", "prior_weight"), "half_life_days")}),
        (_("表现分"), {
            "fields": (("product_weight", "logistics_weight", "service_weight"), "performance_window_months",
                       "excellent_store_threshold"),
        }),
        (_("综合分与状态"), {
            "fields": (("review_weight", "performance_weight"), "probation_threshold", "delist_after_months",
                       "demote_after_months"),
        }),
        (_("集中评价检测"), {"fields": ("burst_min_reviews", "burst_rate_multiplier", "burst_baseline_days")}),
    )

    # The active version first, then drafts, then retired versions newest first.
    ordering = ("-is_active", F("version").desc(nulls_first=True), "-created_at")

    @admin.display(description=_("版本"), ordering="version")
    def label(self, obj):
        return f"v{obj.version}" if obj.version is not None else gettext("草稿")

    @admin.display(description=_("状态"))
    def state(self, obj):
        if obj.is_draft:
            return gettext("草稿")
        return gettext("生效中") if obj.is_active else gettext("已停用")

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def has_activate_permission(self, request) -> bool:
        return request.user.has_perm("ratings.activate_ratingpolicy")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would not spare versions
        return actions

    @admin.action(description=_("复制为新草稿"), permissions=["add"])
    def copy_as_draft(self, request, queryset):
        for source in queryset:
            draft = services.policy_draft_create(source=source, actor=request.user)
            self.message_user(request, gettext("已创建草稿“%(name)s”。") % {"name": draft.name}, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/preview/", view(self.preview_view), name="ratings_ratingpolicy_preview"),
            path("<path:object_id>/activate/", view(self.activate_view), name="ratings_ratingpolicy_activate"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_activate": self.has_activate_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _draft(self, request, object_id) -> RatingPolicy:
        policy = get_object_or_404(RatingPolicy, pk=object_id)
        if not policy.is_draft:
            raise PermissionDenied
        return policy

    def preview_view(self, request, object_id):
        """What the draft would do to this month's tiers, on today's data, without writing anything."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        draft = self._draft(request, object_id)
        preview = selectors.policy_preview(draft=draft)
        tier_names = dict(TIER_CHOICES)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("预览草稿：%(name)s") % {"name": draft.name}, "opts": self.opts, "original": draft,
            "preview": preview,
            "tier_rows": [(tier_names.get(tier, gettext("无星级")), counts) for tier, counts in preview.tiers.items()],
            "can_activate": self.has_activate_permission(request),
        }
        return TemplateResponse(request, "admin/ratings/ratingpolicy/preview.html", context)

    def activate_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_activate_permission(request):
            raise PermissionDenied
        draft = self._draft(request, object_id)
        try:
            policy = services.policy_activate(policy=draft, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, validation_messages(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:ratings_ratingpolicy_change", args=[draft.pk]))
        self.message_user(request, gettext("已启用 v%(version)d；本月评级正在按新规则重算。") % {
            "version": policy.version}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:ratings_ratingpolicy_changelist"))

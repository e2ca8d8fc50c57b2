"""Admin for the directory: reference data, providers (with the graders' grading panel), stores and engagements.

Only superusers and staff in one of the admin roles (groups made by providers/migrations/*_roles) get in.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from ratings import exports, selectors as rating_selectors, services as rating_services
from ratings.admin import ReasonForm, export_action, validation_messages
from ratings.models import TIER_CHOICES

from .cache import directory_cache_bump
from .models import Category, Engagement, Platform, Provider, Service, Store
from .selectors import engagement_active_q

ADMIN_ROLES = ("Graders", "Moderators", "Data stewards")
# Selections larger than this are recomputed by the worker rather than inside the request.
RECOMPUTE_IN_REQUEST_MAX = 200


def staff_in_an_admin_role(request) -> bool:
    """Active staff who are superusers or members of an admin role; other accounts never see the admin."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_admin_role"):
        user._admin_role = user.groups.filter(name__in=ADMIN_ROLES).exists()
    return user._admin_role


# The default site is kept (every app registers on it); only its entry check is narrowed.
admin.site.has_permission = staff_in_an_admin_role
admin.site.site_header = _("代运营服务商目录 · 管理后台")
admin.site.site_title = _("服务商目录管理")
admin.site.index_title = _("评级、审核与数据")


class DirectoryCacheBumpMixin:
    """Edits shown on the public pages (names, fees, platforms…) start a new page-cache generation once committed.

    Without it an anonymous visitor would see the old card or page until the cache entry expired.
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # after the many-to-many rows, which cards show too
        transaction.on_commit(directory_cache_bump)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(directory_cache_bump)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(directory_cache_bump)


class ReferenceDataAdmin(DirectoryCacheBumpMixin, admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "position")
    search_fields = ("code", "name", "name_en")
    ordering = ("position", "code")


admin.site.register(Platform, ReferenceDataAdmin)
admin.site.register(Category, ReferenceDataAdmin)
admin.site.register(Service, ReferenceDataAdmin)


class PinForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("锁定星级"), choices=TIER_CHOICES, coerce=int)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2, "cols": 40}))
    expires_on = forms.DateField(label=_("到期日期（可选）"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("备注（可选）"), required=False, widget=forms.TextInput(attrs={"size": 40}))


CHECK_LABELS = {
    "composite": _("综合分"), "active_stores": _("在营店铺"), "excellent_stores": _("优秀店铺"), "services": _("必备服务"),
}


def gate_rows(explanation: dict) -> list[dict]:
    """A snapshot's gate checks as table rows: each condition's figure against its threshold."""
    rows = []
    for gate in explanation.get("gates", []):
        cells = []
        for check in gate["checks"]:
            value, threshold, needs = check["value"], check["threshold"], "≥"
            if check["name"] == "services":
                value, threshold, needs = "、".join(value) or "—", "、".join(threshold) or "—", gettext("需")
            cells.append({"name": check["name"], "label": CHECK_LABELS.get(check["name"], check["name"]),
                          "value": value, "threshold": threshold, "needs": needs, "met": check["met"]})
        rows.append({"tier": gate["tier"], "met": gate["met"], "cells": cells})
    return rows


GRADING_FORMS = {
    "pin": PinForm, "lift": ReasonForm, "reinstate": ReasonForm, "suspend": ReasonForm, "recompute": OptionalReasonForm,
}


@admin.register(Provider)
class ProviderAdmin(DirectoryCacheBumpMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "city", "status", "tier", "score", "at_risk", "review_count", "verified")
    list_filter = ("status", "tier", "at_risk", "verified", "platforms", "services")
    search_fields = ("name", "name_en", "=slug", "city")
    show_full_result_count = False
    filter_horizontal = ("platforms", "categories", "services")
    # A website typed without a scheme means https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    autocomplete_fields = ("members",)
    prepopulated_fields = {"slug": ("name_en",)}
    change_form_template = "admin/providers/provider/change_form.html"
    # Written by the ratings engine and the grading services (audited), never by hand.
    readonly_fields = (
        "status", "tier", "score", "at_risk", "rated_period", "review_count", "review_average", "reinstated_on",
        "created_at", "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "name_en", "slug", "status", "verified")}),
        (_("公司资料"), {
            "fields": (
                "description", "description_en", "city", "founded_year", "size_band", ("fee_min", "fee_max"),
                "international_brands", "warehouse_area_m2", "website",
            ),
        }),
        (_("平台、类目与服务"), {"fields": ("platforms", "categories", "services")}),
        (_("服务商账号"), {"fields": ("members",)}),
        (_("评级（自动计算）"), {
            "fields": (
                ("tier", "score", "at_risk"), "rated_period", ("review_count", "review_average"), "reinstated_on",
            ),
        }),
        (_("记录"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    actions = ["recompute_selected",
               export_action(exports.providers_export, name="providers", description=_("导出所选服务商（CSV）"))]

    def has_grade_permission(self, request) -> bool:
        return request.user.has_perm("ratings.grade_provider")

    def has_delete_permission(self, request, obj=None):
        # Deleting a provider would take its audit trail with it (cascade); delist or suspend instead.
        if obj is not None and obj.rating_events.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would not spare providers with an audit trail
        return actions

    @admin.action(description=_("立即重算所选服务商"), permissions=["grade"])
    def recompute_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        if len(ids) > RECOMPUTE_IN_REQUEST_MAX:
            # A whole-directory run takes minutes: it goes to the worker instead of holding the request.
            count = rating_services.providers_recompute_later(provider_ids=ids, actor=request.user)
            self.message_user(request, gettext("已将 %(count)d 家服务商排队重算，稍后生效。") % {"count": count},
                              messages.SUCCESS)
            return
        try:
            result = rating_services.providers_recompute_now(provider_ids=ids, actor=request.user)
        except rating_services.RecomputeBusy:
            self.message_user(request, gettext("本月评级正在由另一任务重算，请稍后再试。"), messages.WARNING)
            return
        self.message_user(request, gettext("已重算 %(count)d 家服务商（%(period)s）。") % {
            "count": result.providers, "period": result.period.strftime("%Y-%m")}, messages.SUCCESS)

    def get_urls(self):
        return [
            path("<path:object_id>/grading/<str:action>/", self.admin_site.admin_view(self.grading_view),
                 name="providers_provider_grading"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        provider = self.get_object(request, object_id)
        if provider is not None:
            extra_context = {**(extra_context or {}), **self._grading_context(request, provider)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _grading_context(self, request, provider: Provider) -> dict:
        history = rating_selectors.provider_snapshot_history(provider_id=provider.pk, months=12)
        overrides = rating_selectors.overrides_in_force(on=timezone.localdate(), provider_ids=[provider.pk])
        return {
            "can_grade": self.has_grade_permission(request),
            "can_view_events": request.user.has_perm("ratings.view_ratingevent"),
            "snapshot": history[0] if history else None,
            "gate_rows": gate_rows(history[0].explanation) if history else [],
            "history": history,
            "override": overrides.get(provider.pk),
            "events": rating_selectors.provider_audit_events(provider_id=provider.pk, limit=30),
            "alerts": rating_selectors.provider_alerts_active(provider_ids=[provider.pk]).get(provider.pk, []),
            "pin_form": PinForm(), "reason_form": ReasonForm(), "optional_reason_form": OptionalReasonForm(),
            "can_reinstate": provider.status in (Provider.Status.DELISTED, Provider.Status.SUSPENDED),
            "can_suspend": provider.status != Provider.Status.SUSPENDED,
        }

    def grading_view(self, request, object_id, action):
        """POST one grading action (pin, lift, reinstate, suspend, recompute) for one provider; back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in GRADING_FORMS:
            raise PermissionDenied
        if not self.has_grade_permission(request):
            raise PermissionDenied
        provider = get_object_or_404(Provider, pk=object_id)
        form = GRADING_FORMS[action](request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([f"{form.fields[name].label}：{error}" for name, errors in form.errors.items()
                                       for error in errors])
            message = self._grade(request, provider, action, form.cleaned_data)
        except ValidationError as exc:
            self.message_user(request, validation_messages(exc), messages.ERROR)
        except rating_services.RecomputeBusy:
            self.message_user(request, gettext("本月评级正在由另一任务重算，请稍后再试。"), messages.WARNING)
        else:
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:providers_provider_change", args=[provider.pk]))

    def _grade(self, request, provider: Provider, action: str, data: dict) -> str:
        actor = request.user
        if action == "pin":
            rating_services.tier_override_pin(
                provider=provider, tier=data["tier"], reason=data["reason"], expires_on=data["expires_on"], actor=actor
            )
            return gettext("已锁定为 %(tier)d 星；评级将在稍后的重算中生效。") % {"tier": data["tier"]}
        if action == "lift":
            override = rating_selectors.overrides_in_force(
                on=timezone.localdate(), provider_ids=[provider.pk]).get(provider.pk)
            if override is None:
                raise ValidationError(gettext("该服务商当前没有生效的星级锁定。"))
            rating_services.tier_override_lift(override=override, actor=actor, reason=data["reason"])
            return gettext("已解除星级锁定。")
        if action == "reinstate":
            rating_services.provider_reinstate(provider=provider, actor=actor, reason=data["reason"])
            return gettext("已恢复该服务商。")
        if action == "suspend":
            rating_services.provider_suspend(provider=provider, actor=actor, reason=data["reason"])
            return gettext("已暂停该服务商。")
        result = rating_services.providers_recompute_now(provider_ids=[provider.pk], actor=actor,
                                                         reason=data["reason"])
        provider.refresh_from_db(fields=["tier"])
        return gettext("已重算 %(period)s：当前星级 %(tier)s。") % {
            "period": result.period.strftime("%Y-%m"), "tier": provider.tier or "—"}


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "external_id", "category")
    list_select_related = ("platform", "category")
    list_filter = ("platform", "category")
    search_fields = ("=external_id", "name")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("merchants",)
    show_full_result_count = False

    def get_queryset(self, request):
        # Store.__str__ names the platform; autocomplete results and change forms need it too.
        return super().get_queryset(request).select_related("platform")


class EngagementStateFilter(admin.SimpleListFilter):
    title = _("合作状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("ongoing", _("进行中")), ("upcoming", _("未开始")), ("ended", _("已结束")))

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "ongoing":
            return queryset.filter(engagement_active_q(on=today))
        if self.value() == "upcoming":
            return queryset.filter(start_date__gt=today)
        if self.value() == "ended":
            return queryset.filter(end_date__lt=today)
        return queryset


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ("provider", "store", "start_date", "end_date")
    # Related rows for the page only: joined, PostgreSQL would hash-join every engagement before the sort.
    list_select_related = ()
    list_filter = (EngagementStateFilter, "store__platform")
    search_fields = ("provider__name", "=provider__slug", "store__name", "=store__external_id")
    autocomplete_fields = ("provider", "store")
    date_hierarchy = "start_date"
    show_full_result_count = False
    actions = [export_action(exports.engagements_export, name="engagements", description=_("导出所选合作（CSV）"))]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provider", "store__platform")

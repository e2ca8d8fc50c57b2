"""The graders' workbench on the provider admin: the gates of its latest snapshot, 12 months of history, overrides
in force, the audit trail, and the grading actions (pin, lift, reinstate, suspend, recompute), each one service call.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from common.admin import AfterCommitMixin, ReasonForm, validation_messages
from providers.admin import MembershipInline
from providers.cache import directory_cache_bump
from providers.models import Provider
from providers.presenters import gate_table
from providers.selectors import service_names_by_code
from providers.search.services import providers_search_refresh

from .. import selectors as rating_selectors, services as rating_services
from ..models import TIER_CHOICES


class PinForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("锁定星级"), choices=TIER_CHOICES, coerce=int)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2, "cols": 40}))
    expires_on = forms.DateField(label=_("到期日期（可选）"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("备注（可选）"), required=False, widget=forms.TextInput(attrs={"size": 40}))


GRADING_FORMS = {
    "pin": PinForm, "lift": ReasonForm, "reinstate": ReasonForm, "suspend": ReasonForm, "recompute": OptionalReasonForm,
}


@admin.register(Provider)
class ProviderAdmin(AfterCommitMixin, admin.ModelAdmin):
    """Providers with the graders' panel: gates against thresholds, history, overrides, audited grading actions."""

    after_commit = staticmethod(directory_cache_bump)
    list_display = ("name", "slug", "city", "status", "tier", "score", "at_risk", "review_count", "verified")
    list_filter = ("status", "tier", "at_risk", "verified", "platforms", "services")
    search_fields = ("name", "name_en", "=slug", "city")
    show_full_result_count = False
    filter_horizontal = ("platforms", "categories", "services")
    # A website typed without a scheme means https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipInline]
    prepopulated_fields = {"slug": ("name_en",)}
    change_form_template = "admin/providers/provider/change_form.html"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Names, descriptions, city and relations are searched: the search row follows them in the same save.
        providers_search_refresh(provider_ids=[form.instance.pk])
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
        (_("评级（自动计算）"), {
            "fields": (
                ("tier", "score", "at_risk"), "rated_period", ("review_count", "review_average"), "reinstated_on",
            ),
        }),
        (_("记录"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    actions = ["recompute_selected"]

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
        try:
            result = rating_services.providers_recompute(
                provider_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        except rating_services.RecomputeBusy:
            self.message_user(request, gettext("本月评级正在由另一任务重算，请稍后再试。"), messages.WARNING)
            return
        if result is None:
            self.message_user(request, gettext("已将 %(count)d 家服务商排队重算，稍后生效。") % {"count": queryset.count()},
                              messages.SUCCESS)
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
            "gate_rows": gate_table(history[0].explanation, service_names=service_names_by_code()) if history else [],
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

"""The rating evidence and the engine's output in the admin: performance rows, snapshots, the audit trail, locks."""
from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy as _

from common.admin import ReadOnlyAdmin

from providers.models import Provider

from ..models import PendingRecompute, PeriodLock, RatingEvent, Review, ScoreSnapshot, StorePerformance, TierOverride
from ..services.recompute import engine_reason_parts


@admin.register(StorePerformance)
class StorePerformanceAdmin(admin.ModelAdmin):
    list_display = ("store", "period", "product_score", "logistics_score", "service_score", "gmv", "orders")
    # Newest month first, read backwards along the (period, store) index; stores for the page only.
    ordering = ("-period", "-store_id")
    list_select_related = ()
    list_filter = ("period", "store__platform")
    search_fields = ("=store__external_id", "store__name")
    autocomplete_fields = ("store",)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("store__platform")


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("provider", "period", "composite", "tier", "candidate_tier", "status", "at_risk", "policy")
    # Newest month first without sorting by provider name (a join over every snapshot); see ReviewAdmin.
    ordering = ("-period", "provider_id")
    list_select_related = ()
    list_filter = ("period", "tier", "status", "at_risk")
    search_fields = ("provider__name", "=provider__slug")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provider", "policy")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


class SourceFilter(admin.SimpleListFilter):
    title = _("来源")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return (("manual", _("人工操作")), ("engine", _("系统计算")))

    def queryset(self, request, queryset):
        if self.value() == "manual":
            return queryset.filter(actor__isnull=False)
        if self.value() == "engine":
            return queryset.filter(actor__isnull=True)
        return queryset


@admin.register(RatingEvent)
class RatingEventAdmin(ReadOnlyAdmin):
    """The audit list: every tier, status, override, recompute, moderation and alert event, never editable."""

    list_display = ("created_at", "provider", "kind", "period", "from_display", "to_display", "who", "short_reason")
    list_select_related = ()  # see ReviewAdmin
    list_filter = ("kind", SourceFilter, ("created_at", admin.DateFieldListFilter), "period")
    search_fields = ("provider__name", "=provider__slug", "reason")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provider", "actor")

    def lookup_allowed(self, lookup, value, request=None):
        # The provider page links here filtered to one provider.
        return lookup in ("provider__id__exact", "review__id__exact") or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("操作人"), ordering="actor")
    def who(self, obj):
        return obj.actor or gettext("系统")

    @admin.display(description=_("原值"), ordering="from_value")
    def from_display(self, obj):
        return event_value_display(obj.kind, obj.from_value)

    @admin.display(description=_("新值"), ordering="to_value")
    def to_display(self, obj):
        return event_value_display(obj.kind, obj.to_value)

    @admin.display(description=_("原因"))
    def short_reason(self, obj):
        return Truncator(event_reason_display(obj.reason)).chars(60)


def event_value_display(kind: str, value: str) -> str:
    """An event's stored code in the reader's language: 活跃 for "active", 4★ for "4", 无 for no tier."""
    if kind in (RatingEvent.Kind.TIER, RatingEvent.Kind.OVERRIDE):
        return f"{value}★" if value else gettext("无")
    if kind == RatingEvent.Kind.STATUS and value in Provider.Status.values:
        return Provider.Status(value).label
    if kind == RatingEvent.Kind.REVIEW and value in Review.Status.values:
        return Review.Status(value).label
    return value or "—"


def event_reason_display(reason: str) -> str:
    """The engine's English reason in the reader's language; a person's reason as written."""
    parts = engine_reason_parts(reason)
    if parts is None:
        return reason
    return gettext("重算 %(period)s（截至 %(as_of)s）") % {"period": parts[0], "as_of": parts[1]}


@admin.register(TierOverride)
class TierOverrideAdmin(ReadOnlyAdmin):
    """Overrides are pinned and lifted on the provider's page (reason required, audited); listed here."""

    list_display = ("provider", "tier", "starts_on", "expires_on", "lifted_on", "created_by", "reason")
    list_select_related = ("provider", "created_by")
    list_filter = ("tier",)
    search_fields = ("provider__name", "reason")


@admin.register(PendingRecompute)
class PendingRecomputeAdmin(ReadOnlyAdmin):
    list_display = ("provider", "requested_at")
    list_select_related = ("provider",)


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyAdmin):
    list_display = ("period",)

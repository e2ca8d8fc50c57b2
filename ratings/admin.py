"""Admin for the rating evidence, the policy and the engine's output (snapshots and events are read-only)."""
from django.contrib import admin

from .models import (
    PendingRecompute,
    PeriodLock,
    RatingEvent,
    RatingPolicy,
    Review,
    ScoreSnapshot,
    StorePerformance,
    TierGate,
    TierOverride,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the rating engine writes: staff may look, nobody edits them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("provider", "rating", "created_at", "status", "verified")
    list_select_related = ("provider",)
    list_filter = ("status", "verified", "rating")
    search_fields = ("provider__name", "title", "body", "store__external_id")
    autocomplete_fields = ("provider", "store", "author")
    date_hierarchy = "created_at"
    # verified is derived from engagements by ratings.services.reviews_refresh_verification.
    readonly_fields = ("verified", "submitted_at", "updated_at")


@admin.register(StorePerformance)
class StorePerformanceAdmin(admin.ModelAdmin):
    list_display = ("store", "period", "product_score", "logistics_score", "service_score", "gmv", "orders")
    list_select_related = ("store__platform",)
    list_filter = ("period", "store__platform")
    search_fields = ("store__external_id", "store__name")
    autocomplete_fields = ("store",)


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("provider", "period", "composite", "tier", "candidate_tier", "status", "at_risk", "policy")
    list_select_related = ("provider", "policy")
    list_filter = ("period", "tier", "status", "at_risk")
    search_fields = ("provider__name", "provider__slug")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


class TierGateInline(admin.TabularInline):
    model = TierGate
    extra = 0
    autocomplete_fields = ("required_services",)


@admin.register(RatingPolicy)
class RatingPolicyAdmin(admin.ModelAdmin):
    list_display = ("version", "name", "is_active", "created_at")
    list_filter = ("is_active",)
    inlines = (TierGateInline,)
    readonly_fields = ("created_at",)


@admin.register(TierOverride)
class TierOverrideAdmin(admin.ModelAdmin):
    list_display = ("provider", "tier", "starts_on", "expires_on", "lifted_on", "created_by")
    list_select_related = ("provider", "created_by")
    list_filter = ("tier",)
    search_fields = ("provider__name", "reason")
    raw_id_fields = ("provider",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        # Record who pinned the tier; the recompute reads overrides on its next run.
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(RatingEvent)
class RatingEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "provider", "kind", "period", "from_value", "to_value", "actor")
    list_select_related = ("provider", "actor")
    list_filter = ("kind", "period")
    search_fields = ("provider__name", "reason")


@admin.register(PendingRecompute)
class PendingRecomputeAdmin(ReadOnlyAdmin):
    list_display = ("provider", "requested_at")
    list_select_related = ("provider",)


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyAdmin):
    list_display = ("period",)

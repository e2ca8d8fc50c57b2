"""Admin for the directory: reference data, providers, stores and engagements."""
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Category, Engagement, Platform, Provider, Service, Store
from .selectors import engagement_active_q


class ReferenceDataAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "position")
    search_fields = ("code", "name", "name_en")
    ordering = ("position", "code")


admin.site.register(Platform, ReferenceDataAdmin)
admin.site.register(Category, ReferenceDataAdmin)
admin.site.register(Service, ReferenceDataAdmin)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "city", "status", "tier", "score", "at_risk", "review_count", "verified")
    list_filter = ("status", "tier", "verified", "platforms", "services", "city")
    search_fields = ("name", "name_en", "slug", "city")
    filter_horizontal = ("platforms", "categories", "services")
    prepopulated_fields = {"slug": ("name_en",)}
    # Written by the ratings engine and the reinstate service, never by hand.
    readonly_fields = (
        "tier", "score", "at_risk", "rated_period", "review_count", "review_average", "reinstated_on",
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


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "external_id", "category")
    list_select_related = ("platform", "category")
    list_filter = ("platform", "category")
    search_fields = ("external_id", "name")
    readonly_fields = ("created_at",)

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
    list_select_related = ("provider", "store__platform")
    list_filter = (EngagementStateFilter, "store__platform")
    search_fields = ("provider__name", "store__name", "store__external_id")
    autocomplete_fields = ("provider", "store")
    date_hierarchy = "start_date"

"""Admin for the directory: who gets in, reference data, stores and engagements.

The provider admin is the graders' workbench (ratings/admin/grading.py); CSV exports are added by ingest/admin.py.

Only superusers and staff in one of the admin roles (groups made by providers/migrations/*_roles) get in.
"""
from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.admin import AfterCommitMixin, ReadOnlyAdmin

from .cache import directory_cache_bump
from .models import Category, Engagement, Membership, Platform, ProviderSearch, Service, ShortlistEntry, Store
from .search.services import reference_search_refresh
from .selectors import engagement_active_q

ADMIN_ROLES = ("Graders", "Moderators", "Data stewards")


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


class MembershipInline(admin.TabularInline):
    """A provider's team on its admin page (the graders' workbench): who acts for it, in which role."""

    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)


# The default site is kept (every app registers on it); only its entry check is narrowed.
admin.site.has_permission = staff_in_an_admin_role
admin.site.site_header = _("代运营服务商目录 · 管理后台")
admin.site.site_title = _("服务商目录管理")
admin.site.index_title = _("评级、审核与数据")


class ReferenceDataAdmin(AfterCommitMixin, admin.ModelAdmin):
    # Reference names show on cached cards and pages.
    after_commit = staticmethod(directory_cache_bump)
    list_display = ("code", "name", "name_en", "position")
    search_fields = ("code", "name", "name_en")
    ordering = ("position", "code")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "name_en"} & set(form.changed_data):  # searched: the linked providers' rows follow
            reference_search_refresh(relation=SEARCH_RELATIONS[type(obj)], pk=obj.pk)


SEARCH_RELATIONS = {Platform: "platforms", Category: "categories", Service: "services"}


admin.site.register(Platform, ReferenceDataAdmin)
admin.site.register(Category, ReferenceDataAdmin)
admin.site.register(Service, ReferenceDataAdmin)


@admin.register(ProviderSearch)
class ProviderSearchAdmin(ReadOnlyAdmin):
    """The search rows, to look at: written by providers.search.services whenever searched text changes."""

    list_display = ("provider", "name_sort", "name_en_sort")
    list_select_related = ("provider",)
    search_fields = ("provider__name", "=provider__slug")


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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provider", "store__platform")


@admin.register(ShortlistEntry)
class ShortlistEntryAdmin(ReadOnlyAdmin):
    """Merchants' compare shortlists, for support only: read-only, by account number (no names or addresses)."""

    list_display = ("user_id", "provider", "added_at")
    list_select_related = ("provider",)
    search_fields = ("provider__slug", "provider__name")
    fields = ("user_id", "provider", "added_at")
    readonly_fields = fields
    show_full_result_count = False

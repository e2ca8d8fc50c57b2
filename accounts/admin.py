from django.contrib import admin

from .models import Account, AccountEvent


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at", "deleted_at"]
    list_filter = ["kind", "deleted_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "deleted_at"]


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The audit trail: read-only."""

    list_display = ["at", "kind", "user_ref"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

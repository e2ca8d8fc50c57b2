from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import Account, AccountEvent


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at", "deleted_at"]
    list_filter = ["kind", "deleted_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "deleted_at"]


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    """The audit trail: read-only."""

    list_display = ["at", "kind", "user_ref"]
    list_filter = ["kind"]

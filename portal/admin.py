"""The portal's records in the admin: read-only, written only by portal.services (the team's owners act in the portal)."""
from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import Invitation, TeamEvent


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["provider", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    list_select_related = ["provider"]
    search_fields = ["provider__name", "provider__slug"]
    exclude = ["token_hash"]


@admin.register(TeamEvent)
class TeamEventAdmin(ReadOnlyAdmin):
    """The team's audit trail."""

    list_display = ["at", "provider", "action", "actor", "subject_user_id", "from_role", "role"]
    list_filter = ["action"]
    list_select_related = ["provider", "actor"]
    search_fields = ["provider__name", "provider__slug"]

"""The stewards' and graders' admin: pending claims, their evidence (through the permission-checked view),
verify/approve and reject-with-reason actions calling claims.services; the audit read-only."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.admin import (
    ReadOnlyAdmin,
    ReasonForm,
    action_form_page,
    validation_messages,
)

from . import services
from .models import (
    ClaimEvent,
    ClaimStatus,
    ProviderClaim,
    ProviderCreditCode,
    StoreClaim,
)
from .states import ClaimStateError


class StatusFilter(admin.SimpleListFilter):
    """Pending claims by default: the work queue; "all" and each final status one click away."""

    title = _("状态")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*ClaimStatus.choices, ("all", _("全部"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            selected = (self.value() or ClaimStatus.PENDING) == value
            yield {"selected": selected, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        value = self.value() or ClaimStatus.PENDING
        return queryset if value == "all" else queryset.filter(status=value)


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    fields = ["at", "action", "actor", "actor_label", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimAdmin(admin.ModelAdmin):
    """Shared by both kinds: claims are read here and decided by the actions; nobody edits them by hand."""

    evidence_url_name: str
    decide_permission: str
    inlines = [ClaimEventInline]
    list_filter = [StatusFilter]
    actions = ["verify_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm(self.decide_permission)

    @admin.display(description=_("证明材料"))
    def evidence_link(self, obj):
        url = reverse(self.evidence_url_name, kwargs={"pk": obj.pk})
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a> ({})', url, gettext("打开"),
                           obj.evidence_type)

    def _verify(self, claim, actor):  # pragma: no cover - each admin names its service
        raise NotImplementedError

    def _reject(self, claim, actor, reason):  # pragma: no cover
        raise NotImplementedError

    @admin.action(description=_("核验通过所选认领"), permissions=["decide"])
    def verify_selected(self, request, queryset):
        done, failed = 0, []
        for claim in queryset.filter(status=ClaimStatus.PENDING):
            try:
                self._verify(claim, request.user)
                done += 1
            except (ValidationError, ClaimStateError) as exc:
                text = validation_messages(exc) if isinstance(exc, ValidationError) else str(exc)
                failed.append(f"#{claim.pk}: {text}")
        self.message_user(request, gettext("已核验 %(count)d 条认领。") % {"count": done}, messages.SUCCESS)
        if failed:
            self.message_user(request, "；".join(failed), messages.ERROR)

    @admin.action(description=_("驳回所选认领（需填写理由）"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        pending = queryset.filter(status=ClaimStatus.PENDING)
        if form.is_bound and form.is_valid():
            count = 0
            for claim in pending:
                self._reject(claim, request.user, form.cleaned_data["reason"])
                count += 1
            self.message_user(request, gettext("已驳回 %(count)d 条认领。") % {"count": count}, messages.SUCCESS)
            return None
        return action_form_page(
            self, request, form=form, action="reject_selected", title=_("驳回认领"),
            template="admin/claims/reject.html", claims=list(pending[:200]), count=pending.count(),
        )


@admin.register(StoreClaim)
class StoreClaimAdmin(ClaimAdmin):
    evidence_url_name = "claims:store-claim-evidence"
    decide_permission = "claims.verify_storeclaim"
    list_display = ["pk", "store_name", "platform", "external_id", "store", "status", "created_at", "decided_at"]
    list_select_related = ["platform", "store"]
    search_fields = ["external_id", "store_name"]
    fields = ["user", "platform", "external_id", "store_name", "store", "evidence_link", "status", "reason",
              "created_at", "decided_at"]
    readonly_fields = fields

    def _verify(self, claim, actor):
        services.store_claim_verify(claim=claim, actor=actor)

    def _reject(self, claim, actor, reason):
        services.store_claim_reject(claim=claim, reason=reason, actor=actor)


@admin.register(ProviderClaim)
class ProviderClaimAdmin(ClaimAdmin):
    evidence_url_name = "claims:provider-claim-evidence"
    decide_permission = "claims.decide_providerclaim"
    list_display = ["pk", "provider", "credit_code", "status", "created_at", "decided_at"]
    list_select_related = ["provider"]
    search_fields = ["credit_code", "provider__name", "provider__slug"]
    fields = ["user", "provider", "credit_code", "evidence_link", "status", "reason", "created_at", "decided_at"]
    readonly_fields = fields

    def _verify(self, claim, actor):
        services.provider_claim_approve(claim=claim, actor=actor)

    def _reject(self, claim, actor, reason):
        services.provider_claim_reject(claim=claim, reason=reason, actor=actor)


@admin.register(ProviderCreditCode)
class ProviderCreditCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "provider", "claim", "at"]
    list_select_related = ["provider"]
    search_fields = ["code", "provider__name"]


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "store_claim", "provider_claim", "actor", "actor_label"]
    list_filter = ["action"]
    list_select_related = ["store_claim", "provider_claim", "actor"]

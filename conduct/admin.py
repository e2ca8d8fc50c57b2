"""The conduct ledger's admin: graders record violations, withdraw them, reinstate and decide appeals; moderators
decide complaints. Every write goes through conduct.services / conduct.complaints (audited, the ledger applied)."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, ReasonForm, action_form_page, validation_messages

from . import complaints, services
from .models import Appeal, Complaint, ConductEvent, ConductPolicy, Reinstatement, Violation, ViolationType

DECIDE_TEMPLATE = "admin/conduct/decide.html"


@admin.register(ConductPolicy)
class ConductPolicyAdmin(ReadOnlyAdmin):
    list_display = ["version", "name", "is_active", "warning_at", "hidden_at", "frozen_at", "delisted_at",
                    "cleared_at"]


class ViolationForm(forms.ModelForm):
    class Meta:
        model = Violation
        fields = ["provider", "type", "occurred_on", "decided_on", "reference", "note"]

    def clean(self):
        data = super().clean()
        if all(data.get(name) for name in ("type", "occurred_on", "decided_on")):
            services.violation_validate(violation_type=data["type"], occurred_on=data["occurred_on"],
                                        decided_on=data["decided_on"])
        return data


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    form = ViolationForm
    list_display = ["reference", "provider", "type", "decided_on", "points", "status", "source"]
    list_filter = ["status", "type", "source"]
    list_select_related = ["provider"]
    search_fields = ["reference", "provider__slug", "provider__name"]
    date_hierarchy = "decided_on"
    actions = ["withdraw_selected"]
    autocomplete_fields = ["provider"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Violation._meta.fields] if obj else []

    def has_change_permission(self, request, obj=None):
        # Recorded violations change only by withdrawal (an action) or an import: the form is for adding.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.violation_record(
            provider=data["provider"], violation_type=data["type"], occurred_on=data["occurred_on"],
            decided_on=data["decided_on"], reference=data["reference"], source=Violation.Source.ADMIN,
            actor=request.user, note=data.get("note", ""),
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # no relations to save; the service wrote the row

    @admin.action(description=_("撤销所选违规（需填写理由）"), permissions=["add"])
    def withdraw_selected(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        upheld = queryset.filter(status=Violation.Status.UPHELD)
        if form.is_bound and form.is_valid():
            for violation in upheld:
                services.violation_withdraw(violation=violation, actor=request.user,
                                            reason=form.cleaned_data["reason"])
            self.message_user(request, gettext("已撤销 %(count)d 条违规。") % {"count": len(upheld)}, messages.SUCCESS)
            return None
        return action_form_page(self, request, form=form, action="withdraw_selected", title=_("撤销违规"),
                                template=DECIDE_TEMPLATE, items=list(upheld[:200]))


class ReinstatementForm(forms.ModelForm):
    class Meta:
        model = Reinstatement
        fields = ["provider", "reason"]

    def clean(self):
        data = super().clean()
        if data.get("provider"):
            services.reinstatement_check(provider=data["provider"], on=timezone.localdate())
        return data


@admin.register(Reinstatement)
class ReinstatementAdmin(admin.ModelAdmin):
    form = ReinstatementForm
    list_display = ["provider", "on", "granted_by", "created_at"]
    list_select_related = ["provider", "granted_by"]
    autocomplete_fields = ["provider"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.reinstatement_record(provider=form.cleaned_data["provider"],
                                              reason=form.cleaned_data["reason"], actor=request.user)
        obj.pk = saved.pk


class UpholdForm(ReasonForm):
    violation_type = forms.ChoiceField(label=_("认定类型"), required=False,
                                       choices=[("", _("按投诉类型")), *ViolationType.choices])


class DecisionAdmin(admin.ModelAdmin):
    """Shared by complaints and appeals: an action that asks for a reason, then calls one decision per row."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, *, action: str, title, decide, form_class=ReasonForm):
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, failed = 0, []
            for obj in queryset:
                try:
                    decide(obj, form.cleaned_data)
                    done += 1
                except (ValidationError, PermissionDenied) as exc:
                    text = validation_messages(exc) if isinstance(exc, ValidationError) else str(exc)
                    failed.append(f"#{obj.pk}: {text}")
            self.message_user(request, gettext("已处理 %(count)d 条。") % {"count": done}, messages.SUCCESS)
            if failed:
                self.message_user(request, "；".join(failed), messages.ERROR)
            return None
        return action_form_page(self, request, form=form, action=action, title=title, template=DECIDE_TEMPLATE,
                                items=list(queryset[:200]))


@admin.register(Complaint)
class ComplaintAdmin(DecisionAdmin):
    list_display = ["pk", "provider", "type", "status", "answer_due", "created_at"]
    list_filter = ["status", "type"]
    list_select_related = ["provider"]
    readonly_fields = ["provider", "engagement", "merchant", "type", "description", "evidence_link", "status",
                       "answer_due", "answer", "answered_at", "decision_reason", "decided_at", "decided_by"]
    exclude = ["evidence", "evidence_type", "answered_by"]
    actions = ["uphold_selected", "dismiss_selected"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm("conduct.decide_complaint")

    @admin.display(description=_("证明材料"))
    def evidence_link(self, obj):
        if not obj.evidence:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("conduct:complaint-evidence", args=[obj.pk]),
                           gettext("查看"))

    @admin.action(description=_("认定投诉成立（需填写理由）"), permissions=["decide"])
    def uphold_selected(self, request, queryset):
        return self._decide(request, queryset, action="uphold_selected", title=_("认定投诉成立"), form_class=UpholdForm,
                            decide=lambda c, data: complaints.complaint_uphold(
                                complaint=c, actor=request.user, reason=data["reason"],
                                violation_type=data.get("violation_type") or None))

    @admin.action(description=_("驳回投诉（需填写理由）"), permissions=["decide"])
    def dismiss_selected(self, request, queryset):
        return self._decide(request, queryset, action="dismiss_selected", title=_("驳回投诉"),
                            decide=lambda c, data: complaints.complaint_dismiss(
                                complaint=c, actor=request.user, reason=data["reason"]))


@admin.register(Appeal)
class AppealAdmin(DecisionAdmin):
    list_display = ["pk", "violation", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["violation", "violation__provider"]
    readonly_fields = ["violation", "reason", "status", "decision_reason", "decided_at", "decided_by"]
    exclude = ["filed_by"]
    actions = ["grant_selected", "refuse_selected"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("申诉成立：撤销违规（需填写理由）"), permissions=["change"])
    def grant_selected(self, request, queryset):
        return self._decide(request, queryset, action="grant_selected", title=_("申诉成立"),
                            decide=lambda a, data: complaints.appeal_decide(
                                appeal=a, actor=request.user, grant=True, reason=data["reason"]))

    @admin.action(description=_("驳回申诉（需填写理由）"), permissions=["change"])
    def refuse_selected(self, request, queryset):
        return self._decide(request, queryset, action="refuse_selected", title=_("驳回申诉"),
                            decide=lambda a, data: complaints.appeal_decide(
                                appeal=a, actor=request.user, grant=False, reason=data["reason"]))


@admin.register(ConductEvent)
class ConductEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "provider", "kind", "from_value", "to_value", "actor"]
    list_filter = ["kind"]
    list_select_related = ["provider", "actor"]

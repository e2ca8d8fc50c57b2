"""The graders' queues: profile changes (field-by-field diff), platform credentials and cases; and their audit.

Nothing is edited by hand: a grader approves or rejects (with a reason) on the row's page, which calls the
profiles service for that move.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, validation_messages

from . import services
from .fields import proposal_diff
from .models import Case, PlatformCredential, ProfileChange, ProfileEvent
from .presenters import case_display
from .selectors import gate_service_codes
from .states import GRADER_ACTIONS

ACTION_LABELS = {
    "approve": _("通过并生效"), "reject": _("驳回"), "verify": _("核验通过"), "publish": _("通过并发布"),
}


class DecisionAdmin(admin.ModelAdmin):
    """A read-only row with the grader's decision form under it (approve/verify/publish, or reject with reason)."""

    decide = None  # the service: decide(<subject_kwarg>=obj, action=, actor=, reason=)
    subject_kwarg = ""
    change_form_template = "admin/profiles/decision_change_form.html"
    list_filter = ["status"]
    list_select_related = ["provider"]
    search_fields = ["provider__name", "provider__slug"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "id"] + list(self.extra_readonly)

    extra_readonly: tuple[str, ...] = ()

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_decide"
        return [
            path("<path:object_id>/decide/", self.admin_site.admin_view(self.decide_view), name=name),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        if obj is not None:
            extra.update({
                "decision_actions": [(a, ACTION_LABELS[a]) for a in GRADER_ACTIONS[self.model]],
                "can_decide": self.has_change_permission(request, obj),
                "decide_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_decide", args=[obj.pk]),
                "events": ProfileEvent.objects.filter(subject=services.SUBJECTS[self.model], object_id=obj.pk)
                .select_related("actor").order_by("at", "pk"),
                **self.decision_context(obj),
            })
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def decision_context(self, obj) -> dict:
        return {}

    def decide_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        try:
            self.decide(**{self.subject_kwarg: obj}, action=request.POST.get("decision", ""),
                              actor=request.user, reason=request.POST.get("reason", ""))
        except (ValidationError, PermissionDenied) as exc:
            text = validation_messages(exc) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(change_url)
        self.message_user(request, gettext("已处理 #%(id)d。") % {"id": obj.pk}, messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    @admin.display(description=_("证明材料"))
    def evidence_link(self, obj):
        if not getattr(obj, "evidence", None):
            return "—"
        kind = "change" if isinstance(obj, ProfileChange) else "credential"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a> ({})',
                           reverse("profiles:evidence", kwargs={"kind": kind, "pk": obj.pk}), gettext("打开"),
                           obj.evidence_type)


@admin.register(ProfileChange)
class ProfileChangeAdmin(DecisionAdmin):
    decide = staticmethod(services.profile_change_decide)
    subject_kwarg = "change"
    list_display = ["pk", "provider", "status", "changed_fields", "created_at", "decided_at"]
    exclude = ["proposed", "evidence"]
    extra_readonly = ("evidence_link",)

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj) if name not in ("proposed", "evidence")]

    @admin.display(description=_("修改的字段"))
    def changed_fields(self, obj):
        return len(obj.proposed)

    def decision_context(self, obj):
        gates = gate_service_codes()
        return {
            "diff": proposal_diff(obj.provider, obj.proposed),
            "adds_gate_service": bool(set(obj.proposed.get("services", [])) & gates),
        }


@admin.register(PlatformCredential)
class PlatformCredentialAdmin(DecisionAdmin):
    decide = staticmethod(services.credential_decide)
    subject_kwarg = "credential"
    list_display = ["pk", "provider", "platform", "kind", "level", "period_start", "period_end", "status"]
    list_filter = ["status", "kind", "platform"]
    list_select_related = ["provider", "platform"]
    exclude = ["evidence"]
    extra_readonly = ("evidence_link",)

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj) if name != "evidence"]


@admin.register(Case)
class CaseAdmin(DecisionAdmin):
    decide = staticmethod(services.case_decide)
    subject_kwarg = "case"
    list_display = ["pk", "provider", "title", "platform", "status", "naming", "created_at"]
    list_filter = ["status", "naming", "platform"]
    list_select_related = ["provider", "platform"]
    extra_readonly = ("shown_as",)

    @admin.display(description=_("公开展示为"))
    def shown_as(self, obj):
        return case_display(obj).store_shown


@admin.register(ProfileEvent)
class ProfileEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "provider", "subject", "object_id", "action", "from_status", "to_status", "actor"]
    list_filter = ["subject", "action"]
    list_select_related = ["provider", "actor"]
    search_fields = ["provider__name"]

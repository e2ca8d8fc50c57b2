"""The data pipeline in the admin: CSV upload → dry-run preview (counts and every error) → confirm, and the CSV
export actions it adds to the admins of the data it loads (in the importers' formats, so an export re-imports).
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from common.admin import export_action, validation_messages
from common.csv_writing import csv_lines
from conduct.models import Violation
from providers.models import Engagement, Provider
from ratings.models import Review, StorePerformance

from . import exports, services
from .models import ImportJob

ERRORS_SHOWN = 500
RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING)

EXPORTS = {
    ImportJob.Kind.PROVIDERS: exports.providers_export,
    ImportJob.Kind.ENGAGEMENTS: exports.engagements_export,
    ImportJob.Kind.REVIEWS: exports.reviews_export,
    ImportJob.Kind.PERFORMANCE: exports.performance_export,
    ImportJob.Kind.VIOLATIONS: exports.violations_export,
}
# The admins that get an export action: model → (format, action label).
EXPORTED_MODELS = {
    Provider: (ImportJob.Kind.PROVIDERS, _("导出所选服务商（CSV）")),
    Engagement: (ImportJob.Kind.ENGAGEMENTS, _("导出所选合作（CSV）")),
    Review: (ImportJob.Kind.REVIEWS, _("导出所选评价（CSV）")),
    StorePerformance: (ImportJob.Kind.PERFORMANCE, _("导出所选表现数据（CSV）")),
    Violation: (ImportJob.Kind.VIOLATIONS, _("导出所选违规记录（CSV）")),
}


def _add_export_actions() -> None:
    """Give the admins of the loaded data an export action; ingest sits above them, so it adds it, not they."""
    for model, (kind, label) in EXPORTED_MODELS.items():
        model_admin = admin.site.get_model_admin(model)
        model_admin.actions = [*model_admin.actions, export_action(EXPORTS[kind], name=kind, description=label)]


_add_export_actions()


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"))
    file = forms.FileField(label=_("CSV 文件（UTF-8，首行为表头）"))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Upload → dry-run preview (counts and every error) → confirm; each step a Celery task, progress shown."""

    list_display = ("created_at", "kind", "filename", "status", "rows", "created", "updated", "unchanged",
                    "moderation_kept", "error_count", "created_by")
    list_select_related = ("created_by",)
    list_filter = ("kind", "status")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was loaded, by whom

    def allowed_kinds(self, request) -> list[tuple[str, str]]:
        return [(kind, label) for kind, label in ImportJob.Kind.choices
                if services.import_allowed(user=request.user, kind=kind)]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and bool(self.allowed_kinds(request))

    @admin.display(description=_("错误数"))
    def error_count(self, obj):
        return len(obj.errors) + obj.errors_omitted

    def changelist_view(self, request, extra_context=None):
        # Embedded mode has no beat: opening the list fails the jobs whose worker stopped (a job's page too).
        services.import_jobs_fail_stuck_without_beat(now=timezone.now())
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/confirm/", view(self.confirm_view), name="ingest_importjob_confirm"),
            path("<path:object_id>/errors.csv", view(self.errors_view), name="ingest_importjob_errors"),
            path("template/<str:kind>.csv", view(self.template_view), name="ingest_importjob_template"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        kinds = self.allowed_kinds(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None, kinds=kinds)
        if request.method == "POST" and form.is_valid():
            try:
                job = services.import_job_create(kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                                                 actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return HttpResponseRedirect(reverse("admin:ingest_importjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request), "title": gettext("上传 CSV"), "opts": self.opts, "form": form,
            "kinds": kinds, "max_bytes": settings.ADMIN_IMPORT_MAX_BYTES,
        }
        return TemplateResponse(request, "admin/ingest/importjob/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is None or not self.has_view_permission(request, job):
            raise PermissionDenied
        running = job.status in RUNNING
        if running and services.import_jobs_fail_stuck_without_beat(now=timezone.now()):
            job.refresh_from_db()
            running = job.status in RUNNING
        read = services.import_job_progress(job=job) if running else job.rows
        context = {
            **self.admin_site.each_context(request), "title": str(job), "opts": self.opts, "original": job,
            "job": job, "running": running, "rows_read": read,
            "percent": int(100 * read / job.rows) if job.rows else 0,
            "errors": job.errors[:ERRORS_SHOWN], "errors_hidden": max(0, len(job.errors) - ERRORS_SHOWN),
            "error_total": len(job.errors) + job.errors_omitted,
            "can_confirm": job.status == ImportJob.Status.READY
            and services.import_allowed(user=request.user, kind=job.kind),
        }
        return TemplateResponse(request, "admin/ingest/importjob/detail.html", context)

    def confirm_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = get_object_or_404(ImportJob.objects.defer("data"), pk=object_id)
        if not services.import_allowed(user=request.user, kind=job.kind):
            raise PermissionDenied
        try:
            services.import_job_confirm(job=job, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, validation_messages(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:ingest_importjob_change", args=[job.pk]))

    def errors_view(self, request, object_id):
        """Every error of a dry run or import, as a CSV file (row, column, message, code)."""
        job = get_object_or_404(ImportJob.objects.defer("data"), pk=object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        # Columns and messages quote the uploaded file's text, which may be a formula: csv_lines neutralises it.
        rows = [["row", "column", "message", "code"],
                *([str(e["row"]), e["column"], e["message"], e["code"]] for e in job.errors)]
        if job.errors_omitted:
            rows.append(["", "", gettext("另有 %(count)d 处错误未保存（只保留前 %(kept)d 处）。") % {
                "count": job.errors_omitted, "kept": len(job.errors)}, "omitted"])
        response = HttpResponse("".join(csv_lines(rows)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        return response

    def template_view(self, request, kind):
        """An empty file with the format's header, to fill in."""
        if kind not in dict(self.allowed_kinds(request)):
            raise PermissionDenied
        header = next(EXPORTS[kind](ImportJob.objects.none()))
        response = HttpResponse("".join(csv_lines([header])), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response

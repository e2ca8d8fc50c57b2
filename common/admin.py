"""Admin building blocks shared by every app: reason forms, an export action, action pages, read-only admins."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .csv_writing import csv_lines


def validation_messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def export_action(export: Callable[[QuerySet], Iterator[list[str]]], *, name: str, description):
    """An admin action that streams the selected rows as a CSV file in the importer's format (view permission)."""

    @admin.action(description=description, permissions=["view"])
    def action(modeladmin, request, queryset):
        filename = f"{name}-{timezone.localdate():%Y%m%d}.csv"
        response = StreamingHttpResponse(csv_lines(export(queryset)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    action.__name__ = f"export_{name}_csv"
    return action


def action_form_page(modeladmin, request, *, form, action, title, template, **extra) -> TemplateResponse:
    """The intermediate page of an action that needs input (a reason): it posts the same selection back."""
    context = {
        **modeladmin.admin_site.each_context(request), "title": title, "opts": modeladmin.opts, "form": form,
        "action": action, "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"), "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        **extra,
    }
    return TemplateResponse(request, template, context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the rating engine or a service writes: staff may look, nobody edits or deletes them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


class AfterCommitMixin:
    """Runs `after_commit` once an admin save or delete has committed (e.g. to start a new page-cache generation).

    Without it an anonymous visitor would see the old card or page until the cache entry expired.
    """

    after_commit: Callable[[], None]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # after the many-to-many rows, which cards show too
        transaction.on_commit(self.after_commit)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(self.after_commit)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(self.after_commit)

"""Admin for moderators: requests, proposals and messages read-only and unmasked (for investigating complaints),
guarantee-language reports to rule on, and the funnel per month and per provider."""
from __future__ import annotations

from django.contrib import admin, messages


from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin

from .models import Bid, InquiryEvent, InquiryRequest, Message, PromiseReport, Proposal
from .selectors import inquiry_funnel
from .services import promise_report_rule


class BidInline(admin.TabularInline):
    model = Bid
    extra = 0
    can_delete = False
    fields = ("provider", "status", "suggested", "invited_at", "responded_at", "decline_reason", "engagement")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InquiryRequest)
class InquiryRequestAdmin(ReadOnlyAdmin):
    list_display = ("pk", "platform", "category", "status", "budget_min", "budget_max", "created_at")
    list_filter = ("status", "platform", "category")
    date_hierarchy = "created_at"
    inlines = [BidInline]
    change_list_template = "admin/inquiries/inquiryrequest/change_list.html"

    def get_urls(self):
        return [path("funnel/", self.admin_site.admin_view(self.funnel_view), name="inquiries_funnel"),
                *super().get_urls()]

    def funnel_view(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied
            raise PermissionDenied
        return TemplateResponse(request, "admin/inquiries/funnel.html", {
            **self.admin_site.each_context(request), "title": _("询价漏斗"), **inquiry_funnel(),
        })


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("bid", "monthly_fee", "setup_fee", "term_months", "created_at")
    list_select_related = ("bid__provider", "bid__request")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("bid", "from_provider", "created_at")
    list_select_related = ("bid__provider", "bid__request")
    search_fields = ("body",)


@admin.register(InquiryEvent)
class InquiryEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "request", "bid", "action", "from_status", "to_status", "actor")
    list_filter = ("action",)
    list_select_related = ("request", "bid__provider", "bid__request", "actor")


@admin.register(PromiseReport)
class PromiseReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "bid", "phrases", "status")
    list_filter = ("status",)
    list_select_related = ("bid__provider", "bid__request")
    actions = ["uphold", "dismiss"]

    def has_change_permission(self, request, obj=None):
        # Ruling is an action, not an edit; the change permission gates the actions.
        return request.user.has_perm("inquiries.change_promisereport")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def _rule(self, request, queryset, *, upheld: bool):
        ruled = 0
        for report in queryset.filter(status=PromiseReport.Status.OPEN):
            promise_report_rule(report=report, upheld=upheld, actor=request.user)
            ruled += 1
        self.message_user(request, _("已处理 %(n)d 条举报。") % {"n": ruled}, messages.SUCCESS)

    @admin.action(description=_("举报成立（记入违规：过度承诺）"), permissions=["change"])
    def uphold(self, request, queryset):
        self._rule(request, queryset, upheld=True)

    @admin.action(description=_("举报不成立"), permissions=["change"])
    def dismiss(self, request, queryset):
        self._rule(request, queryset, upheld=False)

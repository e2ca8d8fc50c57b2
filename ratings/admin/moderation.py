"""Moderation in the admin: reviews and their queue, providers' appeals, public manipulation alerts.

Every action parses a form, checks a permission and calls one service in `ratings.services`; the rules live there.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy as _

from common.admin import ReadOnlyAdmin, ReasonForm, action_form_page, validation_messages

from .. import selectors, services
from ..models import ProviderAlert, Review, ReviewAppeal, ReviewQueue


class ManipulationForm(forms.Form):
    """A moderator confirms paid or fake reviews: the reviews go malicious and a public alert is posted."""

    kind = forms.ChoiceField(label=_("操纵类型"), choices=ProviderAlert.Kind.choices)
    message = forms.CharField(
        label=_("公开说明（显示在服务商页面与 API 中 90 天）"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        initial=_("平台审核确认该服务商近期存在刷单或虚假评价行为，相关评价已被剔除，不计入评分。"),
    )
    reason = forms.CharField(label=_("内部理由（审计记录）"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class ReplyModerationForm(forms.Form):
    """A moderator's replacement for a provider's reply (empty removes it), with the reason for the audit trail."""

    body = forms.CharField(label=_("新的回复内容（留空则删除回复）"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class RatingFilter(admin.SimpleListFilter):
    """1–5 stars from a fixed list: the default filter would SELECT DISTINCT over every review."""

    title = _("总体评分")
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(str(n), f"{n}★") for n in range(5, 0, -1)]

    def queryset(self, request, queryset):
        return queryset.filter(rating=int(self.value())) if self.value() else queryset


DECISION_LABELS = {
    services.APPROVE: _("通过"),
    services.REJECT: _("驳回"),
    services.MALICIOUS: _("标记为恶意评价"),
}


class ReviewAdmin(admin.ModelAdmin):
    """All reviews, read-only; decisions and reply edits go through the moderation services (audited)."""

    list_display = ("provider", "store", "rating", "created_at", "status", "verified", "burst", "submitted_at")
    # Related rows are fetched for the page only (prefetch): joined, PostgreSQL would hash-join every review
    # before taking the newest hundred.
    list_select_related = ()
    list_filter = (
        "status", "verified", "burst", RatingFilter, ("created_at", admin.DateFieldListFilter), "store__platform",
    )
    search_fields = ("provider__name", "=provider__slug", "=store__external_id", "title")
    search_help_text = _("按服务商名称、服务商标识、店铺ID（精确）或标题搜索")
    show_full_result_count = False
    change_form_template = "admin/ratings/review/change_form.html"
    fieldsets = (
        (None, {"fields": ("provider", "store", "author", "engagement", "status", "verified", "burst")}),
        (_("评价内容"), {
            "fields": ("rating", ("effect", "communication", "professionalism", "responsiveness"), "title", "body",
                       "created_at"),
        }),
        (_("服务商回复"), {"fields": ("reply", "replied_at")}),
        (_("记录"), {"fields": ("submitted_at", "updated_at", "moderated_at", "moderated_by")}),
    )
    actions = ["approve", "reject", "mark_malicious", "confirm_manipulation", "moderate_reply"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provider", "store__platform")

    def get_readonly_fields(self, request, obj=None):
        # Merchants' words are evidence; a provider's reply changes only through the "moderate reply" action.
        return [f.name for f in Review._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False  # reviews come from merchants and imports only

    def has_delete_permission(self, request, obj=None):
        return False  # rejecting, not deleting, keeps the audit trail

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("ratings.change_review")

    def has_alert_permission(self, request) -> bool:
        return self.has_moderate_permission(request) and request.user.has_perm("ratings.add_provideralert")

    # Actions on the changelist.

    @admin.action(description=_("通过所选评价"), permissions=["moderate"])
    def approve(self, request, queryset):
        count = services.reviews_moderate(
            review_ids=list(queryset.values_list("pk", flat=True)), decision=services.APPROVE, actor=request.user
        )
        self.message_user(request, gettext("已通过 %(count)d 条评价。") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("驳回所选评价（需填写理由）"), permissions=["moderate"])
    def reject(self, request, queryset):
        return self._decide_with_reason(request, queryset, services.REJECT)

    @admin.action(description=_("标记为恶意评价（需填写理由，不计分）"), permissions=["moderate"])
    def mark_malicious(self, request, queryset):
        return self._decide_with_reason(request, queryset, services.MALICIOUS)

    @admin.action(description=_("确认刷单/虚假评价并发布公开警示"), permissions=["alert"])
    def confirm_manipulation(self, request, queryset):
        form = ManipulationForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            alerts = services.reviews_confirm_manipulation(
                review_ids=list(queryset.values_list("pk", flat=True)), actor=request.user, **form.cleaned_data
            )
            self.message_user(request, gettext("已将所选评价标记为恶意评价，并对 %(count)d 家服务商发布公开警示。") % {
                "count": len(alerts)}, messages.SUCCESS)
            return None
        return self._confirmation(request, queryset, form, "confirm_manipulation", _("确认刷单/虚假评价"))

    @admin.action(description=_("修改或删除服务商回复（需填写理由）"), permissions=["moderate"])
    def moderate_reply(self, request, queryset):
        form = ReplyModerationForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, failed = 0, []
            for review in queryset.filter(status=Review.Status.PUBLISHED).exclude(reply=""):
                try:
                    services.review_reply_moderate(review=review, actor=request.user, **form.cleaned_data)
                    done += 1
                except ValidationError as exc:
                    failed.append(f"#{review.pk}: {validation_messages(exc)}")
            self.message_user(request, gettext("已处理 %(count)d 条回复。") % {"count": done}, messages.SUCCESS)
            if failed:
                self.message_user(request, "；".join(failed), messages.ERROR)
            return None
        return self._confirmation(request, queryset, form, "moderate_reply", _("修改或删除服务商回复"))

    def _decide_with_reason(self, request, queryset, decision):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = services.reviews_moderate(
                review_ids=list(queryset.values_list("pk", flat=True)), decision=decision, actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            self.message_user(request, gettext("已处理 %(count)d 条评价：%(decision)s。") % {
                "count": count, "decision": DECISION_LABELS[decision]}, messages.SUCCESS)
            return None
        action = "reject" if decision == services.REJECT else "mark_malicious"
        return self._confirmation(request, queryset, form, action, DECISION_LABELS[decision])

    def _confirmation(self, request, queryset, form, action, title):
        return action_form_page(
            self, request, form=form, action=action, title=title, template="admin/ratings/review/decision.html",
            reviews=queryset.select_related("provider", "store__platform")[:200], count=queryset.count(),
        )

    # One review: the moderation page.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/decide/", self.admin_site.admin_view(self.decide_view),
                 name="%s_%s_decide" % info),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, object_id)
        if review is not None:
            extra_context = {
                **(extra_context or {}),
                **selectors.review_moderation_context(review=review),
                "can_moderate": self.has_moderate_permission(request),
                "can_alert": self.has_alert_permission(request),
                "reason_form": ReasonForm(required=False),
                "manipulation_form": ManipulationForm(),
                "decide_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_decide",
                                      args=[review.pk]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id):
        """POST a decision on one review: approve, reject, malicious, or confirmed manipulation (with an alert)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        decision = request.POST.get("decision")
        allowed = self.has_alert_permission(request) if decision == "manipulation" else self.has_moderate_permission(
            request)
        if not allowed:
            raise PermissionDenied
        review = get_object_or_404(Review, pk=object_id)
        try:
            if decision == "manipulation":
                form = ManipulationForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([e for errors in form.errors.values() for e in errors])
                services.reviews_confirm_manipulation(review_ids=[review.pk], actor=request.user, **form.cleaned_data)
            elif decision in DECISION_LABELS:
                services.reviews_moderate(review_ids=[review.pk], decision=decision, actor=request.user,
                                          reason=request.POST.get("reason", ""))
            else:
                raise ValidationError(gettext("未知的审核决定。"))
        except ValidationError as exc:
            self.message_user(request, validation_messages(exc), messages.ERROR)
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                                                args=[review.pk]))
        self.message_user(request, gettext("已处理评价 #%(id)d。") % {"id": review.pk}, messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))


admin.site.register(Review, ReviewAdmin)


@admin.register(ReviewQueue)
class ReviewQueueAdmin(ReviewAdmin):
    """Pending reviews and appealed reviews, longest waiting first, with what a moderator needs to decide."""

    list_display = ("queued", "provider", "rating", "excerpt", "store_engagement", "author_reviews", "flags")
    list_display_links = ("queued", "excerpt")
    list_filter = ("burst", "verified", RatingFilter, "store__platform")
    sortable_by = ()
    actions = ["approve", "reject", "mark_malicious", "confirm_manipulation"]

    # Providers are fetched for the page's rows only: a join would run over every queued review before the sort.
    list_select_related = ()

    def get_queryset(self, request):
        return selectors.review_queue().prefetch_related("provider")

    def get_ordering(self, request):
        return ["queued_since", "pk"]  # longest waiting first (an annotation of review_queue)

    @admin.display(description=_("排队时间"))
    def queued(self, obj):
        return timezone.localtime(obj.queued_since).strftime("%Y-%m-%d") if obj.queued_since else "—"

    @admin.display(description=_("内容"))
    def excerpt(self, obj):
        return Truncator(obj.title or obj.body).chars(16) or "—"

    @admin.display(description=_("核实/合作"))
    def store_engagement(self, obj):
        verified = gettext("已验证") if obj.verified else gettext("未验证")
        # Two short lines rather than one long one, so the queue fits its container at 1280 px.
        if obj.engagement_start is None:
            return format_html("{}<br>{}", verified, gettext("无合作记录"))
        end = obj.engagement_end.isoformat() if obj.engagement_end else gettext("至今")
        return format_html("{}<br>{} – {}", verified, obj.engagement_start.isoformat(), end)

    @admin.display(description=_("作者其他评价"))
    def author_reviews(self, obj):
        return "—" if obj.author_other_reviews is None else obj.author_other_reviews

    @admin.display(description=_("标记"))
    def flags(self, obj):
        flags = [str(label) for flag, label in ((obj.burst, _("集中评价")), (obj.has_open_appeal, _("申诉中"))) if flag]
        return "、".join(flags) or "—"


@admin.register(ReviewAppeal)
class ReviewAppealAdmin(ReadOnlyAdmin):
    """Providers' appeals; settled by the decision on the review in the moderation queue."""

    list_display = ("created_at", "provider", "review_link", "status", "created_by", "resolved_by", "resolved_at")
    list_select_related = ("provider", "review", "created_by", "resolved_by")
    list_filter = ("status",)
    search_fields = ("provider__name", "explanation")
    show_full_result_count = False

    @admin.display(description=_("评价"))
    def review_link(self, obj):
        url = reverse("admin:ratings_review_change", args=[obj.review_id])
        return format_html('<a href="{}">#{} · {}★</a>', url, obj.review_id, obj.review.rating)


class AlertActiveFilter(admin.SimpleListFilter):
    title = _("是否在显示")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return (("yes", _("显示中")), ("no", _("已到期或撤回")))

    def queryset(self, request, queryset):
        now = timezone.now()
        active = {"expires_at__gt": now, "withdrawn_at__isnull": True}
        if self.value() == "yes":
            return queryset.filter(**active)
        if self.value() == "no":
            return queryset.exclude(**active)
        return queryset


@admin.register(ProviderAlert)
class ProviderAlertAdmin(admin.ModelAdmin):
    """Public manipulation alerts: posted from the moderation queue, withdrawn here with a reason."""

    list_display = ("provider", "kind", "posted_at", "expires_at", "showing", "posted_by", "withdrawn_at")
    list_select_related = ("provider", "posted_by")
    list_filter = (AlertActiveFilter, "kind")
    search_fields = ("provider__name",)
    readonly_fields = [f.name for f in ProviderAlert._meta.fields if f.name != "id"]
    actions = ["withdraw"]

    def has_add_permission(self, request):
        return False  # posted by confirming manipulation in the moderation queue

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("显示中"), boolean=True)
    def showing(self, obj):
        return obj.withdrawn_at is None and obj.expires_at > timezone.now()

    @admin.action(description=_("撤回所选警示（需填写理由）"), permissions=["change"])
    def withdraw(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for alert in queryset.filter(withdrawn_at__isnull=True):
                services.provider_alert_withdraw(alert=alert, actor=request.user, reason=form.cleaned_data["reason"])
                done += 1
            self.message_user(request, gettext("已撤回 %(count)d 条警示。") % {"count": done}, messages.SUCCESS)
            return None
        return action_form_page(
            self, request, form=form, action="withdraw", title=_("撤回警示"),
            template="admin/ratings/provideralert/withdraw.html", alerts=queryset.select_related("provider"),
        )

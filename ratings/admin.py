"""Admin for the rating evidence, moderation, imports, policy versions and the engine's (read-only) output.

Every action here parses a form, checks a permission and calls one service in `ratings.services`; the
rules live there. Roles (Graders, Moderators, Data stewards) are groups made by providers/migrations/*_roles.
"""
from __future__ import annotations

import csv

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy as _

from . import exports, selectors, services
from .models import (
    TIER_CHOICES,
    ImportJob,
    PendingRecompute,
    PeriodLock,
    ProviderAlert,
    RatingEvent,
    RatingPolicy,
    Review,
    ReviewAppeal,
    ReviewQueue,
    ScoreSnapshot,
    StorePerformance,
    TierGate,
    TierOverride,
)

ERRORS_SHOWN = 500


def validation_messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def export_action(export, *, name: str, description):
    """An admin action that streams the selected rows as a CSV file in the importer's format (view permission)."""

    @admin.action(description=description, permissions=["view"])
    def action(modeladmin, request, queryset):
        filename = f"{name}-{timezone.localdate():%Y%m%d}.csv"
        response = StreamingHttpResponse(exports.csv_lines(export(queryset)), content_type="text/csv; charset=utf-8")
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


# Moderation -----------------------------------------------------------------------------------------------------

class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


class ManipulationForm(forms.Form):
    """A moderator confirms paid or fake reviews: the reviews go malicious and a public alert is posted."""

    kind = forms.ChoiceField(label=_("操纵类型"), choices=ProviderAlert.Kind.choices)
    message = forms.CharField(
        label=_("公开说明（显示在服务商页面与 API 中 90 天）"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        initial=_("平台审核确认该服务商近期存在刷单或虚假评价行为，相关评价已被剔除，不计入评分。"),
    )
    reason = forms.CharField(label=_("内部理由（审计记录）"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


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
    """All reviews; decisions go through the moderation services, only the provider's reply is editable."""

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
    actions = ["approve", "reject", "mark_malicious", "confirm_manipulation",
               export_action(exports.reviews_export, name="reviews", description=_("导出所选评价（CSV）"))]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provider", "store__platform")

    def get_readonly_fields(self, request, obj=None):
        # Merchants' words are evidence: only the provider's reply may be moderated by hand.
        return [f.name for f in Review._meta.fields if f.name not in ("id", "reply")]

    def has_add_permission(self, request):
        return False  # reviews come from merchants and imports only

    def has_delete_permission(self, request, obj=None):
        return False  # rejecting, not deleting, keeps the audit trail

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("ratings.change_review")

    def has_alert_permission(self, request) -> bool:
        return self.has_moderate_permission(request) and request.user.has_perm("ratings.add_provideralert")

    def save_model(self, request, obj, form, change):
        if "reply" in form.changed_data and not obj.reply:
            obj.replied_at = None
        super().save_model(request, obj, form, change)

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
        if obj.engagement_start is None:
            return f"{verified} · {gettext('无合作记录')}"
        end = obj.engagement_end.isoformat() if obj.engagement_end else gettext("至今")
        return f"{verified} · {obj.engagement_start.isoformat()} – {end}"

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


# Evidence and engine output -------------------------------------------------------------------------------------

@admin.register(StorePerformance)
class StorePerformanceAdmin(admin.ModelAdmin):
    list_display = ("store", "period", "product_score", "logistics_score", "service_score", "gmv", "orders")
    # Newest month first, read backwards along the (period, store) index; stores for the page only.
    ordering = ("-period", "-store_id")
    list_select_related = ()
    list_filter = ("period", "store__platform")
    search_fields = ("=store__external_id", "store__name")
    autocomplete_fields = ("store",)
    show_full_result_count = False
    actions = [export_action(exports.performance_export, name="performance", description=_("导出所选表现数据（CSV）"))]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("store__platform")


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("provider", "period", "composite", "tier", "candidate_tier", "status", "at_risk", "policy")
    # Newest month first without sorting by provider name (a join over every snapshot); see ReviewAdmin.
    ordering = ("-period", "provider_id")
    list_select_related = ()
    list_filter = ("period", "tier", "status", "at_risk")
    search_fields = ("provider__name", "=provider__slug")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provider", "policy")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


class SourceFilter(admin.SimpleListFilter):
    title = _("来源")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return (("manual", _("人工操作")), ("engine", _("系统计算")))

    def queryset(self, request, queryset):
        if self.value() == "manual":
            return queryset.filter(actor__isnull=False)
        if self.value() == "engine":
            return queryset.filter(actor__isnull=True)
        return queryset


@admin.register(RatingEvent)
class RatingEventAdmin(ReadOnlyAdmin):
    """The audit list: every tier, status, override, recompute, moderation and alert event, never editable."""

    list_display = ("created_at", "provider", "kind", "period", "from_value", "to_value", "who", "short_reason")
    list_select_related = ()  # see ReviewAdmin
    list_filter = ("kind", SourceFilter, ("created_at", admin.DateFieldListFilter), "period")
    search_fields = ("provider__name", "=provider__slug", "reason")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provider", "actor")

    def lookup_allowed(self, lookup, value, request=None):
        # The provider page links here filtered to one provider.
        return lookup in ("provider__id__exact", "review__id__exact") or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("操作人"), ordering="actor")
    def who(self, obj):
        return obj.actor or gettext("系统")

    @admin.display(description=_("原因"))
    def short_reason(self, obj):
        return Truncator(obj.reason).chars(60)


@admin.register(TierOverride)
class TierOverrideAdmin(ReadOnlyAdmin):
    """Overrides are pinned and lifted on the provider's page (reason required, audited); listed here."""

    list_display = ("provider", "tier", "starts_on", "expires_on", "lifted_on", "created_by", "reason")
    list_select_related = ("provider", "created_by")
    list_filter = ("tier",)
    search_fields = ("provider__name", "reason")


@admin.register(PendingRecompute)
class PendingRecomputeAdmin(ReadOnlyAdmin):
    list_display = ("provider", "requested_at")
    list_select_related = ("provider",)


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyAdmin):
    list_display = ("period",)


# Policy versions ------------------------------------------------------------------------------------------------

class TierGateInline(admin.TabularInline):
    model = TierGate
    extra = 0
    autocomplete_fields = ("required_services",)

    # Gates belong to their policy: editable while it is a draft, frozen once it has a version.
    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)


@admin.register(RatingPolicy)
class RatingPolicyAdmin(admin.ModelAdmin):
    """Drafts are edited, previewed against the active version, and activated (Graders); versions are frozen."""

    list_display = ("label", "name", "state", "activated_at", "activated_by", "created_at")
    list_select_related = ("activated_by",)
    inlines = (TierGateInline,)
    readonly_fields = ("version", "is_active", "created_at", "activated_at", "activated_by")
    change_form_template = "admin/ratings/ratingpolicy/change_form.html"
    actions = ["copy_as_draft"]
    fieldsets = (
        (None, {"fields": ("name", ("version", "is_active"), ("activated_at", "activated_by"), "created_at")}),
        (_("评价分"), {"fields": (("prior_mean", "prior_weight"), "half_life_days")}),
        (_("表现分"), {
            "fields": (("product_weight", "logistics_weight", "service_weight"), "performance_window_months",
                       "excellent_store_threshold"),
        }),
        (_("综合分与状态"), {
            "fields": (("review_weight", "performance_weight"), "probation_threshold", "delist_after_months",
                       "demote_after_months"),
        }),
        (_("集中评价检测"), {"fields": ("burst_min_reviews", "burst_rate_multiplier", "burst_baseline_days")}),
    )

    # The active version first, then drafts, then retired versions newest first.
    ordering = ("-is_active", F("version").desc(nulls_first=True), "-created_at")

    @admin.display(description=_("版本"), ordering="version")
    def label(self, obj):
        return f"v{obj.version}" if obj.version is not None else gettext("草稿")

    @admin.display(description=_("状态"))
    def state(self, obj):
        if obj.is_draft:
            return gettext("草稿")
        return gettext("生效中") if obj.is_active else gettext("已停用")

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def has_activate_permission(self, request) -> bool:
        return request.user.has_perm("ratings.activate_ratingpolicy")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would not spare versions
        return actions

    @admin.action(description=_("复制为新草稿"), permissions=["add"])
    def copy_as_draft(self, request, queryset):
        for source in queryset:
            draft = services.policy_draft_create(source=source, actor=request.user)
            self.message_user(request, gettext("已创建草稿“%(name)s”。") % {"name": draft.name}, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/preview/", view(self.preview_view), name="ratings_ratingpolicy_preview"),
            path("<path:object_id>/activate/", view(self.activate_view), name="ratings_ratingpolicy_activate"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_activate": self.has_activate_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _draft(self, request, object_id) -> RatingPolicy:
        policy = get_object_or_404(RatingPolicy, pk=object_id)
        if not policy.is_draft:
            raise PermissionDenied
        return policy

    def preview_view(self, request, object_id):
        """What the draft would do to this month's tiers, on today's data, without writing anything."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        draft = self._draft(request, object_id)
        preview = services.policy_preview(draft=draft)
        tier_names = dict(TIER_CHOICES)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("预览草稿：%(name)s") % {"name": draft.name}, "opts": self.opts, "original": draft,
            "preview": preview,
            "tier_rows": [(tier_names.get(tier, gettext("无星级")), counts) for tier, counts in preview.tiers.items()],
            "can_activate": self.has_activate_permission(request),
        }
        return TemplateResponse(request, "admin/ratings/ratingpolicy/preview.html", context)

    def activate_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_activate_permission(request):
            raise PermissionDenied
        draft = self._draft(request, object_id)
        try:
            policy = services.policy_activate(policy=draft, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, validation_messages(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:ratings_ratingpolicy_change", args=[draft.pk]))
        self.message_user(request, gettext("已启用 v%(version)d；本月评级正在按新规则重算。") % {
            "version": policy.version}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:ratings_ratingpolicy_changelist"))


# Imports --------------------------------------------------------------------------------------------------------

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
                if request.user.has_perm(services.import_permission(kind))]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and bool(self.allowed_kinds(request))

    @admin.display(description=_("错误数"))
    def error_count(self, obj):
        return len(obj.errors)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/confirm/", view(self.confirm_view), name="ratings_importjob_confirm"),
            path("<path:object_id>/errors.csv", view(self.errors_view), name="ratings_importjob_errors"),
            path("template/<str:kind>.csv", view(self.template_view), name="ratings_importjob_template"),
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
                return HttpResponseRedirect(reverse("admin:ratings_importjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request), "title": gettext("上传 CSV"), "opts": self.opts, "form": form,
            "kinds": kinds, "max_bytes": settings.ADMIN_IMPORT_MAX_BYTES,
        }
        return TemplateResponse(request, "admin/ratings/importjob/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is None or not self.has_view_permission(request, job):
            raise PermissionDenied
        running = job.status in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING)
        read = services.import_job_progress(job=job) if running else job.rows
        context = {
            **self.admin_site.each_context(request), "title": str(job), "opts": self.opts, "original": job,
            "job": job, "running": running, "rows_read": read,
            "percent": int(100 * read / job.rows) if job.rows else 0,
            "errors": job.errors[:ERRORS_SHOWN], "errors_hidden": max(0, len(job.errors) - ERRORS_SHOWN),
            "can_confirm": job.status == ImportJob.Status.READY
            and request.user.has_perm(services.import_permission(job.kind)),
        }
        return TemplateResponse(request, "admin/ratings/importjob/detail.html", context)

    def confirm_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = get_object_or_404(ImportJob.objects.defer("data"), pk=object_id)
        if not request.user.has_perm(services.import_permission(job.kind)):
            raise PermissionDenied
        try:
            services.import_job_confirm(job=job, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, validation_messages(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:ratings_importjob_change", args=[job.pk]))

    def errors_view(self, request, object_id):
        """Every error of a dry run or import, as a CSV file (row, column, message, code)."""
        job = get_object_or_404(ImportJob.objects.defer("data"), pk=object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(["row", "column", "message", "code"])
        writer.writerows([e["row"], e["column"], e["message"], e["code"]] for e in job.errors)
        return response

    def template_view(self, request, kind):
        """An empty file with the format's header, to fill in."""
        if kind not in dict(self.allowed_kinds(request)):
            raise PermissionDenied
        header = next(EXPORTS[kind](ImportJob.objects.none()))
        response = HttpResponse("".join(exports.csv_lines([header])), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response


EXPORTS = {
    ImportJob.Kind.PROVIDERS: exports.providers_export,
    ImportJob.Kind.ENGAGEMENTS: exports.engagements_export,
    ImportJob.Kind.REVIEWS: exports.reviews_export,
    ImportJob.Kind.PERFORMANCE: exports.performance_export,
}

"""Merchant-facing pages: the directory and a provider's page."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ratings.models import TIER_CHOICES

from .filters import ProviderFilter
from .models import Provider
from .selectors import (
    DIRECTORY_ORDERING,
    provider_active_store_count,
    provider_get,
    provider_latest_snapshot,
    provider_list,
    provider_published_reviews,
    service_names_by_code,
)

PAGE_SIZE = 20

# The directory form shows these filters, in this order; the API's other filters (min_tier) stay API-only.
DIRECTORY_FILTER_FIELDS = ("q", "tier", "platform", "category", "service", "city", "min_score")
_ALL_CHOICES = {
    "tier": gettext_lazy("全部星级"),
    "platform": gettext_lazy("全部平台"),
    "category": gettext_lazy("全部类目"),
    "service": gettext_lazy("全部服务"),
}

# Labels for the gate checks a snapshot explains; an unknown check shows its raw name.
CHECK_LABELS = {
    "score": gettext_lazy("综合分"),
    "composite": gettext_lazy("综合分"),
    "min_score": gettext_lazy("综合分"),
    "active_stores": gettext_lazy("在营店铺"),
    "min_active_stores": gettext_lazy("在营店铺"),
    "excellent_stores": gettext_lazy("优秀店铺"),
    "min_excellent_stores": gettext_lazy("优秀店铺"),
    "services": gettext_lazy("必备服务"),
    "required_services": gettext_lazy("必备服务"),
}


def provider_list_view(request):
    provider_filter = ProviderFilter(request.GET, queryset=provider_list().order_by(*DIRECTORY_ORDERING))
    _shape_directory_form(provider_filter.form)
    # A value that does not parse is shown as a form error with no results, never silently dropped.
    providers = provider_filter.qs if provider_filter.is_valid() else provider_filter.queryset.none()
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    for provider in page:
        provider.fee_range = fee_range_display(provider.fee_min, provider.fee_max)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "providers/provider_list.html",
        {
            "filter": provider_filter,
            "form": provider_filter.form,
            "fields": [provider_filter.form[name] for name in DIRECTORY_FILTER_FIELDS],
            "page": page,
            "query": query.urlencode(),
            "filtered": any(query.get(name) for name in DIRECTORY_FILTER_FIELDS),
        },
    )


def provider_detail_view(request, slug):
    try:
        provider = provider_get(slug=slug)
    except Provider.DoesNotExist:
        raise Http404(_("没有这个服务商"))
    provider.fee_range = fee_range_display(provider.fee_min, provider.fee_max)
    snapshot = provider_latest_snapshot(provider=provider)
    explanation = (
        explanation_display(snapshot.explanation, service_names=service_names_by_code()) if snapshot else None
    )
    return render(
        request,
        "providers/provider_detail.html",
        {
            "provider": provider,
            "active_store_count": provider_active_store_count(provider=provider, on=timezone.localdate()),
            "snapshot": snapshot,
            "explanation": explanation,
            "reviews": provider_published_reviews(provider=provider),
        },
    )


def _shape_directory_form(form) -> None:
    """Present the shared filter form for people: a tier select, "all" choices, sensible inputs."""
    form.fields["tier"].widget = forms.Select(choices=[("", _ALL_CHOICES["tier"]), *TIER_CHOICES])
    for name in ("platform", "category", "service"):
        form.fields[name].empty_label = _ALL_CHOICES[name]
    form.fields["min_score"].widget.attrs.update({"min": "0", "max": "5", "step": "0.1", "placeholder": "4.5"})
    form.fields["city"].widget.attrs.update({"placeholder": _("如：杭州")})
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs.update({"placeholder": _("公司名称、英文名或简介")})


def format_cny(amount: Decimal) -> str:
    """Whole yuan with thousands separators ("¥8,000"), the way fees are quoted whatever the UI language."""
    return "¥{:,}".format(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def fee_range_display(fee_min: Decimal | None, fee_max: Decimal | None) -> str:
    """A monthly fee range such as "¥8,000–¥30,000/月"; empty when the provider publishes none."""
    if fee_min is not None and fee_max is not None:
        if fee_min == fee_max:
            return _("%(fee)s/月") % {"fee": format_cny(fee_min)}
        return _("%(low)s–%(high)s/月") % {"low": format_cny(fee_min), "high": format_cny(fee_max)}
    if fee_min is not None:
        return _("%(fee)s/月起") % {"fee": format_cny(fee_min)}
    if fee_max is not None:
        return _("最高 %(fee)s/月") % {"fee": format_cny(fee_max)}
    return ""


def explanation_display(explanation, *, service_names: dict[str, str] | None = None) -> dict:
    """Keep only the well-formed parts of a snapshot's explanation JSON, so the page renders whatever it holds.

    Expected: {"gates": [{"tier", "met", "checks": [{"name", "value", "threshold", "met"}]}],
    "next_tier": {"tier", "missing": [str | {"text", "text_en"}]}}; anything else is dropped, not half-shown.
    Service codes in check values are shown by name when service_names knows them.
    """
    if not isinstance(explanation, dict):
        return {}
    names = service_names or {}
    gates = []
    for gate in _list(explanation.get("gates")):
        if not isinstance(gate, dict):
            continue
        checks = [
            {
                "label": CHECK_LABELS.get(str(check.get("name", "")), str(check.get("name", ""))),
                "value": _value(check.get("value"), names),
                "threshold": _value(check.get("threshold"), names),
                "met": check.get("met") is True,
            }
            for check in _list(gate.get("checks"))
            if isinstance(check, dict)
        ]
        gates.append({"tier": _tier(gate.get("tier")), "met": gate.get("met") is True, "checks": checks})
    result = {}
    if gates:
        result["gates"] = gates
    next_tier = explanation.get("next_tier")
    if isinstance(next_tier, dict) and _tier(next_tier.get("tier")):
        missing = [text for text in (_missing_text(item, names) for item in _list(next_tier.get("missing"))) if text]
        result["next_tier"] = {"tier": _tier(next_tier.get("tier")), "missing": missing}
    return result


def _missing_text(item, names: dict[str, str]) -> str:
    """A "missing" entry is a sentence, or a dict carrying one ("text", "text_en") and maybe service codes."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        return ""
    codes = item.get("missing")
    if isinstance(codes, list) and codes and all(isinstance(code, str) for code in codes):
        return _("需要服务：%(services)s") % {"services": _value(codes, names)}
    text = item.get("text_en") if get_language() == "en" else None
    text = text or item.get("text")
    return text if isinstance(text, str) else ""


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _tier(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 3 <= value <= 6 else None


def _value(value, names: dict[str, str]) -> str:
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, list | tuple):
        return "、".join(names.get(str(item), str(item)) for item in value)
    return str(value)

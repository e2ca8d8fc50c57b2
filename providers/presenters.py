"""Presentation of directory data for the pages: fees, snapshot explanations, comparison rows, localized names."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cities import city_name_en

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


def list_separator() -> str:
    return ", " if get_language() == "en" else "、"


def localized(obj, field: str = "name") -> str:
    """`field` of a provider or reference row in the page's language: the English column on English pages if filled."""
    value = getattr(obj, field, "")
    if get_language() == "en":
        return getattr(obj, f"{field}_en", "") or value
    return value


def city_display(city: str) -> str:
    """A provider's city in the page's language: the English name on English pages where known, else as stored."""
    if get_language() == "en":
        return city_name_en(city) or city
    return city


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
        return list_separator().join(names.get(str(item), str(item)) for item in value)
    return str(value)


def gate_thresholds(explanation) -> dict[int, Decimal]:
    """Each tier's minimum composite, read from a snapshot explanation (for the trend chart's tier lines)."""
    thresholds = {}
    if not isinstance(explanation, dict):
        return thresholds
    for gate in _list(explanation.get("gates")):
        if not isinstance(gate, dict) or not _tier(gate.get("tier")):
            continue
        for check in _list(gate.get("checks")):
            if isinstance(check, dict) and check.get("name") == "composite":
                try:
                    thresholds[gate["tier"]] = Decimal(str(check.get("threshold")))
                except ArithmeticError:
                    pass
    return thresholds


def _best(values: list, *, lowest: bool = False) -> list[bool]:
    """Which cells hold the row's best value; none when fewer than two values differ (nothing to single out)."""
    known = [v for v in values if v is not None]
    if len(set(known)) < 2:
        return [False] * len(values)
    best = min(known) if lowest else max(known)
    return [v is not None and v == best for v in values]


def comparison_rows(providers: list, *, service_names: dict[str, str] | None = None) -> list[dict]:
    """One row per attribute for the compare page: label, cells (text or tier), and which cell is best.

    Each provider carries `latest_snapshot` (or None); gate rows come from the snapshot's explanation.
    """
    snapshots = [p.latest_snapshot for p in providers]

    def snap(attr):
        return [getattr(s, attr) if s is not None else None for s in snapshots]

    def numeric_row(key, label, values, *, fmt=str, lowest=False):
        best = _best(values, lowest=lowest)
        return {"key": key, "label": label, "cells": [
            {"text": fmt(v) if v is not None else "—", "best": b} for v, b in zip(values, best)
        ]}

    def text_row(key, label, texts):
        return {"key": key, "label": label, "cells": [{"text": t or "—", "best": False} for t in texts]}

    two = lambda v: f"{v:.2f}"  # noqa: E731
    rows = [
        {"key": "tier", "label": _("星级"), "tier_row": True, "cells": [
            {"tier": p.tier, "best": b} for p, b in zip(providers, _best([p.tier for p in providers]))
        ]},
        numeric_row("score", _("综合分 S"), [p.score for p in providers], fmt=two),
        numeric_row("review_score", _("评价分 R"), snap("review_score"), fmt=two),
        numeric_row("review_average", _("平均评分"), [p.review_average for p in providers], fmt=lambda v: f"{v:.1f}"),
        numeric_row("review_count", _("评价数"), [p.review_count for p in providers]),
        numeric_row("performance_score", _("表现分 P"), snap("performance_score"), fmt=two),
        numeric_row("active_stores", _("在营店铺"), snap("active_stores")),
        numeric_row("excellent_stores", _("优秀店铺"), snap("excellent_stores")),
    ]
    gate_tiers = sorted(
        {g["tier"] for s in snapshots if s is not None for g in explanation_display(s.explanation, service_names=service_names).get("gates", [])
         if g["tier"]},
        reverse=True,
    )
    shown = [explanation_display(s.explanation, service_names=service_names) if s is not None else {} for s in snapshots]
    for tier in gate_tiers:
        cells = []
        for explanation in shown:
            gate = next((g for g in explanation.get("gates", []) if g["tier"] == tier), None)
            if gate is None:
                cells.append({"text": "—", "best": False})
                continue
            figures = "; ".join(f"{c['label']} {c['value'] or '—'}/{c['threshold'] or '—'}" for c in gate["checks"])
            cells.append({"met": gate["met"], "text": figures, "best": False})
        rows.append({"key": f"gate_{tier}", "label": tier, "gate_row": True, "cells": cells})
    rows += [
        {"key": "fee", "label": _("月服务费"), "cells": [
            {"text": fee_range_display(p.fee_min, p.fee_max) or "—", "best": b}
            for p, b in zip(providers, _best([p.fee_min for p in providers], lowest=True))
        ]},
        text_row("services", _("服务"), [list_separator().join(localized(s) for s in p.services.all()) for p in providers]),
        text_row("platforms", _("平台"), [list_separator().join(localized(x) for x in p.platforms.all()) for p in providers]),
        text_row("categories", _("类目"), [list_separator().join(localized(c) for c in p.categories.all())
                                        for p in providers]),
        text_row("city", _("总部城市"), [city_display(p.city) for p in providers]),
        text_row("founded_year", _("成立年份"), [str(p.founded_year) if p.founded_year else "" for p in providers]),
        text_row("size", _("公司规模"), [p.get_size_band_display() for p in providers]),
        text_row("status", _("状态"), [p.get_status_display() for p in providers]),
    ]
    return rows

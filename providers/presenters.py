"""Presentation of directory data for the pages: fees, snapshot explanations, comparison rows, localized names."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


def fallback_lang(obj, field: str = "name") -> str:
    """The `lang` of what localized() shows when it is not the page's language: "zh-Hans" where an English page falls
    back to the Chinese column (no English name entered), else ""."""
    if get_language() == "en" and not getattr(obj, f"{field}_en", ""):
        return "zh-Hans"
    return ""


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
    review = _review_part(explanation.get("review"))
    if review:
        result["review"] = review
    next_tier = explanation.get("next_tier")
    if isinstance(next_tier, dict) and _tier(next_tier.get("tier")):
        missing = [text for text in (_missing_text(item, names) for item in _list(next_tier.get("missing"))) if text]
        result["next_tier"] = {"tier": _tier(next_tier.get("tier")), "missing": missing}
    return result


def _review_part(review) -> dict:
    """The figures that make R reproducible: the decayed weight Σw and the prior, as the recompute stored them.

    Σw is shown to 2 decimals; the prior weight without trailing zeros ("5"). Empty unless all three are numbers.
    """
    if not isinstance(review, dict):
        return {}
    try:
        weight = Decimal(str(review.get("weight")))
        prior_mean = Decimal(str(review.get("prior_mean")))
        prior_weight = Decimal(str(review.get("prior_weight")))
    except ArithmeticError:
        return {}
    if not all(value.is_finite() for value in (weight, prior_mean, prior_weight)):
        return {}
    return {
        "weight": str(weight.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
        "prior_mean": str(prior_mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
        "prior_weight": format(prior_weight.normalize(), "f"),
    }


def _missing_text(item, names: dict[str, str]) -> str:
    """A "missing" entry is a sentence, or a dict carrying one ("text", "text_en") and maybe service codes."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        return ""
    codes = item.get("missing")
    if isinstance(codes, list) and codes and all(isinstance(code, str) for code in codes):
        return _("必备服务：%(services)s") % {"services": _value(codes, names)}
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


def _rounded(value, places: str) -> Decimal:
    """A number rounded half-up the way the compare page shows it (Decimal, so "4.705" → "4.71" as on the page)."""
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _best(values: list, *, lowest: bool = False) -> list[bool]:
    """Which cells hold the row's highest value, or lowest with `lowest` (every tied one); none when fewer than two
    values differ (the caller decides whether that extreme is "best", "lowest" or "most").

    Callers pass the values as displayed, so two cells that read the same are both best or neither.
    """
    known = [v for v in values if v is not None]
    if len(set(known)) < 2:
        return [False] * len(values)
    best = min(known) if lowest else max(known)
    return [v is not None and v == best for v in values]


def gate_check_lines(gate: dict, *, service_names: dict[str, str] | None = None) -> list[dict]:
    """A gate's checks as short lines for a compare cell: the provider's figure against the threshold.

    "在营店铺 3 / 需 5", "必备服务：缺 跨境电商"; a gate that requires no services gets no services line.
    Each line carries `met` so the cell can mark it with ✓/✗ and the words for screen readers.
    """
    names = service_names or {}
    lines = []
    for check in _list(gate.get("checks")):
        if not isinstance(check, dict):
            continue
        name = str(check.get("name", ""))
        label = CHECK_LABELS.get(name, name)
        met = check.get("met") is True
        value, threshold = check.get("value"), check.get("threshold")
        if isinstance(threshold, list) or isinstance(value, list):
            required = [str(code) for code in _list(threshold)]
            if not required:
                continue  # nothing required: a "—/—" line says nothing
            missing = check.get("missing")
            if not (isinstance(missing, list) and all(isinstance(code, str) for code in missing)):
                missing = [code for code in required if code not in {str(v) for v in _list(value)}]
            if met or not missing:
                text = _("%(label)s：已具备 %(services)s") % {"label": label, "services": _value(required, names)}
            else:
                text = _("%(label)s：缺 %(services)s") % {"label": label, "services": _value(missing, names)}
        else:
            text = _("%(label)s %(value)s / 需 %(threshold)s") % {
                "label": label, "value": _value(value, names) or "—", "threshold": _value(threshold, names) or "—",
            }
        lines.append({"text": text, "met": met})
    return lines


# How a compare row marks its extreme cell: "best" only where more is better by the rating policy; a lower fee is
# only "lowest" (cheaper is not better by itself), more reviews only "most" (more evidence, not a better provider).
MARK_BEST, MARK_LOWEST, MARK_MOST = "best", "lowest", "most"


def comparison_rows(providers: list, *, service_names: dict[str, str] | None = None) -> list[dict]:
    """One row per attribute for the compare page: label, cells (text or tier), and each cell's mark.

    Order: the tier and composite, then what a merchant checks first (fee, services, platforms, categories), the
    figures behind the composite, the gate rows, and the company facts. A cell's `mark` is MARK_BEST, MARK_LOWEST,
    MARK_MOST or None; `best` is True only for MARK_BEST. Each provider carries `latest_snapshot` (or None); gate
    rows come from the snapshot's explanation.
    """
    snapshots = [p.latest_snapshot for p in providers]

    def snap(attr):
        return [getattr(s, attr) if s is not None else None for s in snapshots]

    def cell(flags: list[bool], mark: str, texts: list[str]) -> list[dict]:
        return [{"text": t, "mark": mark if f else None, "best": f and mark == MARK_BEST} for t, f in zip(texts, flags)]

    def numeric_row(key, label, values, *, places=None, mark=MARK_BEST):
        # Round first, then compare: the marker must agree with the figures a reader sees.
        shown = [None if v is None else (_rounded(v, places) if places else v) for v in values]
        return {"key": key, "label": label,
                "cells": cell(_best(shown), mark, [str(v) if v is not None else "—" for v in shown])}

    def text_row(key, label, texts):
        return {"key": key, "label": label, "cells": [{"text": t or "—", "mark": None, "best": False} for t in texts]}

    tiers = _best([p.tier for p in providers])
    rows = [
        {"key": "tier", "label": _("星级"), "tier_row": True, "cells": [
            {"tier": p.tier, "score": p.score, "mark": MARK_BEST if b else None, "best": b}
            for p, b in zip(providers, tiers)
        ]},
        numeric_row("score", _("综合分 S"), [p.score for p in providers], places="0.01"),
        {"key": "fee", "label": _("月服务费"), "cells": cell(
            _best([p.fee_min for p in providers], lowest=True), MARK_LOWEST,
            [fee_range_display(p.fee_min, p.fee_max) or "—" for p in providers],
        )},
        text_row("services", _("服务"), [list_separator().join(localized(s) for s in p.services.all()) for p in providers]),
        text_row("platforms", _("平台"), [list_separator().join(localized(x) for x in p.platforms.all()) for p in providers]),
        text_row("categories", _("类目"), [list_separator().join(localized(c) for c in p.categories.all())
                                        for p in providers]),
        numeric_row("review_average", _("均分（计分评价）"), [p.review_average for p in providers], places="0.1"),
        numeric_row("review_count", _("计分评价数"), [p.review_count for p in providers], mark=MARK_MOST),
        numeric_row("review_score", _("评价分 R"), snap("review_score"), places="0.01"),
        numeric_row("performance_score", _("表现分 P"), snap("performance_score"), places="0.01"),
        numeric_row("active_stores", _("在营店铺"), snap("active_stores")),
        numeric_row("excellent_stores", _("优秀店铺"), snap("excellent_stores")),
    ]
    gate_tiers = sorted(
        {g["tier"] for s in snapshots if s is not None for g in explanation_display(s.explanation, service_names=service_names).get("gates", [])
         if g["tier"]},
        reverse=True,
    )
    for tier in gate_tiers:
        cells = []
        for snapshot in snapshots:
            raw = snapshot.explanation if snapshot is not None and isinstance(snapshot.explanation, dict) else {}
            gate = next((g for g in _list(raw.get("gates")) if isinstance(g, dict) and g.get("tier") == tier), None)
            if gate is None:
                cells.append({"met": None, "text": "—", "checks": [], "mark": None, "best": False})
                continue
            checks = gate_check_lines(gate, service_names=service_names)
            cells.append({"met": gate.get("met") is True, "checks": checks,
                          "text": "; ".join(c["text"] for c in checks), "mark": None, "best": False})
        rows.append({"key": f"gate_{tier}", "label": tier, "gate_row": True, "cells": cells})
    rows += [
        text_row("city", _("总部城市"), [city_display(p.city) for p in providers]),
        text_row("founded_year", _("成立年份"), [str(p.founded_year) if p.founded_year else "" for p in providers]),
        text_row("size", _("公司规模"), [p.get_size_band_display() for p in providers]),
        text_row("status", _("状态"), [p.get_status_display() for p in providers]),
    ]
    return rows


def gate_table(explanation: dict, *, service_names: dict[str, str] | None = None) -> list[dict]:
    """A snapshot's gate checks as table rows (the graders' panel): each condition's figure against its threshold.

    Service codes are shown by name when service_names knows them (仓储, not warehousing)."""
    names = service_names or {}
    rows = []
    for gate in _list(explanation.get("gates")):
        cells = []
        for check in gate["checks"]:
            value, threshold, needs = check["value"], check["threshold"], "≥"
            if check["name"] == "services":
                value, threshold, needs = (
                    "、".join(names.get(code, code) for code in value) or "—",
                    "、".join(names.get(code, code) for code in threshold) or "—", _("需"),
                )
            cells.append({"name": check["name"], "label": CHECK_LABELS.get(check["name"], check["name"]),
                          "value": value, "threshold": threshold, "needs": needs, "met": check["met"]})
        rows.append({"tier": gate["tier"], "met": gate["met"], "cells": cells})
    return rows


# Reviews ------------------------------------------------------------------------------------------------------------


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (2024-01-15 → 2024-03-14 is 1; → 2024-03-15 is 2)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(months - (1 if end.day < start.day else 0), 0)


def engagement_duration_display(start: dt.date, end: dt.date | None, *, today: dt.date) -> str:
    """How long an engagement ran: "2023-03 至今 · 21 个月", "2022-01 至 2023-06 · 17 个月", "… · 不足 1 个月"."""
    months = months_between(start, end or today)
    length = (
        ngettext("%(count)d 个月", "%(count)d 个月", months) % {"count": months} if months else _("不足 1 个月")
    )
    if end is None or end >= today:
        return _("%(start)s 至今 · %(length)s") % {"start": f"{start:%Y-%m}", "length": length}
    return _("%(start)s 至 %(end)s · %(length)s") % {"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}", "length": length}


def review_distribution(ratings: dict[int, int]) -> list[dict]:
    """Bars of a rating distribution, 5★ first: count and whole percent of all (half up; 0 when there are none)."""
    total = sum(ratings.values())
    return [
        {
            "rating": rating,
            "count": count,
            "percent": int(_rounded(Decimal(count * 100) / total, "1")) if total else 0,
        }
        for rating, count in sorted(ratings.items(), reverse=True)
    ]


def dimension_averages(dimensions: dict[str, tuple], labels: dict[str, str]) -> list[dict]:
    """The dimensions someone rated, in `labels` order: label, average to one decimal (half up), how many rated it."""
    return [
        {"field": field, "label": labels[field], "average": _rounded(average, "0.1"), "count": count}
        for field in labels
        for average, count in [dimensions.get(field, (None, 0))]
        if count
    ]

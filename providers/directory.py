"""The directory page's filter form as people see it: which fields, their widgets, the city list, and the chips
that name each active filter with a link that removes it."""
from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cities import city_name_en, city_stored_name
from .forms import DirectCheckboxes, DirectSelect
from .models import TIER_CHOICES
from .presenters import city_display, localized

# Shown above the panel (always visible, on phones too), then in the collapsible panel, in this order.
SEARCH_FIELD = "q"
PANEL_FIELDS = (
    "min_tier", "platform", "category", "service", "city", "accepting", "credentialed", "no_sanction", "fee_from",
    "fee_to", "min_score", "sort",
)
# Filters the page accepts from links (the home page's tier lists) but does not show as fields: kept as hidden
# inputs so that changing another filter keeps them, and named by a chip so they can be removed.
HIDDEN_FIELDS = ("tier",)
FILTER_FIELDS = (SEARCH_FIELD, *PANEL_FIELDS, *HIDDEN_FIELDS)
MULTIPLE = ("platform", "category", "service")
MIN_TIER_LABELS = {
    3: gettext_lazy("三星及以上"), 4: gettext_lazy("四星及以上"), 5: gettext_lazy("五星及以上"), 6: gettext_lazy("六星"),
}


def shape_directory_form(form, *, has_query: bool, reference: dict[str, list]) -> None:
    """Present the shared filter form for people: "at least" tiers, checkbox groups, sensible inputs.

    `reference`: the platform, category and service rows (selectors.reference_rows, cached per generation), which
    the checkbox groups offer and check chosen codes against, so that neither runs a query.
    """
    form.fields["min_tier"].label = _("星级至少")
    form.fields["min_tier"].widget = DirectSelect(choices=[("", _("不限星级")), *MIN_TIER_LABELS.items()])
    for name in MULTIPLE:
        field = form.fields[name]
        field.label_from_instance = localized
        field.rows = reference[name]
        field.widget = DirectCheckboxes(choices=[(row.code, localized(row)) for row in reference[name]])
    sorts = form.fields["sort"].choices
    if not has_query:  # relevance means something only for a search
        sorts = [(value, label) for value, label in sorts if value != "relevance"]
    elif form.data.get("sort") in (None, ""):
        form.data = form.data.copy()
        form.data["sort"] = "relevance"  # shown selected: it is the order a search gets
    form.fields["sort"].widget = DirectSelect(choices=sorts)
    city = form.data.get("city", "")
    if city and (shown := city_display(city_stored_name(city))) != city:
        # A known city shows in the page's language (杭州 after switching to English comes back as Hangzhou); the
        # filter reads either name as the same stored city.
        form.data = form.data.copy()
        form.data["city"] = shown
    form.fields["min_score"].widget.attrs.update({"min": "0", "max": "5", "step": "0.1", "placeholder": "4.5"})
    for name, example in (("fee_from", "5000"), ("fee_to", "30000")):
        form.fields[name].widget.attrs.update({"min": "0", "step": "1000", "placeholder": example, "inputmode": "numeric"})
    form.fields["city"].widget.attrs.update({"placeholder": _("如：杭州"), "list": "city-options", "autocomplete": "off"})
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs.update({"placeholder": _("名称、城市、类目、服务…多个词用空格分开")})


def city_options(cities: list[str]) -> list[str]:
    """The datalist's values: the cities present, in the page's language (the filter accepts either name)."""
    if get_language() == "en":
        return sorted({city_name_en(city) or city for city in cities}, key=str.casefold)
    return cities


def _chip_value(form, name: str, raw: str) -> str:
    if name in MULTIPLE:
        chosen = {obj.code: obj for obj in form.cleaned_data.get(name) or []} if form.is_valid() else {}
        return localized(chosen[raw]) if raw in chosen else raw
    if name == "min_tier":
        return str(MIN_TIER_LABELS.get(_int(raw), raw))
    if name == "tier":
        return str(dict(TIER_CHOICES).get(_int(raw), raw))
    if name == "city":
        return city_display(raw)
    if name == "q":
        return f"“{raw}”"
    if name in ("accepting", "credentialed", "no_sanction"):
        return ""  # the label says it all
    return raw


def _int(value: str):
    try:
        return int(value)
    except ValueError:
        return None


CHIP_LABELS = {
    "q": gettext_lazy("搜索"), "min_tier": gettext_lazy("星级"), "tier": gettext_lazy("星级"),
    "platform": gettext_lazy("平台"), "category": gettext_lazy("类目"), "service": gettext_lazy("服务"),
    "city": gettext_lazy("城市"), "fee_from": gettext_lazy("预算不低于"), "fee_to": gettext_lazy("预算不高于"),
    "min_score": gettext_lazy("综合分不低于"), "accepting": gettext_lazy("接受新客户"),
    "credentialed": gettext_lazy("有平台资质"), "no_sanction": gettext_lazy("今年无处罚"),
}


def directory_chips(form, query: QueryDict) -> list[dict]:
    """One chip per active filter value, in the form's order: its label and the address without it (page 1)."""
    chips = []
    for name in FILTER_FIELDS:
        if name not in CHIP_LABELS:
            continue
        for raw in query.getlist(name):
            if not raw.strip():
                continue
            # The address without this value, and without the empty fields a submitted form sends (q=&city=…).
            rest = QueryDict(mutable=True)
            for key, values in query.lists():
                kept = [v for v in values if v.strip() and not (key == name and v == raw) and key != "page"]
                if kept:
                    rest.setlist(key, kept)
            chips.append({
                "label": CHIP_LABELS[name], "value": _chip_value(form, name, raw.strip()),
                "url": f"?{rest.urlencode()}" if rest else "?",
            })
    return chips

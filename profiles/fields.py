"""The profile fields a team may propose to change, as stored in ProfileChange.proposed and shown in the diff.

Values are kept JSON-ready: many-to-many fields as sorted lists of codes, money as decimal strings, so a
proposal reads the same whenever a grader opens it.
"""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Model
from django.utils.translation import gettext as _

from providers.models import Category, Platform, Provider, Service
from providers.presenters import city_display, format_cny, list_separator, localized

PROFILE_FIELDS = (
    "description", "description_en", "services", "platforms", "categories", "cities_served", "fee_min", "fee_max",
    "website", "size_band", "accepting_new_clients",
)
RELATIONS: dict[str, type[Model]] = {"services": Service, "platforms": Platform, "categories": Category}
MONEY = ("fee_min", "fee_max")


def field_label(name: str) -> str:
    return str(Provider._meta.get_field(name).verbose_name)


def stored_value(name: str, value):
    """A form's cleaned value (or the provider's) in the form a proposal keeps."""
    if name in RELATIONS:
        return sorted(item.code for item in value)
    if name in MONEY:
        return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))
    if name == "cities_served":
        return list(value or [])
    return value


def current_values(provider: Provider) -> dict:
    """The provider's present values of every profile field (three queries, one per relation)."""
    values = {name: stored_value(name, getattr(provider, name)) for name in PROFILE_FIELDS if name not in RELATIONS}
    for name in RELATIONS:
        values[name] = sorted(getattr(provider, name).values_list("code", flat=True))
    return values


def changed_values(provider: Provider, proposed: dict) -> dict:
    """Only the fields whose proposed value differs from the present one."""
    current = current_values(provider)
    return {name: proposed[name] for name in PROFILE_FIELDS if name in proposed and proposed[name] != current[name]}


def reference_names() -> dict[str, dict[str, str]]:
    """{relation: {code: localized name}} for showing proposals (one query per relation)."""
    return {name: {item.code: localized(item) for item in model.objects.all()} for name, model in RELATIONS.items()}


def value_display(name: str, value, *, names: dict[str, dict[str, str]]) -> str:
    """A stored value as a grader or the team reads it."""
    if name in RELATIONS:
        # In the reference data's own order (天猫 before 京东), whatever order the codes were stored in.
        known = [label for code, label in names[name].items() if code in value]
        return list_separator().join(known + [code for code in value if code not in names[name]]) or "—"
    if name in MONEY:
        return "—" if value is None else format_cny(Decimal(value))
    if name == "cities_served":
        return list_separator().join(city_display(city) for city in value) or "—"
    if name == "size_band":
        return str(Provider.SizeBand(value).label) if value else "—"
    if name == "accepting_new_clients":
        return _("是") if value else _("暂不接受")
    return value or "—"


def proposal_diff(provider: Provider, proposed: dict) -> list[dict]:
    """Field by field: label, present value, proposed value (readable), and whether it differs today."""
    current = current_values(provider)
    names = reference_names()
    return [
        {
            "name": name,
            "label": field_label(name),
            "current": value_display(name, current[name], names=names),
            "proposed": value_display(name, proposed[name], names=names),
            "changed": current[name] != proposed[name],
        }
        for name in PROFILE_FIELDS if name in proposed
    ]


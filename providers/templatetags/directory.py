"""Template helpers of the directory pages."""
from django import template

from providers.presenters import city_display, list_separator, localized

register = template.Library()


@register.filter(name="localized")
def localized_filter(obj, field: str = "name") -> str:
    """{{ provider|localized }} → the name in the page's language; {{ provider|localized:"description" }} likewise."""
    return localized(obj, field)


@register.filter(name="city_display")
def city_display_filter(city) -> str:
    """{{ provider.city|city_display }} → "Hangzhou" on English pages for 杭州; a city not in the list as stored."""
    return city_display(city)


@register.filter
def localized_join(items) -> str:
    """Names of reference rows (platforms, services…) in the page's language, joined the way the language lists."""
    return list_separator().join(localized(item) for item in items)


@register.filter
def percent(value, places: int = 1) -> str:
    """A 0–1 rate as a percentage ("0.0123" → "1.2%")."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(places)}f}%"


@register.filter
def plain(value) -> str:
    """A Decimal without trailing zeros ("0.400" → "0.4", "5.00" → "5")."""
    if value is None:
        return ""
    return format(value.normalize(), "f")

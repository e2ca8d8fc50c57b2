"""Template helpers of the directory pages."""
from types import SimpleNamespace

from django import template
from django.utils.html import format_html, format_html_join

from providers.cities import city_name_en
from providers.presenters import city_display, fallback_lang, list_separator, localized
from providers.search.text import highlight_spans

register = template.Library()


@register.filter(name="localized")
def localized_filter(obj, field: str = "name") -> str:
    """{{ provider|localized }} → the name in the page's language; {{ provider|localized:"description" }} likewise."""
    return localized(obj, field)


@register.filter
def lang_attr(obj, field: str = "name") -> str:
    """<h1{{ provider|lang_attr }}> → ' lang="zh-Hans"' where an English page shows the Chinese name (none in English),
    so screen readers pronounce it as Chinese (WCAG 3.1.2); nothing otherwise."""
    lang = fallback_lang(obj, field)
    return format_html(' lang="{}"', lang) if lang else ""


@register.filter
def city_lang_attr(city: str) -> str:
    """Likewise for a city that has no English name (喀什) shown on an English page."""
    return lang_attr(SimpleNamespace(city=city, city_en=city_name_en(city) if city else ""), "city")


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


@register.filter
def highlight(text, words) -> str:
    """{{ name|highlight:words }} → the text, escaped, with the search's words in <mark>."""
    if not words:
        return text
    return format_html_join("", "{}", (
        (format_html("<mark>{}</mark>", part) if matched else part,) for part, matched in highlight_spans(str(text), words)
    ))


@register.filter
def search_snippet(text, words) -> str:
    """About 80 characters of a description around the first word it contains, marked; empty if none."""
    if not words or not text:
        return ""
    pieces = highlight_spans(str(text), words)
    offset = 0
    for part, matched in pieces:
        if matched:
            break
        offset += len(part)
    else:
        return ""
    start = max(offset - 30, 0)
    end = min(start + 80, len(text))
    excerpt = highlight(str(text)[start:end], words)
    return format_html("{}{}{}", "…" if start else "", excerpt, "…" if end < len(text) else "")

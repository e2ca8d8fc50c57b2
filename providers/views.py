"""Merchant-facing pages: home, the directory, a provider's page and the side-by-side comparison."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from ratings.selectors import (
    REVIEW_SORTS,
    merchant_reviewable_engagements,
    policy_active,
    policy_gates,
    provider_latest_snapshot,
    provider_reviews,
    provider_store_performance,
    provider_trend,
    providers_for_compare,
)

from .cache import cached_fragment, cached_parts
from .charts import TrendPoint, trend_chart
from .directory import HIDDEN_FIELDS, PANEL_FIELDS, SEARCH_FIELD, city_options, directory_chips, shape_directory_form
from .filters import DirectoryFilter
from .models import Provider
from .presenters import comparison_rows, explanation_display, fee_range_display, gate_thresholds, localized
from .search.text import Word, query_problem, query_words, words_digest
from .selectors import (
    COMPARE_MAX,
    DIRECTORY_ORDERING,
    WindowCountPaginator,
    member_providers,
    provider_active_store_count,
    provider_get,
    provider_list,
    provider_cities,
    providers_load_reference,
    providers_for_tray,
    providers_top_by_platform,
    providers_top_by_tier,
    service_names_by_code,
)

PAGE_SIZE = 20
CARD_FIELDS = (
    "slug", "name", "name_en", "city", "status", "verified", "tier", "score", "at_risk", "review_count",
    "review_average", "fee_min", "fee_max",
)
REVIEWS_PAGE_SIZE = 10
COMPARE_SESSION_KEY = "compare"
TRAY_MARKER = "<!--compare-tray-->"

REVIEW_SORT_LABELS = {
    "newest": gettext_lazy("最新"),
    "oldest": gettext_lazy("最早"),
    "highest": gettext_lazy("评分最高"),
    "lowest": gettext_lazy("评分最低"),
}


def _anonymous_get(request) -> bool:
    # Only pages that look the same for every visitor may be cached; signed-in users get fresh pages.
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated


@require_safe
def home_view(request):
    def render_home() -> str:
        return render_to_string("providers/_home_content.html", {
            "by_tier": providers_top_by_tier(per_tier=3),
            "by_platform": providers_top_by_platform(per_platform=3),
            "gates": policy_gates(policy_active()),
        })

    html = (
        cached_fragment(page="home", query="", language=get_language(), render=render_home)
        if _anonymous_get(request) else render_home()
    )
    # The fragment was rendered by our own (autoescaping) templates, cached as a plain string.
    return render(request, "providers/home.html", {"content": mark_safe(html)})


@require_safe
def provider_list_view(request):
    query = request.GET.urlencode()

    def render_results() -> str:
        return render_to_string("providers/_directory_results.html", _directory_context(request))

    html = (
        cached_fragment(page="list", query=query, language=get_language(), render=render_results)
        if _anonymous_get(request) else render_results()
    )
    compare = compare_slugs(request)
    tray = render_to_string("providers/_compare_tray.html", {
        "compare": providers_for_tray(slugs=compare) if compare else [],
        "compare_max": COMPARE_MAX,
    }, request=request)
    # Rendered by our own (autoescaping) templates, cached as a plain string; the tray is per visitor.
    return render(request, "providers/provider_list.html", {
        "results": mark_safe(html.replace(TRAY_MARKER, tray, 1)),
    })


def _directory_context(request) -> dict:
    # Cards show none of the long text columns; leaving them out keeps the sort of thousands of rows small.
    # A search shows where it matched in the description, so it fetches the descriptions of its page.
    words = query_words(request.GET.get("q", "")) if not query_problem(request.GET.get("q", "")) else []
    fields = (*CARD_FIELDS, "description", "description_en") if words else CARD_FIELDS
    listing = provider_list(with_reference=False).only(*fields).order_by(*DIRECTORY_ORDERING)
    provider_filter = DirectoryFilter(request.GET, queryset=listing)
    shape_directory_form(provider_filter.form, has_query=bool(words))
    # A value that does not parse is shown as a form error with no results, never silently dropped.
    providers = provider_filter.qs if provider_filter.is_valid() else provider_filter.queryset.none()
    page = WindowCountPaginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    form = provider_filter.form
    chips = directory_chips(form, query)
    return {
        "form": form,
        "search_field": form[SEARCH_FIELD],
        "fields": [form[name] for name in PANEL_FIELDS],
        "hidden": [(name, value) for name in HIDDEN_FIELDS for value in query.getlist(name) if value],
        "cities": city_options(provider_cities()),
        "chips": chips,
        "page": page,
        "cards": provider_cards(list(page.object_list), cached=_anonymous_get(request), words=words),
        "query": query.urlencode(),
        "filtered": bool(chips),
        "compare_max": COMPARE_MAX,
    }


def provider_cards(providers: list[Provider], *, cached: bool, words: list[Word] = ()) -> list[str]:
    """The directory card of each provider, in order; with `cached`, kept per provider and language until the
    next page-cache generation (ratings, imports and admin edits start one). With search `words`, the words
    are marked in the card, which is then kept per search as well."""
    def render_cards(missing_ids: list[int]) -> dict[int, str]:
        missing = [provider for provider in providers if provider.pk in set(missing_ids)]
        providers_load_reference(missing)
        for provider in missing:
            provider.fee_range = fee_range_display(provider.fee_min, provider.fee_max)
        return {
            p.pk: render_to_string("providers/_provider_card.html", {"provider": p, "words": words}) for p in missing
        }

    ids = [provider.pk for provider in providers]
    part = f"card:q:{words_digest(words)}" if words else "card"
    html = cached_parts(page=part, ids=ids, language=get_language(), render=render_cards) if cached else render_cards(ids)
    # Rendered by our own (autoescaping) template, cached as plain strings.
    return [mark_safe(html[provider.pk]) for provider in providers]


PROVIDER_ACTIONS_MARKER = "<!--provider-actions-->"


@require_safe
def provider_detail_view(request, slug):
    if _anonymous_get(request):
        # Anonymous visitors share one rendering per provider, review sort/page and language until ratings,
        # reviews or the provider change.
        page = cached_fragment(page=f"provider:{slug}", query=request.GET.urlencode(), language=get_language(),
                               render=lambda: _provider_page(request, _provider_or_404(slug), is_member=False))
        reviewable = []
    else:  # signed in: fresh, with the member's reply links and the merchant's "write a review"
        provider = _provider_or_404(slug)
        page = _provider_page(request, provider, is_member=provider in member_providers(user=request.user))
        reviewable = list(merchant_reviewable_engagements(user=request.user, provider=provider,
                                                          on=timezone.localdate()))
    actions = render_to_string("providers/_provider_actions.html", {
        "slug": slug, "compare": compare_slugs(request), "reviewable": reviewable,
    }, request=request)
    # Rendered by our own (autoescaping) templates, cached as a plain string; the actions are per visitor.
    return render(request, "providers/provider_detail.html", {
        "title": page["title"],
        "body": mark_safe(page["body"].replace(PROVIDER_ACTIONS_MARKER, actions, 1)),
    })


def _provider_or_404(slug: str) -> Provider:
    try:
        return provider_get(slug=slug)
    except Provider.DoesNotExist:
        raise Http404(_("没有这个服务商"))


def _provider_page(request, provider: Provider, *, is_member: bool) -> dict:
    """The page's title and body (with the actions marker), the same for every visitor of one kind."""
    return {
        "title": f"{localized(provider)} · {_('代运营服务商目录')}",
        "body": render_to_string("providers/_provider_body.html", _provider_context(request, provider, is_member)),
    }


def _provider_context(request, provider: Provider, is_member: bool) -> dict:
    today = timezone.localdate()
    provider.fee_range = fee_range_display(provider.fee_min, provider.fee_max)
    snapshot = provider_latest_snapshot(provider=provider)
    explanation = (
        explanation_display(snapshot.explanation, service_names=service_names_by_code()) if snapshot else None
    )
    trend = provider_trend(provider=provider) if snapshot else []
    chart = (
        trend_chart(
            [TrendPoint(period=s.period, composite=s.composite, tier=s.tier) for s in trend],
            thresholds=gate_thresholds(snapshot.explanation),
        )
        if trend else None
    )
    sort = request.GET.get("sort") if request.GET.get("sort") in REVIEW_SORTS else "newest"
    reviews = Paginator(provider_reviews(provider=provider, sort=sort), REVIEWS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    window = snapshot.policy.performance_window_months if snapshot else 3
    return {
        "provider": provider,
        "active_store_count": provider_active_store_count(provider=provider, on=today),
        "snapshot": snapshot,
        "explanation": explanation,
        "chart": chart,
        "trend": trend,
        "performance": provider_store_performance(provider=provider, on=today, months=window),
        "reviews": reviews,
        "review_sort": sort,
        "review_sorts": [(key, label) for key, label in REVIEW_SORT_LABELS.items()],
        "is_member": is_member,
    }


# Compare -----------------------------------------------------------------------------------------------------------


def compare_slugs(request) -> list[str]:
    """The shortlist kept in the visitor's session (slugs, at most COMPARE_MAX)."""
    # Reading the session of a visitor without one would create it; only look when a cookie came in.
    if not request.session.session_key and not request.session.modified:
        return []
    value = request.session.get(COMPARE_SESSION_KEY, [])
    return [slug for slug in value if isinstance(slug, str)][:COMPARE_MAX] if isinstance(value, list) else []


def _parse_slugs(values: list[str]) -> list[str]:
    slugs = []
    for value in values:
        for slug in value.split(","):
            slug = slug.strip()
            if slug and slug not in slugs and len(slug) <= 80:
                slugs.append(slug)
    return slugs


@require_safe
def compare_view(request):
    raw = request.GET.getlist("p")
    slugs = _parse_slugs(raw)
    if not raw and compare_slugs(request):
        return redirect(f"{reverse('providers:compare')}?{urlencode({'p': ','.join(compare_slugs(request))})}")
    if len(slugs) > COMPARE_MAX:
        messages.warning(request, _("最多同时对比 %(count)d 家服务商，已保留前 %(count)d 家。") % {"count": COMPARE_MAX})
        slugs = slugs[:COMPARE_MAX]
    canonical = ",".join(slugs)
    if raw and raw != [canonical]:
        # Ticked boxes arrive as p=a&p=b; the shareable address is p=a,b.
        return redirect(f"{reverse('providers:compare')}?{urlencode({'p': canonical})}")
    providers = providers_for_compare(slugs=slugs)
    if [p.slug for p in providers] != compare_slugs(request):
        request.session[COMPARE_SESSION_KEY] = [p.slug for p in providers]
    for provider in providers:
        provider.fee_range = fee_range_display(provider.fee_min, provider.fee_max)
    unknown = [slug for slug in slugs if slug not in {p.slug for p in providers}]
    return render(request, "providers/provider_compare.html", {
        "providers": providers,
        "rows": comparison_rows(providers, service_names=service_names_by_code()) if providers else [],
        "unknown": unknown,
        "compare_max": COMPARE_MAX,
        # Each column's "remove" link with the provider it removes (named for screen readers).
        "removals": [
            (p, f"{reverse('providers:compare')}?{urlencode({'p': ','.join(s for s in slugs if s != p.slug)})}")
            for p in providers
        ],
    })


@require_POST
def compare_change_view(request):
    """Add a provider to the session shortlist, or remove it, then go back where the visitor was."""
    slug = request.POST.get("slug", "")
    action = request.POST.get("action", "add")
    current = compare_slugs(request)
    if action == "remove":
        current = [s for s in current if s != slug]
    elif slug and slug not in current:
        if len(current) >= COMPARE_MAX:
            messages.warning(request, _("最多同时对比 %(count)d 家服务商，请先移除一家。") % {"count": COMPARE_MAX})
        elif Provider.objects.filter(slug=slug).exists():
            current.append(slug)
            messages.success(request, _("已加入对比。"))
    request.session[COMPARE_SESSION_KEY] = current
    return HttpResponseRedirect(_safe_next(request, default=reverse("providers:compare")))


def _safe_next(request, *, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default

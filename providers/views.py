"""Merchant-facing pages: home, the directory, a provider's page and the side-by-side comparison."""
from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from profiles.selectors import credential_badges_by_provider, provider_showcase
from conduct.selectors import provider_conduct_summary
from inquiries.selectors import provider_response_stats
from ratings.selectors import (
    merchant_reviewable_engagements,
    policy_active,
    policy_gates,
    provider_latest_snapshot,
    provider_review_platforms,
    provider_review_summary,
    provider_reviews,
    provider_store_performance,
    provider_trend,
    providers_for_compare,
    reviews_attach_engagements,
)

from .cache import cached_fragment, cached_parts, cached_value
from .charts import COMPACT, TrendPoint, trend_chart, trend_months
from .directory import HIDDEN_FIELDS, PANEL_FIELDS, SEARCH_FIELD, city_options, directory_chips, shape_directory_form
from .filters import DirectoryFilter
from .forms import ReviewFilterForm
from .models import Provider
from .search.text import Word, query_problem, query_words, words_digest
from .presenters import (
    comparison_rows,
    dimension_averages,
    engagement_duration_display,
    explanation_display,
    fee_range_display,
    gate_thresholds,
    list_separator,
    localized,
    review_distribution,
)
from .selectors import (
    COMPARE_MAX,
    DIRECTORY_ORDERING,
    WindowCountPaginator,
    member_providers,
    provider_active_store_count,
    provider_get,
    provider_list,
    provider_cities,
    providers_load_card_links,
    providers_load_descriptions,
    providers_for_tray,
    providers_top_by_platform,
    providers_top_by_tier,
    reference_rows,
    service_names_by_code,
)
from .shortlist import Change, shortlist_add, shortlist_clear, shortlist_remove, shortlist_replace, shortlist_slugs

PAGE_SIZE = 20
CARD_FIELDS = (
    "slug", "name", "name_en", "city", "status", "verified", "tier", "score", "at_risk", "review_count",
    "review_average", "fee_min", "fee_max", "sanction",
)
REVIEWS_PAGE_SIZE = 10

REVIEW_SORT_LABELS = {
    "newest": gettext_lazy("最新"),
    "oldest": gettext_lazy("最早"),
    "highest": gettext_lazy("评分最高"),
    "lowest": gettext_lazy("评分最低"),
}
DIMENSION_LABELS = {
    "effect": gettext_lazy("运营效果"),
    "communication": gettext_lazy("沟通"),
    "professionalism": gettext_lazy("专业度"),
    "responsiveness": gettext_lazy("响应速度"),
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
    # Rendered by our own (autoescaping) templates, cached as a plain string; the tray is per visitor.
    return render(request, "providers/provider_list.html", {
        "results": mark_safe(html),
        "tray": mark_safe(compare_tray(request, next_url=request.get_full_path())),
    })


def _directory_context(request) -> dict:
    # Cards show none of the long text columns; leaving them out keeps the sort of thousands of rows small.
    words = query_words(request.GET.get("q", "")) if not query_problem(request.GET.get("q", "")) else []
    listing = provider_list(with_reference=False).only(*CARD_FIELDS).order_by(*DIRECTORY_ORDERING)
    # What every directory page shows whatever its filters (the form's choices, the city list) changes only with a
    # new generation: kept once for all pages rather than queried on each.
    lists = cached_value(name="lists", compute=_directory_lists)
    provider_filter = DirectoryFilter(request.GET, queryset=listing)
    shape_directory_form(provider_filter.form, has_query=bool(words), reference=lists["reference"])
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
        "cities": city_options(lists["cities"]),
        "chips": chips,
        "page": page,
        "cards": provider_cards(
            list(page.object_list), cached=_anonymous_get(request), words=words, reference=lists["reference"]),
        "query": query.urlencode(),
        "filtered": bool(chips),
        "compare_max": COMPARE_MAX,
    }


def _directory_lists() -> dict:
    return {"reference": reference_rows(), "cities": provider_cities()}


def provider_cards(
    providers: list[Provider], *, cached: bool, words: list[Word] = (), reference: dict[str, list],
) -> list[str]:
    """The directory card of each provider, in order; with `cached`, kept per provider and language until the
    next page-cache generation (ratings, imports and admin edits start one). With search `words`, the words
    are marked in the card, which is then kept per search as well. `reference`: selectors.reference_rows()."""
    def render_cards(missing_ids: list[int]) -> dict[int, str]:
        missing = [provider for provider in providers if provider.pk in set(missing_ids)]
        providers_load_card_links(missing, reference=reference)
        if words:  # a search shows where it matched in the description: one query for the cards it renders
            providers_load_descriptions(missing)
        badges = credential_badges_by_provider(provider_ids=missing_ids, today=timezone.localdate())
        for provider in missing:
            provider.fee_range = fee_range_display(provider.fee_min, provider.fee_max)
            provider.credential_badges = badges.get(provider.pk, [])
        return {
            p.pk: render_to_string("providers/_provider_card.html", {"provider": p, "words": words}) for p in missing
        }

    ids = [provider.pk for provider in providers]
    part = f"card:q:{words_digest(words)}" if words else "card"
    html = cached_parts(page=part, ids=ids, language=get_language(), render=render_cards) if cached else render_cards(ids)
    # Rendered by our own (autoescaping) template, cached as plain strings.
    return [mark_safe(html[provider.pk]) for provider in providers]


PROVIDER_ACTIONS_MARKER = "<!--provider-actions-->"
META_DESCRIPTION_CHARS = 150


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
        "slug": slug, "compare": shortlist_slugs(request), "reviewable": reviewable,
    }, request=request)
    # Rendered by our own (autoescaping) templates, cached as a plain string; the actions are per visitor.
    return render(request, "providers/provider_detail.html", {
        "title": page["title"],
        "description": page.get("description", ""),  # a page cached before descriptions has none
        "body": mark_safe(page["body"].replace(PROVIDER_ACTIONS_MARKER, actions, 1)),
    })


def _provider_or_404(slug: str) -> Provider:
    try:
        return provider_get(slug=slug)
    except Provider.DoesNotExist:
        raise Http404(_("没有这个服务商"))


def _provider_page(request, provider: Provider, *, is_member: bool) -> dict:
    """The page's title, meta description and body (with the actions marker), the same for every visitor of a kind."""
    # The meta description is the provider's own profile, cut where a search result's snippet ends.
    description = Truncator(" ".join(localized(provider, "description").split()))
    return {
        "title": f"{localized(provider)} · {_('代运营服务商目录')}",
        "description": description.chars(META_DESCRIPTION_CHARS, truncate="…"),
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
    months = trend_months([
        TrendPoint(period=s.period, composite=s.composite, tier=s.tier,
                   reason="no_performance" if s.composite is None else "")
        for s in trend
    ])
    thresholds = gate_thresholds(snapshot.explanation) if snapshot else {}
    chart = trend_chart(months, thresholds=thresholds) if months else None
    chart_compact = trend_chart(months, thresholds=thresholds, layout=COMPACT) if months else None
    reviews_context = _reviews_context(request, provider, today=today)
    window = snapshot.policy.performance_window_months if snapshot else 3
    return {
        "provider": provider,
        "active_store_count": provider_active_store_count(provider=provider, on=today),
        "snapshot": snapshot,
        "explanation": explanation,
        "chart": chart,
        "chart_compact": chart_compact,
        "trend": trend,
        "performance": provider_store_performance(provider=provider, on=today, months=window),
        **reviews_context,
        **provider_showcase(provider=provider, today=today),
        "is_member": is_member,
        "conduct": provider_conduct_summary(provider=provider, on=today),
        "response_stats": provider_response_stats(provider=provider),
    }


def _reviews_context(request, provider: Provider, *, today) -> dict:
    """The reviews section: distribution, dimension averages, the filter form and one page of reviews with context."""
    platforms = provider_review_platforms(provider=provider)
    data = request.GET.copy()
    if data.get("sort") not in REVIEW_SORT_LABELS:  # an old or mistyped order falls back to the default, as before
        data["sort"] = "newest"
    form = ReviewFilterForm(
        data,
        platforms=[(p["code"], f"{localized(SimpleNamespace(**p))} ({p['count']})") for p in platforms],
        sorts=list(REVIEW_SORT_LABELS.items()),
    )
    # A value that does not parse is shown as a form error with no reviews, never silently dropped.
    filters = form.cleaned_data if form.is_valid() else None
    sort = (filters or {}).get("sort") or "newest"
    reviews = (
        provider_reviews(provider=provider, sort=sort, rating=filters["rating"], platform=filters["platform"],
                         keyword=filters["q"].strip())
        if filters is not None else provider_reviews(provider=provider).none()
    )
    page = Paginator(reviews, REVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    reviews_attach_engagements(page.object_list)
    for review in page.object_list:
        engagement = review.context_engagement
        review.services = list_separator().join(localized(s) for s in engagement.services.all()) if engagement else ""
        review.duration = (
            engagement_duration_display(engagement.start_date, engagement.end_date, today=today) if engagement else ""
        )
    summary = provider_review_summary(provider=provider)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "reviews": page,
        "review_pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "review_query": query.urlencode(),
        "review_form": form,
        "review_filtered": bool(filters and (filters["rating"] or filters["platform"] or filters["q"].strip())),
        "review_total": summary["count"],
        "review_distribution": review_distribution(summary["ratings"]),
        "review_dimensions": dimension_averages(summary["dimensions"], DIMENSION_LABELS),
        "review_sort": sort,
    }


# Compare and the shortlist ---------------------------------------------------------------------------------------

SHORTLIST_ACTIONS = ("add", "remove", "clear", "replace")
SHORTLIST_MESSAGES = {
    Change.ADDED: (messages.SUCCESS, gettext_lazy("已加入对比。")),
    Change.ALREADY: (messages.INFO, gettext_lazy("这家服务商已在对比清单中。")),
    Change.FULL: (messages.WARNING, gettext_lazy("最多同时对比 %(count)d 家服务商，请先移除一家。")),
    Change.UNKNOWN: (messages.WARNING, gettext_lazy("目录中没有这家服务商，未加入对比。")),
    Change.REMOVED: (messages.SUCCESS, gettext_lazy("已移出对比。")),
    Change.CLEARED: (messages.SUCCESS, gettext_lazy("已清空对比清单。")),
    Change.REPLACED: (messages.SUCCESS, gettext_lazy("已把这组服务商保存为你的对比清单。")),
}
# Where a no-script change returns on the page it came from: the card's own button, or the tray.
SHORTLIST_ANCHORS = {"card": "provider-{slug}", "tray": "compare-tray"}


def compare_tray(request, *, next_url: str) -> str:
    """The visitor's shortlist tray: names, count, remove buttons and the forms the cards' buttons submit."""
    slugs = shortlist_slugs(request)
    return render_to_string("providers/_compare_tray.html", {
        "compare": providers_for_tray(slugs=slugs) if slugs else [],
        "compare_max": COMPARE_MAX,
        "next_url": next_url,
    }, request=request)


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
    """Providers side by side: the visitor's shortlist, or the set a shared address names (which leaves the
    visitor's own shortlist as it is, with a button to save the set as theirs)."""
    raw = request.GET.getlist("p")
    slugs = _parse_slugs(raw)
    shortlist = shortlist_slugs(request)
    if not raw and shortlist:
        return redirect(f"{reverse('providers:compare')}?{urlencode({'p': ','.join(shortlist)})}")
    if len(slugs) > COMPARE_MAX:
        messages.warning(request, _("最多同时对比 %(count)d 家服务商，已保留前 %(count)d 家。") % {"count": COMPARE_MAX})
        slugs = slugs[:COMPARE_MAX]
    canonical = ",".join(slugs)
    if raw and raw != [canonical]:
        # Several p= values arrive as p=a&p=b; the shareable address is p=a,b.
        return redirect(f"{reverse('providers:compare')}?{urlencode({'p': canonical})}")
    providers = providers_for_compare(slugs=slugs)
    badges = credential_badges_by_provider(provider_ids=[p.pk for p in providers], today=timezone.localdate())
    for provider in providers:
        provider.fee_range = fee_range_display(provider.fee_min, provider.fee_max)
        provider.credential_badges = badges.get(provider.pk, [])
    shown = [p.slug for p in providers]
    unknown = [slug for slug in slugs if slug not in shown]
    return render(request, "providers/provider_compare.html", {
        "providers": providers,
        "rows": comparison_rows(providers, service_names=service_names_by_code()) if providers else [],
        "unknown": unknown,
        "compare_max": COMPARE_MAX,
        "is_shortlist": bool(shown) and shown == shortlist,
        "shown": shown,
        # A shared set's "remove" links (named for screen readers) only change the view, not the shortlist.
        "removals": [
            (p, f"{reverse('providers:compare')}?{urlencode({'p': ','.join(s for s in shown if s != p.slug)})}")
            for p in providers
        ],
    })


@require_POST
def compare_change_view(request):
    """Change the visitor's shortlist (add, remove, clear, or replace by a shared set), then go back where they were;
    a script asking for JSON gets the outcome and the new tray instead."""
    action = request.POST.get("action", "add")
    slug = request.POST.get("slug", "").strip()
    if action not in SHORTLIST_ACTIONS:
        return HttpResponseBadRequest(_("action 只能是 add、remove、clear 或 replace。"))
    if action in ("add", "remove") and not slug:
        return HttpResponseBadRequest(_("缺少 slug：要加入或移出对比的服务商。"))
    if action == "add":
        change = shortlist_add(request, slug=slug)
    elif action == "remove":
        change = shortlist_remove(request, slug=slug)
    elif action == "clear":
        change = shortlist_clear(request)
    else:
        change = shortlist_replace(request, slugs=_parse_slugs(request.POST.getlist("p")))
    level, text = SHORTLIST_MESSAGES[change]
    text = str(text) % {"count": COMPARE_MAX} if change is Change.FULL else str(text)
    next_url = _safe_next(request, default=reverse("providers:compare"))
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({
            "change": change.value, "message": text, "shortlist": shortlist_slugs(request),
            "tray": compare_tray(request, next_url=next_url),
        })
    messages.add_message(request, level, text)
    anchor = SHORTLIST_ANCHORS.get(request.POST.get("anchor", ""))
    if anchor and "#" not in next_url and slug_re.fullmatch(slug):
        next_url += "#" + anchor.format(slug=slug)
    return HttpResponseRedirect(next_url)


def _safe_next(request, *, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default

"""Reads of the directory: querysets shaped for each page and endpoint, with their joins prefetched."""
from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import (
    Count, F, OrderBy, Prefetch, Q, QuerySet, Value, Window,
)
from django.db.models.functions import RowNumber
from django.utils.translation import get_language

from .models import Category, Engagement, Membership, Platform, Provider, Service, Store
from .search.text import name_sort_key

LISTED_STATUSES = (Provider.Status.ACTIVE, Provider.Status.PROBATION)
# The conduct ledger's sanctions that keep a provider listed (conduct.ledger.UNLISTED takes the others off the
# directory, search, home page, API lists and suggestions; the page stays reachable by link).
LISTED_SANCTIONS = (Provider.Sanction.NONE, Provider.Sanction.WARNING)


def listed_q(prefix: str = "") -> Q:
    """The one rule for "listed": a listed status and no sanction that hides the provider."""
    return Q(**{f"{prefix}status__in": LISTED_STATUSES, f"{prefix}sanction__in": LISTED_SANCTIONS})


def no_sanction_this_year_q(prefix: str = "") -> Q:
    """The one rule for "no sanction this year" (今年无处罚): no points this calendar year and no sanction in force."""
    # Both columns are the conduct ledger on today (Asia/Shanghai) as conduct.services.sanctions_apply writes them,
    # so the filter needs no join. Why today's two values tell the whole year: points are this calendar year's (the
    # daily job resets them on 1 January) and a withdrawn violation counts nowhere, as if never recorded, so 0 points
    # today means no counted violation decided this year. Warning, hidden and frozen all need this year's points, so
    # none of them was in force on any day of the year; only delisted and cleared outlive a year, and they keep
    # `sanction` off "none" (and such providers are not listed anyway). Stricter than the ladder on purpose: a
    # violation under the warning threshold (6 points) is no sanction yet, but it is this year's record.
    # Not seen by the columns: a delisting from an earlier year lifted by a reinstatement this year; and on 1 January,
    # until the daily job has run, last year's points still exclude (the safe side).
    return Q(**{f"{prefix}sanction": Provider.Sanction.NONE, f"{prefix}sanction_points": 0})

# Highest tier first, then composite score (providers/filters.py SORTS["tier"]); no tier and unrated last on every
# backend (PostgreSQL sorts NULL first in DESC); pk keeps pages stable.
DIRECTORY_ORDERING: tuple[OrderBy | str, ...] = (
    F("tier").desc(nulls_last=True), F("score").desc(nulls_last=True), "name", "pk",
)


def _reference_prefetches() -> list[Prefetch]:
    return [
        Prefetch("platforms", queryset=Platform.objects.order_by("position")),
        Prefetch("categories", queryset=Category.objects.order_by("position")),
        Prefetch("services", queryset=Service.objects.order_by("position")),
    ]


def provider_list(*, include_delisted: bool = False, with_reference: bool = True) -> QuerySet[Provider]:
    """Providers for listings, delisted and suspended ones and those under a hiding sanction left out by default.

    Platforms, categories and services are prefetched unless with_reference=False (the directory fetches them
    only for the cards it has to render: see providers_load_card_links).
    """
    qs = Provider.objects.prefetch_related(*_reference_prefetches()) if with_reference else Provider.objects.all()
    if not include_delisted:
        qs = qs.filter(listed_q())
    return qs


def reference_rows() -> dict[str, list[Platform | Category | Service]]:
    """Platforms, categories and services in display order, keyed by the directory filter that offers them."""
    return {
        "platform": list(Platform.objects.order_by("position", "code")),
        "category": list(Category.objects.order_by("position", "code")),
        "service": list(Service.objects.order_by("position", "code")),
    }


def providers_load_card_links(providers: list[Provider], *, reference: dict[str, list]) -> None:
    """Set `card_platforms` and `card_services` (display order) on already fetched providers from reference rows
    known already (reference_rows()): one query over both link tables, however many providers."""
    platforms = {row.pk: row for row in reference["platform"]}
    services = {row.pk: row for row in reference["service"]}
    ids = [provider.pk for provider in providers]
    links = (
        Provider.platforms.through.objects.filter(provider_id__in=ids)
        .annotate(kind=Value("platform")).values_list("provider_id", "platform_id", "kind")
        .union(
            Provider.services.through.objects.filter(provider_id__in=ids)
            .annotate(kind=Value("service")).values_list("provider_id", "service_id", "kind"),
            all=True,
        )
    )
    linked: dict[int, dict[str, list]] = {pk: {"platform": [], "service": []} for pk in ids}
    for provider_id, row_id, kind in links:
        rows = platforms if kind == "platform" else services
        if row_id in rows:  # a row added since the reference was cached: the next generation shows it
            linked[provider_id][kind].append(rows[row_id])
    order = {kind: {row.pk: index for index, row in enumerate(reference[kind])} for kind in ("platform", "service")}
    for provider in providers:
        provider.card_platforms = sorted(linked[provider.pk]["platform"], key=lambda row: order["platform"][row.pk])
        provider.card_services = sorted(linked[provider.pk]["service"], key=lambda row: order["service"][row.pk])


def providers_load_descriptions(providers: list[Provider]) -> None:
    """Set both descriptions on already fetched providers (one query, any count): the listing leaves them out so
    that sorting thousands of rows stays in memory."""
    texts = {pk: (zh, en) for pk, zh, en in Provider.objects.filter(pk__in=[p.pk for p in providers]).values_list(
        "pk", "description", "description_en")}
    for provider in providers:
        provider.description, provider.description_en = texts.get(provider.pk, ("", ""))


def provider_get(*, slug: str) -> Provider:
    """One provider by slug, whatever its status (delisted providers keep their page)."""
    return provider_list(include_delisted=True).get(slug=slug)


def engagement_active_q(*, on: dt.date) -> Q:
    """Engagements running on a day: started by then and not yet ended (an end date is the last day served)."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def provider_active_store_count(*, provider: Provider, on: dt.date) -> int:
    """How many distinct stores the provider runs on a day (a count only: stores are merchants' data)."""
    return (
        Engagement.objects.filter(engagement_active_q(on=on), provider=provider)
        .values("store_id")
        .distinct()
        .count()
    )


def service_names_by_code() -> dict[str, str]:
    """Service names in the page's language keyed by code (snapshot explanations carry codes)."""
    return dict(Service.objects.values_list("code", "name_en" if get_language() == "en" else "name"))


# Merchant pages ----------------------------------------------------------------------------------------------------

COMPARE_MAX = 4


def providers_top_by_tier(*, per_tier: int = 3) -> dict[int, list[Provider]]:
    """The best-scored listed providers of each tier (6★ first), in one query."""
    rows = (
        Provider.objects.filter(listed_q(), tier__isnull=False, score__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=[F("tier")], order_by=[F("score").desc(), F("name").asc()]))
        .filter(rank__lte=per_tier)
        .only("slug", "name", "name_en", "tier", "score", "review_count", "review_average", "status", "at_risk",
              "sanction")
        .order_by("-tier", "rank")
    )
    grouped: dict[int, list[Provider]] = {}
    for provider in rows:
        grouped.setdefault(provider.tier, []).append(provider)
    return grouped


def providers_top_by_platform(*, per_platform: int = 3) -> list[tuple[Platform, list[Provider]]]:
    """Each platform with its first rated listed providers in the directory's own order (DIRECTORY_ORDERING: tier
    first, then composite), so an untiered provider never ranks above a tiered one; in one query."""
    through = Provider.platforms.through
    rows = (
        through.objects.filter(listed_q("provider__"), provider__score__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("platform_id")],
                order_by=[
                    F("provider__tier").desc(nulls_last=True), F("provider__score").desc(),
                    F("provider__name").asc(), F("provider_id").asc(),
                ],
            )
        )
        .filter(rank__lte=per_platform)
        .select_related("provider", "platform")
        .order_by("platform__position", "platform__code", "rank")
    )
    grouped: dict[int, tuple[Platform, list[Provider]]] = {}
    for row in rows:
        grouped.setdefault(row.platform_id, (row.platform, []))[1].append(row.provider)
    return list(grouped.values())


def member_providers(*, user) -> QuerySet[Provider]:
    """Providers the user answers for."""
    if not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(members=user).order_by("name")


def merchant_stores(*, user) -> QuerySet[Store]:
    """Stores the user owns as a merchant, with their platform."""
    return Store.objects.filter(merchants=user).select_related("platform").order_by("platform__code", "external_id")


def user_is_provider_member(*, user, provider: Provider) -> bool:
    return user.is_authenticated and provider.members.filter(pk=user.pk).exists()


def membership_role(*, user, provider: Provider) -> str | None:
    """The user's role in the provider's team (Membership.Role value), or None for anyone outside it."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(provider=provider, user=user).values_list("role", flat=True).first()


def providers_for_tray(*, slugs: list[str]) -> list[Provider]:
    """Names of the shortlisted providers, in shortlist order (one small query)."""
    by_slug = {p.slug: p for p in Provider.objects.filter(slug__in=slugs[:COMPARE_MAX]).only("slug", "name", "name_en")}
    return [by_slug[slug] for slug in slugs if slug in by_slug]


class WindowCountPaginator(Paginator):
    """A Paginator whose page query also counts the matches (COUNT(*) OVER ()): one scan of the table, not two.

    Filtered directory requests scan thousands of rows (substring search cannot use an index for common
    words); Django's Paginator scans them once to count and again for the page. Pages past the end and empty
    results fall back to the plain count.
    """

    def get_page(self, number):
        try:
            # Capped: ?page=<40 digits> would overflow the database's OFFSET (a 500); past the end = last page.
            number = min(max(int(number), 1), 10**9)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(matches_total=Window(Count("*")))[bottom:bottom + self.per_page])
        if not rows or self.orphans:
            return super().get_page(number)
        self.__dict__["count"] = rows[0].matches_total  # fills the cached_property
        return self._get_page(rows, number, self)


def provider_cities() -> list[str]:
    """The cities of listed providers, each once, in pinyin order (the directory's city list)."""
    cities = Provider.objects.filter(listed_q()).values_list("city", flat=True).distinct()
    return sorted((city for city in cities.order_by() if city), key=name_sort_key)

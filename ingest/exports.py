"""CSV exports in exactly the importers' formats, so an exported file re-imports as "unchanged" (reads only)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet

from common.chunking import MAX_PARAMS_PER_QUERY, chunks
from providers.models import Provider
from ratings.models import DIMENSION_FIELDS

from .importers.conduct import VIOLATION_COLUMNS
from .importers.directory import ENGAGEMENT_COLUMNS, PROVIDER_COLUMNS, PROVIDER_RELATIONS
from .importers.evidence import PERFORMANCE_COLUMNS, REVIEW_COLUMNS

CHUNK = 2000

def _text(value) -> str:
    return "" if value is None else str(value)


def _chunked(queryset: QuerySet) -> Iterator[list]:
    """The queryset's rows in primary-key chunks: constant memory however many rows are exported."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def providers_export(queryset: QuerySet) -> Iterator[list[str]]:
    """Header, then one row per provider: M2M relations as `|`-joined codes, as import_providers reads them."""
    yield list(PROVIDER_COLUMNS)
    for batch in _chunked(queryset):
        codes = {name: _m2m_codes(name, [p.pk for p in batch]) for name in PROVIDER_RELATIONS}
        for p in batch:
            yield [
                p.slug, p.name, p.name_en, p.city, _text(p.founded_year),
                *("|".join(sorted(codes[name].get(p.pk, []))) for name in PROVIDER_RELATIONS),
                _text(p.fee_min), _text(p.fee_max), _text(p.international_brands), _text(p.warehouse_area_m2),
                p.website,
            ]


def _m2m_codes(name: str, provider_ids: list[int]) -> dict[int, list[str]]:
    through = getattr(Provider, name).through
    target = getattr(Provider, name).field.m2m_reverse_field_name()
    found = defaultdict(list)
    for chunk in chunks(provider_ids, MAX_PARAMS_PER_QUERY):
        for provider_id, code in through.objects.filter(provider_id__in=chunk).values_list(
            "provider_id", f"{target}__code"
        ):
            found[provider_id].append(code)
    return found


def engagements_export(queryset: QuerySet) -> Iterator[list[str]]:
    yield list(ENGAGEMENT_COLUMNS)
    for batch in _chunked(queryset.select_related("provider", "store__platform", "store__category")):
        for e in batch:
            yield [
                e.provider.slug, e.store.platform.code, e.store.external_id, e.store.name,
                e.store.category.code if e.store.category else "", e.start_date.isoformat(), _text(e.end_date),
            ]


def reviews_export(queryset: QuerySet) -> Iterator[list[str]]:
    yield list(REVIEW_COLUMNS)
    for batch in _chunked(queryset.select_related("provider", "store__platform")):
        for r in batch:
            yield [
                r.provider.slug, r.store.platform.code, r.store.external_id, str(r.rating), r.created_at.isoformat(),
                r.status, r.title, r.body, *(_text(getattr(r, name)) for name in DIMENSION_FIELDS),
            ]


def performance_export(queryset: QuerySet) -> Iterator[list[str]]:
    yield list(PERFORMANCE_COLUMNS)
    for batch in _chunked(queryset.select_related("store__platform")):
        for row in batch:
            yield [
                row.store.platform.code, row.store.external_id, row.period.strftime("%Y-%m"),
                *(_text(getattr(row, column)) for column in PERFORMANCE_COLUMNS[3:]),
            ]


def violations_export(queryset: QuerySet) -> Iterator[list[str]]:
    yield list(VIOLATION_COLUMNS)
    for batch in _chunked(queryset.select_related("provider")):
        for v in batch:
            yield [v.provider.slug, v.type, v.occurred_on.isoformat(), v.decided_on.isoformat(), v.reference, v.status]

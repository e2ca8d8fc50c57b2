"""Loaders of the directory's formats: providers, and engagements (which store a provider runs, and when).

Each takes rows as dicts of strings (`csv_import.read_csv`, or a JSON list), validates every row before
writing any, and upserts with set-based queries. See `csv_import` for row numbering. They write the rows only:
`ingest.services.import_run` runs them and brings the ratings up to date in the same transaction.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from providers.cache import directory_cache_bump
from providers.models import Category, Engagement, Platform, Provider, Service, Store
from providers.search.services import providers_search_refresh

from ..csv_import import (
    MAX_PARAMS_PER_QUERY, UNCHANGED, UPDATED, Cells, ImportFailed, ImportResult, RowError, Upsert, chunks,
    code_map, fetch_by_keys, number_rows, parse_rows,
)
from .lookups import constraint_message, parse_provider, provider_ids_by_slug, stores_by_key

PROVIDER_COLUMNS = (
    "slug", "name", "name_en", "city", "founded_year", "platforms", "categories", "services", "fee_min", "fee_max",
    "international_brands", "warehouse_area_m2", "website",
)
ENGAGEMENT_COLUMNS = (
    "provider_slug", "platform", "store_external_id", "store_name", "category", "start_date", "end_date",
)
ENGAGEMENT_KEY = ("provider_slug", "platform", "store_external_id", "start_date")
# Provider M2M field → the reference model its `|`-separated codes name.
PROVIDER_RELATIONS = {"platforms": Platform, "categories": Category, "services": Service}


def providers_load(
    *, rows: Iterable[Mapping[str, str]], dry_run: bool = False, first_row: int = 2
) -> ImportResult:
    """Upsert providers by slug, setting their platforms/categories/services to exactly the listed codes."""
    errors: list[RowError] = []
    numbered = number_rows(rows, columns=PROVIDER_COLUMNS, first_row=first_row, errors=errors)
    known = {name: code_map(model) for name, model in PROVIDER_RELATIONS.items()}
    parsed = parse_rows(numbered, parse=lambda cells: _parse_provider(cells, known), key_columns=("slug",),
                        errors=errors)
    if errors:
        raise ImportFailed(errors)

    result = ImportResult()
    with transaction.atomic():
        existing = fetch_by_keys(Provider.objects.all(), fields=("slug",), keys=[key for _n, key, _p in parsed])
        current = {name: _m2m_current(name, [p.pk for p in existing.values()]) for name in PROVIDER_RELATIONS}
        upsert = Upsert(Provider)
        replace: dict[str, list[tuple[Provider, set[int]]]] = {name: [] for name in PROVIDER_RELATIONS}
        for _number, key, (values, relations) in parsed:
            provider, status = upsert.stage(existing.get(key), key={"slug": key[0]}, values=values)
            for name, ids in relations.items():
                if ids != current[name].get(provider.pk, set()):
                    replace[name].append((provider, ids))
                    if status == UNCHANGED:
                        upsert.touch(provider)
                        status = UPDATED
            result.count(status)
            if status != UNCHANGED and provider.pk is not None:
                result.affected_provider_ids.add(provider.pk)
        if not dry_run:
            upsert.save()
            for name, pairs in replace.items():
                # Only providers that have through rows now need them dropped first.
                stale = [provider.pk for provider, _ids in pairs if provider.pk in current[name]]
                _m2m_replace(name, pairs, stale=stale)
            result.affected_provider_ids.update(provider.pk for provider in upsert.create)
            # Names, descriptions, city and relations are searched: their search rows follow in this transaction.
            providers_search_refresh(provider_ids=result.affected_provider_ids)
            # Names, fees and services show in cached directory pages before any recompute has run.
            transaction.on_commit(directory_cache_bump)
    return result


def _parse_provider(cells: Cells, known: Mapping[str, Mapping[str, int]]):
    field = Provider._meta.get_field
    slug = cells.text("slug", field=field("slug"))
    values = {
        "name": cells.text("name", field=field("name")),
        "name_en": cells.text("name_en", field=field("name_en")),
        "city": cells.text("city", field=field("city")),
        "founded_year": cells.integer("founded_year", min_value=1949, max_value=2100, required=False),
        "fee_min": cells.decimal("fee_min", field=field("fee_min"), min_value=0, required=False),
        "fee_max": cells.decimal("fee_max", field=field("fee_max"), min_value=0, required=False),
        "international_brands": cells.integer("international_brands", required=False) or 0,
        "warehouse_area_m2": cells.integer("warehouse_area_m2", required=False) or 0,
        "website": cells.text("website", field=field("website")),
    }
    if values["fee_min"] is not None and values["fee_max"] is not None and values["fee_max"] < values["fee_min"]:
        cells.error("fee_max", constraint_message(Provider, "fee_range_ordered"), "constraint")
    relations = {name: cells.codes(name, known=known[name]) for name in PROVIDER_RELATIONS}
    return (slug,), (values, relations)


def _m2m_ends(name: str):
    field = Provider._meta.get_field(name)
    return field.remote_field.through, f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"


def _m2m_current(name: str, provider_ids: list[int]) -> dict[int, set[int]]:
    """provider id → ids of its current related rows, read from the through table in chunks."""
    through, source, target = _m2m_ends(name)
    current: dict[int, set[int]] = {}
    for chunk in chunks(provider_ids, MAX_PARAMS_PER_QUERY):
        for provider_id, target_id in through.objects.filter(**{f"{source}__in": chunk}).values_list(source, target):
            current.setdefault(provider_id, set()).add(target_id)
    return current


def _m2m_replace(name: str, pairs: list[tuple[Provider, set[int]]], *, stale: list[int]) -> None:
    """Set each provider's relation to exactly its ids: drop the through rows of `stale` ones, insert the wanted."""
    through, source, target = _m2m_ends(name)
    for chunk in chunks(stale, MAX_PARAMS_PER_QUERY):
        through.objects.filter(**{f"{source}__in": chunk}).delete()
    through.objects.bulk_create(
        [through(**{source: provider.pk, target: pk}) for provider, ids in pairs for pk in sorted(ids)],
        batch_size=1000,
    )


def engagements_load(
    *, rows: Iterable[Mapping[str, str]], dry_run: bool = False, first_row: int = 2
) -> ImportResult:
    """Upsert engagements by (provider, store, start_date), creating or renaming their stores on the way.

    The file is the truth for a store's name and category (an empty category clears it). A row counts as
    unchanged only if both its engagement and its store already match.
    """
    errors: list[RowError] = []
    numbered = number_rows(rows, columns=ENGAGEMENT_COLUMNS, first_row=first_row, errors=errors)
    known = {"platform": code_map(Platform), "category": code_map(Category), "provider": provider_ids_by_slug(numbered)}
    parsed = parse_rows(numbered, parse=lambda cells: _parse_engagement(cells, known), key_columns=ENGAGEMENT_KEY,
                        errors=errors)
    _check_store_consistency(parsed, errors)
    if errors:
        raise ImportFailed(errors)

    result = ImportResult()
    with transaction.atomic():
        stores = stores_by_key(numbered, platforms=known["platform"])
        store_upsert, store_status = Upsert(Store), {}
        for _number, _key, (store_key, store_values, _end) in parsed:
            if store_key not in store_status:
                stores[store_key], store_status[store_key] = store_upsert.stage(
                    stores.get(store_key), key=dict(zip(("platform_id", "external_id"), store_key)),
                    values=store_values)
        keys = [(key[0], stores[store_key].pk, key[3]) for _n, key, (store_key, *_) in parsed]
        existing = fetch_by_keys(Engagement.objects.all(), fields=("provider_id", "store_id", "start_date"),
                                 keys=[key for key in keys if key[1] is not None])
        upsert = Upsert(Engagement)
        for _number, (provider_id, _platform, _external_id, start), (store_key, _values, end) in parsed:
            store = stores[store_key]
            _engagement, status = upsert.stage(
                existing.get((provider_id, store.pk, start)),
                key={"provider_id": provider_id, "store": store, "start_date": start}, values={"end_date": end},
            )
            if status == UNCHANGED and store_status[store_key] != UNCHANGED:
                status = UPDATED
            result.count(status)
            if status != UNCHANGED:
                result.affected_provider_ids.add(provider_id)
        if not dry_run:
            store_upsert.save()
            upsert.save()
    return result


def _parse_engagement(cells: Cells, known: Mapping[str, Mapping[str, int]]):
    field = Store._meta.get_field
    provider_id = parse_provider(cells, providers=known["provider"])
    platform_id = cells.code("platform", known=known["platform"])
    external_id = cells.text("store_external_id", field=field("external_id"))
    store_values = {
        "name": cells.text("store_name", field=field("name")),
        "category_id": cells.code("category", known=known["category"], required=False),
    }
    start, end = cells.date("start_date"), cells.date("end_date", required=False)
    if start and end and end < start:
        cells.error("end_date", constraint_message(Engagement, "end_after_start"), "constraint")
    return (provider_id, platform_id, external_id, start), ((platform_id, external_id), store_values, end)


def _check_store_consistency(parsed, errors: list[RowError]) -> None:
    """Rows naming the same store must agree on its name and category: the file describes each store once."""
    first: dict[tuple, tuple[int, dict]] = {}
    for number, _key, (store_key, store_values, _end) in parsed:
        first_number, first_values = first.setdefault(store_key, (number, store_values))
        for column, name in (("store_name", "name"), ("category", "category_id")):
            if first_values[name] != store_values[name]:
                errors.append(RowError(number, column, _("与第%(first)d行的同一店铺信息不一致") % {
                    "first": first_number}, "conflict"))

"""CSV importers of the directory: providers, and engagements (which store a provider runs, and when).

Each takes rows as dicts of strings (`csv_import.read_csv`, or a JSON list), validates every row before
writing any, and upserts in one transaction with set-based queries. See `csv_import` for row numbering.
The lookups at the bottom are shared with `ratings.importers`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from .csv_import import (
    MAX_PARAMS_PER_QUERY, UNCHANGED, UPDATED, Cells, ImportFailed, ImportResult, RowError, Upsert, cell, chunks,
    code_map, fetch_by_keys, number_rows, parse_rows,
)
from .cache import directory_cache_bump
from .models import Category, Engagement, Platform, Provider, Service, Store

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


def import_providers(
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
            # Services decide tier gates, so a changed provider is re-rated (its reviews' verification can't change).
            refresh_ratings(provider_ids=result.affected_provider_ids, reviews=False)
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


def import_engagements(
    *, rows: Iterable[Mapping[str, str]], dry_run: bool = False, first_row: int = 2
) -> ImportResult:
    """Upsert engagements by (provider, store, start_date), creating or renaming their stores on the way.

    The file is the truth for a store's name and category (an empty category clears it). A row counts as
    unchanged only if both its engagement and its store already match. After writing, the affected
    providers' review verification is refreshed and their ratings are queued for recompute.
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
            refresh_ratings(provider_ids=result.affected_provider_ids)
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


# Lookups shared by the importers of both apps.

def constraint_message(model, suffix: str) -> str:
    """The model's own message for its constraint `<app>_<model>_<suffix>`, so import errors read like form errors."""
    name = f"{model._meta.app_label}_{model._meta.model_name}_{suffix}"
    return str(next(c for c in model._meta.constraints if c.name == name).violation_error_message)


def provider_ids_by_slug(numbered: Sequence[tuple[int, Mapping]]) -> dict[str, int]:
    """slug → id of the providers the rows' provider_slug cells name, in chunked queries."""
    slugs = {(cell(row, "provider_slug"),) for _number, row in numbered}
    found = fetch_by_keys(Provider.objects.only("pk", "slug"), fields=("slug",), keys=slugs)
    return {key[0]: provider.pk for key, provider in found.items()}


def parse_provider(cells: Cells, *, providers: Mapping[str, int]) -> int | None:
    return cells.code("provider_slug", known=providers, code="unknown_provider", message=_("服务商 %(code)s 不存在"))


def stores_by_key(numbered: Sequence[tuple[int, Mapping]], *, platforms: Mapping[str, int]) -> dict[tuple, Store]:
    """The existing stores the rows name, keyed by (platform id, external id)."""
    keys = {
        (platforms[code], cell(row, "store_external_id"))
        for _number, row in numbered
        if (code := cell(row, "platform")) in platforms
    }
    return fetch_by_keys(Store.objects.all(), fields=("platform_id", "external_id"), keys=keys)


def parse_store(cells: Cells, *, platforms: Mapping[str, int], stores: Mapping[tuple, Store]) -> Store | None:
    """The existing store that a row's platform + store_external_id name; an unknown one is an error."""
    platform_id = cells.code("platform", known=platforms)
    external_id = cells.text("store_external_id", field=Store._meta.get_field("external_id"))
    if platform_id is None or not external_id:
        return None
    store = stores.get((platform_id, external_id))
    if store is None:
        cells.error("store_external_id", _("店铺 %(platform)s:%(id)s 不存在") % {
            "platform": cell(cells.row, "platform"), "id": external_id}, "unknown_store")
    return store


def refresh_ratings(*, provider_ids: set[int], reviews: bool = True) -> None:
    """Bring the affected providers' derived rating data up to date, inside the import's transaction.

    Engagements and reviews decide which reviews are verified; any change of evidence queues a recompute.
    """
    from ratings.services import ratings_request_recompute, reviews_refresh_verification

    if not provider_ids:
        return
    if reviews:
        reviews_refresh_verification(provider_ids=provider_ids)
    ratings_request_recompute(provider_ids=provider_ids)

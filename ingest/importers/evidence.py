"""Loaders of rating evidence: merchants' reviews and stores' monthly platform performance.

Same contract as `directory`: rows of strings in, every row validated before any write, set-based upserts;
`ingest.services.import_run` then refreshes the affected providers' derived rating data.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from providers.models import Engagement, Platform
from ratings import scoring
from ratings.models import DIMENSION_FIELDS, Review, StorePerformance

from ..csv_import import (
    MAX_PARAMS_PER_QUERY, Cells, ImportFailed, ImportResult, RowError, chunks, code_map, number_rows, parse_rows,
    upsert_rows,
)
from .lookups import parse_provider, parse_store, provider_ids_by_slug, stores_by_key

REVIEW_COLUMNS = (
    "provider_slug", "platform", "store_external_id", "rating", "created_at", "status", "title", "body",
    *DIMENSION_FIELDS,
)
PERFORMANCE_COLUMNS = (
    "platform", "store_external_id", "period", "product_score", "logistics_score", "service_score", "gmv", "orders",
    "complaint_rate", "refund_rate", "on_time_ship_rate", "after_sales_response_hours",
)
SCORE_FIELDS = ("product_score", "logistics_score", "service_score")
RATE_FIELDS = ("complaint_rate", "refund_rate", "on_time_ship_rate")
# Performance periods run from this month to next month (slack for clocks and time zones at a month's turn):
# 0001-01 or 9999-12 is a typo, and stored it would sit in every window and export.
EARLIEST_PERIOD = dt.date(2000, 1, 1)


@dataclass
class ReviewImportResult(ImportResult):
    """An import's counts, plus the existing reviews whose moderation status the file would have changed."""

    moderation_kept: int = 0


REVIEW_KEY_FIELDS = ("provider_id", "store_id", "created_at")


def reviews_load(
    *, rows: Iterable[Mapping[str, str]], dry_run: bool = False, first_row: int = 2
) -> ReviewImportResult:
    """Upsert reviews by (provider, store, created_at).

    The file's status seeds new reviews only. An existing review keeps its status (and its moderation audit,
    which the file never carries): moderators decide it here, and a platform export loaded again must not undo a
    rejection or publication, nor release a review held by burst detection. Its other fields still update.
    """
    errors: list[RowError] = []
    numbered = number_rows(rows, columns=REVIEW_COLUMNS, first_row=first_row, errors=errors)
    platforms = code_map(Platform)
    known = {"providers": provider_ids_by_slug(numbered), "platforms": platforms,
             "stores": stores_by_key(numbered, platforms=platforms)}
    parsed = parse_rows(numbered, parse=lambda cells: _parse_review(cells, **known), errors=errors,
                        key_columns=("provider_slug", "platform", "store_external_id", "created_at"))
    if errors:
        raise ImportFailed(errors)

    with transaction.atomic():
        result, changed = _upsert_reviews([(key, values) for _n, key, values in parsed], dry_run=dry_run)
        result.affected_provider_ids = {provider_id for provider_id, _store_id, _date in changed}
    return result


def _upsert_reviews(rows: list[tuple[tuple, dict]], *, dry_run: bool) -> tuple[ReviewImportResult, list[tuple]]:
    """`upsert_rows` for reviews, but an existing review's status is kept (counted when the file differs)."""
    result = ReviewImportResult()

    def keep_status(review: Review, values: dict) -> dict:
        if values["status"] != review.status:
            result.moderation_kept += 1
        return {name: value for name, value in values.items() if name != "status"}

    return upsert_rows(Review, key_fields=REVIEW_KEY_FIELDS, rows=rows, dry_run=dry_run, result=result,
                       on_existing=keep_status)


def _parse_review(cells: Cells, *, providers, platforms, stores):
    field = Review._meta.get_field
    provider_id = parse_provider(cells, providers=providers)
    store = parse_store(cells, platforms=platforms, stores=stores)
    created_at = cells.date("created_at")
    values = {
        "rating": cells.integer("rating", min_value=1, max_value=5),
        **{name: cells.integer(name, min_value=1, max_value=5, required=False) for name in DIMENSION_FIELDS},
        "status": cells.choice("status", choices=Review.Status),
        "title": cells.text("title", field=field("title")),
        "body": cells.text("body", field=field("body")),
    }
    return (provider_id, store and store.pk, created_at), values


def performance_load(
    *, rows: Iterable[Mapping[str, str]], dry_run: bool = False, first_row: int = 2
) -> ImportResult:
    """Upsert monthly store performance by (store, period); the affected providers are the stores' providers."""
    errors: list[RowError] = []
    numbered = number_rows(rows, columns=PERFORMANCE_COLUMNS, first_row=first_row, errors=errors)
    platforms = code_map(Platform)
    stores = stores_by_key(numbered, platforms=platforms)
    latest = scoring.add_months(scoring.month_start(timezone.localdate()), 1)
    parsed = parse_rows(numbered, parse=lambda cells: _parse_performance(cells, platforms=platforms, stores=stores,
                                                                         latest=latest),
                        key_columns=("platform", "store_external_id", "period"), errors=errors)
    if errors:
        raise ImportFailed(errors)

    with transaction.atomic():
        result, changed = upsert_rows(StorePerformance, key_fields=("store_id", "period"),
                                      rows=[(key, values) for _n, key, values in parsed], dry_run=dry_run)
        result.affected_provider_ids = _providers_of_stores(sorted({store_id for store_id, _period in changed}))
    return result


def _parse_performance(cells: Cells, *, platforms, stores, latest: dt.date):
    field = StorePerformance._meta.get_field
    store = parse_store(cells, platforms=platforms, stores=stores)
    period = cells.month("period", earliest=EARLIEST_PERIOD, latest=latest)
    values = {
        **{name: cells.decimal(name, field=field(name), min_value=0, max_value=5) for name in SCORE_FIELDS},
        "gmv": cells.decimal("gmv", field=field("gmv"), min_value=0),
        "orders": cells.integer("orders"),
        **{name: cells.decimal(name, field=field(name), min_value=0, max_value=1) for name in RATE_FIELDS},
        "after_sales_response_hours": cells.decimal(
            "after_sales_response_hours", field=field("after_sales_response_hours"), min_value=0),
    }
    return (store and store.pk, period), values


def _providers_of_stores(store_ids: list[int]) -> set[int]:
    """Providers with an engagement (past or present) on any of the stores: their performance evidence changed."""
    found: set[int] = set()
    for chunk in chunks(store_ids, MAX_PARAMS_PER_QUERY):
        found.update(Engagement.objects.filter(store_id__in=chunk).values_list("provider_id", flat=True).distinct())
    return found

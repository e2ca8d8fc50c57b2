"""The demo seed's entry point: plan and write every table in one transaction, then refresh review verification."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from providers.models import Engagement
from providers.search.services import providers_search_refresh
from ratings.models import Review, StorePerformance
from ratings.services import reviews_refresh_verification

from .performance import PERFORMANCE_FIELDS, PERFORMANCE_MONTHS, performance_rows
from .providers import create_provider_links, create_providers, plan_providers, reference_data
from .reviews import REVIEW_FIELDS, REVIEWS_PER_PROVIDER, review_rows
from .stores import create_stores, plan_stores
from .writing import BATCH_SIZE, insert_rows, sqlite_cache


@dataclass
class Phase:
    name: str
    rows: int
    seconds: float


@dataclass
class SeedResult:
    """What a seed wrote: row counts per table and the time each phase took."""

    counts: dict[str, int] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)


def demo_seed(
    *, providers: int, seed: int, today: dt.date | None = None, months: int = PERFORMANCE_MONTHS,
    verify: bool = True, log: Callable[[str], None] = lambda line: None,
) -> SeedResult:
    """Write the demo data set for `providers` providers in one transaction (the database must hold none yet).

    `months` of performance rows per store (at least 12). Reviews are written with `verified` as the rule gives
    it; `reviews_refresh_verification()` then runs in the same transaction (unless `verify` is False) so the
    flag is the engine's own, and reports 0 changes when generator and rule agree.
    """
    if providers < 1:
        raise ValueError("providers must be at least 1")
    today = today or timezone.localdate()
    months = max(months, PERFORMANCE_MONTHS)
    result = SeedResult()

    def phase(name: str, started: float, rows: int) -> None:
        seconds = time.perf_counter() - started
        result.phases.append(Phase(name, rows, seconds))
        result.counts[name] = result.counts.get(name, 0) + rows
        log(f"  {name}: {rows:,} rows in {seconds:.1f}s")

    with transaction.atomic(), sqlite_cache(megabytes=512):
        reference = reference_data()

        started = time.perf_counter()
        plans = plan_providers(count=providers, seed=seed)
        provider_ids = create_providers(plans, seed=seed, reference=reference)
        phase("providers", started, len(plans))

        started = time.perf_counter()
        phase("provider links", started, create_provider_links(plans, provider_ids, reference))

        started = time.perf_counter()
        phase("search index", started, providers_search_refresh(provider_ids=provider_ids))

        started = time.perf_counter()
        stores = plan_stores(plans, seed=seed, today=today)
        store_ids = create_stores(stores, reference)
        phase("stores", started, len(stores))

        started = time.perf_counter()
        Engagement.objects.bulk_create(
            [Engagement(provider_id=provider_ids[s.provider], store_id=store_ids[i], start_date=s.start, end_date=s.end)
             for i, s in enumerate(stores)],
            batch_size=BATCH_SIZE,
        )
        phase("engagements", started, len(stores))

        started = time.perf_counter()
        written = 0
        for chunk in review_rows(plans, stores, provider_ids, store_ids, seed=seed, today=today, reference=reference):
            written += insert_rows(Review, REVIEW_FIELDS, chunk)
            log(f"    reviews: {written:,} / {REVIEWS_PER_PROVIDER * len(plans):,}")
        phase("reviews", started, written)

        started = time.perf_counter()
        written = 0
        for chunk in performance_rows(plans, stores, store_ids, seed=seed, today=today, months=months):
            written += insert_rows(StorePerformance, PERFORMANCE_FIELDS, chunk)
            log(f"    performance: {written:,} / {len(stores) * months:,}")
        phase("performance", started, written)

        if verify:
            started = time.perf_counter()
            changed = reviews_refresh_verification()
            log(f"  verification: {changed:,} review flags changed in {time.perf_counter() - started:.1f}s")
    return result

"""Reads for the ratings engine: the active policy and the evidence a recompute aggregates, fetched set-based.

`ratings_gather_facts` puts it together per provider; a recompute and a policy preview both rate what it returns.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    CharField, Count, F, Q, QuerySet, Sum,
)
from django.db.models.functions import Cast

from providers.models import Engagement, Provider

from .. import scoring
from ..models import RatingPolicy, Review, ScoreSnapshot, StorePerformance, TierGate, TierOverride
from .aggregates import ProviderBatch, active_store_counts, performance_sums, review_sums

CENT = Decimal("0.01")


def policy_active() -> RatingPolicy:
    """The policy in force (exactly one is active, enforced by a constraint)."""
    return RatingPolicy.objects.prefetch_related("gates__required_services").get(is_active=True)


def policy_gates(policy: RatingPolicy) -> list[TierGate]:
    """The policy's tier gates, highest tier first (TierGate.Meta.ordering; from the prefetch of policy_active)."""
    return list(policy.gates.all())


def policy_to_scoring(policy: RatingPolicy) -> scoring.Policy:
    """A plain, immutable copy of a policy row for the scoring functions."""
    gates = [
        scoring.Gate(
            tier=g.tier, min_score=g.min_score, min_active_stores=g.min_active_stores,
            min_excellent_stores=g.min_excellent_stores,
            required_services=frozenset(s.code for s in g.required_services.all()),
        )
        for g in policy_gates(policy)
    ]
    return scoring.Policy(
        version=policy.version, prior_mean=policy.prior_mean, prior_weight=policy.prior_weight,
        half_life_days=policy.half_life_days, product_weight=policy.product_weight,
        logistics_weight=policy.logistics_weight, service_weight=policy.service_weight,
        window_months=policy.performance_window_months, excellent_threshold=policy.excellent_store_threshold,
        review_weight=policy.review_weight, performance_weight=policy.performance_weight,
        probation_threshold=policy.probation_threshold, delist_after_months=policy.delist_after_months,
        demote_after_months=policy.demote_after_months, gates=tuple(gates),
    )


def _restrict(qs: QuerySet, field: str, provider_ids: Iterable[int] | None) -> QuerySet:
    return qs if provider_ids is None else qs.filter(**{f"{field}__in": list(provider_ids)})


def providers_for_rating(*, provider_ids: Iterable[int] | None) -> list[tuple[int, str, dt.date | None]]:
    """(id, status, reinstated_on) of the providers a run rates."""
    return list(_restrict(Provider.objects.order_by("pk"), "pk", provider_ids).values_list("pk", "status", "reinstated_on"))


def provider_batches(*, provider_ids: Iterable[int] | None, size: int | None) -> Iterator[ProviderBatch]:
    """The providers a run rates, `size` at a time in id order (all at once if None): one query per batch.

    All providers: pages by id (keyset), each batch `complete`; given ids: those that exist, by chunks of the list.
    """
    fields = ("pk", "status", "reinstated_on")
    if provider_ids is not None:
        ids = sorted(set(provider_ids))
        step = size or max(len(ids), 1)
        for start in range(0, len(ids), step):
            rows = list(Provider.objects.filter(pk__in=ids[start:start + step]).order_by("pk").values_list(*fields))
            if rows:
                yield ProviderBatch(rows=rows, complete=False)
        return
    after = None
    while True:
        qs = Provider.objects.order_by("pk")
        if after is not None:
            qs = qs.filter(pk__gt=after)
        rows = list(qs.values_list(*fields) if size is None else qs.values_list(*fields)[:size])
        if rows:
            yield ProviderBatch(rows=rows, complete=True)
        if size is None or len(rows) < size:
            return
        after = rows[-1][0]


def provider_service_codes(*, provider_ids: Iterable[int] | None) -> dict[int, frozenset[str]]:
    return _codes_by_provider(_restrict(Provider.services.through.objects, "provider_id", provider_ids))


def _codes_by_provider(links: QuerySet) -> dict[int, frozenset[str]]:
    """provider → the codes of its services, from a queryset of provider–service links."""
    codes = defaultdict(set)
    for provider_id, code in links.values_list("provider_id", "service__code"):
        codes[provider_id].add(code)
    return {pk: frozenset(c) for pk, c in codes.items()}


def scored_review_groups(*, as_of: dt.date, provider_ids: Iterable[int] | None) -> dict[int, list[tuple[int, int, int]]]:
    """Verified, published reviews dated ≤ as_of, grouped per provider and day: (age_days, count, rating_sum)."""
    qs = Review.objects.filter(status=Review.Status.PUBLISHED, verified=True, created_at__lte=as_of)
    rows = (
        _restrict(qs, "provider_id", provider_ids)
        .annotate(day=_as_text_on_sqlite("created_at"))
        .values_list("provider_id", "day")
        .annotate(n=Count("id"), total=Sum("rating"))
        .order_by()
    )
    groups = defaultdict(list)
    ages: dict[str, int] = {}
    for provider_id, day, n, total in _raw_rows(rows):
        age = ages.get(day)
        if age is None:
            age = ages[day] = (as_of - (day if isinstance(day, dt.date) else dt.date.fromisoformat(day))).days
        groups[provider_id].append((age, n, total))
    return groups


def _as_text_on_sqlite(field: str):
    """A date column as ISO text on SQLite, where the driver would otherwise parse it row by row in Python.

    PostgreSQL's driver converts dates in C, and grouping by the plain column is faster there.
    """
    return Cast(field, CharField()) if connection.vendor == "sqlite" else F(field)


def _raw_rows(qs: QuerySet):
    """The queryset's rows straight from the cursor, skipping Django's per-value converters.

    Used for the one query whose result is hundreds of thousands of rows of plain integers and dates.
    """
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. `__in` an empty list: nothing to fetch
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(10_000):
            yield from batch


def engagements_for_rating(*, as_of: dt.date, window_start: dt.date, provider_ids: Iterable[int] | None):
    """(provider_id, store_id, start_date, end_date) of engagements begun by as_of and not ended before the window."""
    qs = Engagement.objects.filter(start_date__lte=as_of).filter(Q(end_date__isnull=True) | Q(end_date__gte=window_start))
    return list(_restrict(qs, "provider_id", provider_ids).values_list("provider_id", "store_id", "start_date", "end_date"))


def performance_rows(*, window_start: dt.date, period: dt.date, store_ids: set[int] | None):
    """(store_id, period, product, logistics, service) of the window's rows, scores as Decimal with 2 places."""
    qs = StorePerformance.objects.filter(period__gte=window_start, period__lte=period)
    if store_ids is not None:
        qs = qs.filter(store_id__in=list(store_ids))
    qs = qs.annotate(month=_as_text_on_sqlite("period")).values_list(
        "store_id", "month", "product_score", "logistics_score", "service_score"
    ).order_by()
    # Converting each value is most of the cost at scale, and there are only 3 months and ≤ 501 distinct scores
    # (0.00–5.00); SQLite returns them as text and floats, PostgreSQL as dates and Decimals.
    months: dict = {}
    scores: dict = {}

    def score(value) -> Decimal:
        converted = scores.get(value)
        if converted is None:
            converted = scores[value] = Decimal(str(value)).quantize(CENT)
        return converted

    for store_id, month, product, logistics, service in _raw_rows(qs):
        day = months.get(month)
        if day is None:
            day = months[month] = month if isinstance(month, dt.date) else dt.date.fromisoformat(month)
        yield store_id, day, score(product), score(logistics), score(service)


def previous_snapshots(
    *, period: dt.date, provider_ids: Iterable[int] | None, batch: ProviderBatch | None = None,
) -> dict[int, dict]:
    """The previous month's snapshots of the given providers (all if None), or of a batch."""
    qs = ScoreSnapshot.objects.filter(period=scoring.add_months(period, -1))
    qs = batch.restrict(qs, "provider_id") if batch is not None else _restrict(qs, "provider_id", provider_ids)
    return {
        row["provider_id"]: row
        for row in qs.values(
            "provider_id", "as_of", "computed_tier", "tier", "status", "below_tier_months", "failing_months"
        )
    }


def _overrides_on(on: dt.date) -> QuerySet:
    """Overrides holding on a date, oldest first (so in a dict the most recent one of a provider wins)."""
    return (
        TierOverride.objects.filter(starts_on__lte=on)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))
        .order_by("provider_id", "starts_on", "id")
    )


def overrides_in_force(*, on: dt.date, provider_ids: Iterable[int] | None) -> dict[int, TierOverride]:
    """The override holding on a date for each provider (the most recent one if several)."""
    return {o.provider_id: o for o in _restrict(_overrides_on(on), "provider_id", provider_ids)}


def ratings_gather_batch(
    *, as_of: dt.date, period: dt.date, policy: scoring.Policy, batch: ProviderBatch, previous: dict[int, dict],
) -> dict[int, scoring.Facts]:
    """Every fact the policy needs for one batch of providers, summed by the database (reads only).

    A fixed number of queries returning at most one row per provider (`aggregates`), plus one for the exact per-day
    review groups of the providers whose double sums sit at a rounding boundary, if any: `scoring.rate` then gives
    exactly what the Decimal reference (`ratings_gather_facts_exact`) gives.
    """
    window_start = scoring.add_months(period, -(policy.window_months - 1))
    services = _codes_by_provider(batch.restrict(Provider.services.through.objects, "provider_id"))
    reviews = review_sums(as_of=as_of, policy=policy, batch=batch)
    performance = performance_sums(as_of=as_of, period=period, window_start=window_start, policy=policy, batch=batch)
    active = active_store_counts(as_of=as_of, batch=batch)
    overrides = {o.provider_id: o for o in batch.restrict(_overrides_on(as_of), "provider_id")}

    facts = {}
    for provider_id, status, reinstated_on in batch.rows:
        prev = previous.get(provider_id)
        # A reinstatement wipes the slate: months rated before it no longer count toward demotion or delisting.
        if prev is not None and reinstated_on is not None and prev["as_of"] < reinstated_on:
            prev = None
        override = overrides.get(provider_id)
        sums, excellent = performance.get(provider_id, (None, 0))
        facts[provider_id] = scoring.Facts(
            review_sums=reviews.get(provider_id), performance_sums=sums, active_stores=active.get(provider_id, 0),
            excellent_stores=excellent, services=services.get(provider_id, frozenset()), admin_status=status,
            previous=scoring.Previous(
                computed_tier=prev["computed_tier"], tier=prev["tier"], status=prev["status"],
                below_tier_months=prev["below_tier_months"], failing_months=prev["failing_months"],
            ) if prev else None,
            override=scoring.Override(tier=override.tier, reason=override.reason, expires_on=override.expires_on)
            if override else None,
        )
    boundary = [pk for pk, f in facts.items() if scoring.needs_exact_reviews(f, policy)]
    if boundary:
        groups = scored_review_groups(as_of=as_of, provider_ids=boundary)
        for pk in boundary:
            facts[pk].review_groups, facts[pk].review_sums = groups.get(pk, []), None
    return facts


def ratings_gather_facts(
    *, as_of: dt.date, period: dt.date, policy: scoring.Policy, provider_ids: list[int] | None,
    previous: dict[int, dict],
) -> dict[int, scoring.Facts]:
    """The facts of the given providers (all if None), as one batch (reads only).

    Public so a policy preview can rate the same facts under a draft without writing anything; a recompute streams
    `ratings_gather_batch` over `provider_batches` instead, to keep its memory flat.
    """
    facts = {}
    for batch in provider_batches(provider_ids=provider_ids, size=None):
        facts.update(ratings_gather_batch(as_of=as_of, period=period, policy=policy, batch=batch, previous=previous))
    return facts


def ratings_gather_facts_exact(
    *, as_of: dt.date, period: dt.date, policy: scoring.Policy, provider_ids: list[int] | None,
    previous: dict[int, dict],
) -> dict[int, scoring.Facts]:
    """The reference facts: per-day review groups and every performance entry, summed in Python Decimal (reads only).

    What the engine computed before the sums moved into SQL; tests and the benchmark compare
    `ratings_gather_facts` to it. Holds every provider at once: not for large runs.
    """
    window_start = scoring.add_months(period, -(policy.window_months - 1))
    providers = providers_for_rating(provider_ids=provider_ids)
    services = provider_service_codes(provider_ids=provider_ids)
    reviews = scored_review_groups(as_of=as_of, provider_ids=provider_ids)
    overrides = overrides_in_force(on=as_of, provider_ids=provider_ids)
    engagements = engagements_for_rating(as_of=as_of, window_start=window_start, provider_ids=provider_ids)

    # store → [(provider, start, end)], to attribute each performance row to the providers running it that month.
    running = defaultdict(list)
    active_stores = defaultdict(set)
    for provider_id, store_id, start, end in engagements:
        running[store_id].append((provider_id, start, end))
        if start <= as_of and (end is None or end >= as_of):
            active_stores[provider_id].add(store_id)

    entries = defaultdict(dict)  # provider → {(store, month): E}; a month counts once however many engagements
    latest = defaultdict(dict)  # provider → {store: (month, E)} of the latest row in the window
    store_ids = None if provider_ids is None else set(running)
    month_ends: dict[dt.date, dt.date] = {}
    for store_id, month, product, logistics, service in performance_rows(
        window_start=window_start, period=period, store_ids=store_ids
    ):
        e = None
        last_day = month_ends.get(month) or month_ends.setdefault(month, scoring.month_end(month))
        for provider_id, start, end in running.get(store_id, ()):
            if start <= last_day and (end is None or end >= month):
                if e is None:
                    e = scoring.performance_entry(product, logistics, service, policy)
                entries[provider_id][(store_id, month)] = e
                seen = latest[provider_id].get(store_id)
                if seen is None or seen[0] < month:
                    latest[provider_id][store_id] = (month, e)

    facts = {}
    for provider_id, status, reinstated_on in providers:
        prev = previous.get(provider_id)
        # A reinstatement wipes the slate: months rated before it no longer count toward demotion or delisting.
        if prev is not None and reinstated_on is not None and prev["as_of"] < reinstated_on:
            prev = None
        override = overrides.get(provider_id)
        active = active_stores.get(provider_id, set())
        facts[provider_id] = scoring.Facts(
            review_groups=reviews.get(provider_id, []),
            performance_entries=list(entries[provider_id].values()) if provider_id in entries else [],
            active_stores=len(active),
            excellent_stores=scoring.excellent_store_count(
                {s: e for s, (_, e) in latest.get(provider_id, {}).items()}, active, policy
            ),
            services=services.get(provider_id, frozenset()),
            admin_status=status,
            previous=scoring.Previous(
                computed_tier=prev["computed_tier"], tier=prev["tier"], status=prev["status"],
                below_tier_months=prev["below_tier_months"], failing_months=prev["failing_months"],
            ) if prev else None,
            override=scoring.Override(tier=override.tier, reason=override.reason, expires_on=override.expires_on)
            if override else None,
        )
    return facts

"""The engine's evidence summed where it lives: one row per provider of reviews, performance and active stores.

A recompute used to fetch a row per provider and day of reviews and a row per store and month of performance, and
sum them in Python; at 100,000 providers that is millions of rows through the driver. These queries return what
`scoring.rate` needs instead, on SQLite and PostgreSQL alike:

- reviews: exact count and rating sum, Σw and Σw·rating as doubles (`scoring.ReviewSums`; the rare provider whose
  double lies at a rounding boundary is rated on its exact per-day groups, see `engine.ratings_gather_batch`);
- performance: the entries de-duplicated per store and month, their count and Σ E in exact integers (the scores
  have 2 places, the weights a few: E × 10^(places + 2) is a whole number), and the excellent stores;
- the active stores.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from providers.models import Engagement

from .. import scoring
from ..models import Review, StorePerformance


@dataclass(frozen=True)
class ProviderBatch:
    """Providers rated together: rows of (id, status, reinstated_on) in id order.

    `complete`: every provider with an id from the first to the last is in the batch, so the queries may select the
    evidence by an id range (an index range scan) rather than by a list.
    """

    rows: list[tuple[int, str, dt.date | None]]
    complete: bool

    @property
    def ids(self) -> list[int]:
        return [row[0] for row in self.rows]

    def sql(self, column: str) -> tuple[str, list]:
        """A condition on `column` (already quoted) selecting this batch's providers, with its parameters."""
        ids = self.ids
        if self.complete:
            return f"{column} BETWEEN %s AND %s", [ids[0], ids[-1]]
        return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids

    def restrict(self, qs, field: str):
        """The queryset narrowed to this batch's providers by `field`."""
        ids = self.ids
        if self.complete:
            return qs.filter(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
        return qs.filter(**{f"{field}__in": ids})


def _tables():
    qn = connection.ops.quote_name
    return qn, {m.__name__: qn(m._meta.db_table) for m in (Review, StorePerformance, Engagement)}


def review_sums(*, as_of: dt.date, policy: scoring.Policy, batch: ProviderBatch) -> dict[int, scoring.ReviewSums]:
    """Per provider: count, rating sum, Σw and Σw·rating of the verified published reviews dated ≤ as_of.

    One power per review: on PostgreSQL a quarter of the time of summing per day first (a second aggregation
    that spills to disk at the default work_mem), on SQLite two thirds (no temporary B-tree).
    """
    qn, t = _tables()
    scope, scope_params = batch.sql(f"r.{qn('provider_id')}")
    if connection.vendor == "postgresql":
        weight = "POWER(CAST(0.5 AS double precision), CAST(%s::date - r.created_at AS double precision) / %s)"
        plain = ""
    else:
        weight = "POWER(0.5, (julianday(%s) - julianday(r.created_at)) / %s)"
        # Unary + keeps SQLite off the (status, verified, created_at) index, which would read every provider's
        # reviews for each batch: the batch's id range on the provider index is the one to use.
        plain = "+"
    sql = (
        "SELECT provider_id, COUNT(*), SUM(rating), SUM(w), SUM(rating * w) FROM ("
        f"SELECT r.{qn('provider_id')} AS provider_id, r.{qn('rating')} AS rating, {weight} AS w "
        f"FROM {t['Review']} r WHERE {plain}r.{qn('status')} = %s AND {plain}r.{qn('verified')} = %s "
        f"AND {plain}r.{qn('created_at')} <= %s AND {scope}) scored GROUP BY provider_id"
    )
    params = [as_of, policy.half_life_days, Review.Status.PUBLISHED, True, as_of, *scope_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            pk: scoring.ReviewSums(count=int(n), rating_sum=int(total), weight=float(w), weighted=float(ws))
            for pk, n, total, w, ws in cursor.fetchall()
        }


def entry_scale(policy: scoring.Policy) -> int:
    """Decimal places of E: the scores' 2 plus the most any weight has (E × 10^this is a whole number)."""
    weights = (policy.product_weight, policy.logistics_weight, policy.service_weight)
    return 2 + max(0, *(-w.as_tuple().exponent for w in weights))


def performance_sums(
    *, as_of: dt.date, period: dt.date, window_start: dt.date, policy: scoring.Policy, batch: ProviderBatch,
) -> dict[int, tuple[scoring.PerformanceSums, int]]:
    """Per provider: (the window's entries summed exactly, excellent stores).

    An entry is a store's month the provider ran at some point of (an engagement begun by the month's last day
    and not ended before its first), counted once however many engagements; the excellent stores are the active
    ones whose latest entry in the window has E ≥ the threshold (docs/rating-policy.md §4).
    """
    qn, t = _tables()
    places = entry_scale(policy)
    weights = [int(w.scaleb(places - 2)) for w in (policy.product_weight, policy.logistics_weight, policy.service_weight)]
    # E × 10^places is a whole number, so "E ≥ threshold" is "that number ≥ the threshold's, rounded up".
    threshold = math.ceil(policy.excellent_threshold.scaleb(places))
    cents = [f"CAST(ROUND(p.{qn(f)} * 100) AS INTEGER)" for f in ("product_score", "logistics_score", "service_score")]
    entry = " + ".join(f"%s * {c}" for c in cents)
    start, end, store, provider = (qn(c) for c in ("start_date", "end_date", "store_id", "provider_id"))
    if connection.vendor == "postgresql":
        begun_by_month_end = f"e.start_date < p.{qn('period')} + interval '1 month'"
    else:
        begun_by_month_end = f"e.start_date <= date(p.{qn('period')}, '+1 month', '-1 day')"
    # Each engagement's window rows through the (store, period) index: a batch reads its own stores' rows only, not
    # every store's window (which would make a run quadratic in batches). PostgreSQL would hash-join the whole
    # window unless the lookup is LATERAL; SQLite's nested loops use the index as they are.
    window = f"p.{store} = e.store_id AND p.{qn('period')} >= %s AND p.{qn('period')} <= %s"
    if connection.vendor == "postgresql":
        # OFFSET 0 keeps the planner from flattening the subquery back into that hash join.
        window_rows = f"JOIN LATERAL (SELECT * FROM {t['StorePerformance']} p WHERE {window} OFFSET 0) p ON TRUE"
    else:
        window_rows = f"JOIN {t['StorePerformance']} p ON {window}"
    scope, scope_params = batch.sql(f"{provider}")
    sql = (
        f"WITH running AS (SELECT {provider} AS provider_id, {store} AS store_id, {start} AS start_date, "
        f"{end} AS end_date FROM {t['Engagement']} WHERE {start} <= %s AND ({end} IS NULL OR {end} >= %s) "
        f"AND {scope}), "
        f"entries AS (SELECT DISTINCT e.provider_id, p.{store} AS store_id, p.{qn('period')} AS period, "
        f"{entry} AS e FROM running e {window_rows} "
        f"WHERE {begun_by_month_end} AND (e.end_date IS NULL OR e.end_date >= p.{qn('period')})), "
        "ranked AS (SELECT provider_id, store_id, e, ROW_NUMBER() OVER "
        "(PARTITION BY provider_id, store_id ORDER BY period DESC) AS latest FROM entries), "
        "active AS (SELECT DISTINCT provider_id, store_id FROM running WHERE end_date IS NULL OR end_date >= %s) "
        "SELECT r.provider_id, COUNT(*), SUM(r.e), "
        "SUM(CASE WHEN r.latest = 1 AND a.store_id IS NOT NULL AND r.e >= %s THEN 1 ELSE 0 END) "
        "FROM ranked r LEFT JOIN active a ON a.provider_id = r.provider_id AND a.store_id = r.store_id "
        "GROUP BY r.provider_id"
    )
    params = [as_of, window_start, *scope_params, *weights, window_start, period, as_of, threshold]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            pk: (scoring.PerformanceSums(rows=int(rows), total=Decimal(int(total)).scaleb(-places)), int(excellent))
            for pk, rows, total, excellent in cursor.fetchall()
        }


def active_store_counts(*, as_of: dt.date, batch: ProviderBatch) -> dict[int, int]:
    """Per provider: the stores it runs on as_of (an engagement begun by then and not yet ended)."""
    qn, t = _tables()
    provider, start, end = qn("provider_id"), qn("start_date"), qn("end_date")
    scope, scope_params = batch.sql(provider)
    sql = (
        f"SELECT {provider}, COUNT(DISTINCT {qn('store_id')}) FROM {t['Engagement']} "
        f"WHERE {start} <= %s AND ({end} IS NULL OR {end} >= %s) AND {scope} GROUP BY {provider}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of, as_of, *scope_params])
        return dict(cursor.fetchall())

"""How far a full-period recompute is from the bare SQL it cannot avoid, at directory scale.

    .venv/bin/python benchmarks/recompute.py                       # 10,000 providers in var/bench.sqlite3
    .venv/bin/python benchmarks/recompute.py --reuse               # keep the data of a previous run
    createdb -h 127.0.0.1 -U postgres bench
    .venv/bin/python benchmarks/recompute.py --database-url postgres://postgres@127.0.0.1:5432/bench

The database gets N providers with ~3 stores, 50 reviews and 12 months of store performance each from the
demo generator (no ratings), then `reviews_refresh_verification()` runs once. Timed, best of 3 each:

  (a) the set-based aggregates a recompute needs, as plain SQL (cursor.execute + fetchall): verified published
      reviews dated ≤ D per provider and day (COUNT, SUM(rating)); the performance rows of the 3-month window
      joined to the engagements running in each row's month, per provider (AVG of 0.5·product + 0.2·logistics
      + 0.3·service); the engagements active on D, per provider;
  (b) `ratings_recompute(as_of=…)` for the whole period, as the nightly job runs it: as of D−2, D−1, D
      (D = today), each rewriting every snapshot of the period.

The ratio (b)/(a) is the engine's overhead over the floor: Python scoring, snapshot upserts, events, provider
rows. Without --reuse the SQLite file is rebuilt; any other database must be empty (or pass --reuse).
DEBUG is off so query logging does not count.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "var" / "bench.sqlite3"
RUNS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help=f"default: sqlite:///{DEFAULT_SQLITE.relative_to(ROOT)}")
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="use the data already in the database, if any")
    args = parser.parse_args()

    if args.database_url is None:
        DEFAULT_SQLITE.parent.mkdir(exist_ok=True)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{DEFAULT_SQLITE}{suffix}").unlink(missing_ok=True)
    # Settings read DATABASE_URL when they are imported: set it before django.setup().
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # eager Celery tasks log every run at INFO
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    today = timezone.localdate()
    _prepare(providers=args.providers, seed=args.seed, reuse=args.reuse, today=today)

    from ratings.services import reviews_refresh_verification

    started = time.perf_counter()
    reviews_refresh_verification()
    print(f"reviews_refresh_verification(): {time.perf_counter() - started:.1f}s")
    print("rows: " + "; ".join(f"{name} {count:,}" for name, count in _row_counts(today).items()))

    queries = _aggregate_queries(connection.vendor, today)
    bare, results = _best(lambda: _run_queries(queries))
    print(f"(a) bare SQL aggregates: best {bare:.2f}s of {RUNS}")
    for (name, _, _), (seconds, rows) in zip(queries, results):
        print(f"      {name}: {rows:,} rows in {seconds:.2f}s")

    from ratings.services import ratings_recompute

    # Like the nightly job: each run is as of a new day, so every snapshot of the period is rewritten
    # (ages and R move); D−3 first, outside the timing, so all timed runs find the period's rows in place.
    ratings_recompute(as_of=today - dt.timedelta(days=3))
    days = iter([today - dt.timedelta(days=2), today - dt.timedelta(days=1), today])
    full, outcome = _best(lambda: ratings_recompute(as_of=next(days)))
    print(f"(b) ratings_recompute, nightly-style (as of {today - dt.timedelta(days=2)} … {today}): best {full:.2f}s "
          f"of {RUNS} ({outcome.providers:,} providers, {outcome.rated:,} rated)")
    print(f"ratio (b)/(a): {full / bare:.1f}×")


def _prepare(*, providers: int, seed: int, reuse: bool, today: dt.date) -> None:
    from django.core.management import call_command

    from ingest import demo
    from providers.models import Provider

    call_command("migrate", verbosity=0, interactive=False)
    existing = Provider.objects.count()
    if existing and reuse:
        print(f"reusing the {existing:,} providers already there")
        return
    if existing:
        sys.exit(f"The database already has {existing:,} providers: pass --reuse, or drop and recreate it.")
    started = time.perf_counter()
    demo.demo_seed(providers=providers, seed=seed, today=today, verify=False, log=print)
    print(f"seeded {providers:,} providers in {time.perf_counter() - started:.1f}s")


def _row_counts(today: dt.date) -> dict[str, int]:
    from providers.models import Engagement, Provider, Store
    from ratings.models import Review, StorePerformance

    return {
        "providers": Provider.objects.count(),
        "stores": Store.objects.count(),
        "engagements": Engagement.objects.count(),
        "reviews": Review.objects.count(),
        "verified published ≤ today": Review.objects.filter(
            status=Review.Status.PUBLISHED, verified=True, created_at__lte=today
        ).count(),
        "performance rows": StorePerformance.objects.count(),
    }


def _aggregate_queries(vendor: str, as_of: dt.date) -> list[tuple[str, str, list]]:
    """(name, sql, params) of the aggregates a recompute of the month containing as_of needs."""
    from providers.models import Engagement
    from ratings import scoring
    from ratings.models import RatingPolicy, Review, StorePerformance

    policy = RatingPolicy.objects.get(is_active=True)
    period = scoring.month_start(as_of)
    window_start = scoring.add_months(period, -(policy.performance_window_months - 1))
    reviews, performance, engagements = (m._meta.db_table for m in (Review, StorePerformance, Engagement))
    # Last day of the row's month: an engagement counts for a month it was running in at some point.
    month_end = {
        "sqlite": "date(p.period, '+1 month', '-1 day')",
        "postgresql": "(p.period + interval '1 month' - interval '1 day')::date",
    }[vendor]
    weights = (policy.product_weight, policy.logistics_weight, policy.service_weight)
    return [
        (
            "reviews per provider and day",
            f"SELECT r.provider_id, r.created_at, COUNT(*), SUM(r.rating) FROM {reviews} r "
            "WHERE r.status = %s AND r.verified = %s AND r.created_at <= %s GROUP BY r.provider_id, r.created_at",
            [Review.Status.PUBLISHED, True, as_of],
        ),
        (
            "performance per provider (3-month window)",
            "SELECT e.provider_id, AVG(%s * p.product_score + %s * p.logistics_score + %s * p.service_score), "
            "COUNT(*) "
            f"FROM {performance} p JOIN {engagements} e ON e.store_id = p.store_id "
            f"AND e.start_date <= {month_end} AND (e.end_date IS NULL OR e.end_date >= p.period) "
            "WHERE p.period >= %s AND p.period <= %s GROUP BY e.provider_id",
            [*weights, window_start, period],
        ),
        (
            "active engagements per provider",
            f"SELECT e.provider_id, COUNT(DISTINCT e.store_id) FROM {engagements} e "
            "WHERE e.start_date <= %s AND (e.end_date IS NULL OR e.end_date >= %s) GROUP BY e.provider_id",
            [as_of, as_of],
        ),
    ]


def _run_queries(queries) -> list[tuple[float, int]]:
    from django.db import connection

    results = []
    with connection.cursor() as cursor:
        for _, sql, params in queries:
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            results.append((time.perf_counter() - started, len(rows)))
    return results


def _best(run):
    """Best wall time of RUNS calls and the result of that call."""
    best = best_result = None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
        if best is None or seconds < best:
            best, best_result = seconds, result
    return best, best_result


if __name__ == "__main__":
    main()

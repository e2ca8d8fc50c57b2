"""How far a full-period recompute is from an honest SQL floor, nightly and on the first run of a month.

    .venv/bin/python benchmarks/recompute.py                       # 10,000 providers in var/bench.sqlite3
    .venv/bin/python benchmarks/recompute.py --quick               # 1,000 providers (make bench's size)
    .venv/bin/python benchmarks/recompute.py --reuse               # keep the data of a previous run
    createdb -h 127.0.0.1 -U postgres bench
    .venv/bin/python benchmarks/recompute.py --database-url postgres://postgres@127.0.0.1:5432/bench
    … --json benchmarks/out/recompute-sqlite.json                  # the figures as JSON too

The database gets N providers from `manage.py seed_demo --providers N --no-ratings` (~3 stores, 50 reviews and
12 months of store performance each). M is the last full month before today. Timed:

  (a) the floor: SQL that computes what the policy needs and returns at most one row per provider: decayed
      review sums (Σw, Σw·rating), counts and rating sums of the verified published reviews dated ≤ D; the
      window's performance entries de-duplicated per store and month (count, mean E), and the excellent
      stores (latest row in the window, active on D, E ≥ threshold); the active stores; plus the small reads
      (providers with their service codes, overrides in force, the previous month's snapshots). Before it is
      timed at a date, its figures are checked against the Decimal reference (`ratings_gather_facts_exact`) for
      every provider, and the engine's own facts (summed in SQL) must rate every provider exactly as the
      reference's do: a mismatch aborts the run.
  (b) `ratings_recompute(as_of=D)` for the whole period, committed, in two cases:
      - nightly: as of the 2nd, 3rd and 4th of M, after the 1st (days of one month, never across its end);
      - first run of a month: as of the 1st of M−2, M−1 and M, each after the month before it was rated as of
        its last day (untimed): every snapshot of the period is new and every rated provider row changes.
      Best of the 3 dates, each beside the 1-minute load average (os.getloadavg) taken right after it.

The ratio (b)/(a) is the engine's overhead over the floor: Python scoring, snapshot upserts, events, provider
rows. Without --reuse the SQLite file is rebuilt; any other database must be empty (or pass --reuse, which
clears the ratings a previous run left). DEBUG is off so query logging does not count.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "var" / "bench.sqlite3"
QUICK_PROVIDERS = 1_000
# E is an exact multiple of 0.0001 (2-decimal scores, weights of at most 2 decimals); SQLite computes it in floats.
E_EPSILON = 5e-7


def load() -> float:
    return round(os.getloadavg()[0], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help=f"default: sqlite:///{DEFAULT_SQLITE.relative_to(ROOT)}")
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PROVIDERS:,} providers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="use the data already in the database, if any")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.quick:
        args.providers = QUICK_PROVIDERS

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

    from ratings import scoring
    from ratings.services import ratings_recompute

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; load average {load()}")
    today = timezone.localdate()
    _prepare(providers=args.providers, seed=args.seed, reuse=args.reuse)
    print("rows: " + "; ".join(f"{name} {count:,}" for name, count in _row_counts(today).items()))

    month = scoring.add_months(scoring.month_start(today), -1)  # M, the last full month
    firsts = [scoring.add_months(month, -2), scoring.add_months(month, -1), month]
    nights = [month + dt.timedelta(days=n) for n in (1, 2, 3)]
    cases = {"first_of_month": [], "nightly": []}

    def timed(case: str, as_of: dt.date) -> None:
        floor = _floor_checked(as_of)
        started = time.perf_counter()
        outcome = ratings_recompute(as_of=as_of)
        seconds = time.perf_counter() - started
        run = {"as_of": as_of.isoformat(), "engine_s": round(seconds, 3), "engine_load": load(), **floor,
               "providers": outcome.providers, "rated": outcome.rated}
        cases[case].append(run)
        print(f"  {case:15} as of {as_of}: engine {seconds:.2f}s (load {run['engine_load']}), floor "
              f"{floor['floor_s']:.2f}s (load {floor['floor_load']}, {floor['floor_rows']:,} rows), "
              f"{outcome.rated:,} of {outcome.providers:,} rated")

    def untimed(as_of: dt.date) -> None:
        started = time.perf_counter()
        ratings_recompute(as_of=as_of)
        print(f"  (untimed) as of {as_of}: {time.perf_counter() - started:.2f}s")

    untimed(scoring.month_end(scoring.add_months(firsts[0], -1)))
    for first in firsts:
        timed("first_of_month", first)
        if first != month:
            untimed(scoring.month_end(first))
    for night in nights:
        timed("nightly", night)

    summary = {}
    for case, runs in cases.items():
        engine = min(runs, key=lambda r: r["engine_s"])
        floor = min(runs, key=lambda r: r["floor_s"])
        summary[case] = {
            "engine_best_s": engine["engine_s"], "engine_load": engine["engine_load"],
            "floor_best_s": floor["floor_s"], "floor_load": floor["floor_load"], "floor_rows": floor["floor_rows"],
            "ratio": round(engine["engine_s"] / floor["floor_s"], 1), "runs": runs,
        }
        print(f"{case}: engine best {engine['engine_s']:.2f}s (load {engine['engine_load']}) / floor best "
              f"{floor['floor_s']:.2f}s (load {floor['floor_load']}) = {summary[case]['ratio']}×")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "benchmark": "recompute", "database": connection.vendor, "providers": args.providers,
            "today": today.isoformat(), "measured_at": timezone.now().isoformat(timespec="seconds"),
            "cpus": os.cpu_count(), **summary,
        }, indent=2) + "\n")
        print(f"wrote {args.json}")


def _prepare(*, providers: int, seed: int, reuse: bool) -> None:
    from django.core.management import call_command

    from providers.models import Provider
    from ratings.models import RatingEvent, ScoreSnapshot

    call_command("migrate", verbosity=0, interactive=False)
    existing = Provider.objects.count()
    if existing and reuse:
        # Start from the seeded state: no snapshots, no engine events, no ratings on the provider rows.
        ScoreSnapshot.objects.all().delete()
        RatingEvent.objects.filter(actor__isnull=True).delete()
        Provider.objects.update(tier=None, score=None, at_risk=False, rated_period=None, review_count=0,
                                review_average=None, status=Provider.Status.ACTIVE)
        _vacuum()
        print(f"reusing the {existing:,} providers already there (ratings cleared, tables vacuumed)")
        return
    if existing:
        sys.exit(f"The database already has {existing:,} providers: pass --reuse, or drop and recreate it.")
    started = time.perf_counter()
    # call_command skips the system checks, as a command called from code does.
    call_command("seed_demo", providers=providers, seed=seed, no_ratings=True, stdout=open(os.devnull, "w"))
    print(f"seeded {providers:,} providers (seed_demo --no-ratings) in {time.perf_counter() - started:.1f}s")


def _vacuum() -> None:
    """Clear the dead rows the clearing left and refresh the planner's statistics, so reruns start alike.

    Without it a PostgreSQL database reused by many runs held 13 dead provider rows per live one (88 MB for 10,000
    providers), and every UPDATE of the providers paid for them.
    """
    from django.db import connection

    from providers.models import Provider
    from ratings.models import RatingEvent, Review, ScoreSnapshot, StorePerformance

    with connection.cursor() as cursor:
        for model in (ScoreSnapshot, RatingEvent, Provider, Review, StorePerformance):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else f"ANALYZE {table}")


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


def _floor_queries(vendor: str, as_of: dt.date) -> dict[str, tuple[str, list]]:
    """name → (sql, params): what a recompute of the month containing as_of needs, ≤ one row per provider."""
    from providers.models import Engagement, Provider
    from ratings import scoring
    from ratings.models import RatingPolicy, Review, ScoreSnapshot, StorePerformance, TierOverride

    policy = RatingPolicy.objects.get(is_active=True)
    period = scoring.month_start(as_of)
    window_start = scoring.add_months(period, -(policy.performance_window_months - 1))
    reviews, performance, engagements, snapshots, overrides, providers = (
        m._meta.db_table for m in (Review, StorePerformance, Engagement, ScoreSnapshot, TierOverride, Provider)
    )
    through = Provider.services.through._meta.db_table
    services = Provider._meta.get_field("services").related_model._meta.db_table
    pg = vendor == "postgresql"
    # An engagement counts for a month it was running in at some point: begun by the month's last day.
    month_end = "(p.period + interval '1 month' - interval '1 day')::date" if pg else "date(p.period, '+1 month', '-1 day')"
    age = "(%s::date - r.created_at)::float8" if pg else "(julianday(%s) - julianday(r.created_at))"
    codes = "string_agg(s.code, ',')" if pg else "group_concat(s.code, ',')"
    weight = f"POWER(0.5, {age} / %s)"
    w = (policy.product_weight, policy.logistics_weight, policy.service_weight)
    e = "(%s * p.product_score + %s * p.logistics_score + %s * p.service_score)"
    active = (f"SELECT DISTINCT provider_id, store_id FROM {engagements} "
              "WHERE start_date <= %s AND (end_date IS NULL OR end_date >= %s)")
    return {
        "reviews (decayed sums)": (
            f"SELECT r.provider_id, COUNT(*), SUM(r.rating), SUM({weight}), SUM(r.rating * {weight}) "
            f"FROM {reviews} r WHERE r.status = %s AND r.verified = %s AND r.created_at <= %s GROUP BY r.provider_id",
            [as_of, policy.half_life_days, as_of, policy.half_life_days, Review.Status.PUBLISHED, True, as_of],
        ),
        "performance (per store and month, excellent)": (
            f"WITH entries AS (SELECT DISTINCT e.provider_id, p.store_id, p.period, {e} AS e "
            f"FROM {performance} p JOIN {engagements} e ON e.store_id = p.store_id AND e.start_date <= %s "
            f"AND e.start_date <= {month_end} AND (e.end_date IS NULL OR e.end_date >= p.period) "
            "WHERE p.period >= %s AND p.period <= %s), "
            "ranked AS (SELECT provider_id, store_id, e, ROW_NUMBER() OVER "
            "(PARTITION BY provider_id, store_id ORDER BY period DESC) AS latest FROM entries), "
            f"active AS ({active}) "
            "SELECT r.provider_id, COUNT(*), AVG(r.e), "
            "SUM(CASE WHEN r.latest = 1 AND a.store_id IS NOT NULL AND r.e >= %s THEN 1 ELSE 0 END) "
            "FROM ranked r LEFT JOIN active a ON a.provider_id = r.provider_id AND a.store_id = r.store_id "
            "GROUP BY r.provider_id",
            [*w, as_of, window_start, period, as_of, as_of, float(policy.excellent_store_threshold) - E_EPSILON],
        ),
        "active stores": (
            f"SELECT provider_id, COUNT(*) FROM ({active}) a GROUP BY provider_id", [as_of, as_of],
        ),
        "providers and service codes": (
            f"SELECT pr.id, pr.status, pr.reinstated_on, {codes} FROM {providers} pr "
            f"LEFT JOIN {through} t ON t.provider_id = pr.id LEFT JOIN {services} s ON s.id = t.service_id "
            "GROUP BY pr.id, pr.status, pr.reinstated_on",
            [],
        ),
        "overrides in force": (
            f"SELECT provider_id, tier FROM {overrides} WHERE starts_on <= %s "
            "AND (expires_on IS NULL OR expires_on >= %s) AND (lifted_on IS NULL OR lifted_on > %s) "
            "ORDER BY provider_id, starts_on, id",
            [as_of, as_of, as_of],
        ),
        "previous snapshots": (
            f"SELECT provider_id, as_of, computed_tier, tier, status, below_tier_months, failing_months "
            f"FROM {snapshots} WHERE period = %s",
            [scoring.add_months(period, -1)],
        ),
    }


def _run_floor(queries) -> dict[str, list]:
    from django.db import connection

    results = {}
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            cursor.execute(sql, params)
            results[name] = cursor.fetchall()
    return results


def _floor_checked(as_of: dt.date) -> dict:
    """Check the floor's figures against the engine's facts as of a date, then time it once."""
    from django.db import connection

    queries = _floor_queries(connection.vendor, as_of)
    _check(_run_floor(queries), as_of)
    started = time.perf_counter()
    results = _run_floor(queries)
    seconds = time.perf_counter() - started
    return {"floor_s": round(seconds, 3), "floor_load": load(),
            "floor_rows": sum(len(rows) for rows in results.values())}


def _check(results: dict[str, list], as_of: dt.date) -> None:
    """Abort unless the floor's figures are the Decimal reference's facts (floats where SQLite has no exact decimals)
    and the engine's facts rate every provider exactly as the reference's do."""
    from ratings import scoring, selectors

    period = scoring.month_start(as_of)
    policy = selectors.policy_to_scoring(selectors.policy_active())
    previous = selectors.previous_snapshots(period=period, provider_ids=None)
    facts = selectors.ratings_gather_facts_exact(as_of=as_of, period=period, policy=policy, provider_ids=None,
                                                 previous=previous)
    # The engine's facts (summed in SQL) must rate every provider exactly as the Decimal reference does.
    summed = selectors.ratings_gather_facts(as_of=as_of, period=period, policy=policy, provider_ids=None,
                                            previous=previous)
    differ = [pk for pk, f in facts.items() if repr(scoring.rate(f, policy)) != repr(scoring.rate(summed[pk], policy))]
    boundary = sum(1 for f in summed.values() if f.review_sums is None and f.review_groups)
    if differ or len(summed) != len(facts):
        sys.exit(f"engine ≠ Decimal reference as of {as_of} for {len(differ)} providers, e.g. {differ[:5]}")
    print(f"  engine = Decimal reference as of {as_of} for all {len(facts):,} providers "
          f"({boundary} at a rounding boundary, rated on exact groups)")
    reviews = {row[0]: row[1:] for row in results["reviews (decayed sums)"]}
    perf = {row[0]: row[1:] for row in results["performance (per store and month, excellent)"]}
    active = dict(results["active stores"])
    providers = {row[0]: row[1:] for row in results["providers and service codes"]}
    overrides = {pk: tier for pk, tier in results["overrides in force"]}  # the latest one wins, as in the engine
    prev = {row[0]: row[1:] for row in results["previous snapshots"]}

    def close(a, b) -> bool:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)

    mismatches = []
    for pk, f in facts.items():
        count = sum(n for _, n, _ in f.review_groups)
        total = sum(t for _, _, t in f.review_groups)
        weight = sum(scoring.decay_weight(a, policy.half_life_days) * n for a, n, _ in f.review_groups)
        weighted = sum(scoring.decay_weight(a, policy.half_life_days) * t for a, _, t in f.review_groups)
        n, s, fw, fws = reviews.get(pk, (0, 0, 0, 0))
        p_count, p_mean, p_excellent = perf.get(pk, (0, None, 0))
        entries = f.performance_entries
        status, _, codes = providers[pk]
        checks = {
            "review count": n == count, "rating sum": (s or 0) == total,
            "Σw": close(fw or 0, weight), "Σw·rating": close(fws or 0, weighted),
            "performance rows": p_count == len(entries),
            "mean E": (p_mean is None and not entries) or (entries and close(p_mean, sum(entries) / len(entries))),
            "excellent stores": p_excellent == f.excellent_stores,
            "active stores": active.get(pk, 0) == f.active_stores,
            "services": (frozenset(codes.split(",")) if codes else frozenset()) == f.services,
            "status": status == f.admin_status,
            "override": overrides.get(pk) == (f.override.tier if f.override else None),
            # The engine drops a previous month rated before a reinstatement; the row is still read.
            "previous": f.previous is None or (pk in prev and tuple(prev[pk][1:]) == (
                f.previous.computed_tier, f.previous.tier, f.previous.status, f.previous.below_tier_months,
                f.previous.failing_months)),
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            mismatches.append((pk, bad))
    if len(providers) != len(facts):
        mismatches.append(("providers", [f"{len(providers)} floor vs {len(facts)} engine"]))
    if mismatches:
        sys.exit(f"floor ≠ engine facts as of {as_of} for {len(mismatches)} providers, e.g. {mismatches[:5]}")
    print(f"  floor = engine facts as of {as_of} for all {len(facts):,} providers")


if __name__ == "__main__":
    main()

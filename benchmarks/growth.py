"""How the recompute grows with the directory: 1,000 / 10,000 / 100,000 providers on PostgreSQL, time and peak memory.

    .venv/bin/python benchmarks/growth.py                      # 1,000 and 10,000 providers (make bench's sizes)
    .venv/bin/python benchmarks/growth.py --full               # 1,000, 10,000 and 100,000
    .venv/bin/python benchmarks/growth.py --sizes 30000 --json benchmarks/out/growth.json

Each size has a database of its own on the server (--postgres, default postgres://postgres@127.0.0.1:5432):
bench_growth_<N>, created if missing and seeded once by `manage.py seed_demo --providers N --no-ratings` (~3 stores,
50 reviews and 12 months of store performance per provider; reviews and performance go in by COPY), reused after
(its ratings cleared). M is the last full month before today. Per size, each run in a process of its own:

  (untimed) as of the last day of M−1, so M has a previous month;
  first of month: as of the 1st of M, every snapshot of the period new, every rated provider row changed;
  nightly: as of the 2nd and the 3rd of M (the best of the two is reported).

Time is the wall time of `ratings_recompute` alone; peak RSS is the process's maximum resident set (ru_maxrss),
Django and the interpreter included; the baseline RSS is the process's before the run. The 1-minute load average
(os.getloadavg) is taken right after each run: the machine is shared, compare figures taken at a similar load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK_SIZES = [1_000, 10_000]
FULL_SIZES = [1_000, 10_000, 100_000]


def load() -> float:
    return round(os.getloadavg()[0], 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help=f"sizes {FULL_SIZES} instead of {QUICK_SIZES}")
    parser.add_argument("--sizes", type=int, nargs="+", help="these sizes instead")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
                        help="server URL without a database name")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", choices=["prepare", "recompute"], help=argparse.SUPPRESS)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help=argparse.SUPPRESS)
    parser.add_argument("--providers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args)

    sizes = args.sizes or (FULL_SIZES if args.full else QUICK_SIZES)
    today = dt.date.today()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # M, the last full month
    previous_end = month - dt.timedelta(days=1)
    results = []
    for size in sizes:
        url = _database(args.postgres, f"bench_growth_{size}")
        print(f"== {size:,} providers ({url}); load average {load()}", flush=True)
        prepared = _run_child(url, ["--child", "prepare", "--providers", str(size)])
        untimed = _run_child(url, ["--child", "recompute", "--as-of", previous_end.isoformat()])
        print(f"  (untimed) as of {previous_end}: {untimed['seconds']:.2f}s", flush=True)
        runs = {"first_of_month": [], "nightly": []}
        for case, day in [("first_of_month", month), ("nightly", month + dt.timedelta(days=1)),
                          ("nightly", month + dt.timedelta(days=2))]:
            run = _run_child(url, ["--child", "recompute", "--as-of", day.isoformat()])
            runs[case].append(run)
            print(f"  {case:15} as of {day}: {run['seconds']:.2f}s, peak RSS {run['peak_rss_mb']:.0f} MB "
                  f"(baseline {run['baseline_rss_mb']:.0f} MB), load {run['load']}", flush=True)
        row = {"providers": size, **prepared}
        for case, case_runs in runs.items():
            best = min(case_runs, key=lambda r: r["seconds"])
            row[case] = {"seconds": best["seconds"], "load": best["load"], "us_per_provider":
                         round(best["seconds"] / size * 1e6, 1), "peak_rss_mb": max(r["peak_rss_mb"] for r in case_runs),
                         "runs": case_runs}
        results.append(row)

    print("\n| providers | reviews | nightly | µs/provider | first of month | µs/provider | peak RSS | load |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in results:
        night, first = row["nightly"], row["first_of_month"]
        print(f"| {row['providers']:,} | {row['reviews']:,} | {night['seconds']:.2f} s | {night['us_per_provider']:.0f} "
              f"| {first['seconds']:.2f} s | {first['us_per_provider']:.0f} "
              f"| {max(night['peak_rss_mb'], first['peak_rss_mb']):.0f} MB | {night['load']} / {first['load']} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "benchmark": "growth", "database": "postgresql", "today": today.isoformat(),
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "sizes": results,
        }, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


def _database(server: str, name: str) -> str:
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return f"{server}/{name}"


def _run_child(url: str, arguments: list[str]) -> dict:
    """Run this script in a fresh process against `url`; its last output line is its JSON result."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false",
           "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING")}
    done = subprocess.run([sys.executable, __file__, *arguments], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _child(args) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if args.child == "prepare":
        print(json.dumps(_prepare(args.providers)))
        return 0
    from ratings.services import ratings_recompute

    baseline = _rss_mb()
    started = time.perf_counter()
    outcome = ratings_recompute(as_of=args.as_of)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    print(json.dumps({"as_of": args.as_of.isoformat(), "seconds": round(seconds, 3), "load": load(),
                      "peak_rss_mb": round(peak, 1), "baseline_rss_mb": round(baseline, 1),
                      "providers": outcome.providers, "rated": outcome.rated}))
    return 0


def _prepare(providers: int) -> dict:
    """Migrate, seed if empty (timed), clear the ratings a previous run left; the row counts."""
    from django.core.management import call_command

    from providers.models import Provider
    from ratings.models import RatingEvent, Review, ScoreSnapshot, StorePerformance

    call_command("migrate", verbosity=0, interactive=False)
    existing = Provider.objects.count()
    seeded = None
    if existing == 0:
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", providers=providers, seed=1, no_ratings=True, stdout=quiet)
        seeded = round(time.perf_counter() - started, 1)
    elif existing != providers:
        sys.exit(f"the database holds {existing:,} providers, not {providers:,}: drop it to reseed")
    else:
        ScoreSnapshot.objects.all().delete()
        RatingEvent.objects.filter(actor__isnull=True).delete()
        Provider.objects.update(tier=None, score=None, at_risk=False, rated_period=None, review_count=0,
                                review_average=None, status=Provider.Status.ACTIVE)
    from django.db import connection

    with connection.cursor() as cursor:  # the dead rows of the clearing (or the seed) gone, statistics fresh
        for model in (ScoreSnapshot, RatingEvent, Provider, Review, StorePerformance):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {"seed_seconds": seeded, "reviews": Review.objects.count(), "performance_rows": StorePerformance.objects.count(),
            "seed_load": load()}


if __name__ == "__main__":
    sys.exit(main())

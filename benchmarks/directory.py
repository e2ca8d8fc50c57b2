"""Server time of the directory page at scale: filtered and sorted requests over N providers, cache off and on.

Three columns: no cache at all; a new page (a filter combination not cached yet, whose provider cards were
rendered before for other pages: the steady state of a busy directory); and a cached page.

    .venv/bin/python benchmarks/directory.py                      # 10,000 providers in var/bench_directory.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dir .venv/bin/python benchmarks/directory.py
    .venv/bin/python benchmarks/directory.py --providers 2000 --runs 50

The database is filled once with `seed_demo --providers N --no-ratings` and `recompute_ratings`, then reused.
Each request goes through the whole Django stack (middleware, view, queries, templates) with the test Client,
so the figure is server time without the network. Prints min, median and p95 in milliseconds per request.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_directory.sqlite3'}")
os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory and slows each request down

# A filtered, sorted request of each kind the directory serves (the query string a merchant's browser sends).
REQUESTS = [
    ("default (tier, then score)", ""),
    ("tier 5, by fee", "tier=5&sort=fee"),
    ("tmall + operation, by reviews", "platform=tmall&service=operation&sort=reviews"),
    ("city + min score, by tier", "city=%E6%9D%AD%E5%B7%9E&min_score=4&sort=tier"),
    ("category + fee range, by score", "category=apparel&fee_from=5000&fee_to=30000&sort=score"),
    ("search 电商 (zh)", "q=%E7%94%B5%E5%95%86"),
    ("search Commerce (en), by name", "q=Commerce&sort=name"),
    ("all filters, page 3", "tier=4&platform=jd&service=warehousing&min_score=3.5&sort=reviews&page=3"),
    # The search (issue 16): several words in any field, 1- and 2-character Chinese terms, relevance order.
    ("search 杭州 美妆 (2 words)", "q=%E6%9D%AD%E5%B7%9E+%E7%BE%8E%E5%A6%86"),
    ("search 美 (1 character)", "q=%E7%BE%8E"),
    ("search 运 (1 char, most match)", "q=%E8%BF%90"),
    ("search 直播 天猫 hang (3 words)", "q=%E7%9B%B4%E6%92%AD+%E5%A4%A9%E7%8C%AB+hang"),
    ("search 美妆, by score, page 5", "q=%E7%BE%8E%E5%A6%86&sort=score&page=5"),
    ("2 platforms + 2 services + tier≥4", "platform=tmall&platform=jd&service=operation&service=design&min_tier=4"),
    ("search 服饰 + 2 categories, by name", "q=%E6%9C%8D%E9%A5%B0&category=apparel&category=beauty&sort=name"),
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _figures(timings: list[float], *, width: int = 14) -> str:
    """min, median and p95 in ms; the minimum is the figure least disturbed by other work on the machine."""
    return (
        f"{min(timings):>{width}.1f} {statistics.median(timings):>7.1f} {_percentile(timings, 0.95):>7.1f}"
    )


def _prepare(providers: int) -> None:
    from django.core.management import call_command

    from providers.models import Provider

    call_command("migrate", verbosity=0, interactive=False)
    existing = Provider.objects.count()
    if existing >= providers:
        print(f"Using the existing {existing:,} providers.")
        return
    if existing:
        sys.exit(f"The benchmark database has {existing:,} providers (< {providers:,}); point DATABASE_URL at an empty one.")
    started = time.perf_counter()
    call_command("seed_demo", providers=providers, no_ratings=True, verbosity=0)
    call_command("recompute_ratings", verbosity=0)
    print(f"Seeded {providers:,} providers and rated them in {time.perf_counter() - started:.0f}s.")


def _measure(client, path: str, runs: int, before=None) -> list[float]:
    timings = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per query string (after 3 warm-ups)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from providers.cache import directory_cache_key
    from providers.models import Provider

    # DEBUG is off, so no collectstatic manifest: serve static names plainly (static files are not measured).
    override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    ).enable()
    _prepare(args.providers)
    with connection.cursor() as cursor:
        # A freshly bulk-loaded, just-recomputed table has dead rows and no planner statistics yet; autovacuum
        # would fix both within minutes in a running system, so measure that steady state.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    listed = Provider.objects.filter(status__in=["active", "probation"]).count()
    print(f"{connection.vendor}, {Provider.objects.count():,} providers ({listed:,} listed), {args.runs} runs each")
    # Other work on the machine inflates every figure; the load average says how busy it was.
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start\n")
    client = Client(HTTP_HOST="127.0.0.1")
    header = (
        f"{'request':34} {'shown':>5} {'no cache: min':>14} {'median':>7} {'p95':>7}"
        f" {'new page: min':>14} {'median':>7} {'p95':>7} {'cached: min':>12} {'median':>7} {'p95':>7}"
    )
    print(header)
    print("-" * len(header))
    all_cold, all_new, all_warm = [], [], []
    plain_cold, plain_new, plain_warm = [], [], []  # the requests without a search (the search has its own target)
    for label, query in REQUESTS:
        path = f"/providers/?{query}" if query else "/providers/"
        with override_settings(DIRECTORY_CACHE_SECONDS=0):
            response = client.get(path)
            count = response.content.decode().count('class="card provider-card')
            _measure(client, path, 3)
            cold = _measure(client, path, args.runs)
        cache.clear()
        client.get(path)  # fills the page cache and the card cache
        # A filter combination nobody asked for yet: the page is rendered, its cards come from the card cache.
        page_key = directory_cache_key(page="list", query=query, language=settings.LANGUAGE_CODE)
        new = _measure(client, path, args.runs, before=lambda: cache.delete(page_key))
        client.get(path)
        warm = _measure(client, path, args.runs)
        all_cold += cold
        all_new += new
        all_warm += warm
        if "q=" not in query:
            plain_cold += cold
            plain_new += new
            plain_warm += warm
        print(f"{label:34} {count:>5} {_figures(cold)} {_figures(new)} {_figures(warm, width=12)}")
    print("-" * len(header))
    print(f"{'all requests (ms)':34} {'':>5} {_figures(all_cold)} {_figures(all_new)} {_figures(all_warm, width=12)}")
    print(f"{'requests without a search (ms)':34} {'':>5} {_figures(plain_cold)} {_figures(plain_new)} "
          f"{_figures(plain_warm, width=12)}")

    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()

"""Benchmark: the admin's busiest pages at directory scale (10,000 providers, ~500,000 reviews by default).

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/admin_pages.py [--providers 10000] [--runs 5]

Seeds the demo data once (seed_demo, two months of ratings) into DATABASE_URL (default var/bench-admin.sqlite3),
then renders each page in-process with Django's test client as a superuser, and prints the median time and the
number of queries and their database time per page. Exits 1 if a page takes longer than --budget-ms (default 1000) at the median.
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget-ms", type=float, default=1000.0)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-admin.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"  # fast hashing, eager tasks, testserver host
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from django.contrib.auth import get_user_model
    from providers.models import Provider
    from ratings.models import Review

    call_command("migrate", verbosity=0)
    if Provider.objects.count() < args.providers:
        started = time.perf_counter()
        call_command("seed_demo", providers=args.providers, months=2, verbosity=0)
        print(f"seeded {args.providers} providers in {time.perf_counter() - started:.0f}s")
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    provider = Provider.objects.order_by("-review_count").first()
    review = Review.objects.filter(status="pending").order_by("pk").first()
    pages = {
        "providers": "/admin/providers/provider/",
        "providers ?q=杭州": "/admin/providers/provider/?q=%E6%9D%AD%E5%B7%9E",
        "providers tier 4, tmall": "/admin/providers/provider/?tier__exact=4&platforms__id__exact=1",
        "provider page (grading)": f"/admin/providers/provider/{provider.pk}/change/",
        "reviews": "/admin/ratings/review/",
        "reviews pending, 5★": "/admin/ratings/review/?status__exact=pending&rating__exact=5",
        "moderation queue": "/admin/ratings/reviewqueue/",
        "review page (moderation)": f"/admin/ratings/reviewqueue/{review.pk}/change/",
        "audit list": "/admin/ratings/ratingevent/",
        "audit list, manual": "/admin/ratings/ratingevent/?source=manual",
        "snapshots": "/admin/ratings/scoresnapshot/",
        "performance": "/admin/ratings/storeperformance/",
        "engagements": "/admin/providers/engagement/",
    }
    print(f"{connection.vendor}: {Provider.objects.count():,} providers, {Review.objects.count():,} reviews")
    print(f"{'page':32} {'median ms':>10} {'sql ms':>8} {'queries':>8}")
    slow = []
    for name, url in pages.items():
        timings, sql = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        median = statistics.median(timings)
        print(f"{name:32} {median:10.0f} {statistics.median(sql):8.0f} {len(queries.captured_queries):8d}")
        if median > args.budget_ms:
            slow.append(name)
    if slow:
        print("over budget:", ", ".join(slow))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

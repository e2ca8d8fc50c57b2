"""Fill an empty database with deterministic bilingual demo data, then compute a year of ratings."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from conduct.demo import conduct_demo
from ingest import demo
from providers.models import Platform, Provider
from ratings import scoring
from ratings.services import ratings_recompute


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Create demo providers, stores, reviews and monthly performance (same --seed, same data), then rate them."

    def add_arguments(self, parser):
        parser.add_argument("--providers", type=_positive, default=300, help="how many providers (default 300)")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database has providers")
        parser.add_argument(
            "--months", type=_positive, default=12,
            help="months of ratings to compute, oldest first (default 12; performance data covers at least as many)",
        )
        parser.add_argument("--no-ratings", action="store_true", help="write the data only, compute no ratings")

    def handle(self, *args, providers, seed, if_empty, months, no_ratings, **options):
        existing = Provider.objects.count()
        if existing:
            if if_empty:
                self.stdout.write(f"The database already has {existing} providers; no demo data written.")
                return
            raise CommandError(
                f"The database already has {existing} providers; seed_demo only fills an empty database "
                "(use --if-empty to skip quietly)."
            )
        if not Platform.objects.exists():
            raise CommandError("Reference data is missing: run `manage.py migrate` first.")

        today = timezone.localdate()
        started = time.perf_counter()
        self.stdout.write(f"Seeding {providers} providers (seed {seed}, today {today}):")
        result = demo.demo_seed(providers=providers, seed=seed, today=today, months=months, log=self.stdout.write)
        self.stdout.write(f"Data written and committed in {time.perf_counter() - started:.1f}s.")
        if not no_ratings:
            self._rate(today=today, months=months)
            # With the ratings: the conduct ledger's sanctions sit on top of the tiers (a data-only seed writes none).
            sanctions = conduct_demo(today=today)
            self.stdout.write("  conduct: " + ", ".join(f"{slug} {code}" for slug, code in sorted(sanctions.items())))
        counts = ", ".join(f"{name} {rows:,}" for name, rows in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f}s: {counts}."))

    def _rate(self, *, today, months):
        """Each of the last `months` months in order, oldest first, as of its last day (the current one as of today)."""
        current = scoring.month_start(today)
        for back in range(months - 1, -1, -1):
            period = scoring.add_months(current, -back)
            as_of = min(scoring.month_end(period), today)
            phase = time.perf_counter()
            outcome = ratings_recompute(as_of=as_of)
            self.stdout.write(
                f"  ratings {period:%Y-%m} as of {as_of}: {outcome.rated:,} of {outcome.providers:,} rated, "
                f"{outcome.events:,} tier/status changes in {time.perf_counter() - phase:.1f}s"
            )
        tiers = dict(Provider.objects.values_list("tier").annotate(n=Count("pk")).order_by())
        statuses = dict(Provider.objects.values_list("status").annotate(n=Count("pk")).order_by())
        at_risk = Provider.objects.filter(at_risk=True).count()
        self.stdout.write(
            "  tiers: " + ", ".join(f"{t}★ {tiers.get(t, 0)}" for t in (6, 5, 4, 3)) + f", none {tiers.get(None, 0)}; "
            + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())) + f"; at risk {at_risk}"
        )

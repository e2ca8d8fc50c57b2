"""Recompute ratings in-process: one month as of a date, or a backfill of months in order."""
import datetime as dt
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from providers.models import Provider
from ratings import scoring
from ratings.services import ratings_recompute


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"'{value}' is not a month in the form YYYY-MM")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"'{value}' is not a date in the form YYYY-MM-DD")


class Command(BaseCommand):
    help = "Recompute scores and tiers (--as-of DATE, or --from YYYY-MM --to YYYY-MM), optionally for one provider."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=_date, help="compute the month containing this date, as of it (default today)")
        parser.add_argument("--from", dest="start", type=_month, help="first month of a backfill (YYYY-MM)")
        parser.add_argument("--to", dest="end", type=_month, help="last month of a backfill (YYYY-MM)")
        parser.add_argument("--provider", help="only this provider's slug")

    def handle(self, *args, as_of, start, end, provider, **options):
        if (start is None) != (end is None):
            raise CommandError("--from and --to go together")
        if start and as_of:
            raise CommandError("use either --as-of or --from/--to, not both")
        provider_ids = None
        if provider:
            try:
                provider_ids = [Provider.objects.get(slug=provider).pk]
            except Provider.DoesNotExist:
                raise CommandError(f"no provider with slug '{provider}'")
        today = timezone.localdate()
        if start:
            if start > end:
                raise CommandError("--from must not be after --to")
            dates, month = [], start
            while month <= end:
                # Each backfilled month is computed as of its last day (today for the current month).
                dates.append(min(scoring.month_end(month), today))
                month = scoring.add_months(month, 1)
        else:
            dates = [as_of or today]
        for day in dates:
            result = ratings_recompute(as_of=day, provider_ids=provider_ids, progress=self._progress)
            self.stdout.write(
                f"{result.period:%Y-%m} as of {day}: {result.providers} providers, {result.rated} rated, "
                f"{result.events} tier/status changes"
            )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="\n" if done == total else "")
        self.stderr.flush()

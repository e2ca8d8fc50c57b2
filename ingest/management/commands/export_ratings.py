"""Print one period's snapshot of every provider as CSV or JSON."""
import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from ratings.selectors import EXPORT_COLUMNS, snapshot_export_rows


class Command(BaseCommand):
    help = "Export the score snapshots of a period (YYYY-MM) as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, period, format, **options):
        try:
            month = dt.datetime.strptime(period, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"'{period}' is not a month in the form YYYY-MM")
        rows = snapshot_export_rows(period=month)
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

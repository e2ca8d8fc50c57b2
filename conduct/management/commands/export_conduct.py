"""`manage.py export_conduct --as-of YYYY-MM-DD [--format csv|json]`: every provider's points and sanction on a day."""
import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from conduct.selectors import EXPORT_COLUMNS, conduct_export_rows
from common.csv_writing import csv_safe


class Command(BaseCommand):
    help = "Print slug,as_of,points,sanction for every provider on a day, computed from the conduct ledger."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, as_of, format, **options):
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise CommandError(f"'{as_of}' is not a day in the form YYYY-MM-DD") from None
        rows = conduct_export_rows(on=day)
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: csv_safe(str(value)) for key, value in row.items()} for row in rows)

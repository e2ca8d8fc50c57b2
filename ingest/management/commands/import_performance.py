"""`manage.py import_performance FILE [--dry-run]`: upsert monthly store performance from a CSV file."""
from ingest.csv_import import ImportCommand
from ingest.importers import PERFORMANCE_COLUMNS
from ingest.services import import_performance


class Command(ImportCommand):
    help = f"Import monthly store performance from a UTF-8 CSV file with the columns {','.join(PERFORMANCE_COLUMNS)}."
    importer = staticmethod(import_performance)

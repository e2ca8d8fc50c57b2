"""`manage.py import_violations FILE [--dry-run]`: upsert conduct violations from a CSV file."""
from ingest.csv_import import ImportCommand
from ingest.importers.conduct import VIOLATION_COLUMNS
from ingest.services import import_violations


class Command(ImportCommand):
    help = f"Import conduct violations from a UTF-8 CSV file with the columns {','.join(VIOLATION_COLUMNS)}."
    importer = staticmethod(import_violations)

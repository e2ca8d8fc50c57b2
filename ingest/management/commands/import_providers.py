"""`manage.py import_providers FILE [--dry-run]`: upsert providers from a CSV file."""
from ingest.csv_import import ImportCommand
from ingest.importers import PROVIDER_COLUMNS
from ingest.services import import_providers


class Command(ImportCommand):
    help = f"Import providers from a UTF-8 CSV file with the columns {','.join(PROVIDER_COLUMNS)}."
    importer = staticmethod(import_providers)

"""`manage.py import_engagements FILE [--dry-run]`: upsert stores and provider engagements from a CSV file."""
from ingest.csv_import import ImportCommand
from ingest.importers import ENGAGEMENT_COLUMNS
from ingest.services import import_engagements


class Command(ImportCommand):
    help = f"Import engagements from a UTF-8 CSV file with the columns {','.join(ENGAGEMENT_COLUMNS)}."
    importer = staticmethod(import_engagements)

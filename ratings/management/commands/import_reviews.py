"""`manage.py import_reviews FILE [--dry-run]`: upsert reviews from a CSV file."""
from providers.csv_import import ImportCommand
from ratings.importers import REVIEW_COLUMNS, import_reviews


class Command(ImportCommand):
    help = f"Import reviews from a UTF-8 CSV file with the columns {','.join(REVIEW_COLUMNS)}."
    importer = staticmethod(import_reviews)

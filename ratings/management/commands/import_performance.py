"""`manage.py import_performance FILE [--dry-run]`: upsert monthly store performance from a CSV file."""
from providers.csv_import import ImportCommand
from ratings.importers import PERFORMANCE_COLUMNS, import_performance


class Command(ImportCommand):
    help = f"Import monthly store performance from a UTF-8 CSV file with the columns {','.join(PERFORMANCE_COLUMNS)}."
    importer = staticmethod(import_performance)

"""`manage.py import_reviews FILE [--dry-run]`: upsert reviews from a CSV file."""
from django.utils.translation import gettext as _

from ingest.csv_import import ImportCommand
from ingest.importers import REVIEW_COLUMNS, ReviewImportResult
from ingest.services import import_reviews


class Command(ImportCommand):
    help = f"Import reviews from a UTF-8 CSV file with the columns {','.join(REVIEW_COLUMNS)}."

    def importer(self, **kwargs) -> ReviewImportResult:
        # Kept for handle(): the shared command prints the common counts, this one adds the moderation figure.
        self.result = import_reviews(**kwargs)
        return self.result

    def handle(self, *args, **options):
        self.result = None
        super().handle(*args, **options)
        if self.result.moderation_kept:  # a first import has nothing to keep: its output stays the common one
            self.stdout.write(_("保留审核状态 %(count)d 条：已有评价的状态不按文件改动。") % {
                "count": self.result.moderation_kept})

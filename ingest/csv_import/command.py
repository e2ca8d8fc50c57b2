"""The management command base that feeds one CSV file to one importer and prints its errors or counts."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from .reading import ImportFailed, read_csv
from .writing import ImportResult


class ImportCommand(BaseCommand):
    """Feeds one CSV file to one importer; subclasses set `help` and `importer = staticmethod(import_x)`."""

    importer: Callable[..., ImportResult]

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("CSV 文件路径（UTF-8，首行为表头）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只校验并统计，不写入数据库"))

    def handle(self, *args, file: str, dry_run: bool, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(_("无法读取文件 %(path)s：%(error)s") % {"path": file, "error": exc.strerror})
        try:
            result = self.importer(rows=read_csv(data), dry_run=dry_run)
        except ImportFailed as exc:
            for error in exc.errors:
                where = f"row {error.row}, column {error.column}" if error.column else f"row {error.row}"
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(_("发现 %(count)d 处错误，未写入任何数据。") % {"count": len(exc.errors)})
        self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
        if dry_run:
            self.stdout.write(_("试运行：未写入任何数据。"))

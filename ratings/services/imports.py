"""Admin CSV uploads: store the file, dry-run it, and import it once confirmed, as Celery tasks with progress.

The importers are the ones the management commands and the API use; each validates the whole file before
writing and writes in one transaction, so an upload either loads completely or not at all.
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.csv_import import CsvRows, ImportFailed, ImportResult, RowError, read_csv

from ..models import ImportJob

PROGRESS_EVERY = 1000


def importer_for(kind: str) -> Callable[..., ImportResult]:
    """The importer of one CSV format (imported here: ratings.importers itself uses this package)."""
    from providers.importers import import_engagements, import_providers
    from ratings.importers import import_performance, import_reviews

    return {
        ImportJob.Kind.PROVIDERS: import_providers,
        ImportJob.Kind.ENGAGEMENTS: import_engagements,
        ImportJob.Kind.REVIEWS: import_reviews,
        ImportJob.Kind.PERFORMANCE: import_performance,
    }[kind]


def import_permission(kind: str) -> str:
    """The permission a user needs to upload (and confirm) a file of this kind."""
    return f"ratings.import_{kind}"


def import_progress_key(job_id: int) -> str:
    return f"ratings:import-job:{job_id}:rows-read"


def import_job_progress(*, job: ImportJob) -> int:
    """Rows of the file read so far by the running dry run or import (0 when unknown)."""
    return cache.get(import_progress_key(job.pk), 0)


@transaction.atomic
def import_job_create(*, kind: str, upload: UploadedFile, actor) -> ImportJob:
    """Store an uploaded CSV and start its dry run after commit; files over ADMIN_IMPORT_MAX_BYTES are refused."""
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": _("未知的数据类型。")})
    limit = settings.ADMIN_IMPORT_MAX_BYTES
    # Checked before reading, so an oversized file is never loaded into memory.
    if upload.size > limit:
        raise ValidationError({"file": _("文件过大（%(size)s），上限为 %(limit)s；请拆分后分批上传。") % {
            "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}})
    data = upload.read()
    if not data.strip():
        raise ValidationError({"file": _("文件是空的。")})
    job = ImportJob.objects.create(
        kind=kind, filename=(upload.name or "upload.csv")[:255], size=len(data), data=data, created_by=actor
    )
    _enqueue(job)
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, actor) -> ImportJob:
    """Write a previewed file: the import runs as a task after commit; only a clean dry run can be confirmed."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.READY:
        raise ValidationError(_("只有校验通过、尚未导入的文件可以确认导入。"))
    job.status, job.confirmed_by, job.confirmed_at = ImportJob.Status.IMPORTING, actor, timezone.now()
    job.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from ratings.tasks import import_job_run_task

    cache.delete(import_progress_key(job.pk))
    job_id = job.pk
    transaction.on_commit(lambda: import_job_run_task.delay(job_id))


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run the step a job waits for: the dry run (checking) or the import (importing). Other states: nothing to do."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING):
        return job
    dry_run = job.status == ImportJob.Status.CHECKING
    try:
        rows = read_csv(bytes(job.data))
        # Saved before the long part, so the page can show "n of rows".
        job.rows = len(rows)
        job.save(update_fields=["rows"])
        result = importer_for(job.kind)(rows=_ProgressRows(rows, job_id=job.pk), dry_run=dry_run)
    except ImportFailed as exc:
        job.status = ImportJob.Status.INVALID if dry_run else ImportJob.Status.FAILED
        job.errors = [_error_dict(error) for error in exc.errors]
        job.created = job.updated = job.unchanged = 0
    else:
        job.status = ImportJob.Status.READY if dry_run else ImportJob.Status.DONE
        job.created, job.updated, job.unchanged, job.errors = result.created, result.updated, result.unchanged, []
    if not dry_run or job.status == ImportJob.Status.INVALID:
        job.finished_at = timezone.now()
    job.save(update_fields=["status", "created", "updated", "unchanged", "errors", "finished_at"])
    cache.delete(import_progress_key(job.pk))
    return job


def _error_dict(error: RowError) -> dict:
    return {"row": error.row, "column": error.column, "message": error.message, "code": error.code}


class _ProgressRows(CsvRows):
    """The file's rows, reporting to the cache how many the importer has read (its validation pass)."""

    def __init__(self, rows: CsvRows, *, job_id: int):
        super().__init__(rows, columns=rows.columns, lines=rows.lines)
        self.key = import_progress_key(job_id)

    def __iter__(self):
        for count, row in enumerate(super().__iter__(), start=1):
            if count % PROGRESS_EVERY == 0:
                cache.set(self.key, count, timeout=3600)
            yield row

"""The data pipeline's writes: `import_run`, the one way a batch of rows reaches the database (commands, the admin
upload and the API all call it), and the admin upload's jobs (store the file, dry-run it, import it once confirmed,
as Celery tasks with progress).

Each loader validates the whole batch before writing, and the batch, the refresh of review verification and the
recompute request commit together, so a batch either loads completely, ratings queued, or not at all.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from ratings.services import ratings_request_recompute, reviews_flag_bursts, reviews_refresh_verification

from .csv_import import CsvRows, ImportFailed, ImportResult, RowError, read_csv
from .importers import ReviewImportResult, engagements_load, performance_load, providers_load, reviews_load
from .models import ImportJob

PROGRESS_EVERY = 1000
# ingest.tasks imports these services, so they address its task by name (kept from when it lived in ratings).
IMPORT_JOB_RUN_TASK = "ratings.tasks.import_job_run_task"
INTERRUPTED = "interrupted"  # the error code of an import whose worker stopped (import_jobs_fail_stuck)


@dataclass(frozen=True)
class Importer:
    """A format's loader and what its rows bear on besides the scores."""

    load: Callable[..., ImportResult]
    # Engagements and reviews decide which reviews are verified; providers and performance only move scores.
    reverifies: bool
    # New reviews on a day with an unusual number of them wait for moderation.
    flags_bursts: bool = False


IMPORTERS = {
    ImportJob.Kind.PROVIDERS: Importer(providers_load, reverifies=False),
    ImportJob.Kind.ENGAGEMENTS: Importer(engagements_load, reverifies=True),
    ImportJob.Kind.REVIEWS: Importer(reviews_load, reverifies=True, flags_bursts=True),
    ImportJob.Kind.PERFORMANCE: Importer(performance_load, reverifies=False),
}


def import_run(
    *, kind: str, rows: Iterable[Mapping[str, str]], dry_run: bool = False, first_row: int = 2
) -> ImportResult:
    """Validate and write one batch of a format, then refresh the affected providers' ratings, in one transaction.

    Raises ImportFailed (nothing written) when any row is invalid. A dry run counts and writes nothing.
    """
    importer = IMPORTERS[kind]
    with transaction.atomic():
        result = importer.load(rows=rows, dry_run=dry_run, first_row=first_row)
        ids = result.affected_provider_ids
        if not dry_run and ids:
            if importer.reverifies:
                reviews_refresh_verification(provider_ids=ids)
            ratings_request_recompute(provider_ids=ids)
            if importer.flags_bursts:
                reviews_flag_bursts(provider_ids=ids)
    return result


def import_providers(**kwargs) -> ImportResult:
    """Upsert providers by slug (`import_run` of the providers format)."""
    return import_run(kind=ImportJob.Kind.PROVIDERS, **kwargs)


def import_engagements(**kwargs) -> ImportResult:
    """Upsert stores and engagements (`import_run` of the engagements format)."""
    return import_run(kind=ImportJob.Kind.ENGAGEMENTS, **kwargs)


def import_reviews(**kwargs) -> ReviewImportResult:
    """Upsert reviews, keeping existing reviews' moderation status (`import_run` of the reviews format)."""
    return import_run(kind=ImportJob.Kind.REVIEWS, **kwargs)


def import_performance(**kwargs) -> ImportResult:
    """Upsert monthly store performance (`import_run` of the performance format)."""
    return import_run(kind=ImportJob.Kind.PERFORMANCE, **kwargs)


def import_permission(kind: str) -> str:
    """The permission a user needs to upload (and confirm) a file of this kind."""
    return f"ingest.import_{kind}"


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
    # skip_locked: a job being imported is locked by its run (import_job_run); a late second click gets the
    # message at once instead of waiting for the import to finish.
    job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk).first()
    if job is None or job.status != ImportJob.Status.READY:
        raise ValidationError(_("只有校验通过、尚未导入的文件可以确认导入。"))
    job.status, job.confirmed_by, job.confirmed_at = ImportJob.Status.IMPORTING, actor, timezone.now()
    job.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    cache.delete(import_progress_key(job.pk))
    job_id = job.pk
    transaction.on_commit(lambda: current_app.tasks[IMPORT_JOB_RUN_TASK].delay(job_id))


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run the step a job waits for: the dry run (checking) or the import (importing). Other states: nothing to do.

    A task delivered again after its worker was killed (acks_late) finds the job still "importing" and imports the
    stored file again: the import and the job's new status commit together, so the killed run wrote nothing.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING):
        return job
    if job.status == ImportJob.Status.CHECKING:
        return _job_run(job, dry_run=True)
    with transaction.atomic():
        # The row stays locked until the import commits: a second delivery running meanwhile waits here and then
        # finds the job done, and the sweep for stuck jobs skips it however long it runs (PostgreSQL).
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportJob.Status.IMPORTING:
            return job
        return _job_run(job, dry_run=False)


def _job_run(job: ImportJob, *, dry_run: bool) -> ImportJob:
    try:
        rows = read_csv(bytes(job.data))
        # Saved before the long part, so the page can show "n of rows" (an import's count is the dry run's).
        job.rows = len(rows)
        job.save(update_fields=["rows"])
        result = import_run(kind=job.kind, rows=_ProgressRows(rows, job_id=job.pk), dry_run=dry_run)
    except ImportFailed as exc:
        job.status = ImportJob.Status.INVALID if dry_run else ImportJob.Status.FAILED
        job.errors = [_error_dict(error) for error in exc.errors]
        job.created = job.updated = job.unchanged = job.moderation_kept = 0
    else:
        job.status = ImportJob.Status.READY if dry_run else ImportJob.Status.DONE
        job.created, job.updated, job.unchanged, job.errors = result.created, result.updated, result.unchanged, []
        job.moderation_kept = getattr(result, "moderation_kept", 0)  # reviews only
    if not dry_run or job.status == ImportJob.Status.INVALID:
        job.finished_at = timezone.now()
    job.save(update_fields=["status", "created", "updated", "unchanged", "moderation_kept", "errors", "finished_at"])
    cache.delete(import_progress_key(job.pk))
    return job


@transaction.atomic
def import_jobs_fail_stuck(*, now: dt.datetime) -> int:
    """Fail the imports "importing" for over ADMIN_IMPORT_STUCK_MINUTES since confirmed (their worker stopped), and
    dry runs "checking" for longer than the task time limit plus that margin.

    The data steward then sees why in the admin and uploads the file again (a killed import wrote nothing).
    Returns how many jobs were failed.
    """
    cutoff = now - dt.timedelta(minutes=settings.ADMIN_IMPORT_STUCK_MINUTES)
    # skip_locked: a running import holds its job's lock (import_job_run), so it is never failed here.
    importing = list(
        ImportJob.objects.select_for_update(skip_locked=True)
        .filter(status=ImportJob.Status.IMPORTING, confirmed_at__lt=cutoff).values_list("pk", flat=True)
    )
    # A dry run holds no lock (it writes nothing but its job), so only one older than the task's hard time limit,
    # after which Celery has killed any task still running, is known to be dead (e.g. its message was lost).
    checking_cutoff = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT,
                                         minutes=settings.ADMIN_IMPORT_STUCK_MINUTES)
    checking = list(
        ImportJob.objects.filter(status=ImportJob.Status.CHECKING, created_at__lt=checking_cutoff)
        .values_list("pk", flat=True)
    )
    for ids, message in (
        (importing, _("导入中断：处理该文件的进程已停止，请重新上传。")),
        (checking, _("校验中断：处理该文件的进程已停止，请重新上传。")),
    ):
        if ids:
            ImportJob.objects.filter(pk__in=ids).update(
                status=ImportJob.Status.FAILED, errors=[_error_dict(RowError(0, "", message, INTERRUPTED))],
                created=0, updated=0, unchanged=0, moderation_kept=0, finished_at=now,
            )
    return len(importing) + len(checking)


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

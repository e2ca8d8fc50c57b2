"""The data pipeline's writes: `import_run`, the one way a batch of rows reaches the database (commands, the admin
upload and the API all call it), and the admin upload's jobs (store the file, dry-run it, import it once confirmed,
as Celery tasks with progress).

An upload request only stores the file: the worker reads it one row at a time (at most ADMIN_IMPORT_MAX_ROWS),
beating the job's heartbeat, and the sweep fails a job whose heartbeat stopped. Without a broker the task runs
after the response in the after-response thread, and the admin's import pages run the sweep (there is no beat).

Each loader validates the whole batch before writing, and the batch, the refresh of review verification and the
recompute request commit together, so a batch either loads completely, ratings queued, or not at all.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.after_response import runner
from ratings.services import ratings_request_recompute, reviews_flag_bursts, reviews_refresh_verification

from .csv_import import CsvStream, ImportFailed, ImportResult, RowError
from .importers import ReviewImportResult, engagements_load, performance_load, providers_load, reviews_load
from .importers.conduct import violations_load
from .models import ImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000
# A running job's heartbeat moves on at most this often (one UPDATE), well inside ADMIN_IMPORT_STUCK_MINUTES.
HEARTBEAT_SECONDS = 30
# ingest.tasks imports these services, so they address its task by name (kept from when it lived in ratings).
IMPORT_JOB_RUN_TASK = "ratings.tasks.import_job_run_task"
INTERRUPTED = "interrupted"  # the error code of an import whose worker stopped (import_jobs_fail_stuck)
# A job in these states waits for its dry run; a dry run delivered again after its worker died finds "checking".
WAITING_TO_CHECK = (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING)


@dataclass(frozen=True)
class Importer:
    """A format's loader and what its rows bear on besides the scores."""

    load: Callable[..., ImportResult]
    # Engagements and reviews decide which reviews are verified; providers and performance only move scores.
    reverifies: bool
    # New reviews on a day with an unusual number of them wait for moderation.
    flags_bursts: bool = False
    # The loader audits each write with who made it (the conduct ledger's ConductEvents): it takes the actor.
    audited: bool = False
    # What a user needs besides ingest.import_<kind>: violations are the ledger's, recorded only by who may add one.
    also_requires: tuple[str, ...] = ()


IMPORTERS = {
    ImportJob.Kind.PROVIDERS: Importer(providers_load, reverifies=False),
    ImportJob.Kind.ENGAGEMENTS: Importer(engagements_load, reverifies=True),
    ImportJob.Kind.REVIEWS: Importer(reviews_load, reverifies=True, flags_bursts=True),
    ImportJob.Kind.PERFORMANCE: Importer(performance_load, reverifies=False),
    # Violations move no score (affected_provider_ids stays empty); conduct applies the sanctions itself.
    ImportJob.Kind.VIOLATIONS: Importer(violations_load, reverifies=False, audited=True,
                                        also_requires=("conduct.add_violation",)),
}


def import_run(
    *, kind: str, rows: Iterable[Mapping[str, str]], dry_run: bool = False, first_row: int = 2, actor=None
) -> ImportResult:
    """Validate and write one batch of a format, then refresh the affected providers' ratings, in one transaction.

    Raises ImportFailed (nothing written) when any row is invalid. A dry run counts and writes nothing. `actor`:
    who the audited formats record as the writer (None: the system, as for a command).
    """
    importer = IMPORTERS[kind]
    audit = {"actor": actor} if importer.audited else {}
    # A dry run writes nothing, so it holds no transaction: an admin job's heartbeat, written while the rows are
    # read, commits at once (and on SQLite it would otherwise hold the database's write lock for the whole run).
    with contextlib.nullcontext() if dry_run else transaction.atomic():
        result = importer.load(rows=rows, dry_run=dry_run, first_row=first_row, **audit)
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


def import_violations(**kwargs) -> ImportResult:
    """Upsert conduct violations, audited, sanctions applied (`import_run` of the violations format)."""
    return import_run(kind=ImportJob.Kind.VIOLATIONS, **kwargs)


def import_permissions(kind: str) -> tuple[str, ...]:
    """The permissions a user needs, all of them, to upload (and confirm) a file of this kind."""
    return (f"ingest.import_{kind}", *IMPORTERS[kind].also_requires)


def import_allowed(*, user, kind: str) -> bool:
    """Whether the user may upload and confirm a file of this kind."""
    return user.has_perms(import_permissions(kind))


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
    # Stored only: the file is read and checked by the worker (import_job_run), never in this request.
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
    # The dry run's last beat says nothing of the import: until its worker beats, the sweep goes by confirmed_at.
    job.heartbeat_at = None
    job.save(update_fields=["status", "confirmed_by", "confirmed_at", "heartbeat_at"])
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    cache.delete(import_progress_key(job.pk))
    job_id = job.pk
    transaction.on_commit(lambda: _send(job_id))


def _send(job_id: int) -> None:
    """The job's task, never inside the caller: with a broker a worker's, else after the response.

    Eager Celery (no broker) would read and check the whole file right here, in the upload's or confirm's request.
    """
    task = current_app.tasks[IMPORT_JOB_RUN_TASK]
    if task.app.conf.task_always_eager:
        runner.submit(task.delay, job_id)
    else:
        task.delay(job_id)


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run the step a job waits for: the dry run (checking) or the import (importing). Other states: nothing to do.

    A task delivered again after its worker was killed (acks_late) finds the job still "importing" and imports the
    stored file again: the import and the job's new status commit together, so the killed run wrote nothing.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in (*WAITING_TO_CHECK, ImportJob.Status.IMPORTING):
        return job
    if job.status in WAITING_TO_CHECK:
        # Queued → checking, beating: a run delivered again after its worker died simply checks again.
        now = timezone.now()
        if not ImportJob.objects.filter(pk=job_id, status__in=WAITING_TO_CHECK).update(
                status=ImportJob.Status.CHECKING, heartbeat_at=now):
            return ImportJob.objects.defer("data").get(pk=job_id)  # failed by the sweep meanwhile
        job.status, job.heartbeat_at = ImportJob.Status.CHECKING, now
        return _job_run(job, dry_run=True)
    # Committed before the import's transaction: the sweep sees the worker took the job.
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.IMPORTING).update(heartbeat_at=timezone.now())
    with transaction.atomic():
        # The row stays locked until the import commits: a second delivery running meanwhile waits here and then
        # finds the job done, and the sweep for stuck jobs skips it however long it runs (PostgreSQL).
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportJob.Status.IMPORTING:
            return job
        return _job_run(job, dry_run=False)


def _job_run(job: ImportJob, *, dry_run: bool) -> ImportJob:
    data = job.data  # at most ADMIN_IMPORT_MAX_BYTES; read as a stream of rows, never decoded whole
    try:
        # A first pass counts the rows (nothing kept), so a file over the limit is refused before any is held,
        # and the page can show "n of rows" during the second.
        job.rows = _rows_within_limit(_ProgressRows(CsvStream(io.BytesIO(data)), job_id=job.pk, counting=True))
        job.save(update_fields=["rows"])
        rows = _ProgressRows(CsvStream(io.BytesIO(data)), job_id=job.pk)
        # The confirming steward is who wrote the rows (the dry run writes nothing).
        result = import_run(kind=job.kind, rows=rows, dry_run=dry_run, actor=None if dry_run else job.confirmed_by)
    except ImportFailed as exc:
        job.status = ImportJob.Status.INVALID if dry_run else ImportJob.Status.FAILED
        kept = settings.ADMIN_IMPORT_ERRORS_KEPT
        job.errors = [_error_dict(error) for error in exc.errors[:kept]]
        job.errors_omitted = max(0, len(exc.errors) - kept)
        job.created = job.updated = job.unchanged = job.moderation_kept = 0
    else:
        job.status = ImportJob.Status.READY if dry_run else ImportJob.Status.DONE
        job.created, job.updated, job.unchanged, job.errors = result.created, result.updated, result.unchanged, []
        job.errors_omitted = 0
        job.moderation_kept = getattr(result, "moderation_kept", 0)  # reviews only
    if not dry_run or job.status == ImportJob.Status.INVALID:
        job.finished_at = timezone.now()
    job.save(update_fields=["status", "created", "updated", "unchanged", "moderation_kept", "errors",
                            "errors_omitted", "finished_at"])
    cache.delete(import_progress_key(job.pk))
    return job


def _rows_within_limit(rows: _ProgressRows) -> int:
    """How many data rows the file has; over ADMIN_IMPORT_MAX_ROWS, an error naming the limit and the count."""
    limit, count, first_over = settings.ADMIN_IMPORT_MAX_ROWS, 0, 0
    for count, (line, _row) in enumerate(rows.numbered(), start=1):
        if count == limit + 1:
            first_over = line
    if count > limit:
        raise ImportFailed([RowError(first_over, "", _(
            "文件有 %(count)s 行数据，超过上限 %(limit)s 行（ADMIN_IMPORT_MAX_ROWS）；未写入任何数据，请拆分后分批上传。"
        ) % {"count": f"{count:,}", "limit": f"{limit:,}"}, "too_many_rows")])
    return count


@transaction.atomic
def import_jobs_fail_stuck(*, now: dt.datetime) -> int:
    """Fail the admin jobs whose worker stopped: a dry run or import whose heartbeat is older than
    ADMIN_IMPORT_STUCK_MINUTES (an import not started: confirmed that long ago), and a file still queued after the
    task's hard time limit plus that margin (its message was lost).

    The data steward then sees why in the admin and uploads the file again (a killed import wrote nothing).
    Returns how many jobs were failed.
    """
    cutoff = now - dt.timedelta(minutes=settings.ADMIN_IMPORT_STUCK_MINUTES)
    # A queued message may wait behind other tasks; only once Celery would have killed any run is it lost.
    queued_cutoff = cutoff - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    checking_or_importing = Q(status__in=[ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING], seen__lt=cutoff)
    stuck = (
        # skip_locked: a running import holds its job's lock (import_job_run), so it is never failed here.
        ImportJob.objects.select_for_update(skip_locked=True)
        .alias(seen=Coalesce(F("heartbeat_at"), F("confirmed_at"), F("created_at")))
        .filter(checking_or_importing | Q(status=ImportJob.Status.QUEUED, created_at__lt=queued_cutoff))
        .values_list("pk", "status")
    )
    by_status: dict[str, list[int]] = {}
    for pk, status in stuck:
        by_status.setdefault(status, []).append(pk)
    failed = 0
    for status, ids in by_status.items():
        message = (_("导入中断：处理该文件的进程已停止，请重新上传。") if status == ImportJob.Status.IMPORTING
                   else _("校验中断：处理该文件的进程已停止，请重新上传。"))
        # The status again: on SQLite (no row locks) a job that finished meanwhile keeps its result.
        failed += ImportJob.objects.filter(pk__in=ids, status=status).update(
            status=ImportJob.Status.FAILED, errors=[_error_dict(RowError(0, "", message, INTERRUPTED))],
            errors_omitted=0, created=0, updated=0, unchanged=0, moderation_kept=0, finished_at=now,
        )
    return failed


def import_jobs_fail_stuck_without_beat(*, now: dt.datetime) -> int | None:
    """The sweep where no beat runs it (embedded mode, no broker): the admin's import pages call this.

    With a broker, beat sends the sweep's task every five minutes and this does nothing (None).
    """
    if not current_app.conf.task_always_eager:
        return None
    try:
        return import_jobs_fail_stuck(now=now)
    except OperationalError:
        # SQLite busy: a running import holds the write lock, so a job is alive; the next page view sweeps.
        logger.info("import sweep skipped: database busy")
        return None


def _error_dict(error: RowError) -> dict:
    return {"row": error.row, "column": error.column, "message": error.message, "code": error.code}


class _ProgressRows:
    """A file's rows as the importer reads them (its validation pass): how many so far goes to the cache, and the
    job's heartbeat moves on every HEARTBEAT_SECONDS. `counting`: the first pass, which only beats."""

    def __init__(self, rows, *, job_id: int, counting: bool = False):
        self.rows, self.columns, self.job_id, self.counting = rows, rows.columns, job_id, counting
        self.key = import_progress_key(job_id)

    def numbered(self) -> Iterator[tuple[int, Mapping]]:
        beat = time.monotonic()
        for count, numbered in enumerate(self.rows.numbered(), start=1):
            if count % PROGRESS_EVERY == 0:
                if not self.counting:
                    cache.set(self.key, count, timeout=3600)
                if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                    beat = time.monotonic()
                    ImportJob.objects.filter(pk=self.job_id).update(heartbeat_at=timezone.now())
            yield numbered

    def __iter__(self) -> Iterator[Mapping]:
        return (row for _line, row in self.numbered())

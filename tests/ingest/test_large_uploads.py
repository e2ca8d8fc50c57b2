"""Large admin uploads (issue #15, item 7): the upload request only stores the file; the worker reads it one row at
a time within a row limit and keeps a bounded number of errors, beating a heartbeat; the sweep fails a job whose
heartbeat stopped, and without a broker (no beat) the admin's import pages run the sweep themselves."""
import datetime as dt
import io

import pytest
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ingest import services
from ingest.csv_import import CsvStream
from ingest.importers import PROVIDER_COLUMNS
from ingest.models import ImportJob
from partners.after_response import runner
from providers.models import Provider
from tests.factories import STEWARDS, provider_row, staff_user
from tests.ingest.conftest import importing_job

pytestmark = pytest.mark.django_db

CHECK_INTERRUPTED = "校验中断：处理该文件的进程已停止，请重新上传。"


@pytest.fixture
def steward_client(client):
    client.force_login(staff_user(STEWARDS, username="steward"))
    return client


def providers_csv(count: int, **cells) -> bytes:
    lines = [",".join(PROVIDER_COLUMNS)]
    for n in range(count):
        row = {**provider_row(slug=f"p{n}", name=f"服务商{n}"), **cells}
        lines.append(",".join(str(row[column]) for column in PROVIDER_COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def upload(client, data: bytes, capture):
    with capture(execute=True):
        response = client.post(reverse("admin:ingest_importjob_add"),
                               {"kind": "providers", "file": SimpleUploadedFile("big.csv", data)})
    return response


def stale(job: ImportJob, *, minutes: float, **fields) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes), **fields)
    return job


# The request only stores the file


def test_the_upload_request_stores_the_file_and_the_worker_checks_it_after_the_response(
    steward_client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    data = providers_csv(3)
    # Session, user, role, 2 × permissions, and the job's insert in its savepoint: nothing reads the rows.
    with django_assert_num_queries(8) as request_queries:
        response = upload(steward_client, data, django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("admin:ingest_importjob_change", args=[job.pk])
    # Stored, not read: no row counted, nothing looked up in the directory, the check waiting in the queue.
    assert (job.status, job.rows, bytes(job.data), job.errors) == ("queued", 0, data, [])
    assert not [q for q in request_queries.captured_queries if "providers_" in q["sql"]]
    assert [args for _due, _job, args in runner.queued()] == [(job.pk,)]

    assert runner.run_here() == 1

    job.refresh_from_db()
    assert (job.status, job.rows, job.created, job.errors) == ("ready", 3, 3, [])


def test_a_confirmed_import_also_runs_after_the_response(steward_client, django_capture_on_commit_callbacks):
    upload(steward_client, providers_csv(2), django_capture_on_commit_callbacks)
    runner.run_here()
    job = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        steward_client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, Provider.objects.count()) == ("importing", 0)
    assert runner.run_here() == 1
    job.refresh_from_db()
    assert (job.status, Provider.objects.count()) == ("done", 2)


# The worker reads the file one row at a time


class Tripwire(io.BytesIO):
    """A file that fails the test when more than `limit` bytes were read before it was disarmed."""

    def __init__(self, data: bytes, *, limit: int):
        super().__init__(data)
        self.limit, self.armed = limit, True

    def _checked(self, value):
        if self.armed and self.tell() > self.limit:
            raise AssertionError(f"read {self.tell()} bytes before the first row was given")
        return value

    def read(self, *args):
        return self._checked(super().read(*args))

    def read1(self, *args):
        return self._checked(super().read1(*args))

    def readline(self, *args):
        return self._checked(super().readline(*args))

    def readinto(self, buffer):
        return self._checked(super().readinto(buffer))

    def __next__(self):
        return self._checked(super().__next__())


def test_the_worker_reads_the_stored_file_one_row_at_a_time():
    data = providers_csv(50_000)  # about 7 MB
    file = Tripwire(data, limit=64 * 1024)

    stream = CsvStream(file)
    first = next(stream.numbered())
    file.armed = False

    assert stream.columns == list(PROVIDER_COLUMNS)
    assert (first[0], first[1]["slug"], first[1]["name"]) == (2, "p0", "服务商0")
    assert sum(1 for _ in stream.numbered()) == 49_999


def test_a_file_over_the_row_limit_is_refused_naming_the_limit_and_the_count(
    steward_client, settings, django_capture_on_commit_callbacks
):
    settings.ADMIN_IMPORT_MAX_ROWS = 3
    upload(steward_client, providers_csv(5), django_capture_on_commit_callbacks)
    runner.run_here()

    job = ImportJob.objects.get()
    # Line 5 holds the fourth data row, the first over the limit.
    assert (job.status, job.rows, job.errors) == ("invalid", 0, [{
        "row": 5, "column": "", "code": "too_many_rows",
        "message": "文件有 5 行数据，超过上限 3 行（ADMIN_IMPORT_MAX_ROWS）；未写入任何数据，请拆分后分批上传。"}])
    assert not Provider.objects.exists()
    page = steward_client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()
    assert "文件有 5 行数据，超过上限 3 行（ADMIN_IMPORT_MAX_ROWS）" in page


def test_a_file_of_exactly_the_row_limit_is_checked(steward_client, settings, django_capture_on_commit_callbacks):
    settings.ADMIN_IMPORT_MAX_ROWS = 3
    upload(steward_client, providers_csv(3), django_capture_on_commit_callbacks)
    runner.run_here()

    job = ImportJob.objects.get()
    assert (job.status, job.rows, job.created, job.errors) == ("ready", 3, 3, [])


def test_a_file_full_of_errors_keeps_the_first_and_counts_the_rest(
    steward_client, settings, django_capture_on_commit_callbacks
):
    settings.ADMIN_IMPORT_ERRORS_KEPT = 2
    upload(steward_client, providers_csv(5, founded_year="abc"), django_capture_on_commit_callbacks)
    runner.run_here()

    job = ImportJob.objects.get()
    assert (job.status, [e["row"] for e in job.errors], job.errors_omitted) == ("invalid", [2, 3], 3)
    page = steward_client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()
    assert "发现 5 处错误，未写入任何数据。" in page
    listed = steward_client.get(reverse("admin:ingest_importjob_changelist")).context["cl"]
    assert [listed.model_admin.error_count(obj) for obj in listed.result_list] == [5]
    errors_csv = steward_client.get(reverse("admin:ingest_importjob_errors", args=[job.pk])).content.decode()
    assert errors_csv.lstrip("\ufeff").splitlines() == [
        "row,column,message,code", "2,founded_year,“abc”不是整数,invalid_integer",
        "3,founded_year,“abc”不是整数,invalid_integer", ",,另有 3 处错误未保存（只保留前 2 处）。,omitted",
    ]


# A job whose worker died is failed within minutes


def heartbeat_updates(queries) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "heartbeat_at" in q["sql"])


def test_the_dry_run_beats_the_heartbeat_while_it_reads_the_file(monkeypatch):
    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    data = providers_csv(5)
    job = ImportJob.objects.create(kind="providers", filename="p.csv", size=len(data), data=data)

    with CaptureQueriesContext(connection) as queries:
        services.import_job_run(job_id=job.pk)

    # Taken (queued → checking), then at rows 2 and 4 of the counting pass and of the checking pass.
    assert heartbeat_updates(queries) == 5
    job.refresh_from_db()
    assert (job.status, job.rows) == ("ready", 5)
    assert timezone.now() - job.heartbeat_at < dt.timedelta(minutes=1)


def test_a_check_whose_heartbeat_stopped_is_failed_with_a_clear_reason(settings):
    settings.ADMIN_IMPORT_STUCK_MINUTES = 10
    now = timezone.now()
    dead = stale(importing_job(confirmed_minutes_ago=0, status="checking", confirmed_at=None), minutes=11)
    # Uploaded two hours ago, still reading: its heartbeat is a minute old.
    alive = stale(importing_job(confirmed_minutes_ago=0, status="checking", confirmed_at=None), minutes=1,
                  created_at=now - dt.timedelta(hours=2))
    # Confirmed an hour ago and beating: a long import on SQLite, which has no row lock to hold.
    importing = stale(importing_job(confirmed_minutes_ago=60), minutes=2)

    assert services.import_jobs_fail_stuck(now=now) == 1

    assert list(ImportJob.objects.order_by("pk").values_list("pk", "status", "errors", "finished_at")) == [
        (dead.pk, "failed", [{"row": 0, "column": "", "message": CHECK_INTERRUPTED, "code": "interrupted"}], now),
        (alive.pk, "checking", [], None),
        (importing.pk, "importing", [], None),
    ]


def test_a_confirmed_import_is_not_judged_by_its_dry_run_s_heartbeat(steward_client, settings):
    settings.ADMIN_IMPORT_STUCK_MINUTES = 10
    checked = stale(importing_job(confirmed_minutes_ago=0, status="ready", confirmed_at=None), minutes=120)

    steward_client.post(reverse("admin:ingest_importjob_confirm", args=[checked.pk]))

    assert services.import_jobs_fail_stuck(now=timezone.now()) == 0
    checked.refresh_from_db()
    assert (checked.status, checked.heartbeat_at) == ("importing", None)


def test_a_late_delivery_of_a_failed_check_does_nothing(settings):
    dead = stale(importing_job(confirmed_minutes_ago=0, status="checking", confirmed_at=None), minutes=11)
    services.import_jobs_fail_stuck(now=timezone.now())

    assert services.import_job_run(job_id=dead.pk).status == "failed"
    dead.refresh_from_db()
    assert (dead.status, dead.rows, dead.errors[0]["code"]) == ("failed", 2, "interrupted")


def test_without_a_broker_opening_the_import_list_runs_the_sweep(steward_client, django_assert_num_queries):
    dead = stale(importing_job(confirmed_minutes_ago=0, status="checking", confirmed_at=None), minutes=11)
    importing_job(confirmed_minutes_ago=0, status="done")

    # Session, user, role, 2 × permissions, the list's count and page; the sweep: its savepoint, one select of
    # the stuck jobs and one update of the failed ones.
    with django_assert_num_queries(11):
        response = steward_client.get(reverse("admin:ingest_importjob_changelist"))

    assert [job.status for job in response.context["cl"].result_list] == ["done", "failed"]
    dead.refresh_from_db()
    assert dead.errors == [{"row": 0, "column": "", "message": CHECK_INTERRUPTED, "code": "interrupted"}]


def test_without_a_broker_the_page_of_a_job_whose_worker_died_says_so(steward_client):
    dead = stale(importing_job(confirmed_minutes_ago=0, status="checking", confirmed_at=None), minutes=11)

    page = steward_client.get(reverse("admin:ingest_importjob_change", args=[dead.pk])).content.decode()

    assert f'<p class="wb-no" id="interrupted">{CHECK_INTERRUPTED}</p>' in page
    assert 'http-equiv="refresh"' not in page


def test_with_a_broker_the_pages_leave_the_sweep_to_beat(steward_client, monkeypatch):
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    dead = stale(importing_job(confirmed_minutes_ago=0, status="checking", confirmed_at=None), minutes=11)

    steward_client.get(reverse("admin:ingest_importjob_changelist"))
    steward_client.get(reverse("admin:ingest_importjob_change", args=[dead.pk]))

    dead.refresh_from_db()
    assert dead.status == "checking"

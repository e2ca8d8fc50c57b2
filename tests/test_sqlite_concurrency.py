"""The embedded SQLite under concurrent writes: writers queue (WAL, busy timeout, IMMEDIATE transactions), and a lock
held past the timeout answers 503 with Retry-After instead of a 500.

The concurrent writers run in fresh interpreters with the real settings on a database file (an in-memory database
has no file lock to contend for); the 503 tests hold a real lock on a file and send requests through the whole stack.
"""
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler
from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.test_settings import load_settings

WRITER = """
import json, sys, threading
import environ
# Only the environment given to this process counts, never a developer's .env.
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
import django
django.setup()
from django.db import connection, transaction

mode, count = sys.argv[1], int(sys.argv[2])
if mode == "setup":
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE booking (writer integer, seen integer)")
    print("{}")
    sys.exit(0)

errors = []
both_read = threading.Barrier(2)


def write(writer, wait_for_the_other):
    try:
        for _ in range(count):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Read, then write, as services do (full_clean's uniqueness checks, then the insert).
                    cursor.execute("SELECT count(*) FROM booking")
                    (seen,) = cursor.fetchone()
                    if wait_for_the_other:
                        # Both have read before either writes (deferred transactions), or, when the first
                        # transaction took the write lock at BEGIN, the other waits there and this times out.
                        try:
                            both_read.wait(timeout=1)
                        except threading.BrokenBarrierError:
                            pass
                    cursor.execute("INSERT INTO booking VALUES (%s, %s)", [writer, seen])
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


if mode == "threads":
    threads = [threading.Thread(target=write, args=(n, True)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
else:
    write(int(mode), False)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    (journal_mode,) = cursor.fetchone()
print(json.dumps({"errors": errors, "journal_mode": journal_mode}))
"""


def writer_process(database: str, *args: str) -> subprocess.Popen:
    """WRITER under config.settings.local (the embedded mode) on the given file, environment as in test_settings."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if key in os.environ}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": f"sqlite:///{database}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen) -> dict:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


def rows(database) -> list[tuple[int, int]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT writer, seen FROM booking ORDER BY rowid").fetchall()


@pytest.fixture
def database(tmp_path):
    database = tmp_path / "db.sqlite3"
    finished(writer_process(str(database), "setup", "0"))
    return database


def test_embedded_sqlite_uses_wal_a_busy_timeout_and_immediate_transactions():
    options = load_settings("config.settings.local")["DATABASE"]["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "PRAGMA journal_mode=WAL" in options["init_command"]


def test_two_threads_that_read_then_write_at_once_both_commit(database):
    result = finished(writer_process(str(database), "threads", "1"))

    assert result["errors"] == []
    assert result["journal_mode"] == "wal"
    # One wrote after the other: the second saw the first's row (no lost update either).
    assert sorted(seen for _, seen in rows(database)) == [0, 1]


def test_two_processes_writing_at_once_all_commit(database):
    writers = [writer_process(str(database), str(n), "40") for n in (1, 2)]
    results = [finished(process) for process in writers]

    assert [result["errors"] for result in results] == [[], []]
    written = rows(database)
    assert len(written) == 80
    # Each transaction saw every row committed before it: the counts it read are 0..79, once each.
    assert sorted(seen for _, seen in written) == list(range(80))


# --- 503 when the lock outlasts the busy timeout --------------------------------------------------------------------

LOCKED_DATABASE = {}


def write_to_the_locked_database():
    """An insert into the file a test holds the write lock on, with the settings' options and a short timeout."""
    options = {**settings.DATABASES["default"]["OPTIONS"], "timeout": 0.2}
    connection = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": LOCKED_DATABASE["path"], "OPTIONS": options}}
    )["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO booking VALUES (1, 0)")
    finally:
        connection.close()


def page_view(request):
    write_to_the_locked_database()
    return HttpResponse("written")


def missing_table_view(request):
    connection = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": LOCKED_DATABASE["path"]}}
    )["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO no_such_table VALUES (1)")
    finally:
        connection.close()


class ApiWriteView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def post(self, request):
        write_to_the_locked_database()
        return Response({"written": True})


urlpatterns = [
    path("write/", page_view),
    path("broken/", missing_table_view),
    path("api/v1/write/", ApiWriteView.as_view()),
]


@pytest.fixture
def locked(tmp_path):
    """A database file whose write lock another connection holds for the whole test."""
    LOCKED_DATABASE["path"] = str(tmp_path / "locked.sqlite3")
    holder = sqlite3.connect(LOCKED_DATABASE["path"], isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE booking (writer integer, seen integer)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO booking VALUES (0, 0)")
    yield
    holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_page_whose_write_outlasts_the_busy_timeout_answers_503_with_retry_after(client, locked):
    response = client.get("/write/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode()
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_api_write_that_outlasts_the_busy_timeout_answers_503_in_the_api_error_shape(client, locked):
    response = client.post("/api/v1/write/", {}, content_type="application/json")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert (body["status"], body["code"], body["errors"]) == (503, "database_busy", [])
    assert body["message"]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_other_database_errors_are_still_server_errors(client, locked, caplog):
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "no such table" in caplog.text
    assert "Retry-After" not in response

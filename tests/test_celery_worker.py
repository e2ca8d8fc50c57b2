"""A real `celery -A config.celery_app worker`, fed through Redis, works on the test database.

These tests run in the PostgreSQL + Redis CI run only: the worker is a separate process, so it needs a broker
(REDIS_URL) and a database it can open itself (SQLite's test database lives in the test process's memory).
Elsewhere they skip; with REQUIRE_WORKER_TESTS=1 (set by .ci/run) a missing prerequisite fails instead.
"""
import datetime as dt
import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery.result import EagerResult
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from config import celery_app
from ratings.models import ScoreSnapshot
from ratings.tasks import ratings_recompute_task
from tests.factories import EngagementFactory, ProviderFactory, StoreFactory, StorePerformanceFactory

STARTUP_TIMEOUT = 60
TASK_TIMEOUT = 60
SHUTDOWN_TIMEOUT = 20


def _missing_prerequisite() -> str | None:
    if not settings.REDIS_URL:
        return "REDIS_URL is not set (embedded run: Celery is eager, there is no broker for a worker)"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "the worker must open the test database itself, which needs PostgreSQL (DATABASE_URL=postgres://...)"
    return None


MISSING = _missing_prerequisite()
REQUIRED = os.environ.get("REQUIRE_WORKER_TESTS") == "1"

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(bool(MISSING) and not REQUIRED, reason=f"worker test: {MISSING}"),
]


def _database_url(db: dict) -> str:
    """postgres://USER[:PASSWORD]@HOST:PORT/NAME for the database the test process is using."""
    user = quote(db.get("USER") or "", safe="")
    password = db.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{quote(db['NAME'], safe='')}"


def _forget_queue(queue: str) -> None:
    """Delete the private queue, its exchange bindings and any message left in it from Redis."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class Worker:
    """A running worker subprocess consuming one private queue, and its log."""

    def __init__(self, *, queue: str, log_path: Path, process: subprocess.Popen):
        self.queue = queue
        self.nodename = f"{queue}@localhost"
        self.log_path = log_path
        self.process = process
        self.log_start = 0  # where the current test's part of the log begins

    def log(self, start: int = 0) -> str:
        return self.log_path.read_bytes()[start:].decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def fail(self, message: str, start: int = 0) -> None:
        pytest.fail(f"{message}\n----- worker log -----\n{self.log(start)}", pytrace=False)

    def wait_for(self, probe: Callable, *, timeout: float, what: str, start: int = 0):
        """Poll probe() until it returns something truthy; fail early if the worker died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = probe()
            if value:
                return value
            if self.process.poll() is not None:
                self.fail(f"the worker exited (code {self.process.returncode}) while waiting for {what}", start)
            time.sleep(0.25)
        self.fail(f"timed out after {timeout:.0f}s waiting for {what}", start)

    def ping(self) -> bool:
        replies = celery_app.control.ping(destination=[self.nodename], timeout=1.0)
        return any(self.nodename in reply for reply in replies)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: finish the current task, then exit
            try:
                self.process.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=SHUTDOWN_TIMEOUT)


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, tmp_path_factory):
    """Start a worker pointed at this run's test database and broker; stop it after the module."""
    if MISSING:
        pytest.fail(f"REQUIRE_WORKER_TESTS=1 but the worker test cannot run: {MISSING}", pytrace=False)

    queue = f"worker-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path_factory.mktemp("celery-worker") / "worker.log"
    env = {
        **os.environ,
        # The worker is an ordinary deployment process, only its database is the test database.
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-insecure-key",
        # Close connections after each task, so nothing holds the test database when pytest drops it.
        "CONN_MAX_AGE": "0",
    }
    cmd = [
        sys.executable, "-m", "celery", "-A", "config.celery_app", "worker",
        "--pool=solo", "--concurrency=1",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--queues", queue, "--hostname", f"{queue}@localhost",
        "--loglevel=INFO",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cmd, cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    worker = Worker(queue=queue, log_path=log_path, process=process)
    try:
        worker.wait_for(worker.ping, timeout=STARTUP_TIMEOUT, what=f"worker {worker.nodename} to answer a ping")
        yield worker
    finally:
        worker.stop()
        _forget_queue(queue)


@pytest.fixture
def worker(celery_worker):
    """The module's worker; on failure pytest shows what the worker logged during this test."""
    celery_worker.log_start = celery_worker.log_size()
    yield celery_worker
    print(f"----- worker log ({celery_worker.nodename}) -----\n{celery_worker.log(celery_worker.log_start)}")


@contextmanager
def through_broker():
    """Send tasks through the broker although the test settings make Celery eager."""
    conf = celery_app.conf
    saved = conf.task_always_eager
    assert conf.broker_url == settings.REDIS_URL
    conf.task_always_eager = False
    try:
        yield
    finally:
        conf.task_always_eager = saved


@pytest.fixture
def broker_delivery():
    with through_broker():
        yield


def test_worker_answers_a_ping_through_redis(worker):
    assert worker.ping()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_recomputes_a_provider_score_into_the_test_database(worker, broker_delivery):
    provider = ProviderFactory()
    store = StoreFactory()
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 1, 1))
    for month in (4, 5, 6):
        StorePerformanceFactory(
            store=store,
            period=dt.date(2025, month, 1),
            product_score=Decimal("4.00"),
            logistics_score=Decimal("4.00"),
            service_score=Decimal("4.00"),
        )

    result = ratings_recompute_task.apply_async(args=("2025-06-30",), queue=worker.queue)
    assert not isinstance(result, EagerResult), "the task ran in-process instead of through the broker"

    snapshot = worker.wait_for(
        lambda: ScoreSnapshot.objects.filter(provider=provider, period=dt.date(2025, 6, 1)).first(),
        timeout=TASK_TIMEOUT,
        what=f"the ScoreSnapshot of provider {provider.pk} for 2025-06 (task {result.id})",
        start=worker.log_start,
    )
    # No reviews: R is the prior 3.50; every sub-score 4.00: P = 4.00. S = 0.4 × 3.50 + 0.6 × 4.00.
    assert snapshot.composite == Decimal("3.80")
    assert snapshot.performance_score == Decimal("4")
    assert snapshot.review_count == 0
    assert snapshot.as_of == dt.date(2025, 6, 30)
    worker.wait_for(
        lambda: f"[{result.id}] succeeded" in worker.log(worker.log_start),
        timeout=10,
        what=f"the worker to log task {result.id} as succeeded",
        start=worker.log_start,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_imported_files_are_rated_by_the_worker_and_exported(worker, tmp_path):
    """The end-to-end path of tests/ratings/test_tasks.py, with the recompute done by the real worker."""
    from tests.ratings import test_tasks as e2e

    quiet = io.StringIO()
    # Imports run in-process (eager): their own debounced recompute is for today's month, not 2025-06.
    for command, name, text in (
        ("import_providers", "p.csv", e2e.PROVIDERS), ("import_engagements", "e.csv", e2e.ENGAGEMENTS),
        ("import_reviews", "r.csv", e2e.REVIEWS), ("import_performance", "perf.csv", e2e.performance_csv()),
    ):
        call_command(command, e2e.write(tmp_path, name, text), stdout=quiet)
    assert not ScoreSnapshot.objects.filter(period=dt.date(2025, 6, 1)).exists()

    with through_broker():
        result = ratings_recompute_task.apply_async(args=("2025-06-30",), queue=worker.queue)
    assert not isinstance(result, EagerResult), "the task ran in-process instead of through the broker"
    worker.wait_for(
        lambda: ScoreSnapshot.objects.filter(period=dt.date(2025, 6, 1)).count() == 3,
        timeout=TASK_TIMEOUT, what=f"three 2025-06 snapshots (task {result.id})", start=worker.log_start,
    )
    assert e2e.export("csv") == (
        "slug,period,composite,reviews,performance,active_stores,excellent_stores,candidate_tier,tier,status,at_risk\n"
        "alpha,2025-06,3.90,3.7500,4.0000,3,0,3,3,active,False\n"
        "beta,2025-06,3.20,3.5000,3.0000,1,0,,,probation,False\n"
        "gamma,2025-06,,3.5000,,1,0,,,active,False\n"
    )

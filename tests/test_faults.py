"""Fault tolerance (issue 7, item 3), each fault made real: a closed port, a SIGKILLed worker, row locks.

a. Redis down (cache and broker on a port nothing listens on): pages and API reads still answer, /readyz says
   503 naming cache and broker, and a recompute request made meanwhile is kept as a PendingRecompute row —
   the request or import succeeds — and drained by the next beat run once Redis is back.
b. A Celery worker SIGKILLed in the middle of a full recompute (PostgreSQL + Redis only): a second worker gets the
   unacknowledged task again after the visibility timeout, waits out the dead run's period lock, completes, and
   the snapshots equal those of an uninterrupted run.
c. PostgreSQL restarted (fast, then immediate) under a stream of API ingest batches, on a throwaway cluster: every
   batch is stored whole with a 200, or not at all with an error — never half.
d. Two moderators deciding the same review at once (PostgreSQL): the row lock serialises them; the later
   decision wins, both are audited — each event records the status it actually replaced — and one recompute
   job is scheduled.
"""
import datetime as dt
import io
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from config import celery_app
from providers.models import Provider
from ratings.models import PendingRecompute, RatingEvent, Review, ScoreSnapshot
from ratings.services import ratings_recompute, ratings_request_recompute
from ratings.services.moderation import reviews_moderate
from ratings.services.recompute import RECOMPUTE_SCHEDULED_KEY
from ratings.tasks import ratings_recompute_pending_task, ratings_recompute_task
from tests.factories import (
    EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, StorePerformanceFactory, UserFactory,
    api_client, api_key, performance_row,
)

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_down():
    """Cache, REDIS_URL and the Celery broker all pointed at a closed port: a Redis that is not there."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def fresh_pools():
        # Forget (never close: kombu keeps pools per URL, shared with later tests) the app's pools, so the next
        # send connects to the broker URL now configured.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    caches = {"default": {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": dead, "KEY_PREFIX": "faults",
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    with override_settings(CACHES=caches, REDIS_URL=dead):
        conf.broker_url, conf.task_always_eager = dead, False
        fresh_pools()
        try:
            yield dead
        finally:
            conf.broker_url, conf.task_always_eager = saved
            fresh_pools()


@pytest.fixture
def rated_provider(db):
    provider = ProviderFactory(slug="acme")
    store = StoreFactory(external_id="TM001")
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 1, 1))
    ReviewFactory(provider=provider, store=store, created_at=dt.date(2025, 3, 1))
    return provider


# a. Redis down


@pytest.mark.django_db
def test_pages_and_api_reads_keep_working_while_redis_is_down(client, rated_provider, caplog):
    with redis_down(), caplog.at_level(logging.WARNING, logger="config.cache"):
        pages = {
            "home": client.get("/"),
            "directory": client.get(reverse("providers:list"), {"city": "杭州", "sort": "score", "page": "1"}),
            "provider": client.get(reverse("providers:detail", args=["acme"])),
            "api list": api_client().get(reverse("api:provider-list"), {"city": "杭州"}),
            "api detail": api_client().get(reverse("api:provider-detail", args=["acme"])),
        }

    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(pages, 200)
    assert "acme" in pages["api list"].content.decode()
    assert "cache unavailable" in caplog.text  # the fallback was taken, not silently skipped


@pytest.mark.django_db
def test_readyz_reports_cache_and_broker_down_while_redis_is_down(client):
    with redis_down():
        started = time.monotonic()
        response = client.get(reverse("readyz"))
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert (checks["database"]["ok"], checks["cache"]["ok"], checks["broker"]["ok"]) == (True, False, False)
    assert elapsed < 5  # short timeouts: a dead Redis does not hang the probe


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_ingest_while_redis_is_down_succeeds_and_its_recompute_is_drained_by_the_next_beat_run(
    rated_provider, caplog
):
    _key, raw = api_key(scopes=["ingest"])
    with redis_down(), caplog.at_level(logging.WARNING, logger="ratings.services.recompute"):
        started = time.monotonic()
        response = api_client(raw).post(reverse("api:performance"), {"rows": [performance_row()]}, format="json")
        elapsed = time.monotonic() - started

    assert response.status_code == 200, response.content
    assert elapsed < 10
    assert "recompute not scheduled, broker unreachable" in caplog.text
    assert list(PendingRecompute.objects.values_list("provider_id", flat=True)) == [rated_provider.pk]

    # Redis is back: the beat's drain job (run here in-process) rates the provider and clears the mark.
    assert ratings_recompute_pending_task.run() == 1
    assert not PendingRecompute.objects.exists()
    assert ScoreSnapshot.objects.filter(provider=rated_provider).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_recompute_request_survives_a_dead_broker_as_a_committed_mark(rated_provider, caplog):
    with redis_down(), caplog.at_level(logging.WARNING, logger="ratings.services.recompute"):
        with transaction.atomic():
            ratings_request_recompute(provider_ids=[rated_provider.pk])
        # on_commit ran the scheduling against the dead broker; the commit stood.

    assert PendingRecompute.objects.filter(provider=rated_provider).exists()
    assert "broker unreachable" in caplog.text


# d. Two moderators at once


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL row locks (SQLite locks the whole database)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_moderators_deciding_one_review_at_once_are_serialised_and_both_audited(settings):
    review = ReviewFactory(status=Review.Status.PENDING)
    first, second = UserFactory(username="mod-a"), UserFactory(username="mod-b")
    settings.RATINGS_RECOMPUTE_DEBOUNCE_SECONDS = 30  # production: requests within the window become one job
    cache.delete(RECOMPUTE_SCHEDULED_KEY)
    first_holds_lock, release_first = threading.Event(), threading.Event()
    second_done, errors = threading.Event(), []

    def moderate_first():
        try:
            with transaction.atomic():
                reviews_moderate(review_ids=[review.pk], decision="approve", actor=first)
                first_holds_lock.set()
                release_first.wait(10)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def moderate_second():
        try:
            first_holds_lock.wait(10)
            reviews_moderate(review_ids=[review.pk], decision="reject", actor=second, reason="刷单")
        except Exception as exc:
            errors.append(exc)
        finally:
            second_done.set()
            connection.close()

    with mock.patch.object(ratings_recompute_pending_task, "apply_async") as scheduled:
        threads = [threading.Thread(target=moderate_first), threading.Thread(target=moderate_second)]
        for thread in threads:
            thread.start()
        assert first_holds_lock.wait(10)
        assert not second_done.wait(1.0), "the second decision did not wait for the first one's row lock"
        release_first.set()
        for thread in threads:
            thread.join(20)

    assert errors == []
    review.refresh_from_db()
    assert (review.status, review.moderated_by) == (Review.Status.REJECTED, second)  # the later decision wins
    trail = list(RatingEvent.objects.filter(review=review).order_by("pk").values_list(
        "actor__username", "from_value", "to_value"))
    assert trail == [("mod-a", "pending", "published"), ("mod-b", "published", "rejected")]
    assert PendingRecompute.objects.filter(provider_id=review.provider_id).count() == 1
    assert scheduled.call_count == 1  # the second request rode along with the first one's debounced job


# c. PostgreSQL restarted during an ingest


PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))
BATCH = 12  # stores, so a batch is 12 rows of one month


class ThrowawayPostgres:
    """A private PostgreSQL cluster in a temp dir on a free port, owned by the `postgres` OS user (initdb refuses
    root). Only this cluster is ever restarted: the shared one on 5432 is never touched."""

    def __init__(self, base: Path):
        self.dir = base / "pgdata"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        base.chmod(0o777)
        self.run("initdb", "-D", str(self.dir), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.options = f"-p {self.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"

    def run(self, tool: str, *args: str, timeout: float = 60):
        return subprocess.run([*self.as_postgres, str(PG_BIN / tool), *args], check=True, capture_output=True,
                              text=True, timeout=timeout)

    def ctl(self, action: str, *args: str):
        return self.run("pg_ctl", action, "-D", str(self.dir), "-w", "-t", "30", "-o", self.options, *args,
                        "-l", str(self.dir / "server.log"))

    def psql(self, sql: str) -> str:
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "ingest",
                               "-tAc", sql], check=True, capture_output=True, text=True).stdout

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/ingest"


SETUP_SCRIPT = """
import datetime as dt
from partners.services import api_key_create
from tests.factories import EngagementFactory, ProviderFactory, StoreFactory
provider = ProviderFactory(slug="acme")
for group in range({groups}):
    for n in range({batch}):
        EngagementFactory(provider=provider, store=StoreFactory(external_id=f"G{{group}}TM{{n:03d}}"),
                          start_date=dt.date(1990, 1, 1))
print(api_key_create(name="faults", scopes=["ingest"])[1])
"""


# Periods must lie in the accepted range (2000-01 to next month), so batch i writes month i % MONTHS of store group
# i // MONTHS: every batch still has a key of its own.
MONTHS, GROUPS = 24 * 12, 12


def month(i: int) -> str:
    i %= MONTHS
    return f"{2000 + i // 12}-{i % 12 + 1:02d}"


def batch_key(i: int) -> str:
    return f"G{i // MONTHS}:{month(i)}"


@pytest.mark.skipif(PG_BIN is None or not shutil.which("psql"), reason="no PostgreSQL server binaries to run "
                    "a throwaway instance (/usr/lib/postgresql/*/bin)")
def test_postgresql_restarted_during_ingest_never_leaves_a_partial_batch():
    import json
    import urllib.error
    import urllib.request

    import tempfile

    base = Path(tempfile.mkdtemp(prefix="faults-pg-"))  # pytest's tmp_path is private to root; postgres must enter
    try:
        pg = ThrowawayPostgres(base)
        pg.ctl("start")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"cannot run a throwaway PostgreSQL here: {getattr(exc, 'stderr', exc)}")
    server = None
    try:
        pg.run("createdb", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "ingest")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": pg.url,
               "REDIS_URL": "", "DEBUG": "false", "SECRET_KEY": "faults-test-insecure-key",
               "API_RATE_INGEST": "1000000/min", "RATINGS_RECOMPUTE_DEBOUNCE_SECONDS": "3600",
               "STATIC_ROOT": str(base / "static")}
        python = [sys.executable, "manage.py"]
        subprocess.run([*python, "migrate", "--noinput"], cwd=settings.BASE_DIR, env=env, check=True,
                       capture_output=True)
        raw_key = subprocess.run([*python, "shell", "-c", SETUP_SCRIPT.format(batch=BATCH, groups=GROUPS)], cwd=settings.BASE_DIR,
                                 env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--log-level", "warning", "--access-logfile", "/dev/null"],
            cwd=settings.BASE_DIR, env={**env, "STATIC_ROOT": str(settings.BASE_DIR / "static")},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def post(i: int):
            rows = [dict(performance_row(store_external_id=f"G{i // MONTHS}TM{n:03d}", period=month(i)))
                    for n in range(BATCH)]
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/performance/", data=json.dumps({"rows": rows}).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Api-Key {raw_key}"}, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    return response.status
            except urllib.error.HTTPError as exc:
                return exc.code
            except OSError as exc:
                return type(exc).__name__

        deadline = time.monotonic() + 60
        while post(0) != 200:
            assert time.monotonic() < deadline, "the throwaway server never accepted the first batch"
            time.sleep(0.5)
        outcomes, stop = {0: 200}, threading.Event()

        def hammer():
            i = 1
            while not stop.is_set() and i < MONTHS * GROUPS:
                outcomes[i] = post(i)
                i += 1

        client = threading.Thread(target=hammer)
        client.start()
        try:
            for mode in ("fast", "immediate"):  # a clean restart, then a crash-like one
                time.sleep(1.5)
                pg.ctl("restart", "-m", mode)
            time.sleep(3)
        finally:
            stop.set()
            client.join(60)

        stored = dict(line.split("|") for line in pg.psql(
            "SELECT split_part(st.external_id, 'TM', 1) || ':' || to_char(sp.period, 'YYYY-MM'), count(*) "
            "FROM ratings_storeperformance sp JOIN providers_store st ON st.id = sp.store_id GROUP BY 1").split())
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        pg.ctl("stop", "-m", "immediate")
        shutil.rmtree(base, ignore_errors=True)

    partial = {i: (outcome, stored.get(batch_key(i))) for i, outcome in outcomes.items()
               if stored.get(batch_key(i), "0") not in ("0", str(BATCH))}
    assert partial == {}, f"half-written batches: {partial}"
    wrong = {i: (outcome, stored.get(batch_key(i), "0")) for i, outcome in outcomes.items()
             if (outcome == 200) != (stored.get(batch_key(i), "0") == str(BATCH))}
    assert wrong == {}, f"a response disagrees with what was stored: {wrong}"
    errors = [outcome for outcome in outcomes.values() if outcome != 200]
    print(f"{len(outcomes)} batches, {len(errors)} failed during the restarts: {sorted(set(map(str, errors)))}")
    last = max(outcomes)
    assert outcomes[last] == 200 or outcomes[last - 1] == 200, "ingest did not recover after the restarts"


# b. A worker SIGKILLed in the middle of a full recompute

WORKER_MISSING = None
if not settings.REDIS_URL:
    WORKER_MISSING = "REDIS_URL is not set (embedded run: there is no broker for a worker)"
elif not ON_POSTGRESQL:
    WORKER_MISSING = "the worker must open the test database itself, which needs PostgreSQL"
WORKER_REQUIRED = os.environ.get("REQUIRE_WORKER_TESTS") == "1"
PROVIDERS = int(os.environ.get("FAULTS_RECOMPUTE_PROVIDERS", "4000"))
VISIBILITY_SECONDS = 6
LOCK_SECONDS = 5
SNAPSHOT_FIELDS = [
    "provider_id", "period", "as_of", "review_score", "review_count", "review_average", "performance_score",
    "performance_rows", "composite", "active_stores", "excellent_stores", "candidate_tier", "computed_tier", "tier",
    "overridden", "status", "at_risk", "below_tier_months", "failing_months", "explanation",
]


def start_worker(queue: str, log_path):
    from tests.test_celery_worker import STARTUP_TIMEOUT, Worker, _database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-insecure-key",
        "CONN_MAX_AGE": "0",
        # A killed worker's task comes back after seconds, not hours; its period lock expires as quickly.
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_SECONDS),
        "RATINGS_LOCK_TIMEOUT_SECONDS": str(LOCK_SECONDS),
    }
    cmd = [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--pool=solo", "--concurrency=1",
           "--without-heartbeat", "--without-gossip", "--without-mingle", "--queues", queue,
           "--hostname", f"{queue}-{uuid.uuid4().hex[:6]}@localhost", "--loglevel=INFO"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT)
    worker = Worker(queue=queue, log_path=log_path, process=process)
    worker.nodename = cmd[cmd.index("--hostname") + 1]
    worker.wait_for(worker.ping, timeout=STARTUP_TIMEOUT, what=f"worker {worker.nodename} to answer a ping")
    return worker


def snapshot_values(period) -> list[tuple]:
    return list(ScoreSnapshot.objects.filter(period=period).order_by("provider_id").values_list(*SNAPSHOT_FIELDS))


@pytest.mark.worker
@pytest.mark.skipif(bool(WORKER_MISSING) and not WORKER_REQUIRED, reason=f"worker test: {WORKER_MISSING}")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_full_recompute_killed_mid_run_is_redelivered_and_matches_an_uninterrupted_run(tmp_path):
    if WORKER_MISSING:
        pytest.fail(f"REQUIRE_WORKER_TESTS=1 but the worker test cannot run: {WORKER_MISSING}", pytrace=False)
    from tests.test_celery_worker import _forget_queue, through_broker

    call_command("seed_demo", providers=PROVIDERS, months=1, no_ratings=True, stdout=io.StringIO())
    today = timezone.localdate()
    period = today.replace(day=1)
    ScoreSnapshot.objects.filter(period=period).delete()
    queue = f"faults-{uuid.uuid4().hex[:12]}"
    first = start_worker(queue, tmp_path / "first.log")
    second = None
    try:
        with through_broker():
            result = ratings_recompute_task.apply_async(args=(today.isoformat(),), queue=queue)
        first.wait_for(lambda: f"[{result.id}] received" in first.log(), timeout=30, what="the task to arrive")
        # The run holds the period's Redis lock from its start to its single commit: killing the worker as soon
        # as the lock is seen kills it mid-run, however fast the engine has become (a fixed sleep did not).
        lock_key = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:ratings:recompute:{period:%Y-%m}"
        client = redis.Redis.from_url(settings.REDIS_URL)
        deadline = time.monotonic() + 30
        while not client.exists(lock_key) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert client.exists(lock_key), "the recompute never took its period lock"
        assert f"[{result.id}] succeeded" not in first.log(), (
            f"the run finished before the kill; raise FAULTS_RECOMPUTE_PROVIDERS (now {PROVIDERS})")
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(10)
        assert not ScoreSnapshot.objects.filter(period=period).exists()  # the killed run left nothing behind

        second = start_worker(queue, tmp_path / "second.log")
        second.wait_for(lambda: f"[{result.id}] succeeded" in second.log(), timeout=120,
                        what=f"the redelivered task {result.id} to succeed on the new worker")
        after_kill = snapshot_values(period)
    finally:
        for worker in (first, second):
            if worker is not None:
                worker.stop()
        _forget_queue(queue)

    assert len(after_kill) == Provider.objects.count() == PROVIDERS
    ScoreSnapshot.objects.filter(period=period).delete()
    ratings_recompute(as_of=today)  # the uninterrupted run, in-process
    assert snapshot_values(period) == after_kill

"""The embedded mode's stand-in for a Celery worker: webhook jobs run in one background thread, after the response.

Without a broker (no REDIS_URL) Celery runs tasks eagerly, so a delivery "sent" when a grader's action commits a
tier change would talk to the subscriber inside that request, and a subscriber that never answers would hold the
grader's page for the time-out times the attempts. Jobs submitted while a request is being served are held
until Django's `request_finished` (sent when the WSGI server closes the response it has written) and then run
by a daemon thread; outside a request (shell, management command) they go to that thread at once. Delayed jobs
(retries on the backoff schedule) wait in the same thread's queue, never in a sleep of the caller.

Why a thread and not `request_finished` alone: running the job in that signal would still occupy the worker that
served the request, and commands have no request to finish. Why not a broker: the embedded mode is the one that
has none. What it gives up: queued jobs live in this process only. At exit the thread gets a short grace period
for jobs that are due; retries still waiting are lost with the process and their deliveries stay `retrying`.
"""
from __future__ import annotations

import atexit
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

from django.core.signals import request_finished, request_started
from django.db import connections

logger = logging.getLogger(__name__)

EXIT_GRACE_SECONDS = 10.0


class AfterResponseRunner:
    """Runs submitted jobs after the current request, in one background thread, each at its due time."""

    def __init__(self):
        # Tests switch the thread off and run the queue themselves (run_here).
        self.threaded = True
        self._local = threading.local()
        self._condition = threading.Condition()
        self._jobs: list[tuple[float, int, Callable, tuple]] = []  # heap by due time
        self._order = itertools.count()
        self._running = 0
        self._thread: threading.Thread | None = None
        self._stopping = False

    def submit(self, job: Callable, *args, delay: float = 0.0) -> None:
        """Run `job(*args)` once the current request (if any) is answered, not before `delay` seconds from now."""
        held = getattr(self._local, "held", None)
        if held is not None:
            held.append((job, args, delay))
        else:
            self._queue(job, args, delay)

    def request_started(self, **kwargs) -> None:
        self._release()  # a request that never finished (an exception in a test client) does not swallow its jobs
        self._local.held = []

    def request_finished(self, **kwargs) -> None:
        self._release()

    def _release(self) -> None:
        held, self._local.held = getattr(self._local, "held", None) or [], None
        for job, args, delay in held:
            self._queue(job, args, delay)

    def _queue(self, job: Callable, args: tuple, delay: float) -> None:
        with self._condition:
            heapq.heappush(self._jobs, (time.monotonic() + delay, next(self._order), job, args))
            self._condition.notify_all()
            if self.threaded and (self._thread is None or not self._thread.is_alive()):
                self._stopping = False
                self._thread = threading.Thread(target=self._work, name="webhooks-after-response", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            with self._condition:
                while True:
                    if self._stopping:
                        return
                    now = time.monotonic()
                    if self._jobs and self._jobs[0][0] <= now:
                        _due, _order, job, args = heapq.heappop(self._jobs)
                        self._running += 1
                        break
                    self._condition.wait(self._jobs[0][0] - now if self._jobs else None)
            self._run(job, args)
            with self._condition:
                self._running -= 1
                self._condition.notify_all()

    @staticmethod
    def _run(job: Callable, args: tuple) -> None:
        try:
            job(*args)
        except Exception:
            # A background thread has nobody to raise to; the delivery row keeps its state for the admin.
            logger.exception("after-response job %s%r failed", getattr(job, "__name__", job), args)
        finally:
            connections.close_all()  # this thread's own connections; nothing else would ever close them

    def wait_idle(self, *, timeout: float, include_delayed: bool = True) -> bool:
        """Wait until nothing is running or queued (or only delayed jobs, unless included); False on time-out."""
        def idle():
            waiting = self._jobs if include_delayed else [j for j in self._jobs if j[0] <= time.monotonic()]
            return not self._running and not waiting

        with self._condition:
            return self._condition.wait_for(idle, timeout)

    def run_here(self, *, include_delayed: bool = True) -> int:
        """Run queued jobs now in the calling thread until none (or none due) is left; returns how many ran.

        For tests, which switch the thread off, and a shell: with `include_delayed` the backoff is skipped.
        """
        done = 0
        while True:
            with self._condition:
                if not self._jobs or (not include_delayed and self._jobs[0][0] > time.monotonic()):
                    return done
                _due, _order, job, args = heapq.heappop(self._jobs)
            job(*args)
            done += 1

    def queued(self) -> list[tuple[float, Callable, tuple]]:
        """The jobs waiting, soonest first: (seconds until due, job, args)."""
        now = time.monotonic()
        with self._condition:
            return [(due - now, job, args) for due, _order, job, args in sorted(self._jobs)]

    def clear(self) -> None:
        """Forget every queued job (and jobs held by this thread's request)."""
        with self._condition:
            self._jobs.clear()
        self._local.held = None

    def stop(self, *, timeout: float = 5.0) -> None:
        """Stop the thread after its current job (a later submit starts a new one); queued jobs stay queued."""
        with self._condition:
            thread, self._stopping = self._thread, True
            self._condition.notify_all()
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    def _exit_grace(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self.wait_idle(timeout=EXIT_GRACE_SECONDS, include_delayed=False)


runner = AfterResponseRunner()
request_started.connect(runner.request_started, dispatch_uid="partners.after_response.started")
request_finished.connect(runner.request_finished, dispatch_uid="partners.after_response.finished")
atexit.register(runner._exit_grace)

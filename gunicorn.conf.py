"""gunicorn settings for `gunicorn config.wsgi` (read automatically from the working directory)."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# SINGLE_PROCESS=true runs config.settings.production without Redis: the cache and the API's rate limits are then
# the process's own, so one worker (its threads still serve requests side by side). The values django-environ reads
# as true; gunicorn sees only the process environment, never .env, hence post_worker_init below.
single_process = os.environ.get("SINGLE_PROCESS", "").strip().lower() in {"true", "on", "ok", "y", "yes", "1"}
# Sync workers, one request per process at a time: the pages spend their time in Python (templates, the ORM,
# filters), not waiting, so threads in one process only take turns at the GIL. Measured with benchmarks/load.py at
# 10 back-to-back users on 2 cores, 10,000 providers, PostgreSQL + Redis (2026-12-02, docs/benchmarks.md, load
# average 3.3–5.2 from the run itself): sync 4 workers 38.5 and 41.3 req/s, p95 380 ms both runs; sync 5 workers
# 36.9 and 40.1 req/s, p95 410 and 390 ms; gthread 4 × 2 threads 35.7 req/s, p95 520 ms; gthread 2 × 4 threads 34.9
# and 33.4 req/s, p95 560 and 610 ms. Threads (GUNICORN_THREADS > 1 turns gunicorn to gthread) are for
# SINGLE_PROCESS, where one process must keep serving while a request waits.
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", 1 if single_process else multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never takes a process down in the middle of the season.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# The combined format plus the time taken and the X-Request-ID the app echoed, to join access and app logs.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Stop the server (a worker that fails to boot halts gunicorn) when the settings keep the cache in-process
    (SINGLE_PROCESS without REDIS_URL) but gunicorn runs several workers, e.g. SINGLE_PROCESS set only in .env."""
    from django.conf import settings

    if getattr(settings, "SINGLE_PROCESS", False) and not getattr(settings, "REDIS_URL", "") and worker.cfg.workers > 1:
        raise RuntimeError(
            f"SINGLE_PROCESS=true allows one gunicorn worker, not {worker.cfg.workers}: "
            "set GUNICORN_WORKERS=1, or set REDIS_URL to run several."
        )

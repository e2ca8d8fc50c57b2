"""Load benchmark (issue 7, item 4): gunicorn on PostgreSQL + Redis, locust at 1, 10 and 50 concurrent users.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/load.py                      # postgres://…/bench (10,000 providers, 500k reviews)
    .venv/bin/python benchmarks/load.py --users 1 10 50 --seconds 30 --database-url postgres://… --redis-url redis://…
    LOAD_THINK_SECONDS=1 .venv/bin/python benchmarks/load.py  # users pause 0.5–1.5 s between requests
    .venv/bin/python benchmarks/load.py --smoke              # seeded SQLite, no Redis, 1 user for 5 s (~2 min)

The mix is benchmarks/locustfile.py (70% directory pages with filters, 20% provider pages, 10% API). The
database is used as it is, read only: it must already hold migrated, rated data (`seed_demo`). For each user
level it prints requests/s, p50/p95/p99 latency (ms) and errors; the smoke run exits 1 on any error.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/4"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"gunicorn did not answer {url} within {timeout:.0f}s")


def manage(env: dict, *args: str) -> str:
    return subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def aggregated(prefix: Path) -> dict:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
        row = next(r for r in csv.DictReader(file) if r["Name"] == "Aggregated")
    return {
        "requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]), "p50": row["50%"], "p95": row["95%"], "p99": row["99%"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="cache and broker; '' for none")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=int, default=30, help="measured seconds per user level")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; above 1 gunicorn runs the gthread worker (gunicorn.conf.py)")
    parser.add_argument("--smoke", action="store_true", help="seeded SQLite, no Redis, 1 user for 5 s; CI")
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="load-"))
    if options.smoke:
        options.database_url = f"sqlite:///{scratch / 'smoke.sqlite3'}"
        options.redis_url, options.users, options.seconds, options.workers = "", [1], 5, 2
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "api_site", "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT}",
        "DATABASE_URL": options.database_url, "REDIS_URL": options.redis_url, "DEBUG": "false",
        "CACHE_KEY_PREFIX": f"load-{os.getpid()}", "GUNICORN_WORKERS": str(options.workers),
        "GUNICORN_THREADS": str(options.threads),
        "STATIC_ROOT": str(scratch / "static"),
    }
    manage(env, "collectstatic", "--noinput")  # as a deployment does: the manifest storage needs it
    if options.smoke:
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--providers", "30", "--months", "1")
    slugs = scratch / "slugs.txt"
    slugs.write_text(manage(env, "shell", "-v", "0", "-c", "from providers.models import Provider\n"
                            "print('\\n'.join(Provider.objects.order_by('?').values_list('slug', flat=True)[:2000]))"))
    env["LOAD_SLUGS_FILE"] = str(slugs)

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
    )
    results = []
    try:
        wait_until_up(f"{host}/providers/", server)
        for users in options.users:
            prefix = scratch / f"u{users}"
            # A short unmeasured warm-up per level fills the page cache and the workers' connections.
            for seconds, measured in ((3, False), (options.seconds, True)):
                subprocess.run(
                    [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
                     "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", host, "--only-summary",
                     "--csv", str(prefix), "--loglevel", "WARNING", "--exit-code-on-error", "0"],
                    cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                )
            results.append((users, aggregated(prefix)))
            failures = Path(f"{prefix}_failures.csv")
            if results[-1][1]["errors"] and failures.exists():
                print(f"failures at {users} users:\n{failures.read_text(encoding='utf-8')}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)

    worker = f"{options.workers} gthread × {options.threads}" if options.threads > 1 else f"{options.workers} sync"
    print(f"\n{options.database_url}  redis={options.redis_url or 'none'}  gunicorn workers={worker}  "
          f"{options.seconds}s per level, think time {os.environ.get('LOAD_THINK_SECONDS') or 0} s (mean), "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'users':>5} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for users, r in results:
        print(f"{users:>5} {r['requests']:>9} {r['rps']:>8.1f} {r['p50']:>7} {r['p95']:>7} {r['p99']:>7} "
              f"{r['errors']:>6}")
    return 1 if any(r["errors"] for _u, r in results) or not all(r["requests"] for _u, r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

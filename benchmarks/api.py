"""Benchmark: the partner API's provider listing under gunicorn vs a bare Django view doing the same work.

    .venv/bin/python benchmarks/api.py [--providers 10000] [--seconds 15] [--workers 2] [--connections 16]

Both endpoints run in one gunicorn (sync workers) with the same settings (benchmarks/api_site.py), against a
database of N demo providers (created once in var/bench-api.sqlite3, or DATABASE_URL if set), and are loaded
alternately by `wrk` (Debian package `wrk`) or, without it, a keep-alive Python client. Prints requests per
second of each and their ratio; exits 1 when the API reaches less than --target (0.70) of the bare view.
The bodies are checked to be the same JSON before anything is measured.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = "platform=tmall&min_tier=4&ordering=-score"
API_PATH = f"/api/v1/providers/?{QUERY}"
BARE_PATH = f"/bench/bare/providers/?{QUERY}"


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update({
        "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "api_site",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), str(ROOT)]),
    })
    return env


def _manage(env, *args) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                            capture_output=True, text=True)
    return result.stdout


def prepare(env, providers: int) -> None:
    _manage(env, "migrate", "--noinput")
    count = int(_manage(env, "shell", "-c", "from providers.models import Provider; print(Provider.objects.count())")
                .split()[-1])
    if count >= providers:
        print(f"database: {count} providers already there")
        return
    if count:
        sys.exit(f"the benchmark database has {count} providers (< {providers}); delete it or set DATABASE_URL")
    started = time.perf_counter()
    _manage(env, "seed_demo", "--providers", str(providers), "--no-ratings")
    _manage(env, "recompute_ratings")
    print(f"database: seeded {providers} providers and rated them in {time.perf_counter() - started:.0f}s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_server(env, *, workers: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"],
        # The project's gunicorn.conf.py applies (as in production); its access log goes nowhere here.
        env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if _get(port, "/api/v1/tiers/")[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def measure_wrk(port: int, path: str, *, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True,
    ).stdout
    if "Non-2xx" in out:
        sys.exit(f"non-2xx responses while measuring {path}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure_python(port: int, path: str, *, seconds: int, connections: int) -> float:
    """Keep-alive clients in threads, each counting responses until the time is up."""
    deadline = time.perf_counter() + seconds
    counts = [0] * connections

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")
            counts[index] += 1
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


CPU_SCRIPT = f"""
import time, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
for path in ({API_PATH!r}, {BARE_PATH!r}) * 2:
    for _ in range(10):
        client.get(path)
    started = time.process_time()
    for _ in range(200):
        assert client.get(path).status_code == 200
    print(path, (time.process_time() - started) / 200 * 1000)
"""


def measure_cpu(env) -> dict[str, float]:
    """CPU milliseconds per request of each endpoint, in one process: steadier than req/s on a busy machine."""
    out = subprocess.run([sys.executable, "-c", CPU_SCRIPT], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    best: dict[str, float] = {}
    for line in out.splitlines():
        path, ms = line.rsplit(" ", 1)
        best[path] = min(best.get(path, float("inf")), float(ms))
    return {"api": best[API_PATH], "bare": best[BARE_PATH]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=10000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--target", type=float, default=0.70)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'bench-api.sqlite3'}"
    (ROOT / "var").mkdir(exist_ok=True)
    env = _env(database_url)
    prepare(env, args.providers)
    measure = measure_wrk if shutil.which("wrk") else measure_python
    server, port = start_server(env, workers=args.workers)
    try:
        api_status, api_body = _get(port, API_PATH)
        bare_status, bare_body = _get(port, BARE_PATH)
        api, bare = json.loads(api_body), json.loads(bare_body)
        if (api_status, bare_status) != (200, 200) or api != bare:
            sys.exit(f"the two endpoints disagree: {api_status} vs {bare_status}")
        print(f"same JSON from both: {len(api['results'])} providers, {len(api_body)} bytes; "
              f"client: {measure.__name__.removeprefix('measure_')}, {args.connections} connections, "
              f"gunicorn {args.workers} sync workers")
        for path in (API_PATH, BARE_PATH):  # warm-up: connections, caches, compiled templates
            measure(port, path, seconds=2, connections=args.connections)
        results: dict[str, list[float]] = {"api": [], "bare": []}
        for _ in range(args.rounds):
            results["api"].append(measure(port, API_PATH, seconds=args.seconds, connections=args.connections))
            results["bare"].append(measure(port, BARE_PATH, seconds=args.seconds, connections=args.connections))
    finally:
        stop_server(server)
    cpu = measure_cpu(env)
    api_rps, bare_rps = max(results["api"]), max(results["bare"])
    ratio = api_rps / bare_rps
    print(f"API  (DRF)  {API_PATH}: {api_rps:8.1f} req/s  (rounds: {', '.join(f'{r:.1f}' for r in results['api'])})")
    print(f"bare Django {BARE_PATH}: {bare_rps:8.1f} req/s  (rounds: {', '.join(f'{r:.1f}' for r in results['bare'])})")
    print(f"CPU per request in-process: API {cpu['api']:.1f} ms, bare {cpu['bare']:.1f} ms "
          f"(bare/API {cpu['bare'] / cpu['api']:.1%}); load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"ratio: {ratio:.1%} of the bare view (target ≥ {args.target:.0%}): {'met' if ratio >= args.target else 'MISSED'}")
    return 0 if ratio >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())

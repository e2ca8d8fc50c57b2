"""Run every benchmark that can run here, on SQLite and on PostgreSQL, and write the figures as JSON (`make bench`).

    .venv/bin/python benchmarks/run_all.py                  # quick sizes (1,000 providers), a few minutes
    .venv/bin/python benchmarks/run_all.py --full           # the README's sizes (10,000 providers; growth to
                                                            # 100,000), much longer
    .venv/bin/python benchmarks/run_all.py --only recompute --backends postgresql

Each benchmark gets a database of its own, made once and reused by later runs: var/bench-make-<name>-<size>.sqlite3
and the PostgreSQL database bench_make_<name>_<size> at --postgres (created if missing; skipped if the server
does not answer). `recompute` and `growth` write their own JSON; for the others the output is kept as printed. Everything goes to
benchmarks/out/ (git-ignored): one file per benchmark and backend, bench-latest.json with every run, its
command, exit code, wall time and the load average (os.getloadavg) before and after, and tables.md, the README's
tables made from those figures (`--readme` writes them into README.md too). A benchmark that cannot
run here (a missing tool) is recorded as skipped with the reason.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import tables  # benchmarks/tables.py (this script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PYTHON = sys.executable

# name → (arguments at the quick size, at the full size, how it is told the database, what it needs)
BENCHMARKS = {
    "recompute": (["--quick"], [], "flag", None),
    "directory": (["--providers", "1000", "--runs", "10"], [], "env", None),
    "admin_pages": (["--providers", "1000", "--runs", "3"], [], "env", None),
    "api": (["--providers", "1000", "--seconds", "5", "--rounds", "1"], [], "env", None),
    # Locust drives gunicorn on PostgreSQL + Redis; its smoke size is SQLite only.
    "load": (["--smoke"], [], "flag", "locust"),
    # PostgreSQL only, a database per size on the server (bench_growth_<N>): 1,000 and 10,000; --full adds 100,000.
    "growth": ([], ["--full"], "server", None),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the README's sizes instead of the quick ones")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
                        help="server URL without a database name")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per benchmark run")
    parser.add_argument("--readme", action="store_true",
                        help="also write the tables into README.md (between its bench:tables markers)")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    (ROOT / "var").mkdir(exist_ok=True)
    size = "full" if args.full else "quick"
    runs = []
    for name in args.only or BENCHMARKS:
        quick, full, how, needs = BENCHMARKS[name]
        for backend in args.backends:
            record = {"benchmark": name, "backend": backend, "size": size}
            runs.append(record)
            if needs and _missing(needs):
                record.update(status="skipped", reason=f"needs {needs} (pip install -e '.[bench]')")
            elif name == "load" and not args.full and backend == "postgresql":
                record.update(status="skipped", reason="--smoke runs on SQLite only; --full runs it on PostgreSQL")
            elif name == "load" and args.full and backend == "sqlite":
                record.update(status="skipped", reason="the load test runs on PostgreSQL + Redis")
            elif name == "growth" and backend == "sqlite":
                record.update(status="skipped", reason="the growth benchmark runs on PostgreSQL")
            elif name == "growth":
                _run(record, name, list(full if args.full else quick), how, args.postgres, args.timeout)
            else:
                url = _database(name, backend, size, args.postgres)
                if url is None:
                    record.update(status="skipped", reason=f"PostgreSQL at {args.postgres} does not answer")
                else:
                    _run(record, name, list(full if args.full else quick), how, url, args.timeout)
            print(f"== {name} on {backend}: {record['status']}"
                  + (f" ({record['reason']})" if "reason" in record else f" in {record.get('seconds', 0):.0f}s"),
                  flush=True)
    summary = {"measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "size": size,
               "cpus": os.cpu_count(), "runs": runs}
    (OUT / "bench-latest.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {OUT / 'bench-latest.json'}")
    command = "benchmarks/run_all.py " + " ".join(sys.argv[1:])
    markdown = tables.tables_markdown(runs, measured_at=summary["measured_at"], command=command.strip())
    (OUT / "tables.md").write_text(markdown)
    print(f"wrote {OUT / 'tables.md'}")
    if args.readme:
        readme = ROOT / "README.md"
        readme.write_text(tables.readme_replace(readme.read_text(), markdown))
        print(f"wrote the tables into {readme}")
    return 1 if any(r["status"] == "failed" for r in runs) else 0


def _missing(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return True
    return False


def _database(name: str, backend: str, size: str, server: str) -> str | None:
    if backend == "sqlite":
        return f"sqlite:///{ROOT / 'var' / f'bench-make-{name}-{size}.sqlite3'}"
    database = f"bench_make_{name}_{size}"
    import psycopg2

    try:
        connection = psycopg2.connect(f"{server}/postgres")
    except psycopg2.OperationalError:
        return None
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database}"')
    connection.close()
    return f"{server}/{database}"


def _run(record: dict, name: str, arguments: list[str], how: str, url: str, timeout: int) -> None:
    command = [PYTHON, str(ROOT / "benchmarks" / f"{name}.py"), *arguments]
    env = {**os.environ}
    if name == "recompute":
        # Its own JSON; --reuse seeds an empty database and clears the ratings of a previous run.
        json_path = OUT / f"recompute-{record['backend']}-{record['size']}.json"
        command += ["--database-url", url, "--reuse", "--json", str(json_path)]
    elif name == "load":
        command += [] if "--smoke" in arguments else ["--database-url", url]
    elif how == "server":
        json_path = OUT / f"{name}-{record['backend']}-{record['size']}.json"
        command += ["--postgres", url, "--json", str(json_path)]
    elif how == "env":
        env["DATABASE_URL"] = url
    record.update(command=" ".join(command[1:]), load_before=round(os.getloadavg()[0], 2))
    started = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        rc, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        rc, stdout, stderr = None, exc.stdout or "", f"timed out after {timeout}s"
        stdout = stdout.decode() if isinstance(stdout, bytes) else stdout
    record.update(
        seconds=round(time.perf_counter() - started, 1), load_after=round(os.getloadavg()[0], 2), returncode=rc,
        status="ok" if rc == 0 else "failed", output=stdout.splitlines(),
        errors=stderr.splitlines()[-20:] if rc != 0 else [],
    )
    if name in ("recompute", "growth") and rc == 0:
        record["figures"] = json.loads(json_path.read_text())
    (OUT / f"{name}-{record['backend']}-{record['size']}.log.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    )


if __name__ == "__main__":
    sys.exit(main())

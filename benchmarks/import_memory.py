"""Memory of an admin import's check in the worker (issue 15, item 7): peak RSS of `import_job_run` on a stored file.

    .venv/bin/python benchmarks/import_memory.py            # 1,000,000-row file and a file at the row limit
    .venv/bin/python benchmarks/import_memory.py --rows 1000000 200000 --database-url sqlite:////tmp/x.sqlite3

Each case runs in a fresh process (peak RSS is per process): a provider CSV of N rows is stored as an ImportJob,
as the upload request does, and the worker's dry run (`ingest.services.import_job_run`) reads it. The cases:
- over the limit (ADMIN_IMPORT_MAX_ROWS, default 200,000): refused by the counting pass, no row held;
- at the limit: counted, then checked by the providers loader (which holds the parsed rows);
- `--unlimited`: the limit lifted to N, i.e. what checking the whole file in one batch costs (the old behaviour).
Prints the file's size, the seconds, the process's RSS before the run and its peak, and the load average. Not a
test: nothing here is timed in the suite.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the children import the project (run as a script, only benchmarks/ is on the path)
HEADER = ("slug,name,name_en,city,founded_year,platforms,categories,services,fee_min,fee_max,international_brands,"
          "warehouse_area_m2,website\n")


def provider_csv(rows: int) -> bytes:
    """Short valid rows (about 24 bytes each: a 1,000,000-row file is about 24 MB, like the reported 19 MB one)."""
    return (HEADER + "".join(f"p{n:07d},N,,杭州,,,,,,,,,\n" for n in range(rows))).encode()


def rss_kib() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def store_job(path: str) -> int:
    """In this process: store the file as an ImportJob, as the upload request does; returns its id."""
    import django

    django.setup()
    from ingest.models import ImportJob

    data = Path(path).read_bytes()
    return ImportJob.objects.create(kind="providers", filename="big.csv", size=len(data), data=data).pk


def run_job(job_id: int, unlimited: bool) -> dict:
    """In a fresh process: the worker's dry run of a stored job."""
    import django

    django.setup()
    from django.conf import settings

    from ingest.models import ImportJob
    from ingest.services import import_job_run

    rows = ImportJob.objects.get(pk=job_id).size  # an upper bound of its rows; only used to lift the limit
    if unlimited:
        settings.ADMIN_IMPORT_MAX_ROWS = rows
    before = rss_kib()
    start = time.perf_counter()
    job = import_job_run(job_id=job_id)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": job.rows, "limit": "none" if unlimited else f"{settings.ADMIN_IMPORT_MAX_ROWS:,}",
            "bytes": job.size, "status": job.status, "error": job.errors[0]["code"] if job.errors else "",
            "seconds": round(seconds, 2), "rss_before_mib": round(before / 1024), "peak_rss_mib": round(peak / 1024)}


def child(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 200_000])
    parser.add_argument("--unlimited", action="store_true", help="also run each size with the row limit lifted")
    parser.add_argument("--database-url", help="default: a fresh SQLite file, migrated first")
    parser.add_argument("--store", help=argparse.SUPPRESS)  # a file: store it as a job in this process
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)  # job id, unlimited (0/1): run it in this process
    args = parser.parse_args()
    if args.store:
        print(store_job(args.store))
        return 0
    if args.run:
        print(json.dumps(run_job(int(args.run[0]), args.run[1] == "1")))
        return 0

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("REDIS_URL", None)  # the embedded mode: eager Celery, in-process cache
    with tempfile.TemporaryDirectory() as tmp:
        env["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/import-memory.sqlite3"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        cases = [(rows, False) for rows in args.rows] + ([(rows, True) for rows in args.rows] if args.unlimited else [])
        print("| rows | limit | file | result | seconds | RSS before | peak RSS |")
        print("|---|---|---|---|---|---|---|")
        for rows, unlimited in cases:
            path = Path(tmp) / f"providers-{rows}.csv"
            path.write_bytes(provider_csv(rows))
            job_id = child(env, "--store", str(path))
            r = json.loads(child(env, "--run", job_id, "1" if unlimited else "0"))
            r["rows"] = rows
            result = r["status"] + (f" ({r['error']})" if r["error"] else "")
            print(f"| {r['rows']:,} | {r['limit']} | {r['bytes'] / 1e6:.1f} MB | {result} | {r['seconds']} | "
                  f"{r['rss_before_mib']} MiB | {r['peak_rss_mib']} MiB |")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

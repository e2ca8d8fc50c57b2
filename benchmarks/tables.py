"""The README's benchmark tables, made from the figures `run_all.py` collects (`make bench`).

`run_all.py` writes them to benchmarks/out/tables.md after every run, and with `--readme` also into README.md
between the `<!-- bench:tables -->` markers, so the tables a reader sees are the ones the last full run printed.
"""
from __future__ import annotations

import re

START, END = "<!-- bench:tables -->", "<!-- /bench:tables -->"
BACKENDS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CASES = {"nightly": "nightly", "first_of_month": "first of month"}


def recompute_table(figures: dict[str, dict]) -> str:
    """figures: backend → recompute.py's JSON. Best of the dates for each side, the ratio of the two bests."""
    lines = ["| backend | providers | case | honest floor | recompute | ratio | load floor / recompute |",
             "|---|---:|---|---:|---:|---:|---|"]
    for backend, data in figures.items():
        for case, label in CASES.items():
            row = data[case]
            lines.append(
                f"| {BACKENDS[backend]} | {data['providers']:,} | {label} | {row['floor_best_s']:.2f} s "
                f"| {row['engine_best_s']:.2f} s | **{row['ratio']}×** | {row['floor_load']} / {row['engine_load']} |")
    return "\n".join(lines)


def growth_table(figures: dict) -> str:
    """growth.py's JSON: time of the recompute alone and peak RSS per size (PostgreSQL)."""
    lines = ["| providers | reviews | nightly | µs / provider | first of month | µs / provider | peak RSS "
             "| load nightly / first |", "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in figures["sizes"]:
        night, first = row["nightly"], row["first_of_month"]
        lines.append(
            f"| {row['providers']:,} | {row['reviews']:,} | {night['seconds']:.2f} s | {night['us_per_provider']:.0f} "
            f"| {first['seconds']:.2f} s | {first['us_per_provider']:.0f} "
            f"| {max(night['peak_rss_mb'], first['peak_rss_mb']):.0f} MB | {night['load']} / {first['load']} |")
    return "\n".join(lines)


def printed_block(title: str, lines: list[str]) -> str:
    """A benchmark's own printed table (directory.py), as it printed it."""
    return f"{title}\n\n```text\n" + "\n".join(lines) + "\n```"


def tables_markdown(runs: list[dict], *, measured_at: str, command: str) -> str:
    """Every table the runs have figures for, in the README's order, with when and by what they were measured."""
    parts = [f"Measured {measured_at} by `{command}`; load average (1 min) beside each figure."]
    recompute = {r["backend"]: r["figures"] for r in runs
                 if r["benchmark"] == "recompute" and r["status"] == "ok" and "figures" in r}
    if recompute:
        parts.append("**Ratings recompute** (`benchmarks/recompute.py`):\n\n" + recompute_table(recompute))
    for run in runs:
        if run["benchmark"] == "growth" and run["status"] == "ok" and "figures" in run:
            parts.append("**Growth** (`benchmarks/growth.py`, PostgreSQL):\n\n" + growth_table(run["figures"]))
    for run in runs:
        if run["benchmark"] == "directory" and run["status"] == "ok":
            parts.append(printed_block(
                f"**Directory pages** (`benchmarks/directory.py`, {BACKENDS[run['backend']]}; min / median / p95 ms):",
                run["output"]))
    skipped = [f"{r['benchmark']} on {BACKENDS[r['backend']]}: {r['status']}"
               + (f" ({r['reason']})" if "reason" in r else "") for r in runs if r["status"] != "ok"]
    if skipped:
        parts.append("Not measured in this run: " + "; ".join(skipped) + ".")
    return "\n\n".join(parts) + "\n"


def readme_replace(readme: str, tables: str) -> str:
    """README text with the block between the markers replaced by `tables`; an error names a missing marker."""
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise ValueError(f"README.md has no {START} … {END} block to write the tables into")
    return pattern.sub(lambda _m: f"{START}\n{tables}{END}", readme, count=1)

"""The README's benchmark tables as benchmarks/tables.py makes them from run_all.py's figures."""
import importlib.util
from pathlib import Path

import pytest

# Loaded by path: the benchmarks folder holds scripts, not a package, and is kept off sys.path.
_SPEC = importlib.util.spec_from_file_location(
    "bench_tables", Path(__file__).resolve().parents[2] / "benchmarks" / "tables.py")
tables = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(tables)

RECOMPUTE = {
    "providers": 10000,
    "nightly": {"engine_best_s": 2.31, "engine_load": 1.02, "floor_best_s": 1.1, "floor_load": 0.98, "ratio": 2.1},
    "first_of_month": {"engine_best_s": 7.93, "engine_load": 1.4, "floor_best_s": 2.75, "floor_load": 1.1,
                       "ratio": 2.9},
}
GROWTH = {"sizes": [{"providers": 100000, "reviews": 5000000,
                     "nightly": {"seconds": 21.456, "us_per_provider": 214.6, "peak_rss_mb": 280.2, "load": 1.3},
                     "first_of_month": {"seconds": 40.0, "us_per_provider": 400.0, "peak_rss_mb": 282.6, "load": 1.5}}]}


def test_the_recompute_table_has_one_row_per_backend_and_case():
    assert tables.recompute_table({"postgresql": RECOMPUTE}).splitlines() == [
        "| backend | providers | case | honest floor | recompute | ratio | load floor / recompute |",
        "|---|---:|---|---:|---:|---:|---|",
        "| PostgreSQL | 10,000 | nightly | 1.10 s | 2.31 s | **2.1×** | 0.98 / 1.02 |",
        "| PostgreSQL | 10,000 | first of month | 2.75 s | 7.93 s | **2.9×** | 1.1 / 1.4 |",
    ]


def test_the_growth_table_shows_time_per_provider_and_the_larger_peak():
    assert tables.growth_table(GROWTH).splitlines()[2] == (
        "| 100,000 | 5,000,000 | 21.46 s | 215 | 40.00 s | 400 | 283 MB | 1.3 / 1.5 |")


def test_the_markdown_lists_what_was_not_measured():
    runs = [{"benchmark": "recompute", "backend": "sqlite", "status": "ok", "figures": RECOMPUTE},
            {"benchmark": "load", "backend": "postgresql", "status": "skipped", "reason": "needs locust"}]
    markdown = tables.tables_markdown(runs, measured_at="2026-12-03T10:00:00+00:00",
                                      command="benchmarks/run_all.py --full")
    assert markdown.startswith("Measured 2026-12-03T10:00:00+00:00 by `benchmarks/run_all.py --full`; load average")
    assert "| SQLite | 10,000 | nightly | 1.10 s | 2.31 s | **2.1×** | 0.98 / 1.02 |" in markdown
    assert markdown.endswith("Not measured in this run: load on PostgreSQL: skipped (needs locust).\n")


def test_the_readme_block_is_replaced_and_the_rest_kept():
    readme = f"# Title\n\nbefore\n{tables.START}\nold figures\n{tables.END}\nafter\n"
    assert tables.readme_replace(readme, "new\n") == f"# Title\n\nbefore\n{tables.START}\nnew\n{tables.END}\nafter\n"


def test_a_readme_without_the_markers_is_refused_by_name():
    with pytest.raises(ValueError, match="README.md has no <!-- bench:tables --> … <!-- /bench:tables --> block"):
        tables.readme_replace("# Title\n", "new\n")

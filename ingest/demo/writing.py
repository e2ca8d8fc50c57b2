"""Bulk writing for the demo seed: database-ready rows by executemany (COPY on PostgreSQL), a larger SQLite cache."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection
from django.db.models import NOT_PROVIDED, Model
from django.utils import timezone

BATCH_SIZE = 5000


@contextmanager
def sqlite_cache(*, megabytes: int):
    """Let SQLite keep the indexes being filled in memory (its default page cache is 2 MB) for the duration."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def insert_rows(model: type[Model], fields: list[str], rows: Iterable[tuple], *, batch_size: int = 20_000) -> int:
    """Write database-ready tuples in batches (executemany; COPY on PostgreSQL); returns rows written.

    Used instead of bulk_create for the two big evidence tables: bulk_create prepares every value of every row
    through its field (~150 µs a review on a small machine) and SQLite caps it at 999 parameters a statement,
    which turns 870,000 rows into minutes. The database still checks every constraint. Columns not listed get
    their field's default, so a column added later with a default does not break the seed.
    """
    opts = model._meta
    listed = [opts.get_field(name) for name in fields]
    extra, extra_values = [], []
    for f in opts.concrete_fields:
        if f.primary_key or f in listed:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        elif f.default is not NOT_PROVIDED:
            value = f.get_default()
        elif f.null:
            value = None
        else:
            raise ValueError(f"{opts.label}.{f.name} needs a value in the demo rows")
        extra.append(f)
        extra_values.append(f.get_db_prep_save(value, connection))
    columns = [connection.ops.quote_name(f.column) for f in listed + extra]
    table = connection.ops.quote_name(opts.db_table)
    tail = tuple(extra_values)
    rows = list(rows) if not tail else [row + tail for row in rows]
    copy = connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"
    # In CSV, an unquoted empty field is NULL: text columns that can't be NULL read it as "" instead.
    not_null_text = [
        column for f, column in zip(listed + extra, columns)
        if not f.null and f.get_internal_type() in ("CharField", "TextField", "SlugField", "URLField", "EmailField")
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start:start + batch_size]
            if copy:
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerows(batch)
                buffer.seek(0)
                options = f", FORCE_NOT_NULL ({', '.join(not_null_text)})" if not_null_text else ""
                cursor.cursor.copy_expert(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{options})", buffer
                )
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", batch)
    return len(rows)

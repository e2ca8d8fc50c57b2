"""Shared machinery of the CSV importers: reading files, parsing cells into row errors, set-based upserts.

Row numbers are what a person sees in a spreadsheet: the header is line 1, so the first data row is row 2
("第2行" / "row 2"). Rows read by `read_csv` carry their line in the file; other row lists (the API's JSON)
are numbered from the importer's `first_row` (0 gives list indexes).

The file is read (`reading`), each row's cells are parsed (`cells`), then written by set-based upserts
(`writing`); `command` is the management command base. The public names are re-exported here.
"""
from .cells import MAX_INT, Cells, cell, parse_rows  # noqa: F401
from .command import ImportCommand  # noqa: F401
from .reading import CsvRows, CsvStream, ImportFailed, RowError, number_rows, read_csv  # noqa: F401
from .writing import (  # noqa: F401
    BATCH_SIZE,
    CREATED,
    MAX_PARAMS_PER_QUERY,
    UNCHANGED,
    UPDATED,
    ImportResult,
    Upsert,
    chunks,
    code_map,
    fetch_by_keys,
    upsert_rows,
)

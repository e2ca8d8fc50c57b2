"""CSV for spreadsheets: cells neutralised against formula injection, UTF-8 with a BOM so Excel reads it."""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading quote before a formula trigger (OWASP), numbers untouched.

    A value that already starts with a quote before a trigger (or a second quote) gets one more, so that
    `csv_import.cell`, which drops exactly one such quote, reads back the stored value: exports re-import unchanged.
    """
    if not value or _NUMBER.fullmatch(value):
        return value
    if value.startswith(FORMULA_TRIGGERS) or (value[0] == "'" and value[1:2] in (*FORMULA_TRIGGERS, "'")):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """Rows as CSV text lines, led by a BOM so Excel opens the UTF-8 file correctly (read_csv skips it).

    Every cell passes through `csv_safe`, so no export can carry a live formula into a spreadsheet.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_safe(value) for value in row])

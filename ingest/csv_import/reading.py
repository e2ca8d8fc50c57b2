"""Reading a CSV file into numbered rows of the right shape, and the row errors that reject an import."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    """One problem in one row: its number (header = 1, first data row = 2), the column, a message, a stable code."""

    row: int
    column: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        if self.column:
            return _("第%(row)d行，%(column)s列：%(message)s") % vars(self)
        return _("第%(row)d行：%(message)s") % vars(self)


class ImportFailed(Exception):
    """The input had errors and nothing was written; `errors` holds every one of them, ordered by row."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = sorted(errors, key=lambda error: error.row)
        super().__init__(_("导入失败：共 %(count)d 处错误，未写入任何数据。") % {"count": len(self.errors)})



class CsvRows(list):
    """A CSV file's data rows as dicts (column → cell), with the header and each row's line in the file.

    Cells beyond the header are kept under the key None, as csv.DictReader does; a short row lacks the keys.
    """

    def __init__(self, rows: list[dict], *, columns: list[str], lines: list[int]):
        super().__init__(rows)
        self.columns = columns
        self.lines = lines

    def numbered(self) -> Iterator[tuple[int, dict]]:
        return zip(self.lines, self)


class CsvStream:
    """A CSV file's data rows read one at a time from a file object: only the current line is held in memory.

    Same rows and numbering as `read_csv` (which collects them); the header is read when the stream is made.
    A stream is read once. Bad UTF-8 or a malformed quote raises ImportFailed when the reading reaches it.
    """

    def __init__(self, file: IO):
        self._reader = csv.reader(_text_lines(file))
        self._end = 0
        self.columns: list[str] = []
        for _start, cells in self._records():
            # Excel keeps trailing empty header cells when a sheet once had more columns.
            self.columns = [cell.strip() for cell in cells]
            while self.columns and not self.columns[-1]:
                self.columns.pop()
            break

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        try:
            for cells in reader:
                # A quoted cell may span lines: a row is numbered by the line it starts on.
                start, self._end = self._end + 1, reader.line_num
                if any(cell.strip() for cell in cells):
                    yield start, cells
        except csv.Error as exc:
            raise ImportFailed([RowError(reader.line_num, "", _("CSV 格式错误：%(error)s") % {"error": exc},
                                         "malformed_csv")]) from None

    def numbered(self) -> Iterator[tuple[int, dict]]:
        """(line, row) for each data row, in file order."""
        columns = self.columns
        for start, cells in self._records():
            row: dict[Any, Any] = dict(zip(columns, cells))
            extra = [cell for cell in cells[len(columns):] if cell.strip()]
            if extra:
                row[None] = extra
            yield start, row

    def __iter__(self) -> Iterator[dict]:
        return (row for _line, row in self.numbered())


def read_csv(file: bytes | str | IO) -> CsvRows:
    """Read a UTF-8 CSV file (a leading BOM, as Excel writes, is fine), skipping lines whose cells are all empty.

    Collects every row; the admin's jobs read their stored file with `CsvStream` instead, one row at a time.
    """
    if isinstance(file, str):
        file = io.StringIO(file, newline="")
    elif isinstance(file, (bytes, bytearray, memoryview)):
        file = io.BytesIO(file)
    stream = CsvStream(file)
    lines, rows = [], []
    for line, row in stream.numbered():
        lines.append(line)
        rows.append(row)
    return CsvRows(rows, columns=stream.columns, lines=lines)


# A lone CR ends a line too (old Mac files), as in a text file opened with newline="".
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def _text_lines(file: IO) -> Iterator[str]:
    """The file's lines as text with their endings, decoded one line at a time.

    Decoding by line (not by the file's 8 KB buffers) names the exact line of the first byte that is not UTF-8;
    a split at b"\n" never cuts a UTF-8 character in two.
    """
    for number, line in enumerate(file, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                message = _("不是有效的 UTF-8 文本，请将文件另存为“CSV UTF-8”后重试")
                raise ImportFailed([RowError(number, "", message, "encoding")]) from None
        elif number == 1:
            line = line.removeprefix("\ufeff")
        if "\r" in line[:-1]:
            yield from (part for part in _LONE_CR.split(line) if part)
        else:
            yield line


def number_rows(
    rows: Iterable[Mapping[str, Any]], *, columns: Sequence[str], first_row: int, errors: list[RowError]
) -> list[tuple[int, Mapping[str, Any]]]:
    """Number the rows and check they have exactly `columns`; rows of the wrong shape are reported and dropped.

    A file whose header is wrong fails at once, on row 1: none of its cells can be trusted.
    """
    header = getattr(rows, "columns", None)
    if header is not None:
        repeated = sorted({column for column in header if header.count(column) > 1})
        header_errors = _shape_errors(1, header, columns) + _columns_error(1, repeated, _("重复的列"), "duplicate_columns")
        if header_errors:
            raise ImportFailed(header_errors)
    # Rows read from a file know their line in it (CsvRows, CsvStream); other rows are numbered from first_row.
    source = rows.numbered() if hasattr(rows, "numbered") else enumerate(rows, start=first_row)
    numbered = []
    for number, row in source:
        present = [key for key in row if key is not None]
        row_errors = _shape_errors(number, present, columns, missing_code="missing_cells")
        if None in row:
            row_errors.append(RowError(number, "", _("单元格多于表头的列数"), "extra_cells"))
        # PostgreSQL text cannot hold NUL: refuse it here rather than fail in a lookup or the write (found by fuzzing).
        nul = [str(key) for key, value in row.items() if key is not None and "\x00" in str(value)]
        if nul:
            row_errors.append(RowError(number, ", ".join(nul), _("包含不允许的空字符（NUL）"), "nul_character"))
        errors.extend(row_errors)
        if not row_errors:
            numbered.append((number, row))
    return numbered


def _shape_errors(number: int, present: Sequence[str], columns: Sequence[str], *, missing_code="missing_columns"):
    missing = [column for column in columns if column not in present]
    unknown = [str(column) for column in present if column not in columns]
    return (_columns_error(number, missing, _("缺少列"), missing_code)
            + _columns_error(number, unknown, _("未知的列"), "unknown_columns"))


def _columns_error(number: int, names: Sequence[str], label: str, code: str) -> list[RowError]:
    """At most one error naming every column concerned, so a wrong header reads as one line."""
    return [RowError(number, ", ".join(names), f"{label}：{', '.join(names)}", code)] if names else []

"""Shared machinery of the CSV importers: reading files, parsing cells into row errors, set-based upserts.

Row numbers are what a person sees in a spreadsheet: the header is line 1, so the first data row is row 2
("第2行" / "row 2"). Rows read by `read_csv` carry their line in the file; other row lists (the API's JSON)
are numbered from the importer's `first_row` (0 gives list indexes).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

# SQLite allows 999 parameters per statement; stay under it with room for the query's own parameters.
MAX_PARAMS_PER_QUERY = 900
BATCH_SIZE = 500
MAX_INT = 2**31 - 1  # PostgreSQL `integer`, the column type of every PositiveIntegerField here

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

# Plain digits only: Decimal() alone would also take "NaN", "1e3" and "1_000".
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


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


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), counted in input rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Existing or newly written providers whose data changed; in a dry run, new rows have no id yet.
    affected_provider_ids: set[int] = field(default_factory=set)

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


class CsvRows(list):
    """A CSV file's data rows as dicts (column → cell), with the header and each row's line in the file.

    Cells beyond the header are kept under the key None, as csv.DictReader does; a short row lacks the keys.
    """

    def __init__(self, rows: list[dict], *, columns: list[str], lines: list[int]):
        super().__init__(rows)
        self.columns = columns
        self.lines = lines


def read_csv(file: bytes | str | IO) -> CsvRows:
    """Read a UTF-8 CSV file (a leading BOM, as Excel writes, is fine), skipping lines whose cells are all empty."""
    data = file if isinstance(file, (bytes, str)) else file.read()
    text = data if isinstance(data, str) else _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: list[str] | None = None
    rows, lines = [], []
    end = 0
    try:
        for cells in reader:
            # A quoted cell may span lines: a row is numbered by the line it starts on.
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = [cell.strip() for cell in cells]
                # Excel keeps trailing empty header cells when a sheet once had more columns.
                while columns and not columns[-1]:
                    columns.pop()
                continue
            row: dict[Any, Any] = dict(zip(columns, cells))
            extra = [cell for cell in cells[len(columns):] if cell.strip()]
            if extra:
                row[None] = extra
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        raise ImportFailed([RowError(reader.line_num, "", _("CSV 格式错误：%(error)s") % {"error": exc}, "malformed_csv")])
    return CsvRows(rows, columns=columns or [], lines=lines)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = _("不是有效的 UTF-8 文本，请将文件另存为“CSV UTF-8”后重试")
        raise ImportFailed([RowError(line, "", message, "encoding")]) from None


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
    lines = getattr(rows, "lines", None)
    numbered = []
    for index, row in enumerate(rows):
        number = lines[index] if lines is not None else first_row + index
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


# Exports quote cells that a spreadsheet would run as formulas (ratings.exports.csv_safe); one such quote is dropped.
_FORMULA_QUOTED = ("'=", "'+", "'-", "'@", "'\t", "'\r", "''")


def cell(row: Mapping[str, Any], column: str) -> str:
    """A cell's text without surrounding spaces; JSON numbers become their text; an export's formula quote dropped."""
    value = row.get(column)
    text = "" if value is None else str(value).strip()
    return text[1:] if text.startswith(_FORMULA_QUOTED) else text


class Cells:
    """One row's cells; each parser returns the value, or None after recording a RowError for that column."""

    def __init__(self, row: Mapping[str, Any], *, number: int, errors: list[RowError]):
        self.row, self.number, self.errors = row, number, errors
        self.failed = False

    def error(self, column: str, message: str, code: str) -> None:
        self.errors.append(RowError(self.number, column, message, code))
        self.failed = True

    def _present(self, column: str, required: bool) -> str | None:
        value = cell(self.row, column)
        if not value and required:
            self.error(column, _("不能为空"), "required")
        return value or None

    def text(self, column: str, *, field: models.Field, required: bool | None = None) -> str | None:
        """Text checked by the model field's validators (length, slug, URL); "" when optional and empty."""
        required = not field.blank if required is None else required
        value = self._present(column, required)
        if value is None:
            return None if required else ""
        try:
            field.run_validators(value)
        except ValidationError as exc:
            self.error(column, " ".join(exc.messages), exc.error_list[0].code or "invalid")
            return None
        return value

    def integer(
        self, column: str, *, min_value: int = 0, max_value: int = MAX_INT, required: bool = True
    ) -> int | None:
        value = self._present(column, required)
        if value is None:
            return None
        if not _INTEGER.fullmatch(value):
            self.error(column, _("“%(value)s”不是整数") % {"value": value}, "invalid_integer")
            return None
        digits = value.lstrip("+-").lstrip("0") or "0"
        if len(digits) > 20:  # int() refuses strings of > 4300 digits; no column holds 20
            self.error(column, _("数值过大：%(value)s") % {"value": value[:30] + "…"}, "out_of_range")
            return None
        number = -int(digits) if value.startswith("-") else int(digits)
        return self._in_range(column, number, min_value, max_value)

    def decimal(
        self, column: str, *, field: models.DecimalField, min_value: Decimal | int | None = None,
        max_value: Decimal | int | None = None, required: bool = True,
    ) -> Decimal | None:
        """A decimal with at most the field's decimal places (trailing zeros beyond them lose nothing, so pass)."""
        value = self._present(column, required)
        if value is None:
            return None
        if not _DECIMAL.fullmatch(value):
            self.error(column, _("“%(value)s”不是有效的数字") % {"value": value}, "invalid_decimal")
            return None
        number = Decimal(value)
        if self._in_range(column, number, min_value, max_value) is None:
            return None
        if number.adjusted() >= field.max_digits - field.decimal_places:
            self.error(column, _("数值过大：%(value)s") % {"value": value}, "out_of_range")
            return None
        step = Decimal(1).scaleb(-field.decimal_places)
        if number != number.quantize(step):
            self.error(column, _("最多 %(places)d 位小数：%(value)s") % {
                "places": field.decimal_places, "value": value}, "too_many_decimals")
            return None
        return number.quantize(step)

    def _in_range(self, column: str, value, min_value, max_value):
        if (min_value is not None and value < min_value) or (max_value is not None and value > max_value):
            bounds = f"{min_value}–{max_value}" if max_value is not None else f"≥ {min_value}"
            self.error(column, _("超出范围（%(bounds)s）：%(value)s") % {"bounds": bounds, "value": value},
                       "out_of_range")
            return None
        return value

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        """A date written YYYY-MM-DD."""
        value = self._present(column, required)
        if value is None:
            return None
        try:
            if _DATE.fullmatch(value):
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        self.error(column, _("日期须为 YYYY-MM-DD 格式：%(value)s") % {"value": value}, "invalid_date")
        return None

    def month(self, column: str) -> dt.date | None:
        """A month written YYYY-MM, as the date of its first day."""
        value = self._present(column, True)
        if value is None:
            return None
        match = _MONTH.fullmatch(value)
        if match and 1 <= int(match[2]) <= 12:
            return dt.date(int(match[1]), int(match[2]), 1)
        self.error(column, _("月份须为 YYYY-MM 格式：%(value)s") % {"value": value}, "invalid_month")
        return None

    def choice(self, column: str, *, choices: type[models.TextChoices]) -> str | None:
        value = self._present(column, True)
        if value is None:
            return None
        if value not in choices.values:
            self.error(column, _("“%(value)s”不是可选值（%(choices)s）") % {
                "value": value, "choices": "|".join(choices.values)}, "invalid_choice")
            return None
        return value

    def code(
        self, column: str, *, known: Mapping[str, Any], required: bool = True, code: str = "unknown_code",
        message: str | None = None,
    ) -> Any:
        """The object (or id) a reference code names; an unknown code is an error naming the code and the column."""
        value = self._present(column, required)
        if value is None:
            return None
        if value not in known:
            self.error(column, (message or _("%(column)s 列中的代码 %(code)s 不存在")) % {
                "column": column, "code": value}, code)
            return None
        return known[value]

    def codes(self, column: str, *, known: Mapping[str, Any]) -> set | None:
        """The ids that a `|`-separated list of reference codes names; empty cell → empty set."""
        values = [part.strip() for part in cell(self.row, column).split("|") if part.strip()]
        unknown = [value for value in values if value not in known]
        for value in unknown:
            self.error(column, _("%(column)s 列中的代码 %(code)s 不存在") % {"column": column, "code": value},
                       "unknown_code")
        return None if unknown else {known[value] for value in values}


def parse_rows(
    numbered: Iterable[tuple[int, Mapping[str, Any]]], *, parse: Callable[[Cells], tuple[tuple, Any]],
    key_columns: Sequence[str], errors: list[RowError],
) -> list[tuple[int, tuple, Any]]:
    """Parse every row with `parse(cells) -> (key, payload)`; return the good rows as (row, key, payload).

    A key already used by an earlier row is an error naming both rows, even when either row has other errors.
    """
    parsed, first = [], {}
    for number, row in numbered:
        cells = Cells(row, number=number, errors=errors)
        key, payload = parse(cells)
        if None not in key and "" not in key:
            if key in first:
                cells.error(", ".join(key_columns), _("与第%(first)d行重复：%(key)s") % {
                    "first": first[key], "key": " ".join(cell(row, column) for column in key_columns)}, "duplicate")
            first.setdefault(key, number)
        if not cells.failed:
            parsed.append((number, key, payload))
    return parsed


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def fetch_by_keys(queryset: models.QuerySet, *, fields: Sequence[str], keys: Iterable[tuple]) -> dict[tuple, Any]:
    """Existing rows by their key `fields`, in as few queries as SQLite's parameter limit allows."""
    keys = list(dict.fromkeys(keys))
    found = {}
    for chunk in chunks(keys, MAX_PARAMS_PER_QUERY // len(fields)):
        if len(fields) == 1:
            condition = Q(**{f"{fields[0]}__in": [key[0] for key in chunk]})
        else:
            condition = Q(*(Q(**dict(zip(fields, key))) for key in chunk), _connector=Q.OR)
        for obj in queryset.filter(condition):
            found[tuple(getattr(obj, name) for name in fields)] = obj
    return found


def code_map(model: type[models.Model]) -> dict[str, int]:
    """Reference code → id for one reference table (platforms, categories, services)."""
    return dict(model.objects.values_list("code", "pk"))


class Upsert:
    """The inserts and in-place updates of one model, staged per key and then written in batches."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.create: list[models.Model] = []
        self.update: dict[int, models.Model] = {}
        self.fields: set[str] = set()

    def stage(self, existing: models.Model | None, *, key: Mapping[str, Any], values: Mapping[str, Any]):
        """Stage one row; returns (instance, CREATED | UPDATED | UNCHANGED). `values` use attnames (store_id)."""
        if existing is None:
            obj = self.model(**key, **values)
            self.create.append(obj)
            return obj, CREATED
        changed = [name for name, value in values.items() if getattr(existing, name) != value]
        for name in changed:
            setattr(existing, name, values[name])
        if not changed:
            return existing, UNCHANGED
        self.fields.update(changed)
        self.update[existing.pk] = existing
        return existing, UPDATED

    def touch(self, obj: models.Model) -> None:
        """Mark an existing row as updated when only its relations changed, so its updated_at moves."""
        self.update[obj.pk] = obj

    def save(self) -> None:
        self.model.objects.bulk_create(self.create, batch_size=BATCH_SIZE)
        if not self.update:
            return
        fields = set(self.fields)
        # bulk_update skips pre_save, so auto_now columns are set here.
        now = timezone.now()
        for auto in [f for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)]:
            for obj in self.update.values():
                setattr(obj, auto.attname, now)
            fields.add(auto.attname)
        if fields:
            self.model.objects.bulk_update(list(self.update.values()), sorted(fields), batch_size=BATCH_SIZE)


def upsert_rows(
    model: type[models.Model], *, key_fields: Sequence[str], rows: Sequence[tuple[tuple, dict]], dry_run: bool
) -> tuple[ImportResult, list[tuple]]:
    """Upsert plain rows (key values in `key_fields` order, other values) of one model; returns the changed keys."""
    existing = fetch_by_keys(model.objects.all(), fields=key_fields, keys=[key for key, _values in rows])
    upsert, result, changed = Upsert(model), ImportResult(), []
    for key, values in rows:
        _obj, status = upsert.stage(existing.get(key), key=dict(zip(key_fields, key)), values=values)
        result.count(status)
        if status != UNCHANGED:
            changed.append(key)
    if not dry_run:
        upsert.save()
    return result, changed


class ImportCommand(BaseCommand):
    """Feeds one CSV file to one importer; subclasses set `help` and `importer = staticmethod(import_x)`."""

    importer: Callable[..., ImportResult]

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("CSV 文件路径（UTF-8，首行为表头）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只校验并统计，不写入数据库"))

    def handle(self, *args, file: str, dry_run: bool, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(_("无法读取文件 %(path)s：%(error)s") % {"path": file, "error": exc.strerror})
        try:
            result = self.importer(rows=read_csv(data), dry_run=dry_run)
        except ImportFailed as exc:
            for error in exc.errors:
                where = f"row {error.row}, column {error.column}" if error.column else f"row {error.row}"
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(_("发现 %(count)d 处错误，未写入任何数据。") % {"count": len(exc.errors)})
        self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
        if dry_run:
            self.stdout.write(_("试运行：未写入任何数据。"))

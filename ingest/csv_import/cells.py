"""Parsing each row's cells into typed values, one RowError per bad cell, and rejecting repeated keys."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .reading import RowError

MAX_INT = 2**31 - 1  # PostgreSQL `integer`, the column type of every PositiveIntegerField here

# Plain digits only: Decimal() alone would also take "NaN", "1e3" and "1_000".
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")

# Exports quote cells that a spreadsheet would run as formulas (common.csv_writing.csv_safe); one such quote is dropped.
_FORMULA_QUOTED = ("'=", "'+", "'-", "'@", "'\t", "'\r", "''")


def _month_text(month: dt.date) -> str:
    """YYYY-MM; strftime("%Y") does not pad years below 1000 on every platform."""
    return f"{month.year:04d}-{month.month:02d}"


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

    def month(self, column: str, *, earliest: dt.date, latest: dt.date) -> dt.date | None:
        """A month written YYYY-MM, as the date of its first day, from `earliest` to `latest` (months, inclusive)."""
        value = self._present(column, True)
        if value is None:
            return None
        match = _MONTH.fullmatch(value)
        # Year 0000 matches the pattern but is no date (dt.date raises): an invalid month like 2025-13.
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < dt.MINYEAR:
            self.error(column, _("月份须为 YYYY-MM 格式：%(value)s") % {"value": value}, "invalid_month")
            return None
        month = dt.date(int(match[1]), int(match[2]), 1)
        if not earliest <= month <= latest:
            self.error(column, _("月份须在 %(earliest)s 至 %(latest)s 之间：%(value)s") % {
                "earliest": _month_text(earliest), "latest": _month_text(latest), "value": value}, "out_of_range")
            return None
        return month

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

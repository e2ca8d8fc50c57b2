"""The conduct policy's arithmetic, on plain values: no ORM, no I/O.

points(D) and the sanction in force on D are computed from the provider's violations and reinstatements every
time, never accumulated, so the export, the daily job and every decision agree to the day. Days are calendar days
in Asia/Shanghai (the callers pass local dates); a year is a calendar year and points reset on 1 January.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# Sanction codes, most severe first (stable: the export, the API and providers.models.Provider.Sanction use them).
CLEARED, DELISTED, FROZEN, HIDDEN, WARNING, NONE = "cleared", "delisted", "frozen", "hidden", "warning", "none"
SEVERITY = (CLEARED, DELISTED, FROZEN, HIDDEN, WARNING, NONE)
# Sanctions that take a provider off the directory lists, search, home page, API lists and suggestions.
UNLISTED = frozenset({CLEARED, DELISTED, FROZEN, HIDDEN})
# Sanctions under which no new inquiry may reach the provider.
NO_NEW_INQUIRIES = frozenset({CLEARED, DELISTED, FROZEN})


@dataclass(frozen=True)
class Thresholds:
    """A plain copy of a ConductPolicy row's ladder: points that trigger each sanction, and the hidden window."""

    warning: int = 12
    hidden: int = 24
    frozen: int = 48
    delisted: int = 72
    cleared: int = 120
    hidden_days: int = 30
    # Points are shown capped here (the sanction is decided on the true sum, which can only be higher).
    cap: int = 120


@dataclass(frozen=True)
class Violation:
    """An upheld violation as the ledger sees it: the day it was decided and its points. Withdrawn ones are left out
    by the caller (`counted`), as if never recorded."""

    decided_on: dt.date
    points: int


@dataclass(frozen=True)
class Standing:
    """Where a provider stands on a day."""

    on: dt.date
    points: int  # capped at Thresholds.cap
    sanction: str


def counted(rows: Iterable[tuple[dt.date, int, bool]]) -> list[Violation]:
    """(decided_on, points, upheld) rows → the violations the ledger counts (withdrawn ones count nowhere)."""
    return [Violation(decided_on, points) for decided_on, points, upheld in rows if upheld]


def year_points(violations: Iterable[Violation], *, on: dt.date) -> int:
    """points(D): the points of violations decided in D's calendar year on or before D (uncapped)."""
    return sum(v.points for v in violations if v.decided_on.year == on.year and v.decided_on <= on)


def reached_on(violations: Iterable[Violation], *, year: int, threshold: int) -> dt.date | None:
    """The first day of `year` on which that year's points reached `threshold`, or None."""
    total = 0
    # Same-day violations count together: the day is reached once their sum crosses.
    for v in sorted((v for v in violations if v.decided_on.year == year), key=lambda v: v.decided_on):
        total += v.points
        if total >= threshold:
            return v.decided_on
    return None


def _years(violations: list[Violation], *, up_to: dt.date) -> list[int]:
    return sorted({v.decided_on.year for v in violations if v.decided_on <= up_to})


def delisting_years(violations: Iterable[Violation], *, on: dt.date, thresholds: Thresholds) -> list[int]:
    """The years up to D in which the year's points reached the delisting threshold on or before D."""
    violations = list(violations)
    return [
        year for year in _years(violations, up_to=on)
        if (day := reached_on(violations, year=year, threshold=thresholds.delisted)) is not None and day <= on
    ]


def is_cleared(violations: Iterable[Violation], *, on: dt.date, thresholds: Thresholds) -> bool:
    violations = list(violations)
    return any(
        (day := reached_on(violations, year=year, threshold=thresholds.cleared)) is not None and day <= on
        for year in _years(violations, up_to=on)
    )


def _lifted(year: int, reinstatements: Iterable[dt.date], *, on: dt.date) -> bool:
    """A delisting reached in `year` is lifted by a reinstatement on or after 1 January of the next year, by D."""
    return any(dt.date(year + 1, 1, 1) <= day <= on for day in reinstatements)


def hidden_window(
    violations: Iterable[Violation], *, year: int, thresholds: Thresholds
) -> tuple[dt.date, dt.date] | None:
    """The days X … X+29 (never past 31 December) after the year's points reached the hidden threshold on X."""
    start = reached_on(violations, year=year, threshold=thresholds.hidden)
    if start is None:
        return None
    return start, min(start + dt.timedelta(days=thresholds.hidden_days - 1), dt.date(year, 12, 31))


def sanction(
    violations: Iterable[Violation], reinstatements: Iterable[dt.date] = (), *, on: dt.date,
    thresholds: Thresholds = Thresholds(),
) -> str:
    """The most severe sanction in force on D."""
    violations = [v for v in violations if v.decided_on <= on]
    reinstatements = [day for day in reinstatements if day <= on]
    if is_cleared(violations, on=on, thresholds=thresholds):
        return CLEARED
    if any(not _lifted(year, reinstatements, on=on)
           for year in delisting_years(violations, on=on, thresholds=thresholds)):
        return DELISTED
    points = year_points(violations, on=on)
    if points >= thresholds.frozen:
        return FROZEN
    window = hidden_window(violations, year=on.year, thresholds=thresholds)
    if window is not None and window[0] <= on <= window[1]:
        return HIDDEN
    if points >= thresholds.warning:
        return WARNING
    return NONE


def standing(
    violations: Iterable[Violation], reinstatements: Iterable[dt.date] = (), *, on: dt.date,
    thresholds: Thresholds = Thresholds(),
) -> Standing:
    violations = list(violations)
    points = min(year_points(violations, on=on), thresholds.cap)
    return Standing(on=on, points=points, sanction=sanction(violations, reinstatements, on=on, thresholds=thresholds))


class ReinstatementRefused(ValueError):
    """Why a reinstatement may not be recorded on a day; `code` is stable."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def reinstatement_check(
    violations: Iterable[Violation], reinstatements: Iterable[dt.date] = (), *, on: dt.date,
    thresholds: Thresholds = Thresholds(),
) -> None:
    """Raise ReinstatementRefused unless a reinstatement on D would lift a delisting in force.

    Cleared is permanent; a delisting reached in year Y is lifted no earlier than 1 January of Y+1.
    """
    violations = list(violations)
    current = sanction(violations, reinstatements, on=on, thresholds=thresholds)
    if current == CLEARED:
        raise ReinstatementRefused("cleared providers are never reinstated", "cleared")
    if current != DELISTED:
        raise ReinstatementRefused("the provider is not delisted", "not_delisted")
    pending = [year for year in delisting_years(violations, on=on, thresholds=thresholds)
               if not _lifted(year, reinstatements, on=on)]
    if any(year >= on.year for year in pending):
        raise ReinstatementRefused(f"no reinstatement before 1 January {on.year + 1}", "too_early")

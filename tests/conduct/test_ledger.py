"""The conduct ledger on plain values: every threshold at its exact value, the windows, the year and reinstatement."""
import datetime as dt

import pytest

from conduct import ledger
from conduct.ledger import (
    CLEARED, DELISTED, FROZEN, HIDDEN, NONE, WARNING, ReinstatementRefused, Violation, counted, reinstatement_check,
    sanction, standing, year_points,
)

D = dt.date


def v(day: str, points: int) -> Violation:
    return Violation(D.fromisoformat(day), points)


@pytest.mark.parametrize(
    ("violations", "on", "points", "expected"),
    [
        ([], D(2025, 6, 1), 0, NONE),
        ([v("2025-03-01", 11)], D(2025, 3, 1), 11, NONE),
        # warning at exactly 12, on the decision day, not the day before
        ([v("2025-03-01", 12)], D(2025, 2, 28), 0, NONE),
        ([v("2025-03-01", 12)], D(2025, 3, 1), 12, WARNING),
        ([v("2025-03-01", 23)], D(2025, 3, 1), 23, WARNING),
        # hidden at exactly 24: days X … X+29, then warning on day X+30
        ([v("2025-03-01", 24)], D(2025, 3, 1), 24, HIDDEN),
        ([v("2025-03-01", 24)], D(2025, 3, 30), 24, HIDDEN),
        ([v("2025-03-01", 24)], D(2025, 3, 31), 24, WARNING),
        # the window starts when the sum reached 24, not at the first violation
        ([v("2025-03-01", 12), v("2025-04-10", 12)], D(2025, 4, 9), 12, WARNING),
        ([v("2025-03-01", 12), v("2025-04-10", 12)], D(2025, 5, 9), 24, HIDDEN),
        ([v("2025-03-01", 12), v("2025-04-10", 12)], D(2025, 5, 10), 24, WARNING),
        # a later violation does not restart the window
        ([v("2025-03-01", 24), v("2025-03-20", 12)], D(2025, 3, 31), 36, WARNING),
        # frozen at exactly 47 / 48, until 31 December
        ([v("2025-03-01", 47)], D(2025, 3, 1), 47, HIDDEN),
        ([v("2025-03-01", 48)], D(2025, 3, 1), 48, FROZEN),
        ([v("2025-03-01", 48)], D(2025, 12, 31), 48, FROZEN),
        ([v("2025-03-01", 48)], D(2026, 1, 1), 0, NONE),
        # delisted at exactly 71 / 72, and it outlives the year
        ([v("2025-03-01", 71)], D(2025, 3, 1), 71, FROZEN),
        ([v("2025-03-01", 72)], D(2025, 3, 1), 72, DELISTED),
        ([v("2025-03-01", 72)], D(2026, 1, 1), 0, DELISTED),
        ([v("2025-03-01", 72)], D(2030, 6, 1), 0, DELISTED),
        # cleared at exactly 119 / 120, permanent; points shown capped at 120
        ([v("2025-03-01", 119)], D(2025, 3, 1), 119, DELISTED),
        ([v("2025-03-01", 120)], D(2025, 3, 1), 120, CLEARED),
        ([v("2025-03-01", 120), v("2025-03-02", 48)], D(2025, 3, 2), 120, CLEARED),
        ([v("2025-03-01", 120)], D(2040, 1, 1), 0, CLEARED),
        # same-day violations count together
        ([v("2025-03-01", 12), v("2025-03-01", 12)], D(2025, 3, 1), 24, HIDDEN),
        ([v("2025-03-01", 24), v("2025-03-01", 24)], D(2025, 3, 1), 48, FROZEN),
        ([v("2025-03-01", 48), v("2025-03-01", 24)], D(2025, 3, 1), 72, DELISTED),
        # the year boundary: the hidden window never runs past 31 December; points reset on 1 January
        ([v("2025-12-20", 24)], D(2025, 12, 31), 24, HIDDEN),
        ([v("2025-12-20", 24)], D(2026, 1, 1), 0, NONE),
        ([v("2025-12-31", 24)], D(2025, 12, 31), 24, HIDDEN),
        ([v("2025-12-31", 24)], D(2026, 1, 1), 0, NONE),
        ([v("2025-12-31", 12), v("2026-01-01", 12)], D(2026, 1, 1), 12, WARNING),
        # points of different years never add up to a threshold
        ([v("2025-12-31", 60), v("2026-01-01", 60)], D(2026, 1, 1), 60, FROZEN),
        # a future decision counts from its day only
        ([v("2025-06-01", 120)], D(2025, 5, 31), 0, NONE),
    ],
)
def test_points_and_sanction_on_a_day(violations, on, points, expected):
    assert standing(violations, on=on) == ledger.Standing(on=on, points=points, sanction=expected)


def test_withdrawn_violations_count_nowhere():
    rows = [(D(2025, 3, 1), 12, True), (D(2025, 3, 1), 24, False), (D(2025, 3, 2), 120, False)]
    violations = counted(rows)
    assert violations == [v("2025-03-01", 12)]
    assert year_points(violations, on=D(2025, 3, 2)) == 12
    assert sanction(violations, on=D(2025, 3, 2)) == WARNING


def test_reinstatement_lifts_a_delisting_only_from_1_january_after_its_year():
    violations = [v("2025-03-01", 72)]
    with pytest.raises(ReinstatementRefused) as refused:
        reinstatement_check(violations, on=D(2025, 12, 31))
    assert refused.value.code == "too_early"
    reinstatement_check(violations, on=D(2026, 1, 1))  # allowed
    assert sanction(violations, [D(2026, 1, 1)], on=D(2025, 12, 31)) == DELISTED
    assert sanction(violations, [D(2026, 1, 1)], on=D(2026, 1, 1)) == NONE
    # a reinstatement dated in the delisting's own year lifts nothing
    assert sanction(violations, [D(2025, 12, 31)], on=D(2026, 6, 1)) == DELISTED


def test_a_reinstated_provider_delisted_again_needs_a_new_reinstatement():
    violations = [v("2025-03-01", 72), v("2026-05-01", 72)]
    assert sanction(violations, [D(2026, 1, 2)], on=D(2026, 4, 30)) == NONE
    assert sanction(violations, [D(2026, 1, 2)], on=D(2026, 5, 1)) == DELISTED
    with pytest.raises(ReinstatementRefused):
        reinstatement_check(violations, [D(2026, 1, 2)], on=D(2026, 12, 31))
    assert sanction(violations, [D(2026, 1, 2), D(2027, 1, 4)], on=D(2027, 1, 4)) == NONE


def test_cleared_is_never_reinstated():
    violations = [v("2025-03-01", 120)]
    for day in (D(2025, 3, 2), D(2026, 1, 1), D(2035, 1, 1)):
        with pytest.raises(ReinstatementRefused) as refused:
            reinstatement_check(violations, on=day)
        assert refused.value.code == "cleared"
    assert sanction(violations, [D(2026, 1, 1)], on=D(2026, 1, 1)) == CLEARED


def test_only_a_delisted_provider_can_be_reinstated():
    with pytest.raises(ReinstatementRefused) as refused:
        reinstatement_check([v("2025-03-01", 48)], on=D(2025, 3, 2))
    assert refused.value.code == "not_delisted"


def test_thresholds_come_from_the_policy():
    strict = ledger.Thresholds(warning=6, hidden=12, frozen=18, delisted=24, cleared=30, hidden_days=10, cap=30)
    assert sanction([v("2025-03-01", 12)], on=D(2025, 3, 10), thresholds=strict) == HIDDEN
    assert sanction([v("2025-03-01", 12)], on=D(2025, 3, 11), thresholds=strict) == WARNING
    assert standing([v("2025-03-01", 40)], on=D(2025, 3, 1), thresholds=strict).points == 30

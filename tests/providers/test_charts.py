"""providers.charts: the trend chart's geometry (no database)."""
import datetime as dt
from decimal import Decimal

from providers.charts import COMPACT, WIDE, TrendPoint, trend_chart, trend_months


def point(month: int, composite: str | None, tier: int | None = 4, *, year: int = 2025, reason: str = "") -> TrendPoint:
    return TrendPoint(period=dt.date(year, month, 1), composite=Decimal(composite) if composite else None,
                      tier=tier if composite else None, reason=reason or ("" if composite else "no_performance"))


def test_a_month_without_a_snapshot_is_filled_in_as_not_computed():
    months = trend_months([point(1, "4.10"), point(2, "4.20"), point(4, "4.40")])

    assert [(p.period.month, p.composite, p.reason) for p in months] == [
        (1, Decimal("4.10"), ""), (2, Decimal("4.20"), ""), (3, None, "not_computed"), (4, Decimal("4.40"), ""),
    ]


def test_trend_months_keeps_the_last_twelve_calendar_months():
    points = [point(month, "4.00", year=2024) for month in range(1, 13)] + [point(2, "4.50")]

    months = trend_months(points)

    assert len(months) == 12
    assert months[0].period == dt.date(2024, 3, 1) and months[-1].period == dt.date(2025, 2, 1)
    assert months[-2].reason == "not_computed"  # 2025-01 had no snapshot


def test_an_unrated_month_is_a_gap_band_that_breaks_the_line():
    chart = trend_chart([point(1, "4.10"), point(2, "4.20"), point(3, None), point(4, "4.60"), point(5, "4.70")])

    # Five slots of 107.2 units from x=40; the y axis runs 3.0 (y=220) to 5.0 (y=34).
    assert chart["segments"] == ["93.6,117.7 200.8,108.4", "415.2,71.2 522.4,61.9"]
    assert chart["gaps"] == [{"x": 254.4, "width": 107.2, "center": 308.0, "period": dt.date(2025, 3, 1),
                              "reason": "no_performance"}]
    assert [dot["x"] for dot in chart["dots"]] == [93.6, 200.8, 415.2, 522.4]


def test_gate_labels_sit_right_of_every_data_point_and_never_overlap():
    points = [point(month, "4.50", 6) for month in range(1, 13)]
    thresholds = {3: Decimal("3.50"), 4: Decimal("4.00"), 5: Decimal("4.45"), 6: Decimal("4.50")}

    for layout in (WIDE, COMPACT):
        chart = trend_chart(points, thresholds=thresholds, layout=layout)

        assert chart["gate_label_x"] > max(dot["x"] for dot in chart["dots"]) + 3.5  # beyond the dots' radius
        label_ys = [gate["label_y"] for gate in chart["gates"]]
        assert [gate["tier"] for gate in chart["gates"]] == [6, 5, 4, 3]
        assert all(b - a >= layout.font + 1 for a, b in zip(label_ys, label_ys[1:]))


def test_close_gates_are_spread_apart_and_kept_inside_the_plot():
    chart = trend_chart([point(1, "4.90", 6)], thresholds={5: Decimal("4.95"), 6: Decimal("5.00")}, layout=COMPACT)

    assert [(gate["tier"], gate["y"], gate["label_y"]) for gate in chart["gates"]] == [
        (6, 32.0, 32.0), (5, 36.2, 46.0),  # the 5★ label moved down one line height (13 + 1)
    ]


def test_the_compact_layout_labels_every_other_month_ending_with_the_latest():
    chart = trend_chart([point(month, "4.00") for month in range(1, 13)], layout=COMPACT)

    assert [month["label"] for month in chart["months"]] == [
        "", "25-02", "", "25-04", "", "25-06", "", "25-08", "", "25-10", "", "25-12",
    ]
    assert chart["width"] == 340 and chart["font"] == 13

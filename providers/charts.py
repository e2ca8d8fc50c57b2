"""Geometry of the server-rendered SVG trend chart (composite score and tier by month); no drawing library needed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 14, 34, 30
SCORE_MAX = Decimal("5")


@dataclass(frozen=True)
class TrendPoint:
    """One month of the chart: its period, composite score (None when unrated) and tier."""

    period: dt.date
    composite: Decimal | None
    tier: int | None


def _floor_half(value: Decimal) -> Decimal:
    return (value * 2).to_integral_value(rounding=ROUND_FLOOR) / 2


def trend_chart(points: list[TrendPoint], *, thresholds: dict[int, Decimal] | None = None) -> dict:
    """Coordinates for the template: score polylines (broken where a month is unrated), dots, axes, tier labels.

    The y axis runs from the lowest half point at or below the lowest score (at most 3.0) to 5.0;
    `thresholds` (tier → minimum composite) draws each tier's line where it falls inside that range.
    """
    scores = [p.composite for p in points if p.composite is not None]
    low = min(Decimal("3"), _floor_half(min(scores))) if scores else Decimal("3")
    span = SCORE_MAX - low
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + (index * step if len(points) > 1 else plot_w / 2), 1)

    def y(score: Decimal) -> float:
        return round(TOP + float((SCORE_MAX - score) / span) * plot_h, 1)

    segments, current, dots, months = [], [], [], []
    for index, point in enumerate(points):
        months.append({"x": x(index), "label": point.period.strftime("%y-%m"), "period": point.period,
                       "tier": point.tier, "composite": point.composite})
        if point.composite is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append(f"{x(index)},{y(point.composite)}")
        dots.append({"x": x(index), "y": y(point.composite), "composite": point.composite, "period": point.period})
    if current:
        segments.append(current)

    grid = []
    value = low
    while value <= SCORE_MAX:
        grid.append({"y": y(value), "label": f"{value:.1f}"})
        value += Decimal("0.5")
    gates = [
        {"tier": tier, "y": y(minimum), "label": f"{minimum:.2f}"}
        for tier, minimum in sorted((thresholds or {}).items())
        if low <= minimum <= SCORE_MAX
    ]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": HEIGHT - BOTTOM,
        "tier_y": TOP - 14, "label_y": HEIGHT - 10,
        "segments": [" ".join(segment) for segment in segments if len(segment) > 1],
        "dots": dots, "months": months, "grid": grid, "gates": gates,
    }

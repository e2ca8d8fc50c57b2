"""Geometry of the server-rendered SVG trend chart (composite score and tier by month); no drawing library needed.

The page draws the chart twice, in a wide layout and in a compact one for phones (CSS shows one): an SVG scales
with its box, so a 640-unit chart squeezed into 330 px would shrink its 11-unit labels to 6 px. The compact layout
is drawn for about 340 px, where its labels stay at least 11 px on screen, and labels every other month.

Gate labels sit in the right margin, outside the plot, so no data point can cover them; a month without a
composite is a shaded gap with its reason (never a line drawn through it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

SCORE_MAX = Decimal("5")
TREND_MONTHS = 12


@dataclass(frozen=True)
class TrendPoint:
    """One month of the chart: its period, composite score (None when unrated), tier, and why it is unrated.

    `reason`: "no_performance" (the month was computed without store performance), "not_computed" (no snapshot).
    """

    period: dt.date
    composite: Decimal | None
    tier: int | None
    reason: str = ""


@dataclass(frozen=True)
class Layout:
    """The chart's box in SVG units and its text size; `month_every` labels every n-th month."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: float
    month_every: int


WIDE = Layout(width=640, height=250, left=40, right=64, top=34, bottom=30, font=12, month_every=1)
COMPACT = Layout(width=340, height=230, left=32, right=56, top=32, bottom=30, font=13, month_every=2)


def _floor_half(value: Decimal) -> Decimal:
    return (value * 2).to_integral_value(rounding=ROUND_FLOOR) / 2


def _next_month(period: dt.date) -> dt.date:
    return dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)


def trend_months(points: list[TrendPoint], *, months: int = TREND_MONTHS) -> list[TrendPoint]:
    """The last `months` calendar months up to the latest point, a month with no snapshot filled in as unrated
    ("not_computed"), so the chart never joins two months across one that is missing; oldest first."""
    if not points:
        return []
    by_period = {point.period: point for point in points}
    filled, period = [], min(by_period)
    while period <= max(by_period):
        filled.append(by_period.get(period) or TrendPoint(period=period, composite=None, tier=None,
                                                          reason="not_computed"))
        period = _next_month(period)
    return filled[-months:]


def _spread(ys: list[float], *, gap: float, low: float, high: float) -> list[float]:
    """Label positions at least `gap` apart, as close to `ys` (ascending) as the box [low, high] allows."""
    placed: list[float] = []
    for y in ys:
        placed.append(max(y, placed[-1] + gap) if placed else y)
    overflow = (placed[-1] - high) if placed else 0
    if overflow > 0:  # pushed past the bottom: move the stack up, keeping the gaps
        placed = [y - overflow for y in placed]
        for index in range(len(placed) - 2, -1, -1):
            placed[index] = min(placed[index], placed[index + 1] - gap)
    return [round(max(y, low), 1) for y in placed]


def trend_chart(points: list[TrendPoint], *, thresholds: dict[int, Decimal] | None = None,
                layout: Layout = WIDE) -> dict:
    """Coordinates for the template: score polylines (broken where a month is unrated), dots, unrated bands, axes,
    tier labels per month and gate lines with their labels in the right margin.

    The y axis runs from the lowest half point at or below the lowest score (at most 3.0) to 5.0;
    `thresholds` (tier → minimum composite) draws each tier's line where it falls inside that range.
    """
    scores = [p.composite for p in points if p.composite is not None]
    low = min(Decimal("3"), _floor_half(min(scores))) if scores else Decimal("3")
    span = SCORE_MAX - low
    right, bottom = layout.width - layout.right, layout.height - layout.bottom
    plot_w, plot_h = right - layout.left, bottom - layout.top
    # Each month owns a slot; points sit in the middle of theirs, so an unrated month's band has a width.
    slot = plot_w / max(len(points), 1)

    def x(index: int) -> float:
        return round(layout.left + slot * (index + 0.5), 1)

    def y(score: Decimal) -> float:
        return round(layout.top + float((SCORE_MAX - score) / span) * plot_h, 1)

    segments, current, dots, months, gaps = [], [], [], [], []
    for index, point in enumerate(points):
        labelled = (len(points) - 1 - index) % layout.month_every == 0  # the latest month always has its label
        months.append({"x": x(index), "label": point.period.strftime("%y-%m") if labelled else "",
                       "period": point.period, "tier": point.tier, "composite": point.composite,
                       "reason": point.reason})
        if point.composite is None:
            if current:
                segments.append(current)
            current = []
            gaps.append({"x": round(layout.left + slot * index, 1), "width": round(slot, 1), "center": x(index),
                         "period": point.period, "reason": point.reason})
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
    shown = sorted(
        ((tier, minimum) for tier, minimum in (thresholds or {}).items() if low <= minimum <= SCORE_MAX),
        key=lambda item: -item[1],  # highest gate first: smallest y
    )
    label_ys = _spread([y(minimum) for _, minimum in shown], gap=layout.font + 1, low=layout.top,
                       high=bottom)
    gates = [
        {"tier": tier, "y": y(minimum), "label_y": label_y, "label": f"{minimum:.2f}"}
        for (tier, minimum), label_y in zip(shown, label_ys, strict=True)
    ]
    return {
        "width": layout.width, "height": layout.height, "left": layout.left, "right": right, "top": layout.top,
        "bottom": bottom, "font": layout.font, "tier_y": layout.top - 12, "label_y": layout.height - 10,
        "gate_label_x": right + 6, "axis_x": layout.left - 5, "plot_height": bottom - layout.top,
        "gap_label_y": round(layout.top + plot_h / 2, 1),
        "segments": [" ".join(segment) for segment in segments if len(segment) > 1],
        "dots": dots, "months": months, "grid": grid, "gates": gates, "gaps": gaps,
    }

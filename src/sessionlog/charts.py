"""Chart data and geometry, pure: sessions per month, weekday and hour, bar lengths in
character cells for the terminal, and column rectangles for SVG.

The terminal and the HTML page draw from the same numbers; a bar's length is its value
over the largest value times the room there is, rounded half up, and a value above zero
always gets at least one cell, so a quiet month is still visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from decimal import ROUND_HALF_UP, Decimal

from sessionlog.model import Session
from sessionlog.reports import WEEKDAYS

__all__ = ["WEEKDAYS"]  # the weekday names the charts label their bars with, as `report --by weekday`
# The hours a chart of the day always shows, so that an empty morning reads as empty.
WORKDAY = (8, 17)


@dataclass(frozen=True)
class MonthBar:
    month: str  # 2024-03
    sessions: int
    billable_seconds: int
    free_seconds: int


def months_back(year: int, month: int, count: int = 12) -> list[str]:
    """The `count` months up to and including year-month, oldest first."""
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def per_month(sessions: Iterable[Session], months: Sequence[str], tz: tzinfo) -> list[MonthBar]:
    """Billable and free worked seconds in each of `months` (by the start in `tz`)."""
    sums = {m: [0, 0, 0] for m in months}
    for s in sessions:
        local = s.start.astimezone(tz)
        acc = sums.get(f"{local.year:04d}-{local.month:02d}")
        if acc is None or s.end is None:
            continue
        acc[0] += 1
        acc[1 if s.billable else 2] += max(0, int(s.net_duration().total_seconds()))
    return [MonthBar(m, *sums[m]) for m in months]


def per_weekday(sessions: Iterable[Session], tz: tzinfo) -> list[int]:
    """Sessions per weekday, Monday first."""
    counts = [0] * 7
    for s in sessions:
        counts[s.start.astimezone(tz).weekday()] += 1
    return counts


def per_hour(sessions: Iterable[Session], tz: tzinfo) -> list[int]:
    """Sessions per hour of the day they started in, 0 to 23."""
    counts = [0] * 24
    for s in sessions:
        counts[s.start.astimezone(tz).hour] += 1
    return counts


def hour_range(counts: Sequence[int]) -> range:
    """The hours worth showing: the working day, widened to the first and last hour with sessions."""
    used = [h for h, n in enumerate(counts) if n]
    first = min([WORKDAY[0], *used])
    last = max([WORKDAY[1], *used])
    return range(first, last + 1)


# --- the terminal ---------------------------------------------------------------------------------


def cells(value: int, most: int, width: int) -> int:
    """A bar's length in character cells: value / most of width, half up; at least 1 above zero."""
    if value <= 0 or most <= 0 or width <= 0:
        return 0
    exact = Decimal(value) * width / most
    return max(1, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def stacked(first: int, second: int, most: int, width: int) -> tuple[int, int]:
    """Cells of a bar of two parts: the whole is scaled as one bar, the first part within it."""
    whole = cells(first + second, most, width)
    part = min(whole, cells(first, most, width))
    return part, whole - part


# --- SVG ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    part: int  # which series: 0 (billable, or the only one), 1 (free)
    value: int


@dataclass(frozen=True)
class Column:
    label: str
    x: float  # the centre, for the label
    total: int
    rects: tuple[Rect, ...]


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class ColumnChart:
    """Columns in a box of `width` x `height` user units (the SVG viewBox)."""

    width: float
    height: float
    base: float  # y of the zero line
    columns: tuple[Column, ...]
    ticks: tuple[Tick, ...]
    top: int  # the value at the top of the scale


LEFT, RIGHT, TOP, BOTTOM = 44.0, 8.0, 10.0, 22.0


def nice_top(most: int, step_unit: int = 1) -> tuple[int, int]:
    """A round top for the scale at or above `most`, and its step (1, 2 or 5 times a power of ten,
    in `step_unit`s: 3600 for hours); four steps or fewer."""
    if most <= 0:
        return step_unit, step_unit
    units = -(-most // step_unit)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * 4 >= units:
                top = -(-units // step) * step
                return top * step_unit, step * step_unit
        magnitude *= 10


def column_chart(
    labels: Sequence[str], series: Sequence[Sequence[int]], *, width: float = 640, height: float = 200, unit: int = 1
) -> ColumnChart:
    """Stacked columns, one per label; series[k][i] is part k of column i. `unit` rounds the scale
    (3600: whole hours for values in seconds)."""
    count = len(labels)
    totals = [sum(part[i] for part in series) for i in range(count)]
    top, step = nice_top(max(totals, default=0), unit)
    inner_w = width - LEFT - RIGHT
    inner_h = height - TOP - BOTTOM
    base = TOP + inner_h
    slot = inner_w / max(1, count)
    bar = slot * 0.7
    columns = []
    for i, label in enumerate(labels):
        x = LEFT + slot * i + (slot - bar) / 2
        y = base
        rects = []
        for k, part in enumerate(series):
            h = inner_h * part[i] / top
            if part[i] > 0:
                rects.append(Rect(round(x, 2), round(y - h, 2), round(bar, 2), round(h, 2), k, part[i]))
            y -= h
        columns.append(Column(label, round(x + bar / 2, 2), totals[i], tuple(rects)))
    ticks = tuple(Tick(round(base - inner_h * v / top, 2), v) for v in range(0, top + 1, step))
    return ColumnChart(width, height, base, tuple(columns), ticks, top)

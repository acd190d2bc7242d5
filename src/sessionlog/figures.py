"""A session reduced to the plain numbers and words that billing and reports need. Pure.

Building `Session` objects and billing them with `Decimal` and `datetime` costs about 15 µs a
session; a year's report over 20 000 sessions would spend 0.3 s on that alone. `figures_of`
turns a session into one flat tuple of ints and strings (worked seconds, local weekday and
wall-clock time in the ledger zone, frozen figures in cents), which the derived cache stores
next to the records and `tally` bills with integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta, tzinfo
from decimal import Decimal
from typing import NamedTuple

from sessionlog.model import Session

_SECOND = timedelta(seconds=1)
# Amounts beyond this many cents are left to Decimal arithmetic (`tally` then declines).
MAX_CENTS = 10**15


# Plain tuples rather than NamedTuples: marshal (the cache's format) stores only exact tuples,
# and unpacking a plain tuple is the cheapest access in the billing loop.
Frozen = tuple[
    int,  # billed_minutes
    int,  # included_minutes
    int,  # charged_minutes
    int | None,  # amount in cents; None: not whole cents, so only Decimal is exact
    str,  # currency
]
Figures = tuple[
    str,  # id
    int,  # line of its [[session]] header, 0 if unknown
    int,  # start, Unix time in whole seconds (records carry no fractions of a second)
    bool,  # running: no end yet, never billed
    int,  # net seconds: worked time, pauses excluded, as billing counts it
    bool,  # billable
    str | None,  # free reason
    str,  # supporter
    str,  # channel
    tuple[str, ...],  # tags
    int,  # weekday of the start in the ledger zone, Monday = 0
    int,  # wall-clock time of the start in the ledger zone, microseconds after midnight
    Frozen | None,  # the figures `invoice --finalize` froze into the record
]


class MonthFigures(NamedTuple):
    """The figures of one month file, as the store hands them out."""

    customer: str
    month: str  # 'YYYY-MM'
    path: str  # the file, as in messages
    figures: Sequence[Figures]  # in file order


def cents(amount: Decimal) -> int | None:
    """`amount` in whole cents, or None where that would not be exact."""
    scaled = amount * 100
    if scaled != scaled.to_integral_value() or abs(scaled) >= MAX_CENTS:
        return None
    return int(scaled)


def net_seconds(s: Session) -> int:
    """Worked seconds as `billing` counts them: end - start - pauses, whole seconds, at least 0."""
    assert s.end is not None
    total = s.end - s.start
    for p in s.pauses:
        total -= (p.end or s.end) - p.start
    return max(0, total // _SECOND)


def figures_of(s: Session, tz: tzinfo) -> Figures:
    local = s.start.astimezone(tz)
    wall = local.time()
    frozen: Frozen | None = None
    if s.billed is not None:
        b = s.billed
        frozen = (b.billed_minutes, b.included_minutes, b.charged_minutes, cents(b.amount), b.currency)
    return (
        s.id,
        s.origin.line if s.origin else 0,
        int(s.start.timestamp()),
        s.end is None,
        0 if s.end is None else net_seconds(s),
        s.billable,
        s.free_reason,
        s.supporter,
        s.channel,
        s.tags,
        local.weekday(),
        ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1_000_000 + wall.microsecond,
        frozen,
    )

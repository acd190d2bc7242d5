"""Report totals straight from session figures, in integer minutes and cents. Pure.

`billing.bill` followed by `reports.summarize` and `reports.totals` costs about 15 µs a
session in Decimal and datetime arithmetic; a year of 20 000 sessions took 0.3 s. Here the
same rules run on the flat tuples of `figures` with ints only, and money becomes Decimal
once per row. The results are the same, row for row: tests/test_tally.py holds this module
to `billing` and `reports` with generated ledgers.

Why integers are exact here: rates are quantized to cents before use, so an amount is
charged minutes x rate cents / 60 rounded half up, i.e. (2 * minutes * cents + 60) // 120.
Where that would not hold (a frozen amount that is not whole cents, amounts beyond
figures.MAX_CENTS, an id used twice), `tally` returns None and the caller bills with
Decimal as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sessionlog.billing import CENT, rules_for
from sessionlog.figures import MAX_CENTS, MonthFigures
from sessionlog.model import Customer, Rounding, Settings
from sessionlog.reports import GROUPINGS, NO_REASON, UNTAGGED, Row

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def instant_us(moment: datetime) -> int:
    """An aware datetime as exact microseconds since the epoch."""
    return (moment - _EPOCH) // _US


@dataclass(frozen=True)
class Running:
    """A record without an end, found in a month file: reported, never billed."""

    start: int  # Unix seconds
    id: str
    supporter: str
    customer: str


@dataclass(frozen=True)
class Tally:
    rows: list[Row]
    totals: list[Row]  # one per currency, as reports.totals
    running: list[Running]  # in the period, in start order


# An accumulator: [sessions, net seconds, billable seconds, billed, included, charged minutes,
# cents, {free reason: seconds}]; lists, because the loop below runs once per session.
_Acc = list[Any]


def _acc() -> _Acc:
    return [0, 0, 0, 0, 0, 0, 0, {}]


def _add(acc: _Acc, other: _Acc) -> None:
    for i in range(7):
        acc[i] += other[i]
    free = acc[7]
    for reason, seconds in other[7].items():
        free[reason] = free.get(reason, 0) + seconds


def _row(acc: _Acc, group: str, currency: str) -> Row:
    return Row(
        group=group,
        sessions=acc[0],
        net_seconds=acc[1],
        billable_seconds=acc[2],
        billed_minutes=acc[3],
        charged_minutes=acc[5],
        amount=Decimal(acc[6]).scaleb(-2),
        currency=currency,
        free_seconds=dict(sorted(acc[7].items())),
        included_minutes=acc[4],
    )


def _rules(
    settings: Settings, customer: Customer | None
) -> tuple[int, Rounding, int, int, int | None, int | None, str]:
    """billing.rules_for, with both effective rates in cents (None where not whole cents)."""
    rules = rules_for(settings, customer)
    base = rules.rate.quantize(CENT, rounding=ROUND_HALF_UP)
    late = (rules.rate * rules.after_hours_factor).quantize(CENT, rounding=ROUND_HALF_UP)
    return (
        rules.increment, rules.rounding, rules.minimum, rules.included_minutes, _cents(base), _cents(late),
        rules.currency,
    )  # fmt: skip


def _cents(rate: Decimal) -> int | None:
    scaled = rate * 100
    return int(scaled) if scaled == scaled.to_integral_value() and abs(scaled) < MAX_CENTS else None


def tally(
    files: Sequence[MonthFigures],
    settings: Settings,
    customers: Mapping[str, Customer],
    by: str,
    period: tuple[int, int],
    taken: set[str] | frozenset[str] = frozenset(),
) -> Tally | None:
    """Rows `by` group (customer, supporter, month, tag, channel) of the finished sessions that
    start in `period` (Unix microseconds, [start, end)), billed over their whole months.

    `files` holds the figures of each month file; `taken` the ids of running
    timers. None: only Decimal arithmetic (`billing`) is exact here.
    """
    hours = settings.business_hours
    if by not in GROUPINGS or hours.start.tzinfo is not None or hours.end.tzinfo is not None:
        return None
    days = hours.days
    opens = ((hours.start.hour * 60 + hours.start.minute) * 60 + hours.start.second) * 1_000_000
    opens += hours.start.microsecond
    closes = ((hours.end.hour * 60 + hours.end.minute) * 60 + hours.end.second) * 1_000_000 + hours.end.microsecond
    lo, hi = period
    sums: dict[tuple[str, str], _Acc] = {}
    tag_totals: dict[str, _Acc] = {}  # by tag a session counts under each tag, but once in the total
    running: list[Running] = []
    seen = set(taken)
    rules_cache: dict[str, tuple[int, Rounding, int, int, int | None, int | None, str]] = {}
    per_file = by in ("customer", "month")  # one group for the whole file: sum up locally first
    # Customers in key order, as `bill` meets them: the first with bad rules raises the same error.
    for customer, month, _, figs in sorted(files, key=lambda f: f[0]):
        c = customers.get(customer)
        free_currency = c.currency if c is not None and c.currency is not None else settings.currency
        rules: tuple[int, Rounding, int, int, int | None, int | None, str] | None = None
        ordered = sorted(figs, key=lambda f: (f[2], f[0])) if len(figs) > 1 else figs
        used = 0  # the month's contract minutes used: frozen records take theirs first
        for f in ordered:
            frozen = f[12]
            if frozen is not None and f[5] and not f[3]:
                used += frozen[1]
        local: dict[str, _Acc] = {}  # currency -> sums of this file, when per_file
        for (
            sid,
            _,
            start,
            is_running,
            net,
            billable,
            reason,
            supporter,
            channel,
            tags,
            weekday,
            wall,
            frozen,
        ) in ordered:
            if sid in seen:
                return None  # an id twice: `bill` keeps one line for both; leave that to it
            seen.add(sid)
            in_period = lo <= start * 1_000_000 < hi
            if is_running:
                if in_period:
                    running.append(Running(start, sid, supporter, customer))
                continue
            if not billable:
                billed = included = charged = cents = 0
                currency = free_currency
            elif frozen is not None:
                billed, included, charged, amount, currency = frozen
                if amount is None:
                    return None
                cents = amount
            else:
                if rules is None:
                    rules = rules_cache.get(customer)
                    if rules is None:
                        rules = rules_cache[customer] = _rules(settings, c)
                increment, rounding, minimum, allowance, base_cents, late_cents, currency = rules
                step = increment * 60  # billing.billed_minutes, in whole seconds
                if rounding is Rounding.UP:
                    steps = -(-net // step)
                elif rounding is Rounding.DOWN:
                    steps = net // step
                else:
                    steps = (2 * net + step) // (2 * step)
                billed = max(steps * increment, minimum)
                included = min(billed, max(0, allowance - used))
                used += included
                charged = billed - included
                rate = base_cents if weekday in days and opens <= wall < closes else late_cents
                if rate is None or charged * rate >= MAX_CENTS * 60:
                    return None
                cents = (2 * charged * rate + 60) // 120
            if not in_period:
                continue
            if by == "tag":
                line = (net, billable, reason, billed, included, charged, cents)
                for tag in dict.fromkeys(tags) or (UNTAGGED,):
                    _put(sums, (tag, currency), line)
                _put(tag_totals, currency, line)
                continue
            if per_file:
                acc = local.get(currency)
                if acc is None:
                    acc = local[currency] = _acc()
            else:
                key = (supporter if by == "supporter" else channel, currency)
                acc = sums.get(key)
                if acc is None:
                    acc = sums[key] = _acc()
            acc[0] += 1
            acc[1] += net
            if billable:
                acc[2] += net
            else:
                free = acc[7]
                free[reason or NO_REASON] = free.get(reason or NO_REASON, 0) + net
            acc[3] += billed
            acc[4] += included
            acc[5] += charged
            acc[6] += cents
        for currency, part in local.items():
            _add(sums.setdefault((customer if by == "customer" else month, currency), _acc()), part)
    if by != "tag":  # one group per session: the totals are the rows' sums
        for (_, currency), acc in sums.items():
            _add(tag_totals.setdefault(currency, _acc()), acc)
    rows = [_row(sums[key], *key) for key in sorted(sums)]
    totals = [_row(tag_totals[c], "total", c) for c in sorted(tag_totals)] or [_row(_acc(), "total", "")]
    running.sort(key=lambda r: (r.start, r.id))
    return Tally(rows, totals, running)


def _put(table: dict[Any, _Acc], key: object, line: tuple[int, bool, str | None, int, int, int, int]) -> None:
    net, billable, reason, billed, included, charged, cents = line
    acc = table.get(key)
    if acc is None:
        acc = table[key] = _acc()
    acc[0] += 1
    acc[1] += net
    if billable:
        acc[2] += net
    else:
        free = acc[7]
        free[reason or NO_REASON] = free.get(reason or NO_REASON, 0) + net
    acc[3] += billed
    acc[4] += included
    acc[5] += charged
    acc[6] += cents

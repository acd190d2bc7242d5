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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sessionlog.billing import CENT, rules_for
from sessionlog.figures import MAX_CENTS, MonthFigures
from sessionlog.model import Customer, Rounding, SessionlogError, Settings
from sessionlog.reports import GROUPINGS, NO_REASON, UNTAGGED, Row

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
IDS = "\x1f"  # joins the ids of a file in its kept sums
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


class _Sink:
    """What the sessions met so far add up to."""

    def __init__(self, taken: Iterable[str]) -> None:
        self.sums: dict[tuple[str, str], _Acc] = {}
        self.tag_totals: dict[str, _Acc] = {}  # by tag a session counts under each tag, once in the total
        self.running: list[Running] = []
        self.seen = set(taken)

    def result(self, by: str) -> Tally:
        totals = self.tag_totals
        if by != "tag":  # one group per session: the totals are the rows' sums
            totals = {}
            for (_, currency), acc in self.sums.items():
                _add(totals.setdefault(currency, _acc()), acc)
        rows = [_row(self.sums[key], *key) for key in sorted(self.sums)]
        total_rows = [_row(totals[c], "total", c) for c in sorted(totals)] or [_row(_acc(), "total", "")]
        self.running.sort(key=lambda r: (r.start, r.id))
        return Tally(rows, total_rows, self.running)


class _Billing:
    """The rules of one report: business hours in microseconds, each customer's rates in cents."""

    def __init__(self, settings: Settings, customers: Mapping[str, Customer], by: str) -> None:
        hours = settings.business_hours
        self.ok = by in GROUPINGS and hours.start.tzinfo is None and hours.end.tzinfo is None
        self.days = hours.days
        self.opens = _micros(hours.start)
        self.closes = _micros(hours.end)
        self.settings = settings
        self.customers = customers
        self.by = by
        self.rules: dict[str, tuple[int, Rounding, int, int, int | None, int | None, str]] = {}

    def file(self, month_figures: MonthFigures, lo: int, hi: int, sink: _Sink) -> bool:
        """Bill one month file into `sink`, counting the sessions that start in [lo, hi)
        (microseconds); False where only Decimal arithmetic is exact."""
        customer, month, _, figs = month_figures
        by, days, opens, closes, seen, sums = self.by, self.days, self.opens, self.closes, sink.seen, sink.sums
        c = self.customers.get(customer)
        free_currency = c.currency if c is not None and c.currency is not None else self.settings.currency
        rules: tuple[int, Rounding, int, int, int | None, int | None, str] | None = None
        ordered = sorted(figs, key=lambda f: (f[2], f[0])) if len(figs) > 1 else figs
        used = 0  # the month's contract minutes used: frozen records take theirs first
        for f in ordered:
            frozen = f[12]
            if frozen is not None and f[5] and not f[3]:
                used += frozen[1]
        local: dict[str, _Acc] = {}  # currency -> sums of this file, when the group is the file's
        per_file = by in ("customer", "month")
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
                return False  # an id twice: `bill` keeps one line for both; leave that to it
            seen.add(sid)
            in_period = lo <= start * 1_000_000 < hi
            if is_running:
                if in_period:
                    sink.running.append(Running(start, sid, supporter, customer))
                continue
            if not billable:
                billed = included = charged = cents = 0
                currency = free_currency
            elif frozen is not None:
                billed, included, charged, amount, currency = frozen
                if amount is None:
                    return False
                cents = amount
            else:
                if rules is None:
                    rules = self.rules.get(customer)
                    if rules is None:
                        rules = self.rules[customer] = _rules(self.settings, c)
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
                    return False
                cents = (2 * charged * rate + 60) // 120
            if not in_period:
                continue
            if by == "tag":
                line = (net, billable, reason, billed, included, charged, cents)
                for tag in dict.fromkeys(tags) or (UNTAGGED,):
                    _put(sums, (tag, currency), line)
                _put(sink.tag_totals, currency, line)
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
        return True


def _micros(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond


def tally(
    files: Sequence[MonthFigures],
    settings: Settings,
    customers: Mapping[str, Customer],
    by: str,
    period: tuple[int, int],
    taken: Iterable[str] = (),
    summed: Sequence[Summed] = (),
) -> Tally | None:
    """Rows `by` group (customer, supporter, month, tag, channel) of the finished sessions that
    start in `period` (Unix microseconds, [start, end)), billed over their whole months.

    `files` holds the figures of month files, `summed` what other month files (wholly in the
    period) add up to (see `file_sums`); `taken` the ids of running timers. None: only
    Decimal arithmetic (`billing`) is exact here.
    """
    billing = _Billing(settings, customers, by)
    if not billing.ok:
        return None
    lo, hi = period
    sink = _Sink(taken)
    # Customers in key order, as `bill` meets them: the first with bad rules raises the same error.
    for month_figures in sorted(files, key=lambda f: f[0]):
        if not billing.file(month_figures, lo, hi, sink):
            return None
    for part in summed:
        if not _merge(sink, part):
            return None
    return sink.result(by)


# What one month file adds to a report by one grouping, billed over the whole file: what the
# cache keeps for a year's report, so that it need not bill 20 000 sessions again. Plain
# tuples, for marshal.
Summed = tuple[
    str,  # customer
    str,  # month
    str,  # the ids of its records, joined by IDS, to find an id used twice across files
    tuple[tuple[Any, ...], ...],  # rows: (group, currency, sessions, net, billable, billed, included,
    #                               charged, cents, ((free reason, seconds), ...))
    tuple[tuple[Any, ...], ...],  # by tag: the totals per currency, (currency, sessions, ...) as rows
    tuple[tuple[int, str, str], ...],  # its records without an end: (start, id, supporter)
]
# Raise when the way `file_sums` bills or sums changes: kept sums of other versions go unused.
SUMS_FORMAT = 2


def rules_key(settings: Settings, customer: Customer | None) -> str | None:
    """Everything besides a file's own records that its sums depend on; None where the rules
    are invalid (then its records are billed one by one, and the error comes as before)."""
    try:
        rules = _rules(settings, customer)
    except SessionlogError:
        return None
    hours = settings.business_hours
    free = customer.currency if customer is not None and customer.currency is not None else settings.currency
    return repr((SUMS_FORMAT, rules, free, sorted(hours.days), hours.start.isoformat(), hours.end.isoformat()))


def file_sums(month_figures: MonthFigures, settings: Settings, customer: Customer | None, by: str) -> Summed | None:
    """What the file adds to any report by `by` whose period holds its whole month."""
    billing = _Billing(settings, {} if customer is None else {month_figures.customer: customer}, by)
    sink = _Sink(())
    if any(IDS in f[0] for f in month_figures.figures):
        return None
    try:
        if not billing.ok or not billing.file(month_figures, -(2**63), 2**63, sink):
            return None
    except SessionlogError:
        return None

    def flat(acc: _Acc) -> tuple[Any, ...]:
        return (*acc[:7], tuple(acc[7].items()))

    return (
        month_figures.customer,
        month_figures.month,
        IDS.join(sink.seen),
        tuple((group, currency, *flat(acc)) for (group, currency), acc in sink.sums.items()),
        tuple((currency, *flat(acc)) for currency, acc in sink.tag_totals.items()),
        tuple((r.start, r.id, r.supporter) for r in sink.running),
    )


def _merge(sink: _Sink, part: Summed) -> bool:
    customer, _, ids, rows, totals, running = part
    mine = ids.split(IDS)
    before = len(sink.seen)
    sink.seen.update(mine)
    if len(sink.seen) != before + len(mine):
        return False  # an id twice (ids are unique within the file, or it would have no sums)
    for group, currency, *numbers, free in rows:
        _add(sink.sums.setdefault((group, currency), _acc()), [*numbers, dict(free)])
    for currency, *numbers, free in totals:
        _add(sink.tag_totals.setdefault(currency, _acc()), [*numbers, dict(free)])
    sink.running += [Running(start, sid, supporter, customer) for start, sid, supporter in running]
    return True


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

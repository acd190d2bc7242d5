"""Pure aggregation of billed lines into report rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from sessionlog.billing import CENT, Line
from sessionlog.model import Kind, Said, SessionlogError, choice


class Grouping(StrEnum):
    CUSTOMER = "customer"
    SUPPORTER = "supporter"
    MONTH = "month"
    TAG = "tag"
    CHANNEL = "channel"
    MACHINE = "machine"
    CONTACT = "contact"
    TICKET = "ticket"
    DAY = "day"  # 2024-03-04
    WEEK = "week"  # 2024-W10 (ISO week)
    WEEKDAY = "weekday"  # Mon … Sun
    HOUR = "hour"  # 09:00, the hour the session started in


GROUPINGS = tuple(Grouping)
UNTAGGED = "(untagged)"
# Sessions that leave a grouping's field empty are grouped under these.
NO_VALUE = {"machine": "(no machine)", "contact": "(no contact)", "ticket": "(no ticket)"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_LEVELS = 2
# A free record without a reason is invalid, but a report should still show its time.
NO_REASON = "(none)"
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Row:
    """Totals of one group of lines."""

    group: str
    sessions: int
    net_seconds: int
    billable_seconds: int  # net seconds of billable sessions
    billed_minutes: int  # before the contract allowance
    charged_minutes: int  # after the contract allowance
    amount: Decimal
    currency: str
    free_seconds: Mapping[str, int]  # free reason -> net seconds of free sessions
    included_minutes: int = 0  # billed minutes the contract allowance covered


@dataclass
class _Sum:
    sessions: int = 0
    net_seconds: int = 0
    billable_seconds: int = 0
    billed_minutes: int = 0
    included_minutes: int = 0
    charged_minutes: int = 0
    amount: Decimal = Decimal("0.00")
    free_seconds: dict[str, int] = field(default_factory=dict)

    def add(self, line: Line) -> None:
        seconds = line.net // _SECOND
        self.sessions += 1
        self.net_seconds += seconds
        if line.session.billable:
            self.billable_seconds += seconds
        else:
            reason = line.session.free_reason or NO_REASON
            self.free_seconds[reason] = self.free_seconds.get(reason, 0) + seconds
        self.billed_minutes += line.billed_minutes
        self.included_minutes += line.included_minutes
        self.charged_minutes += line.charged_minutes
        self.amount += line.amount

    def row(self, group: str, currency: str) -> Row:
        return Row(
            group=group,
            sessions=self.sessions,
            net_seconds=self.net_seconds,
            billable_seconds=self.billable_seconds,
            billed_minutes=self.billed_minutes,
            charged_minutes=self.charged_minutes,
            amount=self.amount,
            currency=currency,
            free_seconds=dict(sorted(self.free_seconds.items())),
            included_minutes=self.included_minutes,
        )


def _currency(lines: Iterable[Line]) -> str:
    # Adding amounts of different currencies would be a silent lie; the ledger has one.
    found = sorted({line.currency for line in lines})
    if len(found) > 1:
        raise SessionlogError(f"lines in more than one currency ({', '.join(found)}) cannot be totalled")
    return found[0] if found else ""


def _groups(line: Line, by: str, tz: tzinfo) -> Iterable[str]:
    s = line.session
    if by == "customer":
        return (s.customer,)
    if by == "supporter":
        return (s.supporter,)
    if by == "month":
        # Same as model.month_key, without strftime, which dominated a year's report.
        local = s.start.astimezone(tz)
        return (f"{local.year:04d}-{local.month:02d}",)
    if by == "channel":
        return (s.channel,)
    if by == "tag":
        # Once under each distinct tag, so a repeated tag does not count a session twice.
        return dict.fromkeys(s.tags) or (UNTAGGED,)
    if by in NO_VALUE:
        return (getattr(s, by) or NO_VALUE[by],)
    local = s.start.astimezone(tz)
    if by == "day":
        return (f"{local.year:04d}-{local.month:02d}-{local.day:02d}",)
    if by == "week":
        iso = local.isocalendar()
        return (f"{iso.year:04d}-W{iso.week:02d}",)
    if by == "weekday":
        return (WEEKDAYS[local.weekday()],)
    if by == "hour":
        return (f"{local.hour:02d}:00",)
    raise SessionlogError(f"--by must be one of {', '.join(Grouping)}, not {by!r}")


def _order(by: str) -> Callable[[tuple[str, str]], tuple[object, ...]]:
    """How rows of a grouping are sorted: weekdays Monday first, everything else by its text."""
    if by == "weekday":
        return lambda key: (WEEKDAYS.index(key[0]) if key[0] in WEEKDAYS else len(WEEKDAYS), key)
    return lambda key: key


def parse_groupings(text: str) -> tuple[Grouping, ...]:
    """`customer` or `customer,tag`: one grouping, or two for rows within rows.

    A wrong value is a usage error, worded as for any other choice.
    """
    parts = [p.strip().lower() for p in text.split(",")]
    names = ", ".join(repr(str(g)) for g in Grouping)
    for p in parts:
        if p not in GROUPINGS:
            raise SessionlogError(Said("{value} is not one of {names}", value=repr(p), names=names), Kind.USAGE)
    if len(parts) > MAX_LEVELS:
        raise SessionlogError(
            Said("{value}: give one grouping or two, like customer,tag", value=repr(text)), Kind.USAGE
        )
    if len(set(parts)) != len(parts):
        raise SessionlogError(Said("{value}: the two groupings must differ", value=repr(text)), Kind.USAGE)
    return tuple(Grouping(p) for p in parts)


def summarize(lines: Sequence[Line], by: str, tz: tzinfo) -> list[Row]:
    """Rows per group (and currency, where customers bill in different ones), sorted.

    Months are 'YYYY-MM' of the start in `tz`. By tag a session counts under each of its
    tags (untagged ones under '(untagged)'), so tag rows may add up to more than the total.
    """
    choice(Grouping, by, "--by")
    # Amounts in different currencies are never added: a group with two gets a row for each.
    sums: dict[tuple[str, str], _Sum] = {}
    for line in lines:
        for group in _groups(line, by, tz):
            sums.setdefault((group, line.currency), _Sum()).add(line)
    return [sums[key].row(*key) for key in sorted(sums, key=_order(by))]


def summarize_within(lines: Sequence[Line], by: str, then: str, tz: tzinfo) -> list[tuple[Row, list[Row]]]:
    """Rows `by` one grouping, each with its rows `then` by a second (`--by customer,tag`).

    A first-level row is what `summarize(lines, by)` gives; its rows within add up to it,
    except where the second level is `tag` (a session counts under each of its tags).
    """
    choice(Grouping, then, "--by")
    outer = summarize(lines, by, tz)
    inner: dict[tuple[str, str], dict[tuple[str, str], _Sum]] = {}
    for line in lines:
        for group in _groups(line, by, tz):
            within = inner.setdefault((group, line.currency), {})
            for sub in _groups(line, then, tz):
                within.setdefault((sub, line.currency), _Sum()).add(line)
    order = _order(then)
    out = []
    for row in outer:
        within = inner[(row.group, row.currency)]
        out.append((row, [within[key].row(*key) for key in sorted(within, key=order)]))
    return out


def totals(lines: Sequence[Line]) -> list[Row]:
    """One 'total' row per currency (usually one), each session counted once."""
    currencies = sorted({line.currency for line in lines})
    return [total([ln for ln in lines if ln.currency == c]) for c in currencies] or [total([])]


def total(lines: Sequence[Line]) -> Row:
    """The 'total' row over the lines themselves, each session once.

    With no lines the currency is '' because nothing says which one it would be.
    """
    currency = _currency(lines)
    acc = _Sum()
    for line in lines:
        acc.add(line)
    return acc.row("total", currency)


def row_as_json(row: Row) -> dict[str, object]:
    """A JSON-ready dict; the amount is a decimal string with two places ('22.50')."""
    return {
        "group": row.group,
        "sessions": row.sessions,
        "net_seconds": row.net_seconds,
        "billable_seconds": row.billable_seconds,
        "billed_minutes": row.billed_minutes,
        "charged_minutes": row.charged_minutes,
        "amount": format(row.amount.quantize(CENT, rounding=ROUND_HALF_UP), "f"),
        "currency": row.currency,
        "free_seconds": dict(row.free_seconds),
    }

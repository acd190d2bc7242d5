"""Pure aggregation of billed lines into report rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from sessionlog.billing import CENT, Line
from sessionlog.model import SessionlogError, choice


class Grouping(StrEnum):
    CUSTOMER = "customer"
    SUPPORTER = "supporter"
    MONTH = "month"
    TAG = "tag"
    CHANNEL = "channel"


GROUPINGS = tuple(Grouping)
UNTAGGED = "(untagged)"
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
    # tag: once under each distinct tag, so a repeated tag does not count a session twice.
    return dict.fromkeys(s.tags) or (UNTAGGED,)


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
    return [sums[key].row(*key) for key in sorted(sums)]


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

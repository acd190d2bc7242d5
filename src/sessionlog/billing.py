"""Pure billing: rates, rounding and contracts turn sessions into lines with exact amounts.

Rules of thumb that the code below follows:

- Durations are measured in whole seconds (sub-second parts are dropped) between instants, so
  a session across a DST change bills the time that really passed, not the wall-clock span.
  Business hours and months, by contrast, are judged on the start's wall time in the ledger zone.
- Billed minutes = the rounding rule in steps of `increment` minutes, then at least `minimum`.
  `nearest` rounds a half increment up (7m30s in steps of 5 -> 10).
- The effective hourly rate is quantized to cents (ROUND_HALF_UP) before it is used, so the
  rate printed on a line is exactly the rate its amount was computed from.
- Amount = charged minutes x rate / 60, quantized to cents with ROUND_HALF_UP, per line.
- A finalized record (`Session.billed`) keeps its frozen figures, and its included minutes are
  taken off that month's allowance before any unfrozen session is billed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from sessionlog.model import (
    BOUNDS,
    Billed,
    BusinessHours,
    Customer,
    Rounding,
    Session,
    Settings,
    choice,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_SECOND = timedelta(seconds=1)
_T = TypeVar("_T")


@dataclass(frozen=True)
class Rules:
    """The billing rules in force for one customer: ledger defaults with its overrides."""

    rate: Decimal
    increment: int
    rounding: Rounding
    minimum: int
    included_minutes: int
    after_hours_factor: Decimal
    currency: str


@dataclass(frozen=True)
class Line:
    """One finished session as billed."""

    session: Session
    net: timedelta  # worked time in whole seconds, pauses excluded
    billed_minutes: int
    included_minutes: int
    charged_minutes: int
    rate: Decimal  # effective hourly rate used; Decimal("0.00") for free lines
    amount: Decimal
    currency: str
    after_hours: bool


def check_rules(rules: Rules, where: str) -> None:
    """Raise SessionlogError naming `where` and the key if any rule is out of its bounds."""
    for name in ("rate", "increment", "minimum", "included_minutes", "after_hours_factor"):
        BOUNDS[name].check(getattr(rules, name), f"{where}: {name}")
    choice(Rounding, rules.rounding, f"{where}: rounding")


def _pick(own: _T | None, default: _T) -> _T:
    return default if own is None else own


def rules_for(settings: Settings, customer: Customer | None) -> Rules:
    """The rules for `customer` (None: the ledger defaults), validated."""

    c = customer
    rules = Rules(
        rate=_pick(c.rate if c else None, settings.rate),
        increment=_pick(c.increment if c else None, settings.increment),
        rounding=_pick(c.rounding if c else None, settings.rounding),
        minimum=_pick(c.minimum if c else None, settings.minimum),
        included_minutes=_pick(c.included_minutes if c else None, settings.included_minutes),
        after_hours_factor=_pick(c.after_hours_factor if c else None, settings.after_hours_factor),
        currency=_pick(c.currency if c else None, settings.currency),
    )
    check_rules(rules, f"customer {c.key}" if c else "ledger settings")
    return rules


def billed_minutes(net: timedelta, increment: int, rounding: Rounding | str, minimum: int) -> int:
    """Minutes to bill for `net` worked time: rounded in steps of `increment`, then the minimum."""
    mode = rounding if isinstance(rounding, Rounding) else choice(Rounding, rounding, "rounding")
    seconds = max(0, net // _SECOND)
    step = increment * 60
    if mode is Rounding.UP:
        steps = -(-seconds // step)
    elif mode is Rounding.DOWN:
        steps = seconds // step
    else:
        # Integer form of floor(seconds / step + 1/2): exactly half a step rounds up.
        steps = (2 * seconds + step) // (2 * step)
    return max(steps * increment, minimum)


def is_after_hours(start: datetime, hours: BusinessHours, tz: tzinfo) -> bool:
    """Whether `start`, as wall time in `tz`, falls outside the business days and hours.

    Business hours are the half-open interval [start, end): 18:00 sharp is after hours.
    """
    local = start.astimezone(tz)
    if local.weekday() not in hours.days:
        return True
    wall = local.time()  # naive wall-clock time, comparable with the naive bounds
    return not (hours.start <= wall < hours.end)


def money(minutes: int, rate: Decimal) -> Decimal:
    """`minutes` at hourly `rate`, to cents, half up."""
    return (Decimal(minutes) * rate / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def freeze(line: Line) -> Billed:
    """The figures to stamp into a record when its month is finalized."""
    return Billed(
        billed_minutes=line.billed_minutes,
        included_minutes=line.included_minutes,
        charged_minutes=line.charged_minutes,
        rate=line.rate,
        amount=line.amount,
        currency=line.currency,
    )


def _net(session: Session, end: datetime) -> timedelta:
    # Session and Pause hold fixed-offset times (model.fixed), so plain subtraction is exact
    # across DST changes; with a shared ZoneInfo it would count wall-clock time instead.
    total = end - session.start
    for p in session.pauses:
        total -= (p.end or end) - p.start
    return timedelta(seconds=max(0, total // _SECOND))


def _frozen(session: Session) -> Billed | None:
    # A free session never carries an amount, even if an old frozen figure says otherwise.
    return session.billed if session.billable else None


def bill(
    sessions: Iterable[Session],
    settings: Settings,
    customers: Mapping[str, Customer],
    tz: tzinfo,
) -> list[Line]:
    """One Line per finished session, sorted by (customer key, start, id).

    Running sessions are skipped. Each customer's `included_minutes` are a per-month
    allowance (month of the start in `tz`) used up by billable sessions in start order,
    after finalized sessions have taken what they were frozen with.
    """
    # (session, end, local start), in (customer, start, id) order; running sessions dropped.
    # The timestamp key costs one offset lookup per session instead of two per comparison.
    finished = sorted(
        ((s, s.end, s.start.astimezone(tz)) for s in sessions if s.end is not None),
        key=lambda t: (t[0].customer, t[0].start.timestamp(), t[0].id),
    )

    used: dict[tuple[str, int, int], int] = {}  # (customer, year, month) -> included minutes
    for s, _, local in finished:
        frozen = _frozen(s)
        if frozen is not None:
            key = (s.customer, local.year, local.month)
            used[key] = used.get(key, 0) + frozen.included_minutes

    rules_by_customer: dict[str, Rules] = {}
    rates: dict[tuple[str, bool], Decimal] = {}  # (customer, after hours) -> effective rate
    lines: list[Line] = []
    for s, end, local in finished:
        net = _net(s, end)
        after_hours = is_after_hours(local, settings.business_hours, tz)
        if not s.billable:
            currency = _pick(customers[s.customer].currency if s.customer in customers else None, settings.currency)
            lines.append(Line(s, net, 0, 0, 0, ZERO, ZERO, currency, after_hours))
            continue
        frozen = s.billed
        if frozen is not None:
            lines.append(
                Line(
                    s,
                    net,
                    frozen.billed_minutes,
                    frozen.included_minutes,
                    frozen.charged_minutes,
                    frozen.rate,
                    frozen.amount,
                    frozen.currency,
                    after_hours,
                )
            )
            continue
        rules = rules_by_customer.get(s.customer)
        if rules is None:
            rules = rules_for(settings, customers.get(s.customer))
            rules_by_customer[s.customer] = rules
        billed = billed_minutes(net, rules.increment, rules.rounding, rules.minimum)
        key = (s.customer, local.year, local.month)
        left = max(0, rules.included_minutes - used.get(key, 0))
        included = min(billed, left)
        used[key] = used.get(key, 0) + included
        charged = billed - included
        rate = rates.get((s.customer, after_hours))
        if rate is None:
            rate = rules.rate * rules.after_hours_factor if after_hours else rules.rate
            rate = rates[(s.customer, after_hours)] = rate.quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append(Line(s, net, billed, included, charged, rate, money(charged, rate), rules.currency, after_hours))
    return lines

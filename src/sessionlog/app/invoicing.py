"""`invoice`: a month's billed lines, and finalizing them under invoice numbers.

Finalize is the riskiest workflow: it issues numbers that must never repeat. It runs under
the ledger lock from reading the month to writing the stamps, refuses when any file it
reads numbers from cannot be read, and checks every file before it writes any.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC
from decimal import Decimal
from pathlib import Path

from sessionlog.app import customers
from sessionlog.app.context import Context, warning
from sessionlog.app.listing import running_warnings, unfinished_warnings
from sessionlog.billing import Line, bill, freeze
from sessionlog.model import Customer, Kind, Problem, Session, SessionlogError, Severity, month_key
from sessionlog.reports import Row, summarize, totals


@dataclass(frozen=True)
class Issued:
    """One invoice number given out by finalize."""

    number: str
    customer: str
    sessions: int
    amount: Decimal
    currency: str


@dataclass
class Invoice:
    month: str  # 'YYYY-MM'
    lines: list[Line]  # the lines shown: billable ones, and free ones when asked for
    customers: dict[str, Customer]
    issued: list[Issued] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def totals(self) -> list[Row]:
        """One total per currency; amounts in different currencies are never added."""
        return totals(self.lines)

    def summary(self) -> list[tuple[Row, str, Decimal | None]]:
        """Per customer and currency: the totals, the invoice numbers, and the rate if only one."""
        out = []
        # Grouping by customer needs no zone; any will do.
        for row in summarize(self.lines, "customer", UTC):
            group = [ln for ln in self.lines if ln.session.customer == row.group and ln.currency == row.currency]
            numbers = ", ".join(dict.fromkeys(ln.session.invoice for ln in group if ln.session.invoice))
            rates = {ln.rate for ln in group if ln.session.billable}
            out.append((row, numbers, rates.pop() if len(rates) == 1 else None))
        return out


def _month_lines(
    ctx: Context, month: str, keys: list[str] | None, *, strict: bool
) -> tuple[list[Line], list[Session], dict[str, Customer], list[Problem]]:
    """The month's lines (all customers or `keys`), its running sessions, the customers, warnings."""
    ledger = ctx.ledger
    sessions, problems = ledger.sessions.load([month], keys)
    if strict and problems:
        raise SessionlogError(replace(problems[0], hint="fix it before finalizing"))
    warnings = [warning(p, "skipped") for p in problems] + unfinished_warnings(sessions, "billed")
    found, broken = ledger.customers.all()
    billed = {s.customer for s in sessions}
    for p in broken:
        # Its rates are unknown: no statement beats a wrong one.
        if p.path is not None and ledger.layout.customer_of(Path(p.path)) in billed:
            raise SessionlogError(replace(p, hint="fix it before invoicing"))
    running = [
        s for s in ledger.timers.all() if month_key(s.start, ctx.tz) == month and (keys is None or s.customer in keys)
    ]
    return bill(sessions, ledger.settings, found, ctx.tz), running, found, warnings


def _finalize(ctx: Context, month: str, lines: list[Line]) -> list[Issued]:
    """Stamp every billable, not yet invoiced line with a new number per customer."""
    from sessionlog.numbering import next_number

    ledger = ctx.ledger
    settings = ledger.settings
    todo: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        if line.session.billable and not line.session.invoice:
            todo[line.session.customer].append(line)
    if not todo:
        return []
    year, mon = int(month[:4]), int(month[5:])
    scope = [f"{year}-{m:02d}" for m in range(1, 13)] if "{year}" in settings.invoice_pattern else None
    scanned, problems = ledger.sessions.load(scope)
    if problems:  # a number in an unreadable file could be issued twice
        raise SessionlogError(replace(problems[0], hint="fix it before finalizing: invoice numbers are read from it"))
    used = [s.invoice for s in scanned if s.invoice]
    changes: list[tuple[Session, Session]] = []
    issued: list[Issued] = []
    for key in sorted(todo):
        number = next_number(settings.invoice_pattern, used, year, mon, key, settings.invoice_first)
        used.append(number)
        changes += [(ln.session, ln.session.evolve(invoice=number, billed=freeze(ln))) for ln in todo[key]]
        total = totals(todo[key])[0]
        issued.append(Issued(number, key, len(todo[key]), total.amount, total.currency))
    ledger.sessions.update_many(changes)
    return issued


def late_warnings(lines: Sequence[Line], month: str) -> list[Problem]:
    """A warning per customer whose month was invoiced and has billable sessions without a number."""
    invoiced: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line.session.invoice:
            invoiced[line.session.customer].add(line.session.invoice)
    out = []
    for key, numbers in sorted(invoiced.items()):
        late = [ln for ln in lines if ln.session.customer == key and ln.session.billable and not ln.session.invoice]
        if late:
            out.append(
                Problem(
                    Kind.LATE,
                    f"{key}: {len(late)} session(s) of {month} came after invoice {', '.join(sorted(numbers))} "
                    f"and are not invoiced yet; `sessionlog invoice {month} --finalize` bills them under a new number",
                    severity=Severity.WARNING,
                )
            )
    return out


def invoice(
    ctx: Context,
    month: str,
    *,
    customer: str | None = None,
    include_free: bool = False,
    finalize: bool = False,
) -> Invoice:
    """The month's lines; with `finalize`, numbered and stamped first (under the lock throughout)."""
    from sessionlog.periods import month_period

    ledger = ctx.ledger
    label = month_key(month_period(month, ctx.tz).start, ctx.tz)
    keys = [customers.resolve(ledger, customer, create=False)[0]] if customer else None
    issued: list[Issued] = []
    with ledger.locked() if finalize else nullcontext():
        lines, running, found, warnings = _month_lines(ctx, label, keys, strict=finalize)
        if finalize:
            issued = _finalize(ctx, label, lines)
            if issued:
                lines, running, found, warnings = _month_lines(ctx, label, keys, strict=True)
    warnings += running_warnings(running) + late_warnings(lines, label)
    shown = [ln for ln in lines if include_free or ln.session.billable]
    return Invoice(label, shown, found, issued, warnings)

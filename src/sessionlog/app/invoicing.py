"""`invoice`: a month's billed lines, and finalizing them under invoice numbers.

Finalize is the riskiest workflow: it issues numbers that must never repeat. It runs under
the ledger lock from reading the month to writing the stamps, refuses when any file it
reads numbers from cannot be read, and checks every file before it writes any. It writes
the invoice register (invoices/YYYY-MM.toml) first and stamps the records after: an issued
invoice is re-exported from the register, so it prints the same whatever happens to its
records later, and the register's numbers are never issued again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC
from decimal import Decimal

from sessionlog.app import customers
from sessionlog.app.context import Context
from sessionlog.app.listing import Gathered, gather, refuse_or_skip, running_warnings, unfinished_warnings
from sessionlog.billing import Line, bill, freeze
from sessionlog.i18n import _
from sessionlog.model import (
    Correction,
    Customer,
    IssuedInvoice,
    Kind,
    Problem,
    Session,
    SessionlogError,
    Severity,
    month_key,
)
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
    skipped: list[Problem] = field(default_factory=list)  # left out with --skip-broken: incomplete
    names: dict[str, str] = field(default_factory=dict)  # invoice number -> customer name as issued

    def customer_name(self, line: Line) -> str:
        """The name an issued invoice printed, else the customer's name now."""
        s = line.session
        if s.invoice and s.invoice in self.names:
            return self.names[s.invoice]
        c = self.customers.get(s.customer)
        return c.display_name if c else s.customer

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


@dataclass
class _Month:
    """A month as billed now: issued lines from the register, open lines from the records."""

    lines: list[Line]
    gathered: Gathered
    register: list[IssuedInvoice]
    corrections: list[Correction]
    skipped: list[Problem]
    warnings: list[Problem]
    unstamped: list[tuple[Session, Session]]  # (record, as issued) where finalize stopped halfway
    finalized: bool  # any invoice was issued for this month


def _month(ctx: Context, month: str, keys: list[str] | None, *, skip_broken: bool, finalize: bool = False) -> _Month:
    ledger = ctx.ledger
    g = gather(ctx, [month], keys)
    register, corrections, broken = ledger.invoices.read(month)
    skipped = refuse_or_skip(g.errors + broken, skip_broken, skippable=not finalize)
    finalized = bool(register)
    register = [i for i in register if keys is None or i.customer in keys]
    as_issued = {s.id: s for inv in register for s in inv.sessions}
    held: dict[str, str | None] = {}  # number -> month whose register holds it
    current: list[Session] = []
    unstamped: list[tuple[Session, Session]] = []
    warnings: list[Problem] = unfinished_warnings(g.sessions, billed=True)
    for s in g.billable():
        issued = as_issued.get(s.id)
        if issued is not None:
            if s.invoice != issued.invoice:
                unstamped.append((s, issued))
            continue  # the register holds it as it was issued
        if s.invoice:
            finalized = True
            if s.invoice not in held:
                held[s.invoice] = ledger.invoices.holding(s.invoice)
            if held[s.invoice] is not None and held[s.invoice] != month:
                warnings.append(
                    Problem(
                        Kind.CORRECTED,
                        _(
                            "session {id} is on invoice {invoice} of {held} and was moved to "
                            "{month} afterwards; it stays on that invoice and is not billed here"
                        ).format(id=s.id, invoice=s.invoice, held=held[s.invoice], month=month),
                        s.origin.path if s.origin else None,
                        s.origin.line if s.origin else None,
                        Severity.WARNING,
                    )
                )
                continue
        current.append(s)  # open, or invoiced before the register existed (its record's figures stand)
    frozen = [s for inv in register for s in inv.sessions]
    lines = bill([*frozen, *current], ctx.ledger.settings, g.customers, ctx.tz)
    shown_numbers = {inv.number for inv in register}
    for c in corrections:
        if c.invoice in shown_numbers:
            warnings.append(
                Problem(
                    Kind.CORRECTED,
                    _(
                        "invoice {invoice} was issued; since then session {session} was "
                        "{change}; the invoice shows what was issued"
                    ).format(invoice=c.invoice, session=c.session, change=c.change),
                    severity=Severity.WARNING,
                )
            )
    return _Month(lines, g, register, corrections, skipped, warnings, unstamped, finalized)


def _finalize(ctx: Context, month: str, m: _Month, *, allow_zero: bool) -> list[Issued]:
    """Number every billable, not yet invoiced line, one number per customer."""
    from sessionlog.numbering import next_number

    ledger = ctx.ledger
    settings = ledger.settings
    if m.unstamped:  # an earlier finalize stopped between the register and the records: finish it
        ledger.sessions.update_many([(rec, rec.evolve(invoice=s.invoice, billed=s.billed)) for rec, s in m.unstamped])
    todo: dict[str, list[Line]] = defaultdict(list)
    for line in m.lines:
        if line.session.billable and not line.session.invoice:
            todo[line.session.customer].append(line)
    if not todo:
        return []
    zero = sorted({ln.session.customer for lines in todo.values() for ln in lines if ln.rate == 0})
    if zero and not allow_zero:
        raise SessionlogError(
            _("billable sessions of {names} would be invoiced at a rate of 0.00").format(names=", ".join(zero)),
            Kind.ZERO_RATE,
            hint=_("set a rate with: sessionlog customer edit {zero} --rate …, or give --allow-zero").format(
                zero=zero[0]
            ),
        )
    year, mon = int(month[:4]), int(month[5:])
    scope = [f"{year}-{m:02d}" for m in range(1, 13)] if "{year}" in settings.invoice_pattern else None
    # Every file the numbers are read from must be readable, or a number could be issued twice;
    # an id in two places (a half-done move, a hand copy) would be billed twice.
    g = gather(ctx, scope, None)
    registered, broken = ledger.invoices.numbers(scope)
    if g.errors or broken:
        first = (g.errors + broken)[0]
        raise SessionlogError(replace(first, hint=_("fix it before finalizing: invoice numbers are read from it")))
    used = registered + [s.invoice for s in g.sessions if s.invoice]
    issued_on = ctx.now.astimezone(ctx.tz).date()  # the invoice date on statements
    issued: list[IssuedInvoice] = []
    changes: list[tuple[Session, Session]] = []
    for key in sorted(todo):
        number = next_number(settings.invoice_pattern, used, year, mon, key, settings.invoice_first)
        used.append(number)
        stamped = [
            (ln.session, ln.session.evolve(invoice=number, billed=replace(freeze(ln), date=issued_on)))
            for ln in todo[key]
        ]
        changes += stamped
        c = m.gathered.customers.get(key)
        name = c.display_name if c else key
        issued.append(IssuedInvoice(number, month, key, name, ctx.now, tuple(new for _, new in stamped)))
    ledger.invoices.issue(month, issued)  # first: from here on these numbers are taken for good
    ledger.sessions.update_many(changes)
    out = []
    for inv in issued:
        total = totals(todo[inv.customer])[0]
        out.append(Issued(inv.number, inv.customer, len(inv.sessions), total.amount, total.currency))
    return out


def late_warnings(lines: Sequence[Line], month: str, finalized: bool) -> list[Problem]:
    """After a month was invoiced: a warning per customer with billable sessions not yet invoiced."""
    if not finalized:
        return []
    out = []
    late: dict[str, int] = defaultdict(int)
    for ln in lines:
        if ln.session.billable and not ln.session.invoice:
            late[ln.session.customer] += 1
    for key, n in sorted(late.items()):
        numbers = sorted({ln.session.invoice for ln in lines if ln.session.customer == key and ln.session.invoice})
        after = (
            _("came after invoice {names}").format(names=", ".join(numbers))
            if numbers
            else _("came after {month} was invoiced").format(month=month)
        )
        out.append(
            Problem(
                Kind.LATE,
                _(
                    "{key}: {n} session(s) of {month} {after} and are not invoiced yet; "
                    "`sessionlog invoice {month} --finalize` bills them under a new number"
                ).format(key=key, n=n, month=month, after=after),
                severity=Severity.WARNING,
            )
        )
    return out


def zero_rate_warnings(lines: Sequence[Line]) -> list[Problem]:
    customers = sorted(
        {ln.session.customer for ln in lines if ln.session.billable and not ln.session.invoice and ln.rate == 0}
    )
    return [
        Problem(
            Kind.ZERO_RATE,
            _(
                "{key}: billable sessions at a rate of 0.00 (set one with: sessionlog customer edit {key} --rate …)"
            ).format(key=key),
            severity=Severity.WARNING,
        )
        for key in customers
    ]


def invoice(
    ctx: Context,
    month: str,
    *,
    customer: str | None = None,
    include_free: bool = False,
    finalize: bool = False,
    skip_broken: bool = False,
    allow_zero: bool = False,
) -> Invoice:
    """The month's lines; with `finalize`, numbered and stamped first (under the lock throughout).

    Anything of the month that cannot be read refuses the invoice; `skip_broken` leaves it
    out and returns it in `skipped`. Finalize never skips: numbers issued over an incomplete
    month would have to be corrected later.
    """
    from sessionlog.periods import month_period

    if finalize and skip_broken:
        raise SessionlogError(
            _("--finalize needs every file of the month readable; --skip-broken cannot go with it"), Kind.USAGE
        )
    ledger = ctx.ledger
    label = month_key(month_period(month, ctx.tz, ctx.now).start, ctx.tz)
    keys = [customers.resolve(ledger, customer, create=False)[0]] if customer else None

    def run() -> tuple[_Month, list[Issued]]:
        issued: list[Issued] = []
        with ledger.locked() if finalize else nullcontext():
            m = _month(ctx, label, keys, skip_broken=skip_broken, finalize=finalize)
            if finalize:
                issued = _finalize(ctx, label, m, allow_zero=allow_zero)
                if issued or m.unstamped:
                    m = _month(ctx, label, keys, skip_broken=False)
        return m, issued

    if finalize:
        from sessionlog.app.sync import agreed  # a shared git ledger agrees on numbers through its remote

        m, issued = agreed(ctx, run, f"invoices of {label}")
    else:
        m, issued = run()
    running = [s for s in m.gathered.running if month_key(s.start, ctx.tz) == label]
    warnings = m.gathered.warnings + m.warnings + running_warnings(running)
    warnings += late_warnings(m.lines, label, m.finalized) + zero_rate_warnings(m.lines)
    shown = [ln for ln in m.lines if include_free or ln.session.billable]
    names = {inv.number: inv.customer_name for inv in m.register}
    return Invoice(label, shown, m.gathered.customers, issued, warnings, m.skipped, names)

"""`statement`: per customer and month, everything the printed detailed statement shows.

The figures are `invoice`'s own lines (frozen ones for a finalized month), never billed
again here; this module only groups them per customer and adds the contract, the
after-hours marks, the totals per currency and VAT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sessionlog.app import invoicing
from sessionlog.app.context import Context
from sessionlog.billing import CENT, Line, Rules, rules_for
from sessionlog.model import BusinessHours, Company, Customer, Problem
from sessionlog.store.documents import Image, Template

ZERO = Decimal("0.00")
TEMPLATE = "statement.html"  # a ledger's own template, in its templates/ folder


@dataclass(frozen=True)
class Pause:
    start: datetime  # in the ledger's zone
    end: datetime


@dataclass(frozen=True)
class Entry:
    """One session on the statement, with the figures `invoice` billed it with."""

    id: str
    start: datetime  # in the ledger's zone
    end: datetime
    pauses: tuple[Pause, ...]
    net: timedelta  # worked time, pauses excluded
    supporter: str
    contact: str | None
    machine: str | None
    channel: str
    note: str
    ticket: str | None
    invoice: str | None
    billable: bool
    free_reason: str | None
    billed_minutes: int
    included_minutes: int
    charged_minutes: int
    rate: Decimal
    amount: Decimal
    currency: str
    after_hours: bool
    factor: Decimal | None  # the after-hours factor when this line carries a surcharge, else None

    @property
    def paused(self) -> timedelta:
        return sum((p.end - p.start for p in self.pauses), timedelta())


@dataclass(frozen=True)
class Contract:
    """The month's contract minutes: included per month, used by these sessions, left over."""

    included: int
    used: int

    @property
    def left(self) -> int:
        return max(0, self.included - self.used)


@dataclass(frozen=True)
class Total:
    """The billable sessions' sums in one currency; VAT only where the ledger sets a rate."""

    currency: str
    sessions: int
    net: timedelta
    billed_minutes: int
    included_minutes: int
    charged_minutes: int
    amount: Decimal  # the sum of the lines' amounts: net of VAT
    vat: Decimal | None = None
    gross: Decimal | None = None


@dataclass(frozen=True)
class Invoice:
    number: str
    date: date | None  # the day it was issued; None for records finalized before dates were kept


@dataclass(frozen=True)
class Statement:
    month: str  # 'YYYY-MM'
    first_day: date
    last_day: date
    created: date  # the day the statement was made, in the ledger's zone
    company: Company
    logo: Image | None
    customer: Customer
    rules: Rules  # the customer's billing rules in force today
    business_hours: BusinessHours
    invoices: tuple[Invoice, ...]
    draft: bool  # some billable session is not invoiced yet
    entries: tuple[Entry, ...]  # billable sessions, in start order
    free: tuple[Entry, ...]  # free sessions, listed apart; empty with include_free=False
    contract: Contract | None  # None when the customer has no contract minutes
    totals: tuple[Total, ...]  # one per currency, at least one
    vat_rate: Decimal | None
    small_business: bool
    small_business_note: str  # the ledger's own wording, or "" for the default
    incomplete: tuple[str, ...] = ()  # what --skip-broken left out (file:line), shown on the statement

    @property
    def after_hours_factors(self) -> list[Decimal]:
        return sorted({e.factor for e in self.entries if e.factor is not None})


@dataclass
class Statements:
    month: str
    statements: list[Statement]
    warnings: list[Problem] = field(default_factory=list)
    template: Template | None = None  # the ledger's own templates/statement.html, if it has one
    skipped: list[Problem] = field(default_factory=list)  # left out with --skip-broken


def _entry(line: Line, ctx: Context, rules: Rules) -> Entry:
    s = line.session
    assert s.end is not None  # invoice lines are finished sessions
    tz = ctx.tz
    surcharge = line.after_hours and s.billable and rules.after_hours_factor != 1
    return Entry(
        id=s.id,
        start=s.start.astimezone(tz),
        end=s.end.astimezone(tz),
        pauses=tuple(Pause(p.start.astimezone(tz), p.end.astimezone(tz)) for p in s.pauses if p.end is not None),
        net=line.net,
        supporter=s.supporter,
        contact=s.contact,
        machine=s.machine,
        channel=s.channel,
        note=s.note,
        ticket=s.ticket,
        invoice=s.invoice,
        billable=s.billable,
        free_reason=s.free_reason,
        billed_minutes=line.billed_minutes,
        included_minutes=line.included_minutes,
        charged_minutes=line.charged_minutes,
        rate=line.rate,
        amount=line.amount,
        currency=line.currency,
        after_hours=line.after_hours,
        factor=rules.after_hours_factor if surcharge else None,
    )


def vat_of(amount: Decimal, rate: Decimal) -> Decimal:
    """VAT on a net amount at `rate` percent, to cents, half up."""
    return (amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _totals(entries: tuple[Entry, ...], currency: str, vat_rate: Decimal | None) -> tuple[Total, ...]:
    currencies = list(dict.fromkeys(e.currency for e in entries)) or [currency]
    out = []
    for cur in currencies:
        mine = [e for e in entries if e.currency == cur]
        amount = sum((e.amount for e in mine), ZERO)
        vat = None if vat_rate is None else vat_of(amount, vat_rate)
        out.append(
            Total(
                currency=cur,
                sessions=len(mine),
                net=sum((e.net for e in mine), timedelta()),
                billed_minutes=sum(e.billed_minutes for e in mine),
                included_minutes=sum(e.included_minutes for e in mine),
                charged_minutes=sum(e.charged_minutes for e in mine),
                amount=amount,
                vat=vat,
                gross=None if vat is None else amount + vat,
            )
        )
    return tuple(out)


def _invoices(lines: list[Line]) -> tuple[Invoice, ...]:
    dates: dict[str, date | None] = {}
    for ln in lines:
        number = ln.session.invoice
        if number and ln.session.billable:
            billed = ln.session.billed
            if dates.get(number) is None:
                dates[number] = billed.date if billed else None
    return tuple(Invoice(n, d) for n, d in dates.items())


def statements(
    ctx: Context, month: str, *, customer: str | None = None, include_free: bool = True, skip_broken: bool = False
) -> Statements:
    """One Statement per customer with sessions in `month` (or just `customer`, even without any).

    Like `invoice`, it refuses a month with anything it cannot read; with `skip_broken` each
    statement says on its face what was left out.
    """
    inv = invoicing.invoice(ctx, month, customer=customer, include_free=True, skip_broken=skip_broken)
    incomplete = tuple(p.where or p.message for p in inv.skipped)
    ledger = ctx.ledger
    settings = ledger.settings
    company = settings.company
    logo = ledger.documents.image(company.logo, "company.logo") if company.logo else None
    by_customer: dict[str, list[Line]] = {}
    for line in inv.lines:
        by_customer.setdefault(line.session.customer, []).append(line)
    if customer is not None and not by_customer:
        key = ledger.customers.resolve(customer)
        if key is not None:
            by_customer[key] = []
    year, mon = int(inv.month[:4]), int(inv.month[5:])
    first = date(year, mon, 1)
    last = (date(year + mon // 12, mon % 12 + 1, 1)) - timedelta(days=1)
    created = ctx.now.astimezone(ctx.tz).date()
    out: list[Statement] = []
    for key in sorted(by_customer):
        lines = by_customer[key]
        cust = inv.customers.get(key) or Customer(key)
        rules = rules_for(settings, cust)
        entries = tuple(_entry(ln, ctx, rules) for ln in lines if ln.session.billable)
        free = tuple(_entry(ln, ctx, rules) for ln in lines if not ln.session.billable) if include_free else ()
        if not entries and not free and customer is None:
            continue  # only free sessions, and those are left out
        used = sum(e.included_minutes for e in entries)
        vat_rate = None if settings.small_business else settings.vat_rate
        out.append(
            Statement(
                month=inv.month,
                first_day=first,
                last_day=last,
                created=created,
                company=company,
                logo=logo,
                customer=cust,
                rules=rules,
                business_hours=settings.business_hours,
                invoices=_invoices(lines),
                draft=any(e.invoice is None for e in entries),
                entries=entries,
                free=free,
                contract=Contract(rules.included_minutes, used) if rules.included_minutes or used else None,
                totals=_totals(entries, rules.currency, vat_rate),
                vat_rate=vat_rate,
                small_business=settings.small_business,
                small_business_note=company.small_business_note,
                incomplete=incomplete,
            )
        )
    return Statements(inv.month, out, inv.warnings, ledger.documents.template(TEMPLATE), inv.skipped)


def save(ctx: Context, folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    """Write rendered statements (file name, content) into `folder`; each file atomically."""
    documents = ctx.ledger.documents
    target = documents.writable_folder(folder)
    written = []
    for name, data in files:
        documents.write(target / name, data)
        written.append(target / name)
    return written

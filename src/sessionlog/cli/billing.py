"""`invoice` and `report`: money out of the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from sessionlog.billing import Line, bill, freeze
from sessionlog.cli.common import Env, Format, env, fail, say
from sessionlog.cli.listing import CustomerOpt, From, PeriodArg, Profile, To, load, select_period
from sessionlog.cli.output import check_format, emit
from sessionlog.model import Customer, Session, format_duration, month_key
from sessionlog.render import Column
from sessionlog.reports import Row

INVOICE_COLUMNS = (
    Column("invoice", "Rechnung"),
    Column("customer", "Kunde"),
    Column("customer_name", "Kundenname"),
    Column("session", "Sitzung"),
    Column("date", "Datum", kind="date"),
    Column("start", "Beginn", kind="time"),
    Column("end", "Ende", kind="time"),
    Column("duration", "Dauer", kind="duration"),
    Column("billed_minutes", "Abgerechnete Minuten", kind="int"),
    Column("included_minutes", "Inklusivminuten", kind="int"),
    Column("charged_minutes", "Berechnete Minuten", kind="int"),
    Column("rate", "Stundensatz", kind="money"),
    Column("amount", "Betrag", kind="money"),
    Column("currency", "Währung"),
    Column("supporter", "Techniker"),
    Column("contact", "Ansprechpartner"),
    Column("machine", "Gerät"),
    Column("note", "Notiz"),
    Column("ticket", "Ticket"),
)
_BY_KEY = {c.key: c for c in INVOICE_COLUMNS}
# The invoice columns that still mean something for a customer's total, and a session count.
SUMMARY_COLUMNS = (
    *(_BY_KEY[k] for k in ("invoice", "customer", "customer_name")),
    Column("sessions", "Sitzungen", kind="int"),
    *(_BY_KEY[k] for k in ("duration", "billed_minutes", "included_minutes", "charged_minutes", "rate", "amount")),
    _BY_KEY["currency"],
)
REPORT_COLUMNS = (
    Column("group", "Gruppe"),
    Column("sessions", "Sitzungen", kind="int"),
    Column("net", "Netto", kind="duration"),
    Column("billable", "Abrechenbar", kind="duration"),
    Column("billed_minutes", "Abgerechnete Minuten", title="billed min", kind="int"),
    Column("charged_minutes", "Berechnete Minuten", title="charged min", kind="int"),
    Column("amount", "Betrag", kind="money"),
    Column("currency", "Währung"),
    Column("free", "Kostenlos", title="free (by reason)"),
)


def register(app: typer.Typer) -> None:
    app.command()(invoice)
    app.command()(report)


def _line_row(line: Line, customers: dict[str, Customer], e: Env) -> dict[str, object]:
    s = line.session
    c = customers.get(s.customer)
    start = s.start.astimezone(e.tz)
    return {
        "invoice": s.invoice,
        "customer": s.customer,
        "customer_name": c.display_name if c else s.customer,
        "session": s.id,
        "date": start,
        "start": start,
        "end": s.end.astimezone(e.tz) if s.end else None,
        "duration": line.net,
        "billed_minutes": line.billed_minutes,
        "included_minutes": line.included_minutes,
        "charged_minutes": line.charged_minutes,
        "rate": line.rate,
        "amount": line.amount,
        "currency": line.currency,
        "supporter": s.supporter,
        "contact": s.contact,
        "machine": s.machine,
        "note": s.note,
        "ticket": s.ticket,
    }


def _summary_rows(lines: Sequence[Line], customers: dict[str, Customer]) -> list[dict[str, object]]:
    by_customer: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_customer[line.session.customer].append(line)
    rows: list[dict[str, object]] = []
    for key, group in by_customer.items():
        rates = {ln.rate for ln in group if ln.session.billable}
        c = customers.get(key)
        rows.append(
            {
                "invoice": ", ".join(dict.fromkeys(ln.session.invoice for ln in group if ln.session.invoice)),
                "customer": key,
                "customer_name": c.display_name if c else key,
                "sessions": len(group),
                "duration": sum((ln.net for ln in group), start=group[0].net * 0),
                "billed_minutes": sum(ln.billed_minutes for ln in group),
                "included_minutes": sum(ln.included_minutes for ln in group),
                "charged_minutes": sum(ln.charged_minutes for ln in group),
                "rate": rates.pop() if len(rates) == 1 else None,
                "amount": sum((ln.amount for ln in group), start=Decimal("0.00")),
                "currency": group[0].currency,
            }
        )
    return rows


def _month_lines(
    e: Env, month: str, keys: list[str] | None, *, strict: bool
) -> tuple[list[Line], list[Session], dict[str, Customer]]:
    """The month's lines (all customers or `keys`), its sessions still running, and the customers."""
    ledger = e.ledger
    sessions, problems = ledger.sessions([month], keys)
    for p in problems:
        if strict:
            fail(f"{p} (fix it before finalizing)")
        say(f"warning: {p} (skipped)")
    customers, broken = ledger.customers()
    billed = {s.customer for s in sessions}
    for p in broken:
        if Path(p.path).parent.name in billed:  # its rates are unknown: no statement beats a wrong one
            fail(f"{p} (fix it before invoicing)")
    running = [
        s for s in ledger.timers.all() if month_key(s.start, e.tz) == month and (keys is None or s.customer in keys)
    ]
    return bill(sessions, ledger.settings, customers, e.tz), running, customers


def _finalize(e: Env, month: str, lines: list[Line]) -> None:
    """Stamp every billable, not yet invoiced line with a new number per customer."""
    from sessionlog.numbering import next_number

    settings = e.ledger.settings
    todo: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        if line.session.billable and not line.session.invoice:
            todo[line.session.customer].append(line)
    if not todo:
        say(f"nothing to finalize: every billable session of {month} is invoiced already")
        return
    year, mon = int(month[:4]), int(month[5:])
    scope = [f"{year}-{m:02d}" for m in range(1, 13)] if "{year}" in settings.invoice_pattern else None
    scanned, problems = e.ledger.sessions(scope)
    if problems:  # a number in an unreadable file could be issued twice
        fail(f"{problems[0]} (fix it before finalizing: invoice numbers are read from it)")
    used = [s.invoice for s in scanned if s.invoice]
    changes: list[tuple[Session, Session]] = []
    for key in sorted(todo):
        number = next_number(settings.invoice_pattern, used, year, mon, key, settings.invoice_first)
        used.append(number)
        changes += [(ln.session, ln.session.evolve(invoice=number, billed=freeze(ln))) for ln in todo[key]]
        amount = sum((ln.amount for ln in todo[key]), start=Decimal("0.00"))
        say(f"{number}: {key}, {len(todo[key])} session(s), {amount} {todo[key][0].currency}")
    e.ledger.update_many(changes)


def _warn_late(lines: Sequence[Line], month: str) -> None:
    invoiced: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line.session.invoice:
            invoiced[line.session.customer].add(line.session.invoice)
    for key, numbers in sorted(invoiced.items()):
        late = [ln for ln in lines if ln.session.customer == key and ln.session.billable and not ln.session.invoice]
        if late:
            say(
                f"warning: {key}: {len(late)} session(s) of {month} came after invoice {', '.join(sorted(numbers))} "
                f"and are not invoiced yet; `sessionlog invoice {month} --finalize` bills them under a new number"
            )


def invoice(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(metavar="MONTH", help="The month, e.g. 2024-03 or 03.2024.")],
    customer: CustomerOpt = None,
    summary: Annotated[bool, typer.Option("--summary", help="One row per customer.")] = False,
    profile: Profile = None,
    include_free: Annotated[bool, typer.Option("--include-free", help="List free sessions with amount 0.")] = False,
    finalize: Annotated[
        bool, typer.Option("--finalize", help="Assign invoice numbers and lock the invoiced sessions.")
    ] = False,
) -> None:
    """The month's billable sessions as CSV on stdout, ready for Excel or invoicing software."""
    from sessionlog.periods import month_period
    from sessionlog.render import csv_profile

    e = env(ctx)
    ledger = e.ledger
    label = month_key(month_period(month, e.tz).start, e.tz)
    chosen = csv_profile(profile or ledger.settings.csv_profile)  # a bad profile fails before any write
    keys = [e.customer_key(customer, create=False)[0]] if customer else None
    with ledger.locked() if finalize else nullcontext():
        lines, running, customers = _month_lines(e, label, keys, strict=finalize)
        if finalize:
            _finalize(e, label, lines)
            lines, running, customers = _month_lines(e, label, keys, strict=True)
    for s in running:
        say(f"warning: the session {s.id} of {s.supporter} for {s.customer} is still running and not included")
    _warn_late(lines, label)
    shown = [ln for ln in lines if include_free or ln.session.billable]
    if summary:
        emit("csv", _summary_rows(shown, customers), SUMMARY_COLUMNS, profile=chosen.name)
    else:
        emit("csv", [_line_row(ln, customers, e) for ln in shown], INVOICE_COLUMNS, profile=chosen.name)
    by_currency: dict[str, Decimal] = {}
    for ln in shown:
        by_currency[ln.currency] = by_currency.get(ln.currency, Decimal("0.00")) + ln.amount
    money = " + ".join(f"{v} {c}" for c, v in sorted(by_currency.items())) or f"0.00 {ledger.settings.currency}"
    count = len({ln.session.customer for ln in shown})
    say(f"{label}: {len(shown)} session(s), {count} customer(s), total {money}")


def report(
    ctx: typer.Context,
    period: PeriodArg = None,
    by: Annotated[str, typer.Option("--by", help="customer, supporter, month, tag or channel.")] = "customer",
    from_: From = None,
    to: To = None,
    customer: CustomerOpt = None,
    fmt: Format = "table",
    profile: Profile = None,
) -> None:
    """Totals per group: billable and free time, billed minutes and money."""
    from sessionlog.reports import GROUPINGS, row_as_json, summarize, totals

    check_format(fmt)
    if by not in GROUPINGS:
        fail(f"cannot group by {by!r}; choose one of {', '.join(GROUPINGS)}", 2)
    e = env(ctx)
    chosen = select_period(e, period, from_, to)
    sessions, lines = load(e, chosen, customer)
    for s in sessions:
        if s.running:
            say(f"warning: the session {s.id} of {s.supporter} for {s.customer} is still running and not included")
    picked = [lines[s.id] for s in sessions if s.id in lines]
    rows = summarize(picked, by, e.tz)
    sums = totals(picked)

    def shown(row: Row) -> dict[str, object]:
        free = ", ".join(
            f"{reason} {format_duration(timedelta(seconds=sec))}" for reason, sec in row.free_seconds.items()
        )
        return {
            "group": row.group,
            "sessions": row.sessions,
            "net": timedelta(seconds=row.net_seconds),
            "billable": timedelta(seconds=row.billable_seconds),
            "billed_minutes": row.billed_minutes,
            "charged_minutes": row.charged_minutes,
            "amount": row.amount,
            "currency": row.currency,
            "free": free,
        }

    emit(
        fmt,
        [shown(r) for r in rows] + ([shown(t) for t in sums] if fmt == "table" and len(sums) > 1 else []),
        REPORT_COLUMNS,
        json_rows=[row_as_json(r) for r in rows],
        profile=profile or e.ledger.settings.csv_profile,
        title=f"{chosen.label} by {by}",
        footer=shown(sums[0]) if fmt == "table" and len(sums) == 1 else None,
    )

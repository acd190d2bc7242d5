"""`invoice` and `report`: money out of the ledger."""

from __future__ import annotations

from datetime import timedelta, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer

from sessionlog.app.listing import select_period
from sessionlog.billing import Line
from sessionlog.cli.common import CustomerOpt, FormatOpt, Profile, app_context, say, warn
from sessionlog.cli.listing import From, PeriodArg, To
from sessionlog.cli.output import emit
from sessionlog.model import format_duration
from sessionlog.render import Column, Format
from sessionlog.reports import Grouping, Row, row_as_json

if TYPE_CHECKING:
    from sessionlog.app import invoicing

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


def _line_row(line: Line, inv: invoicing.Invoice, tz: tzinfo) -> dict[str, object]:
    s = line.session
    c = inv.customers.get(s.customer)
    start = s.start.astimezone(tz)
    return {
        "invoice": s.invoice,
        "customer": s.customer,
        "customer_name": c.display_name if c else s.customer,
        "session": s.id,
        "date": start,
        "start": start,
        "end": s.end.astimezone(tz) if s.end else None,
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


def _summary_rows(inv: invoicing.Invoice) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for row, numbers, rate in inv.summary():
        c = inv.customers.get(row.group)
        rows.append(
            {
                "invoice": numbers,
                "customer": row.group,
                "customer_name": c.display_name if c else row.group,
                "sessions": row.sessions,
                "duration": timedelta(seconds=row.net_seconds),
                "billed_minutes": row.billed_minutes,
                "included_minutes": row.included_minutes,
                "charged_minutes": row.charged_minutes,
                "rate": rate,
                "amount": row.amount,
                "currency": row.currency,
            }
        )
    return rows


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
    c = app_context(ctx)
    chosen = profile or c.ledger.settings.csv_profile
    from sessionlog.app import invoicing  # here: `report` does not need it

    inv = invoicing.invoice(c, month, customer=customer, include_free=include_free, finalize=finalize)
    for i in inv.issued:
        say(f"{i.number}: {i.customer}, {i.sessions} session(s), {i.amount} {i.currency}")
    if finalize and not inv.issued:
        say(f"nothing to finalize: every billable session of {inv.month} is invoiced already")
    warn(inv.warnings)
    if summary:
        emit(Format.CSV, _summary_rows(inv), SUMMARY_COLUMNS, profile=chosen)
    else:
        emit(Format.CSV, [_line_row(ln, inv, c.tz) for ln in inv.lines], INVOICE_COLUMNS, profile=chosen)
    money = " + ".join(f"{t.amount} {t.currency}" for t in inv.totals if t.currency)
    money = money or f"0.00 {c.ledger.settings.currency}"
    count = len({ln.session.customer for ln in inv.lines})
    say(f"{inv.month}: {len(inv.lines)} session(s), {count} customer(s), total {money}")


def _report_row(row: Row) -> dict[str, object]:
    free = ", ".join(f"{reason} {format_duration(timedelta(seconds=sec))}" for reason, sec in row.free_seconds.items())
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


def report(
    ctx: typer.Context,
    period: PeriodArg = None,
    by: Annotated[Grouping, typer.Option("--by", help="What each row totals.")] = Grouping.CUSTOMER,
    from_: From = None,
    to: To = None,
    customer: CustomerOpt = None,
    fmt: FormatOpt = Format.TABLE,
    profile: Profile = None,
) -> None:
    """Totals per group: billable and free time, billed minutes and money."""
    c = app_context(ctx)
    from sessionlog.app import reporting  # here: `invoice` does not need it

    rep = reporting.report(c, select_period(c, period, from_, to), by, customer)
    warn(rep.warnings)
    table = fmt is Format.TABLE
    # One currency: the total is the table's footer; several: a total row for each.
    extra = [_report_row(t) for t in rep.totals] if table and len(rep.totals) > 1 else []
    emit(
        fmt,
        [_report_row(r) for r in rep.rows] + extra,
        REPORT_COLUMNS,
        json_rows=[row_as_json(r) for r in rep.rows],
        profile=profile or c.ledger.settings.csv_profile,
        title=f"{rep.period.label} by {by}",
        footer=_report_row(rep.totals[0]) if table and len(rep.totals) == 1 else None,
    )

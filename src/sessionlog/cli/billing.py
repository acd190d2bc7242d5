"""`invoice` and `report`: money out of the ledger."""

from __future__ import annotations

from datetime import timedelta, tzinfo
from decimal import Decimal
from typing import Annotated

import typer

from sessionlog.app import invoicing, reporting
from sessionlog.app.listing import select_period
from sessionlog.billing import Line
from sessionlog.cli.common import (
    CustomerOpt,
    FormatOpt,
    Profile,
    SkipBroken,
    Wide,
    app_context,
    finish_incomplete,
    incomplete,
)
from sessionlog.cli.env import say, warn
from sessionlog.cli.listing import From, PeriodArg, To
from sessionlog.cli.output import default_profile, emit
from sessionlog.cli.report_by import ByOpt, label, within_columns, within_json, within_rows
from sessionlog.i18n import _
from sessionlog.model import format_duration
from sessionlog.render import Column, Format, money_text
from sessionlog.reports import Row, row_as_json

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
    Column("sessions", "Sitzungen", kind="int", drop=1),
    Column("net", "Netto", kind="duration"),
    Column("billable", "Abrechenbar", kind="duration"),
    Column("billed_minutes", "Abgerechnete Minuten", title="billed min", kind="int", drop=3),
    Column("charged_minutes", "Berechnete Minuten", title="charged min", kind="int", drop=4),
    Column("amount", "Betrag", kind="money"),
    Column("currency", "Währung", drop_if_same=True),
    Column("free", "Kostenlos", title="free (by reason)", kind="reasons", drop=2, wraps=True),
)


def register(app: typer.Typer) -> None:
    app.command()(invoice)
    app.command()(report)


def _line_row(line: Line, inv: invoicing.Invoice, tz: tzinfo) -> dict[str, object]:
    s = line.session
    start = s.start.astimezone(tz)
    return {
        "invoice": s.invoice,
        "customer": s.customer,
        "customer_name": inv.customer_name(line),
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
        first = next(ln for ln in inv.lines if ln.session.customer == row.group)
        rows.append(
            {
                "invoice": numbers,
                "customer": row.group,
                "customer_name": inv.customer_name(first),
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
    month: Annotated[
        str, typer.Argument(metavar="MONTH", help="The month, e.g. 2024-03, 03.2024, month or last-month.")
    ],
    customer: CustomerOpt = None,
    summary: Annotated[bool, typer.Option("--summary", help="One row per customer.")] = False,
    profile: Profile = None,
    include_free: Annotated[bool, typer.Option("--include-free", help="List free sessions with amount 0.")] = False,
    finalize: Annotated[
        bool, typer.Option("--finalize", help="Assign invoice numbers and lock the invoiced sessions.")
    ] = False,
    skip_broken: SkipBroken = False,
    allow_zero: Annotated[
        bool, typer.Option("--allow-zero", help="Finalize billable sessions at a rate of 0.00 as well.")
    ] = False,
) -> None:
    """The month's billable sessions as CSV on stdout, ready for Excel or invoicing software.

    Example: sessionlog invoice 2024-03 > rechnung.csv
    """
    c = app_context(ctx)
    chosen = profile or c.ledger.settings.csv_profile or default_profile()
    inv = invoicing.invoice(
        c,
        month,
        customer=customer,
        include_free=include_free,
        finalize=finalize,
        skip_broken=skip_broken,
        allow_zero=allow_zero,
    )
    for i in inv.issued:
        say(
            _("{number}: {customer}, {count} session(s), {amount}").format(
                number=i.number, customer=i.customer, count=i.sessions, amount=money_text(i.amount, i.currency)
            )
        )
    if finalize and not inv.issued:
        say(_("nothing to finalize: every billable session of {month} is invoiced already").format(month=inv.month))
    warn(inv.warnings)
    columns = SUMMARY_COLUMNS if summary else INVOICE_COLUMNS
    rows = _summary_rows(inv) if summary else [_line_row(ln, inv, c.tz) for ln in inv.lines]
    if inv.skipped:
        # The CSV goes to a file and a spreadsheet: its last row says what it leaves out.
        rows.append({columns[0].key: incomplete(inv.skipped)})
    emit(Format.CSV, rows, columns, profile=chosen)
    money = " + ".join(money_text(t.amount, t.currency) for t in inv.totals if t.currency)
    money = money or money_text(Decimal(0), c.ledger.settings.currency)
    count = len({ln.session.customer for ln in inv.lines})
    say(
        _("{month}: {count} session(s), {customers} customer(s), total {money}").format(
            month=inv.month, count=len(inv.lines), customers=count, money=money
        )
    )
    finish_incomplete(inv.skipped)


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
    by: ByOpt = "customer",
    from_: From = None,
    to: To = None,
    customer: CustomerOpt = None,
    fmt: FormatOpt = Format.TABLE,
    profile: Profile = None,
    skip_broken: SkipBroken = False,
    wide: Wide = False,
) -> None:
    """Totals per group: billable and free time, billed minutes and money.

    Example: sessionlog report 2024 --by customer,tag
    """
    c = app_context(ctx)
    first, then = by[0], (by[1] if len(by) > 1 else None)
    period_ = select_period(c, period, from_, to)
    rep = reporting.report(c, period_, first, customer, skip_broken=skip_broken, then=then)
    warn(rep.warnings)
    table = fmt is Format.TABLE
    # One currency: the total is the table's footer; several: a total row for each.
    extra = [_report_row(t) for t in rep.totals] if table and len(rep.totals) > 1 else []
    if rep.skipped and fmt is Format.CSV:
        extra.append({"group": incomplete(rep.skipped)})
    if then is None:
        rows = [{**_report_row(r), "group": label(r.group, first) if table else r.group} for r in rep.rows]
        columns: tuple[Column, ...] = REPORT_COLUMNS
        json_rows = [row_as_json(r) for r in rep.rows]
    else:
        rows = within_rows(rep.rows, rep.within, first, then, _report_row, table=table)
        columns, json_rows = within_columns(REPORT_COLUMNS, first, then), within_json(rep.rows, rep.within)
    emit(
        fmt,
        rows + extra,
        columns,
        json_rows=json_rows,
        profile=profile or c.ledger.settings.csv_profile,
        title=f"{rep.period.label} by {', '.join(by)}" + (" (INCOMPLETE)" if rep.skipped else ""),
        footer=_report_row(rep.totals[0]) if table and len(rep.totals) == 1 else None,
        wide=wide,
    )
    finish_incomplete(rep.skipped)

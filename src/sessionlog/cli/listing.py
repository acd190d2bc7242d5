"""`list`: the sessions of a period, as a table, CSV or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sessionlog.app.listing import list_sessions as load_sessions
from sessionlog.app.listing import select_period
from sessionlog.cli.common import CustomerOpt, FormatOpt, Profile, Wide, app_context, fail
from sessionlog.cli.env import say, warn
from sessionlog.cli.output import emit
from sessionlog.i18n import _
from sessionlog.model import Session
from sessionlog.render import Column, Format

if TYPE_CHECKING:
    from sessionlog.billing import Line

PeriodArg = Annotated[
    str | None,
    typer.Argument(
        metavar="[PERIOD]",
        help=(
            "2024-03, 2024, 01.03.2024, today, yesterday, this-week (week), last-week, "
            "this-month (month, the default), last-month, this-year (year), last-year; "
            "in German as well: heute, gestern, letzte-woche, vormonat …"
        ),
    ),
]
From = Annotated[str | None, typer.Option("--from", metavar="WHEN", help="From this day or time on.")]
To = Annotated[str | None, typer.Option("--to", metavar="WHEN", help="Up to this day (inclusive) or time.")]

COLUMNS = (
    Column("id", "ID"),
    Column("customer", "Kunde"),
    Column("date", "Datum", kind="date"),
    Column("start", "Beginn", kind="time", drop=2),
    Column("end", "Ende", kind="time", drop=4),
    Column("duration", "Dauer", kind="duration"),
    Column("supporter", "Techniker", drop=6),
    Column("contact", "Ansprechpartner", drop=9),
    Column("machine", "Gerät", drop=8),
    Column("channel", "Kanal", kind="word", drop=7),
    Column("note", "Notiz", drop=1, wraps=True),
    Column("billing", "Abrechnung", kind="word", drop=3),
    Column("billed_minutes", "Minuten", title="billed min", kind="int", drop=5),
    Column("amount", "Betrag", kind="money"),
)


def register(app: typer.Typer) -> None:
    app.command("list")(list_sessions)


def list_sessions(
    ctx: typer.Context,
    period: PeriodArg = None,
    from_: From = None,
    to: To = None,
    customer: CustomerOpt = None,
    supporter: Annotated[str | None, typer.Option("--supporter", metavar="NAME", help="Only this supporter.")] = None,
    fmt: FormatOpt = Format.TABLE,
    profile: Profile = None,
    wide: Wide = False,
) -> None:
    """Sessions as a table, CSV or JSON.

    Example: sessionlog list last-month --customer ACME
    """
    c = app_context(ctx)
    view = load_sessions(c, select_period(c, period, from_, to), customer, supporter)
    warn(view.warnings)
    warn(view.skipped)
    rows, data = [], []
    for s in view.sessions:
        line = view.lines.get(s.id)
        local_start = s.start.astimezone(c.tz)
        rows.append(
            {
                "id": s.id,
                "customer": s.customer,
                "date": local_start,
                "start": local_start,
                "end": s.end.astimezone(c.tz) if s.end else None,
                "duration": None if s.unfinished else s.net_duration(c.now),
                "supporter": s.supporter,
                "contact": s.contact,
                "machine": s.machine,
                "channel": s.channel,
                "note": s.note,
                "billing": billing_text(s),
                "billed_minutes": line.billed_minutes if line else None,
                "amount": line.amount if line and s.billable else None,
            }
        )
        data.append(as_json(s, line))
    emit(fmt, rows, COLUMNS, json_rows=data, profile=profile or c.ledger.settings.csv_profile, wide=wide)
    if fmt is Format.TABLE:
        say(_("{count} session(s)").format(count=len(rows)))
    if view.skipped:
        fail(
            _("{count} problem(s): the list leaves out what cannot be read (see `sessionlog check`)").format(
                count=len(view.skipped)
            )
        )


def billing_text(s: Session) -> str:
    if s.running:
        return "running"
    if s.unfinished:
        return "unfinished: needs a duration"
    return "billable" if s.billable else f"free: {s.free_reason}"


def as_json(s: Session, line: Line | None) -> dict[str, object]:
    """The JSON object of one session; the keys are a published interface."""
    return {
        "id": s.id,
        "customer": s.customer,
        "start": s.start,
        "end": s.end,
        "duration_seconds": int(s.net_duration().total_seconds()) if s.end else None,
        "supporter": s.supporter,
        "contact": s.contact,
        "machine": s.machine,
        "channel": s.channel,
        "note": s.note,
        "billable": s.billable,
        "free_reason": s.free_reason,
        "tags": list(s.tags),
        "ticket": s.ticket,
        "invoice": s.invoice,
        "source": s.source,
        "unfinished": s.unfinished,
        "billed_minutes": line.billed_minutes if line else None,
        "amount": line.amount if line else None,
        "currency": line.currency if line else None,
    }

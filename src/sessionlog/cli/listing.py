"""`list`: the sessions of a period, as a table, CSV or JSON."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from sessionlog.cli.common import Env, Format, env, say
from sessionlog.cli.output import check_format, emit
from sessionlog.model import Session, SessionlogError
from sessionlog.render import Column

if TYPE_CHECKING:
    from sessionlog.billing import Line
    from sessionlog.periods import Period

PeriodArg = Annotated[
    str | None,
    typer.Argument(metavar="[PERIOD]", help="2024-03, 2024, 01.03.2024, today, week, month (default)."),
]
From = Annotated[str | None, typer.Option("--from", help="From this day or time on.")]
To = Annotated[str | None, typer.Option("--to", help="Up to this day (inclusive) or time.")]
CustomerOpt = Annotated[str | None, typer.Option("--customer", "-c", help="Only this customer.")]
Profile = Annotated[str | None, typer.Option("--profile", help="CSV profile: de or en (default: the ledger's).")]

COLUMNS = (
    Column("id", "ID"),
    Column("customer", "Kunde"),
    Column("date", "Datum", kind="date"),
    Column("start", "Beginn", kind="time"),
    Column("end", "Ende", kind="time"),
    Column("duration", "Dauer", kind="duration"),
    Column("supporter", "Techniker"),
    Column("contact", "Ansprechpartner"),
    Column("machine", "Gerät"),
    Column("channel", "Kanal"),
    Column("note", "Notiz"),
    Column("billing", "Abrechnung"),
    Column("billed_minutes", "Minuten", title="billed min", kind="int"),
    Column("amount", "Betrag", kind="money"),
)


def register(app: typer.Typer) -> None:
    app.command("list")(list_sessions)


def select_period(e: Env, period: str | None, start: str | None, end: str | None) -> Period:
    """The Period a command is about: PERIOD, or --from/--to, or this month."""
    from sessionlog.periods import parse_period, period_between
    from sessionlog.timeparse import parse_moment

    now, tz = e.now(), e.tz
    if period and (start or end):
        raise SessionlogError("give a PERIOD or --from/--to, not both")
    if start or end:
        lo = parse_moment(start, now, tz) if start else None
        hi = _inclusive_end(end, now, e) if end else None
        return period_between(lo, hi, now, tz)
    return parse_period(period or "month", now, tz)


def _inclusive_end(text: str, now: datetime, e: Env) -> datetime:
    """`--to 31.03.2024` means through that day: a bare date ends at the next midnight."""
    from sessionlog.periods import parse_period
    from sessionlog.timeparse import parse_moment

    try:
        return parse_period(text, now, e.tz).end
    except SessionlogError:
        return parse_moment(text, now, e.tz)


def load(e: Env, period: Period, customer: str | None) -> tuple[list[Session], dict[str, Line]]:
    """Finished and running sessions starting in the period, and each finished one's line.

    Lines are billed over whole months, because a contract allowance is used up in start
    order across the month, whatever part of it is shown.
    """
    from sessionlog.billing import bill

    ledger = e.ledger
    keys = [e.customer_key(customer, create=False)[0]] if customer else None
    # An open --from/--to spans centuries: read the files there are instead of probing each month.
    months = period.months() if period.end - period.start < timedelta(days=3700) else None
    sessions, problems = ledger.sessions(months, keys)
    for p in problems:
        say(f"warning: {p} (skipped)")
    running = [s for s in ledger.timers.all() if keys is None or s.customer in keys]
    customers, broken = ledger.customers()
    for p in broken:
        say(f"warning: {p} (its sessions are billed at the ledger's default rules)")
    lines = {line.session.id: line for line in bill(sessions, ledger.settings, customers, e.tz)}
    return [s for s in (*sessions, *running) if s.start in period], lines


def list_sessions(
    ctx: typer.Context,
    period: PeriodArg = None,
    from_: From = None,
    to: To = None,
    customer: CustomerOpt = None,
    supporter: Annotated[str | None, typer.Option("--supporter", help="Only this supporter.")] = None,
    fmt: Format = "table",
    profile: Profile = None,
) -> None:
    """Sessions as a table, CSV or JSON."""
    check_format(fmt)
    e = env(ctx)
    everything, lines = load(e, select_period(e, period, from_, to), customer)
    picked = sorted(
        (s for s in everything if supporter is None or s.supporter.casefold() == supporter.casefold()),
        key=lambda s: (s.start, s.id),
    )
    rows, data = [], []
    for s in picked:
        line = lines.get(s.id)
        local_start = s.start.astimezone(e.tz)
        rows.append(
            {
                "id": s.id,
                "customer": s.customer,
                "date": local_start,
                "start": local_start,
                "end": s.end.astimezone(e.tz) if s.end else None,
                "duration": s.net_duration(e.now()),
                "supporter": s.supporter,
                "contact": s.contact,
                "machine": s.machine,
                "channel": s.channel,
                "note": s.note,
                "billing": "running" if s.running else ("billable" if s.billable else f"free: {s.free_reason}"),
                "billed_minutes": line.billed_minutes if line else None,
                "amount": line.amount if line and s.billable else None,
            }
        )
        data.append(as_json(s, line))
    emit(fmt, rows, COLUMNS, json_rows=data, profile=profile or e.ledger.settings.csv_profile)
    if fmt == "table":
        say(f"{len(rows)} session(s)")


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
        "billed_minutes": line.billed_minutes if line else None,
        "amount": line.amount if line else None,
        "currency": line.currency if line else None,
    }

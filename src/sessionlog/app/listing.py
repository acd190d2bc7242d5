"""Sessions of a period, with each finished one's billed line: what `list` and `report` show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sessionlog.app import customers
from sessionlog.app.context import Context, warning
from sessionlog.billing import Line, bill
from sessionlog.model import Kind, Problem, Session, SessionlogError, Severity
from sessionlog.periods import Period, match_period, parse_period, period_between


def select_period(ctx: Context, period: str | None, start: str | None, end: str | None) -> Period:
    """The Period a command is about: PERIOD, or --from/--to, or this month."""
    if period and (start or end):
        raise SessionlogError("give a PERIOD or --from/--to, not both")
    if start or end:
        lo = ctx.moment(start) if start else None
        hi = _inclusive_end(ctx, end) if end else None
        return period_between(lo, hi, ctx.now, ctx.tz)
    return parse_period(period or "month", ctx.now, ctx.tz)


def _inclusive_end(ctx: Context, text: str) -> datetime:
    """`--to 31.03.2024` means through that day: a period's end is its next midnight."""
    found = match_period(text, ctx.now, ctx.tz)
    return found.end if found is not None else ctx.moment(text)


@dataclass
class PeriodView:
    period: Period
    sessions: list[Session]  # finished and running sessions that start in the period, by start
    lines: dict[str, Line]  # session id -> its billed line (finished sessions)
    warnings: list[Problem] = field(default_factory=list)


def load(ctx: Context, period: Period, customer: str | None) -> PeriodView:
    """Finished and running sessions starting in the period, and each finished one's line.

    Lines are billed over whole months, because a contract allowance is used up in start
    order across the month, whatever part of it is shown.
    """
    ledger = ctx.ledger
    keys = [customers.resolve(ledger, customer, create=False)[0]] if customer else None
    # An open --from/--to spans centuries: read the files there are instead of probing each month.
    months = period.months() if period.end - period.start < timedelta(days=3700) else None
    sessions, problems = ledger.sessions.load(months, keys)
    warnings = [warning(p, "skipped") for p in problems]
    running = [s for s in ledger.timers.all() if keys is None or s.customer in keys]
    found, broken = ledger.customers.all()
    warnings += [warning(p, "its sessions are billed at the ledger's default rules") for p in broken]
    lines = {line.session.id: line for line in bill(sessions, ledger.settings, found, ctx.tz)}
    shown = sorted((s for s in (*sessions, *running) if s.start in period), key=lambda s: (s.start, s.id))
    return PeriodView(period, shown, lines, warnings)


def running_warnings(sessions: list[Session]) -> list[Problem]:
    """One warning per running session, which no total includes."""
    return [running_warning(s.id, s.supporter, s.customer) for s in sessions if s.running]


def running_warning(sid: str, supporter: str, customer: str) -> Problem:
    return Problem(
        Kind.RUNNING,
        f"the session {sid} of {supporter} for {customer} is still running and not included",
        severity=Severity.WARNING,
    )


def list_sessions(
    ctx: Context, period: Period, customer: str | None = None, supporter: str | None = None
) -> PeriodView:
    """The sessions `list` shows, optionally of one supporter (case-insensitive)."""
    view = load(ctx, period, customer)
    if supporter is not None:
        view.sessions = [s for s in view.sessions if s.supporter.casefold() == supporter.casefold()]
    return view

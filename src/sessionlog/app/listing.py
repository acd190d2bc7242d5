"""Sessions of a period, with each finished one's billed line: what `list`, `report` and
`invoice` read, and the rule that a bill is never made of a ledger that cannot be fully read.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from sessionlog.app import customers
from sessionlog.app.context import Context, warning
from sessionlog.billing import Line, bill
from sessionlog.i18n import _
from sessionlog.model import Customer, Kind, Origin, Problem, Session, SessionlogError, Severity
from sessionlog.periods import Period, match_period, parse_period, period_between


def select_period(ctx: Context, period: str | None, start: str | None, end: str | None) -> Period:
    """The Period a command is about: PERIOD, or --from/--to, or this month."""
    if period and (start or end):
        raise SessionlogError(_("give a PERIOD or --from/--to, not both"))
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
class Gathered:
    """Everything a bill of some months depends on, as read now."""

    sessions: list[Session]  # finished sessions that could be read, minus any whose id is doubled
    running: list[Session]
    customers: dict[str, Customer]
    errors: list[Problem]  # what makes figures of these months incomplete or doubled
    warnings: list[Problem] = field(default_factory=list)  # what does not change them
    unbillable: set[str] = field(default_factory=set)  # customers whose rules cannot be read
    doubled: list[Session] = field(default_factory=list)  # every copy of an id used more than once

    def billable(self) -> list[Session]:
        """The sessions whose figures can be worked out."""
        return [s for s in self.sessions if s.customer not in self.unbillable]


def gather(ctx: Context, months: list[str] | None, keys: list[str] | None) -> Gathered:
    """The finished and running sessions of those months (all when None) and customers.

    Errors are every file or record that cannot be read, a TOML file that is no month file,
    customer folders that clash, a customer file that cannot be read while it has sessions
    here, and ids used more than once (all copies are left out: which one is right is for a
    person to say).
    """
    ledger = ctx.ledger
    sessions, errors = ledger.sessions.load(months, keys)
    wanted = None if keys is None else set(keys)
    errors += folder_errors(ctx, keys)
    doubled, problems = duplicates(sessions)
    errors += problems
    copies = [s for s in sessions if s.id in doubled]
    sessions = [s for s in sessions if s.id not in doubled]
    found = ledger.customers.all()[0]
    unreadable = unreadable_customers(ctx, {s.customer for s in sessions})
    errors += [p for _, p in unreadable]
    unbillable = {key for key, _ in unreadable}
    running, timer_problems = ledger.timers.readable()
    running = [s for s in running if wanted is None or s.customer in wanted]
    warnings = [warning(p, _("skipped")) for p in timer_problems]
    return Gathered(sessions, running, found, errors, warnings, unbillable, copies)


def folder_errors(ctx: Context, keys: list[str] | None) -> list[Problem]:
    """Customer folders that clash and TOML files no month file (of those customers): sessions unread."""
    wanted = None if keys is None else set(keys)
    layout = ctx.ledger.layout
    found = [
        p for p in layout.folder_problems() if wanted is None or p.path is None or Path(p.path).name.lower() in wanted
    ]
    return found + layout.stray_files(keys)


def unreadable_customers(ctx: Context, billed: set[str]) -> list[tuple[str, Problem]]:
    """The customers of `billed` whose file cannot be read, each with its problem."""
    out = []
    for p in ctx.ledger.customers.all()[1]:
        key = ctx.ledger.layout.customer_of(Path(p.path)) if p.path is not None else None
        if key is not None and key in billed:
            out.append((key, p))
    return out


def duplicates(sessions: list[Session]) -> tuple[set[str], list[Problem]]:
    """Ids that stand in more than one place, and a DUPLICATE problem for each naming every place."""
    counts = Counter(s.id for s in sessions)
    doubled = {sid for sid, n in counts.items() if n > 1}
    problems = [
        duplicate_problem(sid, counts[sid], [s.origin for s in sessions if s.id == sid and s.origin is not None])
        for sid in sorted(doubled)
    ]
    return doubled, problems


class Places:
    """Where each session read stands, by session number, in flat arrays (a ledger's 100 000
    sessions need not sit in memory to find the ids used twice), and those ids."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.paths: list[str | None] = []
        self.lines = array("l")
        self.first: dict[str, int] = {}  # id -> the number of its first session
        self.again: dict[str, list[int]] = {}  # id -> all its sessions, for ids found twice or more

    def add(self, s: Session) -> int:
        """Note `s`; its number."""
        n = len(self.ids)
        self.ids.append(s.id)
        self.paths.append(s.origin.path if s.origin else None)
        self.lines.append(s.origin.line if s.origin else 0)
        first = self.first.setdefault(s.id, n)
        if first != n:
            self.again.setdefault(s.id, [first]).append(n)
        return n

    def origin(self, n: int) -> Origin | None:
        path = self.paths[n]
        return Origin(path, self.lines[n]) if path is not None and self.lines[n] else None

    def duplicates(self) -> list[Problem]:
        """A DUPLICATE problem for each id used more than once, by id, naming every place."""
        return [
            duplicate_problem(sid, len(ns), [o for o in map(self.origin, ns) if o is not None])
            for sid, ns in sorted(self.again.items())
        ]


def duplicate_problem(sid: str, count: int, places: list[Origin]) -> Problem:
    """The DUPLICATE problem of an id that stands in `count` places, naming each."""
    first = places[0] if places else None
    return Problem(
        Kind.DUPLICATE,
        _("id {sid} is used {counts} times: {names}").format(
            sid=sid, counts=count, names=", ".join(str(o) for o in places)
        ),
        first.path if first else None,
        first.line if first else None,
        hint=_("keep one of them; a half-done move is finished by the next write"),
    )


def refuse_or_skip(errors: list[Problem], skip_broken: bool, *, skippable: bool = True) -> list[Problem]:
    """Refuse figures that would miss or double a session; with `skip_broken`, the skipped
    problems, which the caller must show where the reader of the figures sees them.
    `skippable` False (finalize) refuses without offering --skip-broken."""
    if not errors:
        return []
    if not skip_broken:
        first = errors[0]
        more = (
            _(" (and {count} more problem(s): see `sessionlog check`)").format(count=len(errors) - 1)
            if len(errors) > 1
            else ""
        )
        way = _("or give --skip-broken to leave it out and say so") if skippable else _("fix it before finalizing")
        skip = _("fix it, or give --skip-broken to leave it out of the figures and say so")
        hint = f"{first.hint}; {way}" if first.hint else (skip if skippable else way)
        raise SessionlogError(replace(first, message=first.message + more, hint=hint))
    return [replace(p, severity=Severity.WARNING, hint=_("skipped")) for p in errors]


@dataclass
class PeriodView:
    period: Period
    sessions: list[Session]  # finished and running sessions that start in the period, by start
    lines: dict[str, Line]  # session id -> its billed line (finished sessions)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # errors left out of the figures


def load(ctx: Context, period: Period, customer: str | None, *, skip_broken: bool = True) -> PeriodView:
    """Finished and running sessions starting in the period, and each finished one's line.

    Without `skip_broken`, anything that cannot be read refuses the whole view. Lines are
    billed over whole months, because a contract allowance is used up in start order across
    the month, whatever part of it is shown.
    """
    ledger = ctx.ledger
    keys = [customers.resolve(ledger, customer, create=False)[0]] if customer else None
    # An open --from/--to spans centuries: read the files there are instead of probing each month.
    months = period.months() if period.end - period.start < timedelta(days=3700) else None
    g = gather(ctx, months, keys)
    skipped = refuse_or_skip(g.errors, skip_broken)
    lines = {line.session.id: line for line in bill(g.billable(), ledger.settings, g.customers, ctx.tz)}
    # A doubled record is shown (without figures) so a person sees both copies.
    everything = (*g.sessions, *g.doubled, *g.running)
    # By the instant as a number: comparing aware datetimes looks up both offsets every time.
    shown = sorted((s for s in everything if s.start in period), key=lambda s: (s.start.timestamp(), s.id))
    return PeriodView(period, shown, lines, g.warnings, skipped)


def running_warnings(sessions: list[Session]) -> list[Problem]:
    """One warning per running session, which no total includes."""
    return [
        Problem(
            Kind.RUNNING,
            _("the session {id} of {supporter} for {customer} is still running and not included").format(
                id=s.id, supporter=s.supporter, customer=s.customer
            ),
            severity=Severity.WARNING,
        )
        for s in sessions
        if s.running
    ]


def unfinished_warnings(sessions: list[Session], *, billed: bool = False) -> list[Problem]:
    """One warning per customer with unfinished sessions (a start, no end yet), which no total has."""
    by_customer: dict[str, list[Session]] = {}
    for s in sessions:
        if s.unfinished:
            by_customer.setdefault(s.customer, []).append(s)
    if billed:
        text = _("{key}: {count} unfinished session(s) without an end are not billed: {ids}")
    else:
        text = _("{key}: {count} unfinished session(s) without an end are not included: {ids}")
    out = []
    for key, group in sorted(by_customer.items()):
        ids = ", ".join(s.id for s in group[:5]) + (", …" if len(group) > 5 else "")
        out.append(
            Problem(
                Kind.UNFINISHED,
                text.format(key=key, count=len(group), ids=ids),
                severity=Severity.WARNING,
                hint=_("give each its duration: sessionlog edit ID --duration 25m"),
            )
        )
    return out


def list_sessions(
    ctx: Context, period: Period, customer: str | None = None, supporter: str | None = None
) -> PeriodView:
    """The sessions `list` shows (what can be read), optionally of one supporter (case-insensitive)."""
    view = load(ctx, period, customer, skip_broken=True)
    if supporter is not None:
        view.sessions = [s for s in view.sessions if s.supporter.casefold() == supporter.casefold()]
    return view

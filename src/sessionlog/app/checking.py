"""`check`: validate the whole ledger and gather every problem with its file and line.

Errors are what would make a bill wrong or a write refuse; warnings are what a person
should look at but may be right (overlapping sessions, a long session, a stale timer).
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sessionlog.app.context import Context
from sessionlog.app.listing import Places
from sessionlog.billing import money, rules_for
from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, Session, SessionlogError, Severity, clock
from sessionlog.numbering import check_pattern

LONG_SESSION = timedelta(hours=12)


@dataclass(frozen=True)
class CheckResult:
    problems: list[Problem]
    sessions: int  # records read

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def _warn(kind: Kind, message: str, s: Session | None = None, path: str | None = None) -> Problem:
    origin = s.origin if s is not None else None
    where = origin.path if origin else path
    return Problem(kind, message, where, origin.line if origin else None, Severity.WARNING)


def check_ledger(ctx: Context, progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """Every problem of the ledger; `progress(done, total)` is called as month files are read."""
    ledger = ctx.ledger
    try:
        settings = ledger.settings
        ledger.tz  # noqa: B018  (reading the zone validates it)
        check_pattern(settings.invoice_pattern)
        rules_for(settings, None)
    except SessionlogError as exc:
        return CheckResult([_at(exc.problem, str(ledger.layout.settings_file))], 0)
    problems = ledger.layout.folder_problems() + ledger.layout.stray_files()
    customers, broken = ledger.customers.all()
    problems += broken
    for c in customers.values():
        try:
            rules_for(settings, c)
        except SessionlogError as exc:
            problems.append(_at(exc.problem, str(ledger.customers.file(c.key))))
    # One customer at a time, keeping of each session only what the checks across customers
    # need (where each id stands, each supporter's times) in flat arrays: 100 000 sessions
    # never sit in memory, not even as small tuples.
    bad: list[Problem] = []
    unfinished: list[Problem] = []
    invoiced: list[Problem] = []
    zero: list[Problem] = []
    long: list[Problem] = []
    seen = _Seen()
    keys = ledger.layout.customer_keys()
    for done, key in enumerate(keys, 1):
        sessions, trouble = ledger.sessions.load(customers=[key])
        bad += trouble
        unfinished += _unfinished(ctx, sessions)
        invoiced += _invoiced(sessions)
        zero += _zero_rates(ctx, sessions)
        long += _long(sessions)
        for s in sessions:
            seen.add(s)
        if progress is not None:
            progress(done, len(keys))
    problems += bad + unfinished
    move = ledger.sessions.moves.problem()
    problems += [move] if move else []
    problems += seen.duplicates()
    problems += invoiced + zero + _overlaps(ctx, seen) + long
    running, bad = ledger.timers.readable()
    problems += bad + _stale(ctx, running)
    problems += [
        Problem(Kind.INVALID, _("a temporary file left by an interrupted write"), str(p), severity=Severity.WARNING,
                hint=_("the next write in that folder removes it"))
        for p in ledger.layout.temp_files()
    ]  # fmt: skip
    from sessionlog.app import conflicts  # copies outside customer folders, numbers issued twice, a waiting merge

    problems += conflicts.findings(ctx)
    return CheckResult(problems, len(seen.ids))


def _at(p: Problem, path: str) -> Problem:
    return p if p.path is not None else Problem(p.kind, p.message, path, p.line, p.severity, p.hint)


def _invoiced(sessions: list[Session]) -> list[Problem]:
    """Invoiced records whose frozen figures do not add up (hand edits after the invoice)."""
    out = []
    for s in sessions:
        b = s.billed
        where = (s.origin.path if s.origin else None, s.origin.line if s.origin else None)
        if s.invoice and b is None and s.billable:
            out.append(
                Problem(
                    Kind.INVALID,
                    _("session {id} is on invoice {invoice} but has no billed figures").format(
                        id=s.id, invoice=s.invoice
                    ),
                    *where,
                )
            )
        elif b is not None and not s.invoice:
            out.append(
                Problem(
                    Kind.INVALID, _("session {id} has billed figures but no invoice number").format(id=s.id), *where
                )
            )
        elif b is not None and (
            b.charged_minutes != b.billed_minutes - b.included_minutes
            or b.amount != money(b.charged_minutes, b.rate)
            or b.billed_minutes < 0
            or b.included_minutes < 0
        ):
            out.append(
                Problem(
                    Kind.INVALID,
                    _(
                        "session {id}: the figures of invoice {invoice} do not add up "
                        "({billed_minutes} - {included_minutes} min at {rate} is not {amount})"
                    ).format(
                        id=s.id,
                        invoice=s.invoice,
                        billed_minutes=b.billed_minutes,
                        included_minutes=b.included_minutes,
                        rate=b.rate,
                        amount=b.amount,
                    ),
                    *where,
                )
            )
    return out


def _zero_rates(ctx: Context, sessions: list[Session]) -> list[Problem]:
    customers, _broken = ctx.ledger.customers.all()
    out = []
    counted: dict[str, int] = defaultdict(int)
    for s in sessions:
        if s.billable and s.billed is None:
            counted[s.customer] += 1
    for key, n in sorted(counted.items()):
        try:
            rate = rules_for(ctx.ledger.settings, customers.get(key)).rate
        except SessionlogError:
            continue  # reported as an error already
        if rate == 0:
            out.append(
                _warn(
                    Kind.INVALID,
                    _("customer {key} has {n} billable session(s) and no rate: they bill 0.00").format(key=key, n=n),
                    path=str(ctx.ledger.customers.file(key)),
                )
            )
    return out


class _Seen(Places):
    """What the checks across customers keep of each session: its place (Places), and per
    supporter the starts and ends as POSIX timestamps in flat arrays (exact to the microsecond
    in this range; they sort several times faster than datetimes)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}  # supporter as folded -> as first written
        self.times: dict[str, tuple[array[float], array[float], array[int]]] = {}  # folded -> starts, ends, numbers

    def add(self, s: Session) -> int:
        n = super().add(s)
        who = s.supporter.casefold()
        track = self.times.get(who)
        if track is None:
            self.names[who] = s.supporter
            track = self.times[who] = (array("d"), array("d"), array("l"))
        track[0].append(s.start.timestamp())
        track[1].append(s.end.timestamp() if s.end is not None else _NO_END)
        track[2].append(n)
        return n


_NO_END = math.nan


def _unfinished(ctx: Context, sessions: list[Session]) -> list[Problem]:
    return [
        Problem(
            Kind.UNFINISHED,
            _("session {id} of {customer} is unfinished: it started {time} and has no end").format(
                id=s.id, customer=s.customer, time=clock(s.start, ctx.tz)
            ),
            s.origin.path if s.origin else None,
            (s.origin.line or None) if s.origin else None,
            Severity.WARNING,
            f"give it its duration: sessionlog edit {s.id} --duration 25m",
        )
        for s in sessions
        if s.unfinished
    ]


def _overlaps(ctx: Context, seen: _Seen) -> list[Problem]:
    out = []
    for who, (starts, ends, numbers) in seen.times.items():
        latest = -1  # the position, in start order, of the session that ends last so far
        for i in sorted(range(len(starts)), key=starts.__getitem__):
            if math.isnan(ends[i]):  # unfinished: it has no extent to overlap (check warns of it)
                continue
            if latest >= 0 and starts[i] < ends[latest]:
                n = numbers[i]
                began = clock(datetime.fromtimestamp(starts[i], UTC), ctx.tz)
                origin = seen.origin(n)
                out.append(
                    Problem(
                        Kind.OVERLAP,
                        _(
                            "session {id} of {supporter} starts {time}, before session {id2} ends; "
                            "that can be right (an install runs while another call comes in)"
                        ).format(id=seen.ids[n], supporter=seen.names[who], time=began, id2=seen.ids[numbers[latest]]),
                        origin.path if origin else None,
                        origin.line if origin else None,
                        Severity.WARNING,
                    )
                )
            if latest < 0 or ends[i] > ends[latest]:
                latest = i
    return out


def _long(sessions: list[Session]) -> list[Problem]:
    return [
        _warn(
            Kind.INVALID,
            _("session {id} lasts over {value} hours").format(id=s.id, value=LONG_SESSION.seconds // 3600),
            s,
        )
        for s in sessions
        if s.end is not None and s.net_duration() > LONG_SESSION
    ]


def _stale(ctx: Context, running: list[Session]) -> list[Problem]:
    limit = timedelta(hours=ctx.ledger.settings.stale_after_hours)
    return [
        _warn(
            Kind.STALE,
            _("the timer of {supporter} has been running since {time}").format(
                supporter=s.supporter, time=clock(s.start, ctx.tz)
            ),
            path=str(ctx.ledger.layout.timer_file(s.supporter)),
        )
        for s in running
        if ctx.now - s.start > limit
    ]

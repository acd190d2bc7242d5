"""`check`: validate the whole ledger and gather every problem with its file and line."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sessionlog.app.context import Context
from sessionlog.model import MAX_SESSION, Kind, Problem, SessionlogError, Severity, clock


@dataclass(frozen=True)
class CheckResult:
    problems: list[Problem]
    sessions: int  # records read


def check_ledger(ctx: Context) -> CheckResult:
    ledger = ctx.ledger
    try:
        ledger.tz  # noqa: B018  (reading the settings and their zone validates them)
    except SessionlogError as exc:
        return CheckResult([exc.problem], 0)  # nothing else can be read without them
    problems = list(ledger.customers.all()[1])
    sessions, found = ledger.sessions.load()
    problems += found
    problems += [
        Problem(
            Kind.UNFINISHED,
            f"session {s.id} of {s.customer} is unfinished: it started {clock(s.start, ledger.tz)} and has no end",
            s.origin.path if s.origin else None,
            (s.origin.line or None) if s.origin else None,
            Severity.WARNING,
            f"give it its duration: sessionlog edit {s.id} --duration 25m",
        )
        for s in sessions
        if s.unfinished
    ]
    where: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for s in sessions:
        origin = s.origin
        where[s.id].append((origin.path, origin.line or None) if origin else ("?", None))
    for sid, places in where.items():
        if len(places) > 1:
            listed = ", ".join(f"{path}:{line}" for path, line in places)
            path, line = places[0]
            problems.append(Problem(Kind.DUPLICATE, f"id {sid} is used {len(places)} times: {listed}", path, line))
    try:
        running = ledger.timers.all()
    except SessionlogError as exc:
        problems.append(exc.problem)
        running = []
    for s in running:
        if s.net_duration(ctx.now) > MAX_SESSION:
            problems.append(
                Problem(
                    Kind.STALE,
                    f"the timer of {s.supporter} has been running for over 24 hours",
                    str(ledger.layout.timer_file(s.supporter)),
                    1,
                )
            )
    return CheckResult(problems, len(sessions))

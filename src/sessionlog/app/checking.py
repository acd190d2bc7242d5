"""`check`: validate the whole ledger and gather every problem with its file and line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sessionlog.app.context import Context
from sessionlog.model import MAX_SESSION, Kind, Problem, SessionlogError


@dataclass(frozen=True)
class CheckResult:
    problems: list[Problem]
    sessions: int  # records read


def check_ledger(ctx: Context, progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """Every problem of the ledger; `progress(done, total)` hears of each customer read."""
    ledger = ctx.ledger
    try:
        ledger.tz  # noqa: B018  (reading the settings and their zone validates them)
    except SessionlogError as exc:
        return CheckResult([exc.problem], 0)  # nothing else can be read without them
    problems = list(ledger.customers.all()[1])
    # One customer at a time, as figures (id and line are all this needs): 100 000 sessions as
    # Session objects took 190 MiB.
    first: dict[str, tuple[str, int | None]] = {}
    more: dict[str, list[tuple[str, int | None]]] = {}
    count = 0
    keys = ledger.customers.keys()
    for done, key in enumerate(keys, 1):
        files, found = ledger.sessions.figures(None, [key])
        problems += found
        for month in files:
            for f in month.figures:
                sid, place = f[0], (month.path, f[1] or None)
                count += 1
                if sid in first:
                    more.setdefault(sid, [first[sid]]).append(place)
                else:
                    first[sid] = place
        if progress is not None:
            progress(done, len(keys))
    for sid in (s for s in first if s in more):  # in the order the ids first appear
        places = more[sid]
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
    return CheckResult(problems, count)

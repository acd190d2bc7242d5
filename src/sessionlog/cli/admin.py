"""`init` and `check`: setting up a ledger and validating all of it."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer

from sessionlog.cli.common import env, fail, say
from sessionlog.model import MAX_SESSION, Problem
from sessionlog.store import Ledger

SETTINGS_TEMPLATE = """\
# sessionlog ledger settings. Every key is optional; a missing key takes the value shown here.

# The ledger's time zone (IANA name). Times you type are read in it, and a session
# belongs to the month in which it started there. Without it: the machine's zone.
timezone = "{timezone}"

[billing]
currency = "EUR"
rate = "0.00"            # per hour, for customers without a rate of their own
increment = 1            # minutes; 1 = every started minute, 15 = quarter hours
rounding = "up"          # up | nearest | down, to the increment
minimum = 0              # minimum billed minutes per billable session
included_minutes = 0     # contract minutes per customer and month before charging
after_hours_factor = "1" # rate factor for sessions starting outside business hours

[business_hours]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "08:00"
end = "18:00"

[csv]
profile = "en"           # en: RFC 4180, comma, decimal point; de: Excel/LibreOffice in German

[invoice]
pattern = "RE-{{year}}-{{seq:04d}}"   # {{year}}, {{month}}, {{customer}}, {{seq}}
first = 1                # the first sequence number of a year
"""


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("check")(check)


def init(
    ctx: typer.Context,
    directory: Annotated[
        Path | None, typer.Argument(metavar="[DIR]", help="The ledger folder (default: the ledger).")
    ] = None,
) -> None:
    """Write a commented sessionlog.toml with every setting and its default."""
    from sessionlog.store import read_text, write_atomic
    from sessionlog.store.ledger import SETTINGS_FILE
    from sessionlog.timeparse import ledger_zone

    ledger = Ledger(directory) if directory is not None else env(ctx).ledger
    path = ledger.root / SETTINGS_FILE
    if read_text(path) is not None:
        fail(f"{path} exists already; edit it by hand")
    zone = ledger_zone(None)
    with ledger.locked():
        write_atomic(path, SETTINGS_TEMPLATE.format(timezone=getattr(zone, "key", "UTC")))
    say(f"wrote {path}")


def check(ctx: typer.Context) -> None:
    """Validate the whole ledger; print each problem as file:line: message."""
    e = env(ctx)
    ledger = e.ledger
    problems: list[Problem] = []
    try:
        ledger.settings  # noqa: B018  (reading it validates it)
    except Exception as exc:  # a broken settings file is a finding here, not a crash
        problems.append(Problem(str(ledger.root / "sessionlog.toml"), None, str(exc)))
        _report(problems)
    _, found = ledger.customers()
    problems += found
    sessions, found = ledger.sessions()
    problems += found
    where: dict[str, list[str]] = defaultdict(list)
    for s in sessions:
        origin = s.origin
        path, line = (origin.path, origin.line or None) if origin else ("?", None)
        where[s.id].append(f"{path}:{line}")
    for sid, places in where.items():
        if len(places) > 1:
            first = places[0].rsplit(":", 1)
            problems.append(Problem(first[0], int(first[1]) if first[1].isdigit() else None,
                                    f"id {sid} is used {len(places)} times: {', '.join(places)}"))  # fmt: skip
    try:
        running = ledger.timers.all()
    except Exception as exc:
        problems.append(Problem(str(ledger.root / "running"), None, str(exc)))
        running = []
    now = e.now()
    for s in running:
        if s.net_duration(now) > MAX_SESSION:
            problems.append(Problem(str(ledger.timers.file(s.supporter)), 1,
                                    f"the timer of {s.supporter} has been running for over 24 hours"))  # fmt: skip
    _report(problems, len(sessions))


def _report(problems: list[Problem], sessions: int | None = None) -> None:
    for p in problems:
        print(p)
    if problems:
        fail(f"{len(problems)} problem(s) found")
    say(f"ledger ok: {sessions} session(s) checked")

"""What the ledger holds already where an import writes: the source keys that make a
connection a duplicate, and the sessions a new one may overlap."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from sessionlog.app.context import Context
from sessionlog.i18n import _
from sessionlog.model import MAX_SESSION, Kind, Problem, Session, SessionlogError, Severity, clock
from sessionlog.store.monthfile import open_file


class Target(Protocol):
    """Where a connection goes."""

    @property
    def customer(self) -> str: ...

    @property
    def month(self) -> str: ...


class Row(Protocol):
    """A new session and the log lines it is made of."""

    @property
    def session(self) -> Session: ...

    @property
    def lines(self) -> list[int]: ...

    @property
    def file(self) -> str: ...  # "" unless the import reads several files


class Recorded(NamedTuple):
    """A finished session the ledger holds, as far as an overlap warning needs it."""

    id: str
    customer: str
    start: datetime
    end: datetime


def existing(ctx: Context, rows: Sequence[Target]) -> tuple[set[str], dict[tuple[str, str], str], list[Recorded]]:
    """The source keys the ledger holds for the customers and months the rows go to (and the
    month before each, where a merged session that began earlier is filed); each of those
    files that does not parse, with why (a key in it could not be seen); and the sessions.

    Records are read raw, not checked: a record with a wrong field still has its source, and
    decoding 100 000 records to learn their sources would double the time of a re-import.
    """
    ledger = ctx.ledger
    wanted: dict[str, set[str]] = {}
    for row in rows:
        wanted.setdefault(row.customer, set()).add(row.month)
    sources: set[str] = set()
    blocked: dict[tuple[str, str], str] = {}
    recorded: list[Recorded] = []
    for key, months in wanted.items():
        for month in list(months):
            year, number = int(month[:4]), int(month[5:])
            months.add(f"{year - 1}-12" if number == 1 else f"{year:04d}-{number - 1:02d}")
        for path in ledger.layout.month_files(sorted(months), [key]):
            try:
                f = open_file(path)
            except SessionlogError as exc:
                p = exc.problem
                blocked[(key, path.stem)] = f"{path} cannot be read" + (f" (line {p.line})" if p.line else "")
                continue
            for raw in f.records:
                if not isinstance(raw, dict):
                    continue
                source = raw.get("source")
                if isinstance(source, str):
                    sources.update(source.split())
                if isinstance(raw.get("id"), str):
                    # Every record is known by its id too: a row of another ledger's export
                    # (source sessionlog:ID) that is this very session adds nothing.
                    sources.add(f"sessionlog:{raw['id']}")
                start, end = raw.get("start"), raw.get("end")
                if isinstance(start, datetime) and isinstance(end, datetime) and start.tzinfo and end.tzinfo:
                    recorded.append(Recorded(str(raw.get("id", "?")), key, start, end))
    return sources, blocked, recorded


def known_elsewhere(ctx: Context, sources: Iterable[str], known: set[str]) -> set[str]:
    """The `sessionlog:ID` sources (sessions of another ledger's export) that are not in the
    month files `existing` read but whose id some other month file holds: the same session,
    moved to another month by an edit since the first import."""
    from sessionlog.store.importfiles import ids_held

    ids = {s.partition(":")[2] for s in sources if s.startswith("sessionlog:") and s not in known}
    if not ids:
        return set()
    return {f"sessionlog:{i}" for i in ids_held(ctx.ledger.layout.month_files(), ids)}


def overlaps(ctx: Context, path: str, rows: Sequence[Row], recorded: list[Recorded]) -> list[Problem]:
    """A warning for each new session that overlaps one of its customer's recorded sessions:
    the technician may have run the timer as well, and both would be billed."""
    by_customer: dict[str, list[Recorded]] = {}
    for r in recorded:
        by_customer.setdefault(r.customer, []).append(r)
    starts: dict[str, list[datetime]] = {}
    for key, group in by_customer.items():
        group.sort(key=lambda r: r.start)
        starts[key] = [r.start for r in group]
    out: list[Problem] = []
    for row in rows:
        new = row.session
        if new.end is None or new.customer not in by_customer:
            continue
        group = by_customer[new.customer]
        # Recorded sessions that start before the new one ends, latest first; any of them that
        # overlaps started at most a day (the longest session) before the new one.
        for old in reversed(group[: bisect_left(starts[new.customer], new.end)]):
            if old.start < new.start - MAX_SESSION:
                break
            if old.end > new.start:
                span = f"{clock(old.start, ctx.tz)} to {old.end.astimezone(ctx.tz):%H:%M}"
                out.append(
                    Problem(
                        Kind.OVERLAP,
                        _("overlaps session {id} of {customer} ({span}) in the ledger").format(
                            id=old.id, customer=new.customer, span=span
                        ),
                        row.file or path,
                        row.lines[0],
                        Severity.WARNING,
                        "both are kept; delete one if the time was recorded twice",
                    )
                )
                break
    return out

"""`import KIND FILE`: connections from a remote-support tool's log become sessions.

The steps, each one plain to follow in the result: read and decode the file (store), parse
it (importers), find each connection's customer and supporter, drop what the ledger holds
already (by `source`), merge connections to one partner with short gaps, check every
session as the store would, and write all of them with one locked write per month file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from sessionlog.app import customers, import_ledger, import_read
from sessionlog.app.context import Context, warning
from sessionlog.app.import_mapping import Assigner, Mapper, Unmapped
from sessionlog.i18n import _, said
from sessionlog.importers import DESCRIPTIONS, TIME_ENTRIES, ImportKind
from sessionlog.importers.base import Candidate
from sessionlog.model import (
    MAX_SESSION,
    Kind,
    Problem,
    Session,
    SessionlogError,
    Severity,
    format_duration,
    validate_session,
)
from sessionlog.store.ids import random_ids

# (stage, done, total): "reading" counts lines, "writing" counts month files.
ProgressFn = Callable[[str, int, int], None]
_KEEPABLE_ID = re.compile(r"[a-z0-9]{4,16}")

__all__ = ["ImportKind", "ImportOptions", "ImportResult", "Planned", "Unmapped", "import_file"]


@dataclass(frozen=True)
class ImportOptions:
    """The options as the user gave them; None is "not given"."""

    customer: str | None = None  # takes every connection that maps to no customer
    supporter: str | None = None  # who worked, for every connection
    source_tz: str | None = None  # the zone the log's times are in, when it is not UTC
    merge_gap: str | None = None  # "2m"; the ledger's import.merge_gap when None
    dry_run: bool = False
    map_name: str | None = None  # csv: a column map in sessionlog.toml or built in
    map_fields: tuple[str, ...] = ()  # csv: --map FIELD=COLUMN (or OPTION=VALUE)
    date_format: str | None = None  # csv: a strptime format for dates the time parser does not know
    map_project: tuple[str, ...] = ()  # --map-project NAME=KEY: a project, tag or name in the file -> customer
    users: tuple[str, ...] = ()  # only what these accounts of the tool did


class Planned(NamedTuple):
    """A session to add (added, unless it is a dry run), and the log lines it is made of."""

    session: Session  # its id is drawn at random; the store renews one that is taken
    lines: tuple[int, ...]
    file: str = ""  # the file the lines are in, when an import reads several


@dataclass
class ImportResult:
    path: str
    kind: ImportKind
    dry_run: bool
    connections: int = 0  # connections read from the file
    planned: list[Planned] = field(default_factory=list)
    merged: int = 0  # connections merged into the one before them
    duplicates: int = 0  # in the ledger already, or twice in the file
    skipped: list[Problem] = field(default_factory=list)  # FILE:LINE: reason
    unmapped: list[Unmapped] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)  # rows that are no sessions, by what
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0  # month files written (or that would be)
    unfinished: int = 0  # of the sessions planned, those with a start but no end (AnyDesk)

    @property
    def complete(self) -> bool:
        """Whether every connection was imported (or was there already)."""
        return not self.skipped and not self.unmapped


_UNFINISHED = attrgetter("unfinished")


@functools.lru_cache(maxsize=64)  # a log has a few connection types; one tuple each, not one per row
def _kind_tags(connection_type: str) -> tuple[str]:
    return (connection_type.lower(),)


@dataclass(slots=True)
class _Row:
    """A connection on its way to a session."""

    session: Session
    lines: list[int]
    partner: str  # what "the same partner" means for merging
    month: str  # the ledger month it belongs to, 'YYYY-MM'
    stamp: float  # its start as a number, for sorting fast
    file: str = ""  # the file its lines are in, when an import reads several


def import_file(
    ctx: Context, kind: ImportKind, path: Path, options: ImportOptions, progress: ProgressFn | None = None
) -> ImportResult:
    """Import one log; only a problem with the options, the file as a whole or the ledger raises."""
    ledger = ctx.ledger
    import_read.check(kind, options)
    source_tz = _zone(options.source_tz) if options.source_tz is not None else None
    # Time entries merge only when asked: --merge-gap, not the ledger's default for connections.
    default_gap = ledger.settings.importing.merge_gap
    gap = None if kind in TIME_ENTRIES and options.merge_gap is None else _gap(options.merge_gap, default_gap)
    fallback = customers.resolve(ledger, options.customer, create=False)[0] if options.customer else None
    named = import_read.project_map(ctx, options)
    if options.supporter is not None and not options.supporter.strip():
        raise SessionlogError(_("--supporter is empty"))
    shown = str(path)
    parsed = import_read.read(ctx, kind, path, options, source_tz, _stage(progress, "reading"))
    result = ImportResult(shown, kind, options.dry_run, len(parsed.candidates), ignored=parsed.ignored)
    result.skipped = [replace(p, path=p.path or shown) for p in parsed.problems]
    if not parsed.candidates and parsed.problems and not parsed.ignored:
        first = result.skipped[0]
        raise SessionlogError(
            _("nothing in it reads as {DESCRIPTIONS}; line {line}: {message}").format(
                DESCRIPTIONS=DESCRIPTIONS[kind], line=first.line, message=first.message
            ),
            Kind.INVALID,
            path=first.path or shown,
            hint=_("is it the right KIND? sessionlog import takes {names}").format(names=", ".join(ImportKind)),
        )

    placed = _placed(ctx, parsed.candidates, fallback, result, named)
    with ledger.locked() if not options.dry_run else nullcontext():
        existing, blocked, recorded = import_ledger.existing(ctx, placed)
        existing |= import_ledger.known_elsewhere(ctx, (p.candidate.source for p in placed), existing)
        assign = Assigner(ledger.settings.importing, options.supporter, ctx.supporter)
        ids = random_ids()
        fresh = []
        for p in placed:
            if p.candidate.source in existing:
                result.duplicates += 1
            elif (p.customer, p.month) in blocked:
                where = p.candidate.file or shown
                result.skipped.append(Problem(Kind.INVALID, blocked[(p.customer, p.month)], where, p.candidate.line))
            else:
                fresh.append(_row(p, assign, ctx.tz, ids))
        # The candidates are all in the rows now: their memory goes to what comes next (the
        # texts of the files), not new pages from the system (an import of 100 000: 80 MB).
        del placed
        parsed.candidates.clear()
        result.warnings += assign.warnings
        merged = _merge(fresh, gap)
        result.merged = len(fresh) - len(merged)
        ready = _checked(merged, shown, result)
        result.warnings += import_ledger.overlaps(ctx, shown, ready, recorded)
        result.files = len({(r.session.customer, r.month) for r in ready})
        sessions = [r.session for r in ready]
        result.unfinished = sum(map(_UNFINISHED, sessions))
        if not options.dry_run and sessions:
            if progress is not None:
                progress("writing", 0, result.files)
            sessions = ledger.sessions.add_many(sessions, renew_taken=True)
            if progress is not None:
                progress("writing", result.files, result.files)
    result.planned = [Planned(s, tuple(r.lines), r.file) for s, r in zip(sessions, ready, strict=True)]
    result.skipped.sort(key=lambda p: p.line or 0)
    return result


class _Placed(NamedTuple):
    """A connection and where it goes: its customer and the month file."""

    candidate: Candidate
    customer: str
    local: datetime  # the start in the ledger's zone
    month: str  # 'YYYY-MM'


def _placed(
    ctx: Context, candidates: list[Candidate], fallback: str | None, result: ImportResult, named: dict[str, str]
) -> list[_Placed]:
    """Each connection with its customer; repeated and unmapped ones counted in `result`."""
    ledger = ctx.ledger
    tz = ctx.tz
    found, broken = ledger.customers.all()
    result.warnings += [warning(p, _("its remote IDs and aliases are not used")) for p in broken]
    if broken and fallback is not None:
        # A connection that fits nobody might be that customer's: do not give it to another.
        fallback = None
        result.warnings.append(
            Problem(
                Kind.INVALID,
                _("--customer is not used while a customer file cannot be read"),
                severity=Severity.WARNING,
                hint=_("fix it and import again; what is imported now stays"),
            )
        )
    mapper = Mapper(found, named)
    out: list[_Placed] = []
    seen: set[str] = set()
    for c in candidates:
        if c.source in seen:
            result.duplicates += 1
            continue
        seen.add(c.source)
        fits = mapper.fits(c)
        # --customer takes what fits nobody; what fits several customers is never guessed.
        key = fits[0] if len(fits) == 1 else fallback if not fits else None
        if key is None:
            mapper.unmapped(c)
            continue
        if c.customer_names and c.tags:
            # The tag or project that is the customer's own name is the customer, not a tag.
            c = c._replace(tags=mapper.without_names_of(key, c.tags))
        local = c.start.astimezone(tz)
        out.append(_Placed(c, key, local, f"{local.year:04d}-{local.month:02d}"))
    result.unmapped = mapper.report()
    return out


def _row(p: _Placed, assign: Assigner, tz: tzinfo, ids: Iterator[str]) -> _Row:
    c = p.candidate
    session = _session(c, p.customer, p.local, assign, tz, ids)
    partner = c.partner_id or "|".join(c.names)
    return _Row(session, [c.line], f"{c.file}|{partner}" if c.file else partner, p.month, c.start.timestamp(), c.file)


def _checked(rows: list[_Row], shown: str, result: ImportResult) -> list[_Row]:
    """The rows the store would write, by customer and start; the others skipped with why."""
    ready: list[_Row] = []
    for row in rows:
        errors: list[str] = list(validate_session(row.session, force=True))
        length = row.session.net_duration() if row.session.end is not None else timedelta(0)
        if not errors and length > MAX_SESSION:
            errors = [
                _(
                    "the connection lasts {duration}, over 24 hours; "
                    "if that is right, add it by hand with sessionlog add --force"
                ).format(duration=format_duration(length))
            ]
        if errors:
            result.skipped.append(_skip(row.file or shown, row, said(errors[0])))
        else:
            ready.append(row)
    ready.sort(key=lambda r: (r.session.customer, r.stamp, r.lines[0]))
    return ready


def _zone(name: str | None) -> tzinfo:
    from datetime import UTC

    if name is None:
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SessionlogError(
            _("--source-tz: unknown time zone {name!r} (use an IANA name like Europe/Berlin)").format(name=name)
        ) from None


def _gap(text: str | None, default: timedelta) -> timedelta:
    """How far apart connections to one partner may be to merge."""
    if text is None:
        return default
    from sessionlog.timeparse import parse_gap

    try:
        return parse_gap(text)
    except SessionlogError as exc:
        raise SessionlogError(_("--merge-gap: {message}").format(message=exc.problem.message)) from None


def _stage(progress: ProgressFn | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def _session(c: Candidate, key: str, start: datetime, assign: Assigner, tz: tzinfo, ids: Iterator[str]) -> Session:
    """The record a connection becomes, in the ledger's zone."""
    billable, reason = (c.billable, c.free_reason) if c.billable is not None else assign.billing(c.billing_state)
    kind = _kind_tags(c.connection_type) if c.connection_type else ()
    return Session.built(
        # Drawn now: giving 100 000 records an id later would copy each. A session from
        # another ledger's export keeps its own, so exchanging it back finds it.
        c.record_id if c.record_id and _KEEPABLE_ID.fullmatch(c.record_id) else next(ids),
        key,
        start,
        c.end.astimezone(tz) if c.end is not None else None,
        supporter=assign.supporter(c.tool_user, c.supporter),
        contact=c.contact or None,
        machine=c.machine or None,
        channel=c.channel,
        note=c.note,
        billable=billable,
        free_reason=reason,
        tags=tuple(dict.fromkeys((*c.tags, *kind))) if c.tags else kind,
        ticket=c.ticket,
        source=c.source,
        unfinished=c.end is None,
    )


def _merge(rows: list[_Row], gap: timedelta | None) -> list[_Row]:
    """Consecutive connections to one partner (same customer, supporter and billing) that are
    at most `gap` apart, or overlap, become one session; unfinished ones never merge, and
    nothing does when `gap` is None."""
    if gap is None:
        return rows
    groups: dict[tuple[object, ...], list[_Row]] = {}
    for row in rows:
        s = row.session
        groups.setdefault((s.customer, row.partner, s.supporter, s.billable, s.free_reason), []).append(row)
    out: list[_Row] = []
    for group in groups.values():
        group.sort(key=lambda r: (r.stamp, r.lines[0]))
        current = group[0]
        for row in group[1:]:
            a, b = current.session, row.session
            if a.end is not None and b.end is not None and b.start - a.end <= gap:
                lines = current.lines + row.lines
                current = _Row(_joined(a, b), lines, current.partner, current.month, current.stamp, current.file)
            else:
                out.append(current)
                current = row
        out.append(current)
    return out


def _joined(a: Session, b: Session) -> Session:
    assert a.end is not None and b.end is not None
    notes = [n for n in dict.fromkeys((a.note, b.note)) if n]
    return a.evolve(
        end=max(a.end, b.end),
        contact=a.contact or b.contact,
        machine=a.machine or b.machine,
        note="; ".join(notes),
        tags=tuple(dict.fromkeys((*a.tags, *b.tags))),
        source=f"{a.source} {b.source}",
    )


def _skip(path: str, row: _Row, reason: str) -> Problem:
    lines = ", ".join(map(str, row.lines[1:]))
    also = _(" (with lines {lines})").format(lines=lines) if lines else ""
    return Problem(Kind.INVALID, f"{reason}{also}", path, row.lines[0])

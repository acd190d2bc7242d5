"""What `search` scans: the searched fields of month files' sessions, column by column.

Decoding 100 000 cached sessions to look for one word costs about a second; scanning their
notes costs a tenth of that. So the derived cache keeps, beside each month file's `files` row,
a `texts` row with the ids, lines, starts and searched fields of its sessions, under the
`files` row's rules (stamp, racily-clean rule, zone, CRC; see cache.py). A search reads the
texts rows, and decodes only the sessions it shows.

A texts row is made only from a valid `files` row, never from a parse: that row's file
parsed without any problem, so a file with problems is still parsed (and its problems
reported) every time. A file without a usable texts row is read the way every command reads
it: from its files row (then its texts row is written), or parsed (kept in memory for this
run; the next run finds its files row).
"""

from __future__ import annotations

import marshal
import os
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sessionlog.model import Origin, Problem, Session
from sessionlog.store.cache import RACY_NS, FileCache, crc, stamped
from sessionlog.store.cacheformat import decode_session, with_origin
from sessionlog.store.stamps import Listed, _month_names, month_files, stamp, stat_of

if TYPE_CHECKING:
    from sessionlog.store.sessions import Sessions

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """An aware moment as whole microseconds since 1970: compared exactly, as datetimes are."""
    return (moment - _EPOCH) // _MICROSECOND


@dataclass
class Listing:
    """Month files as `FileCache.listed` lists them, without their stats (600 bytes each, 17 MB
    for five years): each file's `stamped` stat is what the cache's rows are checked against."""

    checked_ns: int  # the time just before the files were listed (see RACY_NS)
    files: list[Listed]  # with stat None
    stamps: list[tuple[str, int] | None]  # None: not a plain file

    def only(self, keep: Iterable[int]) -> Listing:
        keep = list(keep)
        return Listing(self.checked_ns, [self.files[k] for k in keep], [self.stamps[k] for k in keep])


def listing(ss: Sessions, months: Sequence[str] | None, customers: Iterable[str] | None) -> Listing:
    """The month files `Sessions.load` reads, in its order."""
    out = Listing(time.time_ns(), [], [])
    for key in list(customers) if customers is not None else ss.layout.customer_keys():
        for f in month_files(ss, months, [key]):  # a customer at a time: never all the stats at once
            out.files.append(Listed(f.key, f.name, f.path, None))
            out.stamps.append(None if f.stat is None else stamped(f.stat))
    return out


def month_names(ss: Sessions, customers: Iterable[str] | None) -> list[str]:
    """The months that have a month file (of those customers), oldest first, without a `stat` of each."""
    base = str(ss.layout.customers_dir)
    keys = list(customers) if customers is not None else ss.layout.customer_keys()
    return sorted({name.removesuffix(".toml") for key in keys for name in _month_names(f"{base}{os.sep}{key}")})


@dataclass
class Texts:
    """The sessions of some month files, column by column, in the order `Sessions.load` reads them."""

    files: Listing
    bounds: list[int] = field(default_factory=lambda: [0])  # where each file's sessions begin; then the end
    ids: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # `micros` of each start
    notes: list[str] = field(default_factory=list)
    tags: list[tuple[str, ...]] = field(default_factory=list)
    tickets: list[str | None] = field(default_factory=list)
    contacts: list[str | None] = field(default_factory=list)
    machines: list[str | None] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)  # the old copy of a move killed halfway: its new copy counts
    held: dict[int, list[Session]] = field(default_factory=dict)  # file -> its sessions, where parsed this run

    def file_of(self, i: int) -> int:
        return bisect_right(self.bounds, i) - 1

    def origin(self, i: int) -> Origin:
        return Origin(self.files.files[self.file_of(i)].path, self.lines[i])

    def add(self, body: tuple[Any, ...], same: dict[Any, Any]) -> None:
        """Append the next file's sessions, as `body_of` gives them; values met before (`same`)
        are kept once: tags, contacts and machines repeat, and five years of them cost 10 MB."""
        n = body[0]
        self.bounds.append(self.bounds[-1] + n)
        if not n:
            return
        # Spelt out rather than a loop over _COLUMNS: this runs for each of 29 000 files.
        self.ids += body[1 : 1 + n]
        self.lines += body[1 + n : 1 + 2 * n]
        self.starts += body[1 + 2 * n : 1 + 3 * n]
        self.notes += body[1 + 3 * n : 1 + 4 * n]
        columns: tuple[list[Any], ...] = (self.tags, self.tickets, self.contacts, self.machines)
        for k, column in enumerate(columns, 4):
            values = body[1 + k * n : 1 + (k + 1) * n]
            column.extend(map(same.setdefault, values, values))

    def drop_fields(self) -> None:
        """Let go of what only the scan needs (most of the memory), keeping what finds the sessions."""
        for column in _COLUMNS[2:]:
            setattr(self, column, [])


_BATCH = 1000  # files whose texts rows are made at a time
_COLUMNS = ("ids", "lines", "starts", "notes", "tags", "tickets", "contacts", "machines")


def body_of(sessions: Iterable[Session]) -> tuple[Any, ...]:
    """What a texts row holds: the number of sessions, then their ids, lines, starts, notes, tags,
    tickets, contacts and machines, all in one flat tuple (a tuple per column cost 14 MB more)."""
    rows = [
        (s.id, s.origin.line if s.origin else 0, micros(s.start), s.note, s.tags, s.ticket, s.contact, s.machine)
        for s in sessions
    ]
    return (len(rows), *(value for column in zip(*rows, strict=True) for value in column)) if rows else (0,)


def read(cache: FileCache, ss: Sessions, files: Listing) -> tuple[Texts, list[Problem]]:
    """The texts of the listed month files, and the problems `Sessions.load` reports of them."""
    checked_ns = files.checked_ns
    zone = cache.zone(ss.tz)
    stamps = {f.rel: st for f, st in zip(files.files, files.stamps, strict=True) if st is not None}
    valid = {} if zone is None else cache.valid_stamped(stamps, zone, "texts", "texts")
    # Read as `load` reads them; stat again, which can only be later, so the racy rule holds.
    missing = [Listed(f.key, f.name, f.path, stat_of(f.path)) for f in files.files if f.rel not in valid]
    made: dict[str, tuple[Any, ...]] = {}
    held: dict[str, list[Session]] = {}
    problems: list[Problem] = []
    if missing:
        fresh: list[tuple[Any, ...]] = []

        def use(f: Listed, recs: Any) -> None:
            made[f.rel] = body_of(with_origin(decode_session(rec), f.path, line) for line, rec in recs)
            st = f.stat
            if zone is not None and st is not None and st.st_mtime_ns < checked_ns - RACY_NS:
                head = f"{stamp(st)}|{checked_ns}|{zone}"
                blob = marshal.dumps(made[f.rel])
                fresh.append((f.rel, head, blob, crc(f.rel, head, blob)))

        def parsed(f: Listed, found: list[Session]) -> None:
            made[f.rel] = body_of(found)
            held[f.rel] = found

        for first in range(0, len(missing), _BATCH):  # their records decoded a batch at a time
            problems += cache.month_entries(ss, (checked_ns, missing[first : first + _BATCH]), "recs", use, parsed)
            cache._store(fresh, (), "texts")
            fresh.clear()
    texts = Texts(files)
    same: dict[Any, Any] = {}
    for k, f in enumerate(files.files):
        if f.rel in held:
            texts.held[k] = held[f.rel]
        texts.add(valid.pop(f.rel) if f.rel in valid else made.pop(f.rel), same)
    stale = ss.moves.stale_copy()
    if stale is not None:
        sid, source = stale
        texts.hidden = {i for i, x in enumerate(texts.ids) if x == sid and Path(texts.origin(i).path) == source}
    return texts, problems


def sessions_at(cache: FileCache, ss: Sessions, texts: Texts, indexes: Sequence[int]) -> Iterator[Session | None]:
    """The sessions at `indexes` of `texts`, in that order; None for one no longer in its file.

    Each file is read once: from its `files` row as it was when `texts` was read (so the
    session is the one found), else parsed now, and then the session is found by its id.
    """
    files = texts.files.files
    wanted = sorted({texts.file_of(i) for i in indexes} - texts.held.keys())
    place = {files[k].rel: k for k in wanted}
    zone = cache.zone(ss.tz)
    stamps = {files[k].rel: st for k in wanted if (st := texts.files.stamps[k]) is not None}
    found = {} if zone is None else cache.valid_stamped(stamps, zone, "recs")
    recs: dict[int, Any] = {place[rel]: stored for rel, stored in found.items()}
    parsed = {k: ss.read(Path(files[k].path))[0] for k in wanted if k not in recs}
    for i in indexes:
        k = texts.file_of(i)
        sid = texts.ids[i]
        if k in recs:
            stored = recs[k]
            local = i - texts.bounds[k]
            line, rec = stored[local] if local < len(stored) else (0, ())
            if rec and rec[0] == sid:
                yield with_origin(decode_session(rec), files[k].path, line)
                continue
            same = [with_origin(decode_session(r), files[k].path, n) for n, r in stored if r and r[0] == sid]
        elif k in texts.held:  # the very sessions the texts were made of
            yield texts.held[k][i - texts.bounds[k]]
            continue
        else:
            same = [s for s in parsed[k] if s.id == sid]
        yield same[0] if same else None

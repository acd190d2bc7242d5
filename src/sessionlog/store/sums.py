"""Kept sums: what each month file adds to a report, so that a year's report need not bill
its 20 000 sessions again (see sessionlog.tally.file_sums, which computes them).

A row of the cache's `sums` table belongs to one file's cache entry (its head: the file's
stamp, when it was read and the zone) and one grouping, and holds what the file adds up to
under one set of billing rules (`rules`, from tally.rules_key). It is used only while the
file's entry is valid and the same, and the rules are the same; otherwise the file's
figures are billed and its sums kept anew. Like every row of the cache it carries a CRC.
The store knows nothing of billing: it keeps and hands back opaque values.
"""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sessionlog.figures import MonthFigures
from sessionlog.model import Problem
from sessionlog.store.cache import RACY_NS, crc
from sessionlog.store.stamps import Listed, stamp

if TYPE_CHECKING:
    from sessionlog.store.cache import FileCache
    from sessionlog.store.sessions import Sessions

# rules_for(customer, month): the rules a file's kept sums must have been computed under,
# or None where kept sums may not be used (its month is not wholly in the report).
RulesFor = Callable[[str, str], str | None]


def summed(
    cache: FileCache,
    ss: Sessions,
    months: Sequence[str] | None,
    customers: Iterable[str] | None,
    grouping: str,
    rules_for: RulesFor,
) -> tuple[list[Any], list[MonthFigures], list[Problem]]:
    """The kept sums of the month files that have usable ones, the figures of all others (as
    `FileCache.figures` gives them), and the problems found."""
    checked_ns, files = cache.listed(ss, months, customers)
    zone = cache.zone(ss.tz)
    kept: list[Any] = []
    rest: list[Listed] = list(files)
    if zone is not None:
        rows = _rows(cache, files, zone, grouping)
        rest = []
        for f in files:
            row = rows.get(f.rel)
            rules = rules_for(f.key, f.name[:-5])
            if row is not None:
                head, kept_rules, data = row
                cache.heads[f.rel] = head  # where new sums may be kept
                if data is not None and rules is not None and kept_rules == rules:
                    kept.append(data)
                    continue
            rest.append(f)
    figures, problems = cache.figures_of(ss, (checked_ns, rest))
    return kept, figures, problems


def _rows(cache: FileCache, files: Sequence[Listed], zone: str, grouping: str) -> dict[str, tuple[str, str, Any]]:
    """rel -> (head, rules, sums or None) for the files whose cache entry is valid."""
    stamps = {f.rel: (stamp(f.stat), f.stat.st_mtime_ns) for f in files if f.stat is not None}
    out: dict[str, tuple[str, str, Any]] = {}
    columns = "f.path, f.head, s.head, s.rules, s.data, s.crc"
    joined = "files f LEFT JOIN sums s ON s.path = f.path AND s.grouping = ?"
    for path, head, sums_head, rules, data, check in cache.rows(list(stamps), columns, joined, "f.path", (grouping,)):
        st, mtime_ns = stamps.get(path, ("", 0))
        if not head.startswith(st + "|"):
            continue
        checked, _, row_zone = head[len(st) + 1 :].partition("|")
        if row_zone != zone or not mtime_ns < int(checked) - RACY_NS:
            continue
        value = None
        if data is not None and sums_head == head and check == crc(path, f"{head}|{grouping}|{rules}", data):
            with contextlib.suppress(ValueError, EOFError, TypeError):
                value = marshal.loads(data)
        out[path] = (head, rules or "", value)
    return out


def keep(cache: FileCache, grouping: str, items: Iterable[tuple[str, str, str, Any]]) -> None:
    """Keep (customer, month, rules, sums) for files `summed` found a valid entry of."""
    rows = []
    for customer, month, rules, value in items:
        rel = f"{customer}/{month}.toml"
        head = cache.heads.get(rel)
        if head is None:
            continue
        try:
            data = marshal.dumps(value)
        except ValueError:
            continue
        rows.append((rel, grouping, head, rules, data, crc(rel, f"{head}|{grouping}|{rules}", data)))
    db = cache.connection()
    if db is None or not rows:
        return
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as exc:
        cache.failed(exc)
        return
    try:
        db.executemany("INSERT OR REPLACE INTO sums VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        with contextlib.suppress(sqlite3.DatabaseError):
            db.execute("ROLLBACK")
        cache.failed(exc)

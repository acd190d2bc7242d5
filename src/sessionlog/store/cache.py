"""The derived cache: month and customer files as parsed, so that reports over years do not
parse unchanged files again.

The rules it keeps (DESIGN.md):

- The TOML files are the only truth. The cache lives outside the ledger, in the user's cache
  folder (or in $SESSIONLOG_CACHE; `off` turns it off), one SQLite file per ledger, named
  after the ledger's resolved path. It can be deleted at any time: it is rebuilt as files
  are read.
- An entry is used only while its file's size, mtime_ns, inode and ctime_ns are what they
  were when it was read, and only if the file was by then older than RACY_NS. A file
  written in the same clock tick as it was read can change again without any of those
  changing: git calls such index entries "racily clean" (Documentation/technical/racy-git.txt)
  and re-checks them. Here such a file is simply parsed again the next time, and its entry
  renewed once the file is old enough.
  On Windows st_ctime is the file's creation time, not its change time: there an edit that
  keeps the size and puts the old mtime back by hand goes unseen (no editor does that; a
  normal save moves mtime, whose resolution there is 100 ns).
- Only files that parsed without any problem are stored. A file with a problem is parsed
  every time, so its problems come back exactly as without the cache.
- A cache of another format, sessionlog or Python version is dropped and rebuilt. Each row
  carries CRCs of its contents, so a damaged row is never used; SQLite's transactions keep a
  half-written cache from being seen at all. A cache that cannot be opened or read is
  skipped (and deleted when it is damaged); a busy one is not written this time. Either
  way the command reads the files and its result is the same.

Why SQLite: atomic transactions across processes, reading just the rows a month needs,
and damage that shows up as an error instead of as wrong data. Records are stored with
marshal, the fastest format Python reads; that is safe because only this program writes
them, a CRC guards each one, and the format is tied to the Python version.

What a row holds is in cacheformat.py; which files are read and their stamps in stamps.py.
Only reading goes through here; writes go to the TOML files, whose new stamps retire the rows.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sessionlog.model import Customer, Problem, Session, SessionlogError, slug
from sessionlog.store.cacheformat import decode_customer, decode_session, encode_customer, encode_session, with_origin
from sessionlog.store.layout import CUSTOMER_FILE
from sessionlog.store.stamps import Listed, month_files, stamp, stat_of, zone_id
from sessionlog.version import __version__

if TYPE_CHECKING:
    from sessionlog.store.customers import Customers
    from sessionlog.store.sessions import Sessions

CACHE_ENV = "SESSIONLOG_CACHE"
FORMAT = 5  # raise when what a row holds changes
# Files this young when read are parsed again next time: 2 s covers the coarsest common
# timestamp granularity (FAT) and the lag of the kernel's file clock behind time.time_ns().
RACY_NS = 2_000_000_000
IDS = "\x1f"  # between the ids of a file in one string (a record whose id holds it is not cached)
BUSY_SECONDS = 1.0  # how long a write waits for another process's write before it skips
_CHUNK = 500  # paths per SELECT ... IN (...)
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # head: "size:mtime_ns:inode:ctime_ns|checked_ns|zone" (see FileCache._valid)
    "CREATE TABLE files (path TEXT PRIMARY KEY, head TEXT NOT NULL, ids TEXT NOT NULL, ids_crc INTEGER NOT NULL,"
    " recs BLOB NOT NULL, recs_crc INTEGER NOT NULL)",
    # What `search` scans instead of decoding sessions (store/searchtexts.py); head as in files.
    "CREATE TABLE texts (path TEXT PRIMARY KEY, head TEXT NOT NULL, texts BLOB NOT NULL, texts_crc INTEGER NOT NULL)",
)
# A cache written under any other version of this is dropped and rebuilt.
_VERSION = (
    f"{FORMAT}/{zlib.crc32(repr(_SCHEMA).encode())}/{__version__}"
    f"/python {sys.version_info[0]}.{sys.version_info[1]}/marshal {marshal.version}"
)


def location(root: Path) -> Path | None:
    """The cache file of the ledger at `root`; None when the cache is turned off."""
    folder = os.environ.get(CACHE_ENV, "")
    if folder.strip().lower() == "off":
        return None
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("sessionlog", appauthor=False)
    # Two checksums rather than hashlib, whose import costs 7 ms; the ledger's path is also
    # stored inside, so even a collision could only make the cache rebuild, never mix ledgers.
    name = os.fsencode(_resolved(root))
    key = f"{zlib.crc32(name):08x}{zlib.adler32(name):08x}"
    return Path(folder) / f"{slug(root.resolve().name) or 'ledger'}-{key}.sqlite3"


def _resolved(root: Path) -> str:
    return str(root.resolve())


def stamped(st: os.stat_result) -> tuple[str, int]:
    """What a row's head is checked against: the file's stamp and its mtime_ns (see `_valid`)."""
    return stamp(st), st.st_mtime_ns


def crc(path: str, head: str, data: str | bytes) -> int:
    """The CRC a row keeps of `data`, bound to the row's path and head."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return zlib.crc32(data, zlib.crc32(f"{path}\x1f{head}\x1f".encode("utf-8", "surrogatepass")))


def _busy(exc: sqlite3.DatabaseError) -> bool:
    """Whether another process holds the cache (wait for nothing: read the files this time)."""
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


# --- the cache file ------------------------------------------------------------------------------


class _Damaged(Exception):
    """The cache file is not a sound database."""


class FileCache:
    """The derived cache of one ledger; opened on first use, shared by its customers and sessions."""

    def __init__(self, root: Path, *, enabled: bool = True) -> None:
        self.root = root
        self._db: sqlite3.Connection | None = None
        self._opened = not enabled  # a disabled cache never opens: every file is parsed
        self._zones: dict[int, str | None] = {}

    # --- opening ---------------------------------------------------------------------------

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def connection(self) -> sqlite3.Connection | None:
        if not self._opened:
            self._opened = True
            path = location(self.root)
            if path is not None:
                try:
                    self._db = self._open(path)
                except _Damaged:
                    self._discard(path)
                    try:
                        self._db = self._open(path)
                    except (_Damaged, sqlite3.Error, OSError):
                        self._db = None
                except (sqlite3.Error, OSError):
                    self._db = None
        return self._db

    def _open(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            db.execute("PRAGMA synchronous=NORMAL")  # a lost last write costs a parse, nothing more
            if not self._current(db):
                db.execute("BEGIN IMMEDIATE")
                if not self._current(db):  # another process may have rebuilt it meanwhile
                    drop = [f"DROP TABLE IF EXISTS {t}" for t in ("files", "texts", "sums", "meta")]
                    for statement in (*drop, *_SCHEMA):
                        db.execute(statement)
                    db.executemany(
                        "INSERT INTO meta VALUES (?, ?)", [("version", _VERSION), ("ledger", _resolved(self.root))]
                    )
                db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            db.close()
            if _busy(exc):
                raise
            raise _Damaged(str(exc)) from None
        return db

    def _current(self, db: sqlite3.Connection) -> bool:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchall():
            return False
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        return meta.get("version") == _VERSION and meta.get("ledger") == _resolved(self.root)

    def failed(self, exc: sqlite3.DatabaseError) -> None:
        """Stop using the cache for this run; delete it unless it was only busy."""
        if _busy(exc):
            self._db = None
        else:
            self._discard()

    def _discard(self, path: Path | None = None) -> None:
        """Forget a damaged cache: close it and delete its files, so the next run builds anew."""
        if self._db is not None:
            self._db.close()
            self._db = None
        path = path or location(self.root)
        if path is not None:
            for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                # In use elsewhere (Windows) or gone: then the rows' CRCs still guard it.
                with contextlib.suppress(OSError):
                    name.unlink()

    # --- rows ------------------------------------------------------------------------------

    def rows(
        self, rels: Sequence[str], columns: str, source: str = "files", key: str = "path", params: tuple[str, ...] = ()
    ) -> Iterator[tuple[Any, ...]]:
        """The `columns` of the rows of `source` (a table or a join with `params`) whose `key` is in `rels`."""
        db = self.connection()
        if db is None:
            return
        try:
            for i in range(0, len(rels), _CHUNK):
                chunk = rels[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT {columns} FROM {source} WHERE {key} IN ({marks})"
                yield from db.execute(query, (*params, *chunk)).fetchall()
        except sqlite3.DatabaseError as exc:
            self.failed(exc)

    def _valid(self, files: Sequence[Listed], zone: str, want: str, table: str = "files") -> dict[str, Any]:
        """The stored `want` (ids, recs, or texts of that table) of those files whose entries may
        be used: same stamp, not racily clean, same zone, CRC right."""
        return self.valid_stamped({f.rel: stamped(f.stat) for f in files if f.stat is not None}, zone, want, table)

    def valid_stamped(
        self, stamps: dict[str, tuple[str, int]], zone: str, want: str, table: str = "files"
    ) -> dict[str, Any]:
        """`_valid` of the files whose `stamped` stats are given by their `Listed.rel`."""
        out: dict[str, Any] = {}
        if not stamps:
            return out
        for path, head, data, check in self.rows(list(stamps), f"path, head, {want}, {want}_crc", table):
            st, mtime_ns = stamps.get(path, ("", 0))
            if not head.startswith(st + "|") or data is None:
                continue
            checked, _, row_zone = head[len(st) + 1 :].partition("|")
            if row_zone != zone or not mtime_ns < int(checked) - RACY_NS or check != crc(path, head, data):
                continue
            if want == "ids":
                out[path] = data
                continue
            try:
                out[path] = marshal.loads(data)
            except (ValueError, EOFError, TypeError):
                continue
        return out

    def _store(self, rows: Sequence[tuple[Any, ...]], stale: Sequence[str], table: str = "files") -> None:
        db = self.connection()
        if db is None or not (rows or stale):
            return
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            self.failed(exc)  # busy: another process is writing; these entries can wait for next time
            return
        try:
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows)
            db.executemany(f"DELETE FROM {table} WHERE path = ?", [(p,) for p in stale])
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(sqlite3.DatabaseError):
                db.execute("ROLLBACK")
            self.failed(exc)

    @staticmethod
    def _entry(rel: str, st: os.stat_result, checked_ns: int, zone: str, ids: str, recs: Any) -> tuple[Any, ...]:
        head = f"{stamp(st)}|{checked_ns}|{zone}"
        r = marshal.dumps(recs)
        return (rel, head, ids, crc(rel, head, ids), r, crc(rel, head, r))

    def zone(self, tz: tzinfo) -> str | None:
        if id(tz) not in self._zones:
            self._zones[id(tz)] = zone_id(tz)
        return self._zones[id(tz)]

    # --- what the store asks for ---------------------------------------------------------------

    @staticmethod
    def listed(ss: Sessions, months: Sequence[str] | None, customers: Iterable[str] | None) -> tuple[int, list[Listed]]:
        """The month files with their stats, and the time just before they were taken (see RACY_NS)."""
        checked_ns = time.time_ns()
        return checked_ns, month_files(ss, months, customers)

    def month_entries(
        self,
        ss: Sessions,
        listed: tuple[int, Sequence[Listed]],
        want: str,
        use: Callable[[Listed, Any], None],
        parsed: Callable[[Listed, list[Session]], None],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Problem]:
        """Feed each listed month file's stored `want` ("recs") to `use`, or its freshly parsed
        sessions to `parsed`; returns the problems of the files parsed."""
        checked_ns, files = listed
        zone = self.zone(ss.tz)
        valid = {} if zone is None else self._valid(files, zone, want)
        problems: list[Problem] = []
        fresh: list[tuple[Any, ...]] = []
        stale: list[str] = []
        for done, f in enumerate(files, 1):
            if progress is not None:
                progress(done, len(files))
            stored = valid.get(f.rel)
            if stored is not None:
                use(f, stored)
                continue
            found, trouble = ss.read(Path(f.path))
            parsed(f, found)
            st = f.stat
            if trouble:
                problems += trouble
                stale.append(f.rel)
            elif (
                st is not None
                and zone is not None
                and st.st_mtime_ns < checked_ns - RACY_NS
                and not any(IDS in s.id for s in found)
            ):
                ids = IDS.join(s.id for s in found)
                with contextlib.suppress(ValueError, TypeError, AttributeError):  # a value a row cannot hold
                    recs = tuple((s.origin.line if s.origin else 0, encode_session(s)) for s in found)
                    fresh.append(self._entry(f.rel, st, checked_ns, zone, ids, recs))
        self._store(fresh, stale)
        return problems

    def sessions(
        self,
        ss: Sessions,
        months: Sequence[str] | None,
        customers: Iterable[str] | None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[list[Session], list[Problem]]:
        """What `Sessions.load` returns, from the cache where it may be used."""
        out: list[Session] = []

        def use(f: Listed, recs: Any) -> None:
            where = f.path
            out.extend(with_origin(decode_session(rec), where, line) for line, rec in recs)

        def parsed(f: Listed, found: list[Session]) -> None:
            out.extend(found)

        problems = self.month_entries(ss, self.listed(ss, months, customers), "recs", use, parsed, progress)
        return out, problems

    def trusted_ids(self, ss: Sessions, path: Path) -> tuple[list[str], str] | None:
        """The ids of a month file whose entry may be used, and the stamp it holds: then the
        file parses cleanly as it is, and a writer need not parse it again. None: no such entry."""
        key = ss.layout.customer_of(path)
        zone = self.zone(ss.tz)
        st = stat_of(str(path))
        if key is None or zone is None or st is None:
            return None
        ids = self._valid([Listed(key, path.name, str(path), st)], zone, "ids").get(f"{key}/{path.name}")
        if ids is None:
            return None
        return (ids.split(IDS) if ids else []), stamp(st)

    def candidates(self, ss: Sessions, prefix: str) -> list[Path]:
        """The month files that may hold an id starting with `prefix`: those whose entry says
        so, and every file without a usable entry."""
        files = month_files(ss, None, None)
        zone = self.zone(ss.tz)
        valid = {} if zone is None else self._valid(files, zone, "ids")
        out = []
        for f in files:
            ids = valid.get(f.rel)
            if ids is None or any(sid.startswith(prefix) for sid in ids.split(IDS)):
                out.append(Path(f.path))
        return out

    def customers(
        self, cs: Customers, read: Callable[[str], Customer | None]
    ) -> tuple[dict[str, Customer], list[Problem]]:
        """What `Customers.all` returns, from the cache where it may be used."""
        checked_ns = time.time_ns()
        keys = cs.keys()
        base = str(cs.layout.customers_dir)
        paths = [f"{base}{os.sep}{key}{os.sep}{CUSTOMER_FILE}" for key in keys]
        files = [Listed(key, CUSTOMER_FILE, path, stat_of(path)) for key, path in zip(keys, paths, strict=True)]
        valid = self._valid(files, "", "recs")
        found: dict[str, Customer] = {}
        problems: list[Problem] = []
        fresh: list[tuple[Any, ...]] = []
        for f in files:
            key, st = f.key, f.stat
            rec = valid.get(f.rel)
            if rec is not None:
                found[key] = with_origin(decode_customer(rec), f.path, 1)
                continue
            try:
                c = read(key)
            except SessionlogError as exc:
                problems.append(exc.problem)
                continue
            if c is None:
                continue
            found[key] = c
            if st is not None and st.st_mtime_ns < checked_ns - RACY_NS:
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    fresh.append(self._entry(f.rel, st, checked_ns, "", "", encode_customer(c)))
        self._store(fresh, ())
        return found, problems

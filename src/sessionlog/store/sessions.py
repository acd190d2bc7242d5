"""Session files: reading [[session]] records with their problems, and verified locked writes.

Each command reads a file once: `open_file` keeps its text and parsed TOML together, and
every write works from that pair, so the only other parse is the one that verifies the
text about to be written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sessionlog.model import Kind, Origin, Problem, Session, SessionlogError, month_key
from sessionlog.store import codec, tomltext
from sessionlog.store.files import LedgerLock, read_text, remove, write_atomic
from sessionlog.store.layout import Layout, is_month_file
from sessionlog.store.validate import check, ensure_unlocked, parse_file

if TYPE_CHECKING:
    from sessionlog.figures import MonthFigures
    from sessionlog.store.cache import FileCache

ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/1/o/0 to misread
ID_LENGTH = 8  # 40 bits: a 100 000-session ledger has a 0.5 % chance of any collision at all


@dataclass
class SessionFile:
    """A file of [[session]] records as read once: its text and its parsed TOML."""

    path: Path
    text: str = ""
    doc: dict[str, Any] = field(default_factory=dict)

    @property
    def records(self) -> list[Any]:
        records = self.doc.get("session", [])
        return records if isinstance(records, list) else []

    def ids(self) -> list[str]:
        return [r["id"] for r in self.records if isinstance(r, dict) and isinstance(r.get("id"), str)]

    def locate(self, sid: str) -> tuple[int, dict[str, Any]]:
        """The index and raw table of record `sid`; CONFLICT if it is not (or no longer) here."""
        for i, raw in enumerate(self.records):
            if isinstance(raw, dict) and raw.get("id") == sid:
                return i, raw
        raise SessionlogError(
            f"session {sid} is no longer in {self.path}; it was changed meanwhile, try again", Kind.CONFLICT
        )

    def lines(self) -> list[int]:
        """The line number of each record's header (0 where they cannot be matched up)."""
        blocks, _ = tomltext.split_records(self.text.splitlines())
        records = self.records
        return [b.start + 1 for b in blocks] if len(blocks) == len(records) else [0] * len(records)


def open_file(path: Path) -> SessionFile:
    """The file as read now (empty when missing); SessionlogError BROKEN_FILE when it does not parse."""
    text = read_text(path) or ""
    return SessionFile(path, text, parse_file(path, text) if text.strip() else {})


def decode(
    f: SessionFile, customer: str | None, tz: tzinfo, *, misfiled_ok: bool = False
) -> tuple[list[Session], list[Problem]]:
    """The valid records of a file, and a Problem with its line for each one that is not.

    `customer` None takes each record's own `customer` key (timer files).
    """
    path = str(f.path)
    if "session" in f.doc and not isinstance(f.doc["session"], list):
        return [], [Problem(Kind.INVALID, "`session` must be a list of [[session]] tables", path)]
    sessions: list[Session] = []
    problems: list[Problem] = []
    check_month = customer is not None and not misfiled_ok and is_month_file(f.path)
    for raw, line in zip(f.records, f.lines(), strict=True):
        key = customer or str(raw.get("customer", ""))
        try:
            s = codec.session_from_dict(raw, key, Origin(path, line))
        except codec.Invalid as exc:
            what = f"session {raw.get('id')}" if raw.get("id") else "session"
            problems.append(Problem(Kind.INVALID, f"{what}: {exc}", path, line or None))
            continue
        if check_month:
            month = month_key(s.start, tz)
            if f.path.stem != month:
                # Billing it under this file's month would put it on the wrong invoice.
                problems.append(
                    Problem(
                        Kind.MISFILED, f"session {s.id} started in {month}; move it to {month}.toml", path, line or None
                    )
                )
                continue
        sessions.append(s)
    return sessions, problems


def read(
    path: Path, customer: str | None, tz: tzinfo, *, misfiled_ok: bool = False
) -> tuple[list[Session], list[Problem]]:
    """`decode` of the file at `path`; a file that does not parse is one Problem, not an exception."""
    try:
        f = open_file(path)
    except SessionlogError as exc:
        return [], [exc.problem]
    return decode(f, customer, tz, misfiled_ok=misfiled_ok)


def new_id(taken: Iterable[str]) -> str:
    import secrets  # only writers need it

    used = set(taken)
    while True:
        candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
        if candidate not in used:
            return candidate


def _write(path: Path, text: str) -> None:
    if text.strip():
        write_atomic(path, text)
    else:
        remove(path)


class Sessions:
    """The finished sessions in customers/KEY/YYYY-MM.toml."""

    def __init__(
        self,
        layout: Layout,
        lock: LedgerLock,
        tz: tzinfo,
        running_ids: Callable[[], set[str]],
        cache: Callable[[], FileCache] | None = None,
    ) -> None:
        self.layout = layout
        self.lock = lock
        self.tz = tz
        # Ids of running timers, which a new id must not take either.
        self._running_ids = running_ids
        # The derived cache of parsed files (store/cache.py), made on first use; None: no cache.
        self._cache = cache

    def file_of(self, s: Session) -> Path:
        """Where a record belongs: its customer's file for the month it started in."""
        return self.layout.month_file(s.customer, month_key(s.start, self.tz))

    def home_of(self, s: Session) -> Path:
        """Where a record is: the file it was read from, even if a person filed it elsewhere."""
        if s.origin is not None and self.layout.customer_of(Path(s.origin.path)) is not None:
            return Path(s.origin.path)
        return self.file_of(s)

    def _target(self, old: Session, new: Session) -> Path:
        """Where a changed record goes: it stays put unless its customer or month changed."""
        same = old.customer == new.customer and month_key(old.start, self.tz) == month_key(new.start, self.tz)
        return self.home_of(old) if same else self.file_of(new)

    # --- reading -----------------------------------------------------------------------------

    def read(self, path: Path, *, misfiled_ok: bool = False) -> tuple[list[Session], list[Problem]]:
        return read(path, self.layout.customer_of(path), self.tz, misfiled_ok=misfiled_ok)

    def load(
        self, months: Sequence[str] | None = None, customers: Iterable[str] | None = None
    ) -> tuple[list[Session], list[Problem]]:
        """Sessions of those months and customers (all when None), and what could not be read."""
        if self._cache is not None:
            return self._cache().sessions(self, months, customers)
        sessions: list[Session] = []
        problems: list[Problem] = []
        for path in self.layout.month_files(months, customers):
            s, p = self.read(path)
            sessions += s
            problems += p
        return sessions, problems

    def figures(
        self, months: Sequence[str] | None = None, customers: Iterable[str] | None = None
    ) -> tuple[list[MonthFigures], list[Problem]]:
        """`load` as figures per month file, for billing in bulk (see figures.py)."""
        from sessionlog.store.cache import FileCache

        cache = self._cache() if self._cache is not None else FileCache(self.layout.root, enabled=False)
        return cache.figures(self, months, customers)

    def summed(
        self,
        months: Sequence[str] | None,
        customers: Iterable[str] | None,
        grouping: str,
        rules_for: Callable[[str, str], str | None],
    ) -> tuple[list[Any], list[MonthFigures], list[Problem]]:
        """`figures`, but for files whose sums by `grouping` are kept under the rules
        `rules_for(customer, month)`, those sums instead (store/sums.py)."""
        from sessionlog.store import sums

        if self._cache is None:
            return [], *self.figures(months, customers)
        return sums.summed(self._cache(), self, months, customers, grouping, rules_for)

    def keep_sums(self, grouping: str, items: Iterable[tuple[str, str, str, Any]]) -> None:
        """Keep (customer, month, rules, sums) of files `summed` read (store/sums.py)."""
        from sessionlog.store import sums

        if self._cache is not None:
            sums.keep(self._cache(), grouping, items)

    def find(self, prefix: str) -> list[Session]:
        """Every record whose id starts with `prefix`; a file that cannot be read and may hold
        one is an error (BROKEN_FILE or INVALID with its path and line), never "not found".

        This scans the month files, with a byte search before any parse so that files that
        cannot match cost one read each; the derived cache's ids leave out the files it knows
        cannot hold the prefix.
        """
        needle = prefix.encode()
        hits: list[Session] = []
        paths = self._cache().candidates(self, prefix) if self._cache is not None else self.layout.month_files()
        for path in paths:
            try:
                if needle not in path.read_bytes():
                    continue
            except OSError:
                continue
            found, problems = self.read(path, misfiled_ok=True)
            for p in problems:
                # A record we cannot read may be the one asked for: say so, do not guess.
                if p.kind is Kind.BROKEN_FILE or p.line is None or needle in _record_bytes(path, p.line):
                    raise SessionlogError(p)
            hits += [s for s in found if s.id.startswith(prefix)]
        return hits

    # --- writing (each under the ledger lock, each file read once) ----------------------------

    def add(self, s: Session, *, force: bool = False, exist_ok: bool = False) -> Session:
        """Validate and append a finished session to its month file; assigns an id if empty.

        With `exist_ok`, a record with the same id already in the file is taken as written.
        """
        path = self.file_of(s)
        with self.lock.held():
            f = open_file(path)
            ids = f.ids()
            if not s.id:
                s = s.evolve(id=new_id({*ids, *self._running_ids()}))
            elif s.id in ids:
                if exist_ok:
                    return s
                raise SessionlogError(f"session id {s.id} exists already in {path}", Kind.DUPLICATE)
            check(s, force)
            _write(path, tomltext.append_record(f.text, codec.session_to_dict(s), str(path), doc=f.doc))
        return s

    def _unchanged(self, f: SessionFile, old: Session) -> tuple[int, dict[str, Any]]:
        """Where `old` stands in the file; CONFLICT if someone changed it since it was read."""
        index, raw = f.locate(old.id)
        try:
            current = codec.session_from_dict(raw, old.customer, None)
        except codec.Invalid:
            current = None
        if current != old:
            raise SessionlogError(f"session {old.id} was changed by someone else meanwhile; try again", Kind.CONFLICT)
        return index, raw

    def _put(self, old: Session, new: Session, record_for: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Write `new` over `old`, moving it if its customer or month changed."""
        src_path, dst_path = self.home_of(old), self._target(old, new)
        with self.lock.held():
            src = open_file(src_path)
            index, raw = self._unchanged(src, old)
            record = record_for(raw)
            if src_path == dst_path:
                _write(src_path, tomltext.replace_record(src.text, index, record, str(src_path), doc=src.doc))
                return
            dst = open_file(dst_path)
            new_dst = tomltext.append_record(dst.text, record, str(dst_path), doc=dst.doc)
            new_src = tomltext.replace_record(src.text, index, None, str(src_path), doc=src.doc)
            # Write the new place first: a crash in between leaves a duplicate, never a loss.
            _write(dst_path, new_dst)
            _write(src_path, new_src)

    def update(self, old: Session, new: Session, *, force: bool = False) -> Session:
        """Replace `old` by `new`; keys a person added to the record stay."""
        ensure_unlocked(old, force)
        check(new, force)
        known = codec.session_to_dict(new)
        self._put(old, new, lambda raw: codec.merge_record(raw, known, codec.SESSION_KEYS))
        return new

    def update_many(self, changes: Sequence[tuple[Session, Session]], *, force: bool = False) -> None:
        """Replace several records where they are; every file is checked before any is written."""
        by_file: dict[Path, list[tuple[Session, Session]]] = {}
        for old, new in changes:
            ensure_unlocked(old, force)
            check(new, force)
            if self._target(old, new) != self.home_of(old):
                raise SessionlogError(f"session {old.id}: a batch change cannot move a record", Kind.INPUT)
            by_file.setdefault(self.home_of(old), []).append((old, new))
        with self.lock.held():
            texts: dict[Path, str] = {}
            for path, pairs in by_file.items():
                f = open_file(path)
                text, doc = f.text, f.doc
                for old, new in pairs:
                    index, raw = self._unchanged(SessionFile(path, text, doc), old)
                    merged = codec.merge_record(raw, codec.session_to_dict(new), codec.SESSION_KEYS)
                    text = tomltext.replace_record(text, index, merged, str(path), doc=doc)
                    doc = tomltext.parse(text)
                texts[path] = text
            for path, text in texts.items():
                write_atomic(path, text)

    def delete(self, s: Session, *, force: bool = False) -> None:
        ensure_unlocked(s, force)
        path = self.home_of(s)
        with self.lock.held():
            f = open_file(path)
            index, _ = f.locate(s.id)
            _write(path, tomltext.replace_record(f.text, index, None, str(path), doc=f.doc))

    def record_text(self, s: Session) -> str:
        """The record as it stands in its file, comments and all, for an editor."""
        f = open_file(self.home_of(s))
        index, _ = f.locate(s.id)
        lines = f.text.splitlines(keepends=True)
        blocks, _ = tomltext.split_records(lines)
        if len(blocks) == len(f.records):
            b = blocks[index]
            return "".join(lines[b.start : b.end])
        return tomltext.format_table(codec.session_to_dict(s), "[[session]]")

    def replace_from_text(self, old: Session, text: str, *, force: bool = False) -> Session:
        """Replace a record by one [[session]] a person edited; everything is validated first."""
        doc = tomltext.parse(text)
        records = doc.get("session")
        if set(doc) != {"session"} or not isinstance(records, list) or len(records) != 1:
            raise SessionlogError("the text must hold exactly one [[session]] record and nothing else")
        raw = records[0]
        try:
            new = codec.session_from_dict(raw, old.customer, old.origin)
        except codec.Invalid as exc:
            raise SessionlogError(str(exc), Kind.INVALID) from None
        if new.id != old.id:
            raise SessionlogError("the id of a record cannot be changed")
        ensure_unlocked(old, force)
        check(new, force)
        self._put(old, new, lambda _: raw)
        return new


def _record_bytes(path: Path, line: int) -> bytes:
    """The lines of the record that starts at `line`, up to the next [[...]] header."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return b""
    out = [lines[line - 1]] if 0 < line <= len(lines) else []
    for raw in lines[line:]:
        if raw.lstrip().startswith(b"["):
            break
        out.append(raw)
    return b"\n".join(out)

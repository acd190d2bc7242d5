"""Session files: reading [[session]] records with their problems, and verified locked writes.

Each command reads a file once: `open_file` keeps its text and parsed TOML together, and
every write works from that pair, so the only other parse is the one that verifies the
text about to be written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sessionlog.i18n import _
from sessionlog.model import Kind, Origin, Problem, Session, SessionlogError, check_customer_key, month_key
from sessionlog.store import codec, faults, fixedids, marks, tomltext
from sessionlog.store.files import LedgerLock, read_text, remove, write_atomic, write_many
from sessionlog.store.layout import Layout, is_month_file
from sessionlog.store.moves import Move, Moves
from sessionlog.store.validate import check, ensure_unlocked, parse_file

if TYPE_CHECKING:
    from sessionlog.store.cache import FileCache
    from sessionlog.store.searchtexts import Listing, Texts

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
            _("session {sid} is no longer in {path}; it was changed meanwhile, try again").format(
                sid=sid, path=self.path
            ),
            Kind.CONFLICT,
        )

    def lines(self) -> list[int]:
        """The line number of each record's header (0 where they cannot be matched up)."""
        blocks, _ = tomltext.split_records(self.text.splitlines())
        records = self.records
        return [b.start + 1 for b in blocks] if len(blocks) == len(records) else [0] * len(records)


def open_file(path: Path, lock: LedgerLock | None = None) -> SessionFile:
    """The file as read now (empty when missing); SessionlogError BROKEN_FILE when it does not parse.

    While `lock` is held, a file is parsed once and the same SessionFile is returned again.
    """
    memo = lock.memo if lock is not None and lock.is_held else None
    if memo is not None and path in memo:
        found: SessionFile = memo[path]
        return found
    text = read_text(path) or ""
    f = SessionFile(path, text, parse_file(path, text) if text.strip() else {})
    if memo is not None:
        memo[path] = f
    return f


def decode(
    f: SessionFile, customer: str | None, tz: tzinfo, *, misfiled_ok: bool = False
) -> tuple[list[Session], list[Problem]]:
    """The valid records of a file, and a Problem with its line for each one that is not.

    `customer` None takes each record's own `customer` key (timer files).
    """
    path = str(f.path)
    if "session" in f.doc and not isinstance(f.doc["session"], list):
        return [], [Problem(Kind.INVALID, _("`session` must be a list of [[session]] tables"), path)]
    problems = _unknown_tables(f)
    sessions: list[Session] = []
    check_month = customer is not None and not misfiled_ok and is_month_file(f.path)
    for raw, line in zip(f.records, f.lines(), strict=True):
        what = _("session {id}").format(id=raw.get("id")) if isinstance(raw, dict) and raw.get("id") else _("session")
        if not isinstance(raw, dict):
            problems.append(Problem(Kind.INVALID, _("{what}: not a table").format(what=what), path, line or None))
            continue
        if marks.CONFLICT in raw:  # a merge left both versions: a person decides before it counts
            problems.append(marks.conflict_problem(what, str(raw.get("id")), raw[marks.CONFLICT], path, line or None))
            continue
        key = customer if customer is not None else _timer_customer(raw)
        if key is None:
            # A timer's customer becomes a folder name when it stops: as strict as a typed key.
            problems.append(
                Problem(
                    Kind.INVALID,
                    _("{what}: customer {customer!r} is not a customer key").format(
                        what=what, customer=raw.get("customer")
                    ),
                    path,
                    line or None,
                )
            )
            continue
        try:
            s = codec.session_from_dict(raw, key, Origin(path, line))
        except codec.Invalid as exc:
            problems.append(Problem(Kind.INVALID, f"{what}: {exc}", path, line or None))
            continue
        if customer is not None and s.running:
            # Only timer files hold running sessions; a start alone in a month file is a mistake.
            hint = _("give it an end, or mark it `unfinished = true` until its duration is known")
            problems.append(
                Problem(Kind.INVALID, _("session {id} has no end").format(id=s.id), path, line or None, hint=hint)
            )
            continue
        if check_month:
            month = month_key(s.start, tz)
            if f.path.stem != month:
                # Billing it under this file's month would put it on the wrong invoice.
                problems.append(
                    Problem(
                        Kind.MISFILED,
                        _("session {id} started in {month}; move it to {month}.toml").format(id=s.id, month=month),
                        path,
                        line or None,
                    )
                )
                continue
        sessions.append(s)
    return sessions, problems


def _timer_customer(raw: dict[str, Any]) -> str | None:
    value = raw.get("customer")
    if not isinstance(value, str):
        return None
    try:
        key = check_customer_key(value)
    except SessionlogError:
        return None
    return key if key == value else None


def _unknown_tables(f: SessionFile) -> list[Problem]:
    """Tables other than [[session]] (`[[sessions]]`, `[[Session]]`): records nothing would read."""
    out = []
    for key, value in f.doc.items():
        if key != "session" and (
            isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict))
        ):
            header = re.search(rf"^[ \t]*\[\[?[ \t]*{re.escape(key)}[ \t]*\]", f.text, re.MULTILINE)
            line = f.text.count("\n", 0, header.start()) + 1 if header else None
            out.append(
                Problem(
                    Kind.INVALID,
                    _("unknown table [{key}]: sessions are [[session]] tables").format(key=key),
                    str(f.path),
                    line,
                    hint=_("rename the header to [[session]]"),
                )
            )
    return out


def read(
    path: Path, customer: str | None, tz: tzinfo, *, misfiled_ok: bool = False, lock: LedgerLock | None = None
) -> tuple[list[Session], list[Problem]]:
    """`decode` of the file at `path`; a file that does not parse is one Problem, not an exception."""
    try:
        f = open_file(path, lock)
    except SessionlogError as exc:
        return [], [exc.problem]
    return decode(f, customer, tz, misfiled_ok=misfiled_ok)


def new_id(taken: Iterable[str]) -> str:
    import secrets  # only new records need it

    used = set(taken)
    seed = fixedids.seed()
    if seed is not None:
        return next(c for c in fixedids.sequence(seed, ID_ALPHABET, ID_LENGTH) if c not in used)
    while True:
        candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
        if candidate not in used:
            return candidate


def random_id() -> str:
    """A new random id; 32 letters, so each byte's low five bits pick one without bias."""
    return next(random_ids())


def random_ids() -> Iterator[str]:
    """`random_id` again and again, the test seed looked up once (an import draws 100 000)."""
    seed = fixedids.seed()
    while seed is not None:
        fixed = next(c for c in fixedids.sequence(f"{seed}/draft", ID_ALPHABET, ID_LENGTH) if c not in fixedids.drawn)
        fixedids.drawn.add(fixed)
        yield fixed
    while True:
        if len(_RANDOM) < ID_LENGTH:
            import secrets  # only new records need it

            _RANDOM.extend(secrets.token_bytes(ID_LENGTH * 1024))
        drawn = _RANDOM[-ID_LENGTH:]
        del _RANDOM[-ID_LENGTH:]
        yield "".join([ID_ALPHABET[b & 31] for b in drawn])


# Random bytes drawn ahead for `random_id`: one system call per 1 024 ids, not one each (an
# import draws an id per connection, and each getrandom call cost 10 µs or more here).
_RANDOM = bytearray()


def write(path: Path, text: str, lock: LedgerLock) -> None:
    """Write (or remove, when empty) a file under the held lock, forgetting its parsed form."""
    assert lock.is_held, "writes happen under the ledger lock"
    lock.memo.pop(path, None)
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
        self.moves = Moves(layout, lock)
        # Ids of running timers, which a new id must not take either.
        self._running_ids = running_ids
        # The derived cache of parsed files (store/cache.py), made on first use; None: no cache.
        self._cache = cache

    def fixed_taken(self) -> set[str]:
        """With fixed ids, every id in the ledger, so the seed's sequence goes on past them; else none.

        Random ids need no such scan: two of them meet once in a 100 000-session ledger's lifetime.
        """
        return fixedids.ledger_ids(self.layout) if fixedids.seed() is not None else set()

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
        return read(path, self.layout.customer_of(path), self.tz, misfiled_ok=misfiled_ok, lock=self.lock)

    def load(
        self,
        months: Sequence[str] | None = None,
        customers: Iterable[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[list[Session], list[Problem]]:
        """Sessions of those months and customers (all when None), and what could not be read;
        `progress(done, total)` is called as month files are read."""
        if self._cache is not None:
            sessions, problems = self._cache().sessions(self, months, customers, progress)
            return self.without_stale_copy(sessions), problems
        sessions = []
        problems = []
        paths = self.layout.month_files(months, customers)
        for done, path in enumerate(paths, 1):
            s, p = self.read(path)
            sessions += s
            problems += p
            if progress is not None:
                progress(done, len(paths))
        return self.without_stale_copy(sessions), problems

    def listing(self, months: Sequence[str] | None, customers: Iterable[str] | None) -> Listing:
        """The month files `load` reads, as `search` reads them (store/searchtexts.py)."""
        from sessionlog.store import searchtexts

        return searchtexts.listing(self, months, customers)

    def month_names(self, customers: Iterable[str] | None) -> list[str]:
        """The months that have a month file (of those customers), oldest first."""
        from sessionlog.store import searchtexts

        return searchtexts.month_names(self, customers)

    def texts(self, files: Listing) -> tuple[Texts, list[Problem]]:
        """What `search` scans of those files, and the problems `load` reports of them."""
        from sessionlog.store import searchtexts

        return searchtexts.read(self._file_cache(), self, files)

    def sessions_at(self, texts: Texts, indexes: Sequence[int]) -> Iterator[Session | None]:
        """The sessions at `indexes` of `texts`, in that order (None: no longer in its file)."""
        from sessionlog.store import searchtexts

        return searchtexts.sessions_at(self._file_cache(), self, texts, indexes)

    def _file_cache(self) -> FileCache:
        if self._cache is not None:
            return self._cache()
        from sessionlog.store.cache import FileCache

        return FileCache(self.layout.root, enabled=False)

    def without_stale_copy(self, sessions: list[Session]) -> list[Session]:
        """`sessions` without the old copy of a move killed halfway: its new copy counts."""
        stale = self.moves.stale_copy()
        if stale is None:
            return sessions
        sid, source = stale
        return [s for s in sessions if not (s.id == sid and s.origin and Path(s.origin.path) == source)]

    def find(self, prefix: str) -> list[Session]:
        """Every record whose id starts with `prefix`; a file that cannot be read and may hold
        one is an error (BROKEN_FILE or INVALID with its path and line), never "not found".

        The derived cache's ids leave out the files it knows cannot hold the prefix; the rest
        get a byte search before any parse, so that files that cannot match cost one read each.
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
            self.finish_moves()
            trusted = self._trusted(path)
            f = open_file(path, self.lock) if trusted is None else None
            ids = trusted[0] if trusted is not None else f.ids() if f is not None else []
            if not s.id:
                s = s.evolve(id=new_id({*ids, *self._running_ids(), *self.fixed_taken()}))
            elif s.id in ids:
                if exist_ok:
                    return s
                raise SessionlogError(
                    _("session id {id} exists already in {path}").format(id=s.id, path=path), Kind.DUPLICATE
                )
            check(s, force)
            record = codec.session_to_dict(s)
            text = None if trusted is None else tomltext.append_trusted(trusted[1], record, str(path))
            if text is None:
                f = f or open_file(path, self.lock)
                text = tomltext.append_record(f.text, record, str(path), doc=f.doc)
            write(path, text, self.lock)
        return s

    def _trusted(self, path: Path) -> tuple[list[str], str] | None:
        """The ids and text of a month file the derived cache vouches for, read without a parse;
        None when it cannot (no entry, a changed file, or the file parsed already in this hold)."""
        if self._cache is None or path in self.lock.memo:
            return None
        known = self._cache().trusted_ids(self, path)
        if known is None:
            return None
        ids, stamp_before = known
        text = read_text(path)
        from sessionlog.store.stamps import stamp, stat_of

        st = stat_of(str(path))
        if text is None or st is None or stamp(st) != stamp_before:
            return None  # changed while we read it: parse it as usual
        return ids, text

    def add_many(self, sessions: Sequence[Session], *, renew_taken: bool = False) -> list[Session]:
        """Append many new records (returned in their order, with ids where they had none): each
        file read once, every file verified before any is written, one atomic write per file.

        An id taken already in its file is DUPLICATE, or with `renew_taken` (new records whose
        ids were drawn with `random_id`) replaced by a fresh one. Each record must be finished
        or marked unfinished; a crash between two files leaves the files written so far whole.
        """
        by_file: dict[tuple[str, str], list[tuple[int, Session]]] = {}
        for i, s in enumerate(sessions):
            if s.running:
                raise SessionlogError(
                    _("session {value} has no end and is not unfinished").format(value=s.id or "without id"),
                    Kind.INVALID,
                )
            check(s)
            local = s.start.astimezone(self.tz)
            by_file.setdefault((s.customer, f"{local.year:04d}-{local.month:02d}"), []).append((i, s))
        saved: list[Session] = list(sessions)
        with self.lock.held():
            self.finish_moves()
            used = self._running_ids() | self.fixed_taken()
            texts: dict[Path, str] = {}
            for (customer, month), group in by_file.items():
                path = self.layout.month_file(customer, month)
                f = open_file(path, self.lock)
                ids = set(f.ids())
                used |= ids
                records: list[dict[str, Any]] = []
                for i, s in group:
                    if s.id in used and s.id and not renew_taken:
                        raise SessionlogError(
                            _("session id {id} exists already in {path}").format(id=s.id, path=path), Kind.DUPLICATE
                        )
                    # A fixed id drawn before the ledger was read is drawn again: the result then
                    # depends on the ledger alone, not on what this process drew before.
                    if not s.id or s.id in used or (renew_taken and s.id in fixedids.drawn):
                        s = s.evolve(id=new_id(used))
                    used.add(s.id)
                    saved[i] = s
                    records.append(codec.session_to_dict(s))
                texts[path] = tomltext.append_records(f.text, records, str(path), doc=f.doc)
            for path in texts:
                self.lock.memo.pop(path, None)
            write_many(texts)
        return saved

    def _unchanged(self, f: SessionFile, old: Session) -> tuple[int, dict[str, Any]]:
        """Where `old` stands in the file; CONFLICT if someone changed it since it was read."""
        index, raw = f.locate(old.id)
        self._same(raw, old)
        return index, raw

    @staticmethod
    def _same(raw: dict[str, Any], old: Session) -> None:
        try:
            current = codec.session_from_dict(raw, old.customer, None)
        except codec.Invalid:
            current = None
        if current != old:
            raise SessionlogError(
                _("session {id} was changed by someone else meanwhile; try again").format(id=old.id), Kind.CONFLICT
            )

    def _put(self, old: Session, new: Session, record_for: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Write `new` over `old`, moving it if its customer or month changed."""
        src_path, dst_path = self.home_of(old), self._target(old, new)
        with self.lock.held():
            self.finish_moves()
            src = open_file(src_path, self.lock)
            index, raw = self._unchanged(src, old)
            record = record_for(raw)
            if src_path == dst_path:
                write(src_path, tomltext.replace_record(src.text, index, record, str(src_path), doc=src.doc), self.lock)
                return
            dst = open_file(dst_path, self.lock)
            new_dst = tomltext.append_record(dst.text, record, str(dst_path), doc=dst.doc)
            new_src = tomltext.replace_record(src.text, index, None, str(src_path), doc=src.doc)
            # Both texts are verified before the first write; see store/moves.py for the order.
            self.moves.begin(Move(old.id, src_path, dst_path))
            write(dst_path, new_dst, self.lock)
            faults.point("move:target")
            write(src_path, new_src, self.lock)
            faults.point("move:source")
            self.moves.end()

    def finish_moves(self) -> None:
        """Under the lock: complete (or forget) a move a killed process left half done."""
        move = self.moves.pending()
        if move is None:
            return
        if _holds(move.target, move.id, self.lock):
            src = open_file(move.source, self.lock)
            index = next((i for i, sid in enumerate(_ids(src)) if sid == move.id), None)
            if index is not None:
                write(
                    move.source,
                    tomltext.replace_record(src.text, index, None, str(move.source), doc=src.doc),
                    self.lock,
                )
        self.moves.end()

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
                raise SessionlogError(
                    _("session {id}: a batch change cannot move a record").format(id=old.id), Kind.INPUT
                )
            by_file.setdefault(self.home_of(old), []).append((old, new))
        with self.lock.held():
            self.finish_moves()
            texts: dict[Path, str] = {}
            for path, pairs in by_file.items():
                f = open_file(path, self.lock)
                where = {sid: i for i, sid in enumerate(_ids(f)) if sid is not None}
                changed: dict[int, dict[str, Any]] = {}
                for old, new in pairs:
                    if old.id not in where:
                        f.locate(old.id)  # raises CONFLICT: someone removed it meanwhile
                    index = where[old.id]
                    raw = f.records[index]
                    self._same(raw, old)
                    changed[index] = codec.merge_record(raw, codec.session_to_dict(new), codec.SESSION_KEYS)
                texts[path] = tomltext.replace_records(f.text, changed, str(path), f.doc)
            for path, text in texts.items():
                write(path, text, self.lock)

    def delete(self, s: Session, *, force: bool = False) -> None:
        ensure_unlocked(s, force)
        path = self.home_of(s)
        with self.lock.held():
            self.finish_moves()
            f = open_file(path, self.lock)
            index, _ = f.locate(s.id)
            write(path, tomltext.replace_record(f.text, index, None, str(path), doc=f.doc), self.lock)

    def record_text(self, s: Session) -> str:
        """The record as it stands in its file, comments and all, for an editor."""
        f = open_file(self.home_of(s), self.lock)
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
            raise SessionlogError(_("the text must hold exactly one [[session]] record and nothing else"))
        raw = records[0]
        try:
            new = codec.session_from_dict(raw, old.customer, old.origin)
        except codec.Invalid as exc:
            raise SessionlogError(str(exc), Kind.INVALID) from None
        if new.id != old.id:
            raise SessionlogError(_("the id of a record cannot be changed"))
        ensure_unlocked(old, force)
        check(new, force)
        self._put(old, new, lambda _: raw)
        return new


def _ids(f: SessionFile) -> list[str | None]:
    return [r.get("id") if isinstance(r, dict) else None for r in f.records]


def _holds(path: Path, sid: str, lock: LedgerLock) -> bool:
    try:
        return sid in _ids(open_file(path, lock))
    except SessionlogError:
        return False


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

"""The sessions of a ledger: loading them (through the derived cache), finding one by id,
and every verified, locked change to month files."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, Session, SessionlogError, month_key
from sessionlog.store import codec, faults, fixedids, tomltext
from sessionlog.store.files import LedgerLock, read_text, write_many
from sessionlog.store.ids import new_id
from sessionlog.store.layout import Layout
from sessionlog.store.monthfile import SessionFile, holds, open_file, read, record_bytes, record_ids, write
from sessionlog.store.moves import Move, Moves
from sessionlog.store.validate import check, ensure_unlocked

if TYPE_CHECKING:
    from sessionlog.store.cache import FileCache
    from sessionlog.store.searchtexts import Listing, Texts


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
                if p.kind is Kind.BROKEN_FILE or p.line is None or needle in record_bytes(path, p.line):
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
        file read once, every file verified before any is written (a new file of usual records
        by format_session's tests instead), one atomic write per file.

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
                nl = tomltext.newline_of(f.text)
                news: list[Session] = []
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
                    news.append(s)
                formatted = [tomltext.format_session(s, nl) for s in news]
                text = tomltext.new_file_text(formatted, nl) if not f.text else None
                if text is None:
                    records = [codec.session_to_dict(s) for s in news]
                    text = tomltext.append_records(f.text, records, str(path), doc=f.doc, formatted=formatted)
                texts[path] = text
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
        if holds(move.target, move.id, self.lock):
            src = open_file(move.source, self.lock)
            index = next((i for i, sid in enumerate(record_ids(src)) if sid == move.id), None)
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
                where = {sid: i for i, sid in enumerate(record_ids(f)) if sid is not None}
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

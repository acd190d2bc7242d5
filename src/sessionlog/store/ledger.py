"""The ledger folder: layout, loading with problems as data, and verified locked writes."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sessionlog.model import (
    Customer,
    Origin,
    Problem,
    Session,
    SessionlogError,
    Settings,
    check_customer_key,
    month_key,
)
from sessionlog.store import codec, tomltext
from sessionlog.store.files import ledger_lock, read_text, remove, write_atomic
from sessionlog.store.validate import FileBroken, check, ensure_unlocked, parse_file

if TYPE_CHECKING:
    from sessionlog.store.timers import Timers

SETTINGS_FILE = "sessionlog.toml"
CUSTOMER_FILE = "customer.toml"
ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/1/o/0 to misread
ID_LENGTH = 8  # 40 bits: a 100 000-session ledger has a 0.5 % chance of any collision at all
_MONTH_FILE = re.compile(r"^\d{4}-\d{2}\.toml$")


class Ledger:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock_depth = 0

    # --- layout ------------------------------------------------------------------------

    @property
    def customers_dir(self) -> Path:
        return self.root / "customers"

    def customer_file(self, key: str) -> Path:
        return self.customers_dir / key / CUSTOMER_FILE

    def month_file(self, key: str, month: str) -> Path:
        return self.customers_dir / key / f"{month}.toml"

    def file_of(self, s: Session) -> Path:
        """Where a record belongs: its customer's file for the month it started in."""
        return self.month_file(s.customer, month_key(s.start, self.tz))

    def home_of(self, s: Session) -> Path:
        """Where a record is: the file it was read from, even if a person filed it elsewhere."""
        if s.origin is not None and Path(s.origin.path).parent.parent == self.customers_dir:
            return Path(s.origin.path)
        return self.file_of(s)

    def _target(self, old: Session, new: Session) -> Path:
        """Where a changed record goes: it stays put unless its customer or month changed."""
        same = old.customer == new.customer and month_key(old.start, self.tz) == month_key(new.start, self.tz)
        return self.home_of(old) if same else self.file_of(new)

    # --- settings ----------------------------------------------------------------------

    @cached_property
    def settings(self) -> Settings:
        path = self.root / SETTINGS_FILE
        text = read_text(path)
        if text is None:
            return Settings()
        try:
            return codec.settings_from_dict(parse_file(path, text))
        except codec.Invalid as exc:
            raise SessionlogError(f"{path}: {exc}") from None

    @cached_property
    def timers(self) -> Timers:
        from sessionlog.store.timers import Timers

        return Timers(self)

    @cached_property
    def tz(self) -> tzinfo:
        from sessionlog.timeparse import ledger_zone

        return ledger_zone(self.settings.timezone)

    # --- locking and writing -----------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the ledger lock; nested use in one process is free."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with ledger_lock(self.root):
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    def _rewrite(self, path: Path, change: Callable[[str], str]) -> None:
        """Under the lock: read afresh, refuse a broken file, change, write atomically."""
        with self.locked():
            text = read_text(path) or ""
            if text.strip():
                parse_file(path, text)
            new = change(text)
            if new.strip():
                write_atomic(path, new)
            else:
                remove(path)

    # --- customers ---------------------------------------------------------------------

    def customer_keys(self) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.customers_dir) if e.is_dir())
        except FileNotFoundError:
            return []

    def customer(self, key: str) -> Customer | None:
        """The customer with this key, None if there is no folder for it."""
        path = self.customer_file(key)
        text = read_text(path)
        if text is None:
            return Customer(key) if path.parent.is_dir() else None
        try:
            return codec.customer_from_dict(parse_file(path, text), key, Origin(str(path), 1))
        except codec.Invalid as exc:
            raise SessionlogError(f"{path}: {exc}") from None

    def customers(self) -> tuple[dict[str, Customer], list[Problem]]:
        found: dict[str, Customer] = {}
        problems: list[Problem] = []
        for key in self.customer_keys():
            try:
                c = self.customer(key)
            except FileBroken as exc:
                problems.append(exc.problem)
            except SessionlogError as exc:
                problems.append(Problem(str(self.customer_file(key)), None, str(exc).split(": ", 1)[-1]))
            else:
                if c is not None:
                    found[key] = c
        return found, problems

    def resolve_customer(self, text: str) -> str | None:
        """The key a user means by `text`: the key itself or an alias, case-insensitive."""
        key = check_customer_key(text)
        if (self.customers_dir / key).is_dir():
            return key
        for c in self.customers()[0].values():
            if key in (a.lower() for a in c.aliases):
                return c.key
        return None

    def save_customer(self, c: Customer, *, create: bool = False) -> None:
        path = self.customer_file(c.key)
        with self.locked():
            if create and path.parent.is_dir():
                raise SessionlogError(f"customer {c.key} exists already")
            if not create and not path.parent.is_dir():
                raise SessionlogError(f"no customer {c.key}")

            def change(text: str) -> str:
                raw = {k: v for k, v in (tomltext.parse(text) if text.strip() else {}).items()}
                top = {k: v for k, v in raw.items() if not isinstance(v, dict)}
                merged = codec.merge_record(top, codec.customer_to_dict(c), codec.CUSTOMER_KEYS)
                return tomltext.set_top_level(text, merged, str(path))

            self._rewrite(path, change)

    # --- sessions ----------------------------------------------------------------------

    def read_sessions(
        self, path: Path, customer: str | None, *, misfiled_ok: bool = False
    ) -> tuple[list[Session], list[Problem]]:
        text = read_text(path)
        if text is None:
            return [], []
        try:
            doc = parse_file(path, text)
        except FileBroken as exc:
            return [], [exc.problem]
        records = doc.get("session", [])
        if not isinstance(records, list):
            return [], [Problem(str(path), None, "`session` must be a list of [[session]] tables")]
        blocks, _ = tomltext.split_records(text.splitlines())
        lines = [b.start + 1 for b in blocks] if len(blocks) == len(records) else [0] * len(records)
        sessions: list[Session] = []
        problems: list[Problem] = []
        for raw, line in zip(records, lines, strict=True):
            key = customer or str(raw.get("customer", ""))
            try:
                s = codec.session_from_dict(raw, key, Origin(str(path), line))
            except codec.Invalid as exc:
                what = f"session {raw.get('id')}" if raw.get("id") else "session"
                problems.append(Problem(str(path), line or None, f"{what}: {exc}"))
                continue
            month = month_key(s.start, self.tz)
            if customer is not None and not misfiled_ok and _MONTH_FILE.match(path.name) and path.stem != month:
                # Billing it under this file's month would put it on the wrong invoice.
                problems.append(
                    Problem(str(path), line or None, f"session {s.id} started in {month}; move it to {month}.toml")
                )
                continue
            sessions.append(s)
        return sessions, problems

    def month_files(self, months: Sequence[str] | None = None, customers: Iterable[str] | None = None) -> list[Path]:
        """Existing month files, for the given months (all when None) and customers."""
        keys = list(customers) if customers is not None else self.customer_keys()
        out: list[Path] = []
        for key in keys:
            folder = self.customers_dir / key
            if months is None:
                try:
                    names = sorted(e.name for e in os.scandir(folder) if _MONTH_FILE.match(e.name))
                except FileNotFoundError:
                    continue
                out += [folder / n for n in names]
            else:
                out += [p for m in months if (p := folder / f"{m}.toml").is_file()]
        return out

    def sessions(
        self, months: Sequence[str] | None = None, customers: Iterable[str] | None = None
    ) -> tuple[list[Session], list[Problem]]:
        """Finished sessions of those months and customers, and what could not be read."""
        sessions: list[Session] = []
        problems: list[Problem] = []
        for path in self.month_files(months, customers):
            s, p = self.read_sessions(path, path.parent.name)
            sessions += s
            problems += p
        return sessions, problems

    def find(self, prefix: str) -> Session:
        """The one session, finished or running, whose id starts with `prefix`."""
        prefix = prefix.strip().lower()
        if not prefix:
            raise SessionlogError("give a session id or a unique prefix of it")
        needle = prefix.encode()
        hits: list[Session] = []
        paths = self.month_files() + self.timers.paths()
        for path in paths:
            try:
                if needle not in path.read_bytes():
                    continue  # cheap pre-filter: most files cannot match
            except OSError:
                continue
            customer = None if path.parent.name == "running" else path.parent.name
            found, problems = self.read_sessions(path, customer, misfiled_ok=True)
            if problems and any(p.line is None or "parse" in p.message for p in problems):
                raise SessionlogError(str(problems[0]))
            hits += [s for s in found if s.id.startswith(prefix)]
        if not hits:
            raise SessionlogError(f"no session with id {prefix!r}")
        if len({s.id for s in hits}) > 1:
            ids = ", ".join(sorted(s.id for s in hits)[:5])
            raise SessionlogError(f"id prefix {prefix!r} is ambiguous: {ids}; type more of it")
        return hits[0]

    def new_id(self, taken: Iterable[str] = ()) -> str:
        used = set(taken) | {s.id for s in self.timers.all()}
        while True:
            candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
            if candidate not in used:
                return candidate

    def _index(self, path: Path, sid: str) -> tuple[str, int, dict[str, Any]]:
        return self._index_in(path, read_text(path) or "", sid)

    def _index_in(self, path: Path, text: str, sid: str) -> tuple[str, int, dict[str, Any]]:
        records = parse_file(path, text).get("session", []) if text.strip() else []
        for i, raw in enumerate(records):
            if raw.get("id") == sid:
                return text, i, raw
        raise SessionlogError(f"session {sid} is no longer in {path}; it was changed meanwhile, try again")

    def add(self, s: Session, *, force: bool = False, exist_ok: bool = False) -> Session:
        """Validate and append a finished session to its month file; assigns an id if empty.

        With `exist_ok`, a record with the same id already in the file is taken as written.
        """
        path = self.file_of(s)
        with self.locked():
            text = read_text(path) or ""
            ids = [r.get("id") for r in parse_file(path, text).get("session", [])] if text.strip() else []
            if not s.id:
                s = s.evolve(id=self.new_id(i for i in ids if isinstance(i, str)))
            elif s.id in ids:
                if exist_ok:
                    return s
                raise SessionlogError(f"session id {s.id} exists already in {path}")
            check(s, force)
            record = codec.session_to_dict(s)
            self._rewrite(path, lambda t: tomltext.append_record(t, record, str(path)))
        return s

    def _unchanged(self, path: Path, text: str, old: Session) -> tuple[int, dict[str, Any]]:
        """Where `old` stands in the file's text; refuses if someone changed it since it was read."""
        _, index, raw = self._index_in(path, text, old.id)
        if codec.session_from_dict(raw, old.customer, None) != old:
            raise SessionlogError(f"session {old.id} was changed by someone else meanwhile; try again")
        return index, raw

    def _put(self, old: Session, new: Session, record_for: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Write `new` over `old`, moving it if its customer or month changed."""
        src, dst = self.home_of(old), self._target(old, new)
        with self.locked():
            index, raw = self._unchanged(src, read_text(src) or "", old)
            record = record_for(raw)
            if src == dst:
                self._rewrite(src, lambda t: tomltext.replace_record(t, index, record, str(src)))
            else:
                # Write the new place first: a crash in between leaves a duplicate, never a loss.
                self._rewrite(dst, lambda t: tomltext.append_record(t, record, str(dst)))
                self._rewrite(src, lambda t: tomltext.replace_record(t, index, None, str(src)))

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
                raise SessionlogError(f"session {old.id}: a batch change cannot move a record")
            by_file.setdefault(self.home_of(old), []).append((old, new))
        with self.locked():
            texts: dict[Path, str] = {}
            for path, pairs in by_file.items():
                text = read_text(path) or ""
                parse_file(path, text)
                for old, new in pairs:
                    index, raw = self._unchanged(path, text, old)
                    merged = codec.merge_record(raw, codec.session_to_dict(new), codec.SESSION_KEYS)
                    text = tomltext.replace_record(text, index, merged, str(path))
                texts[path] = text
            for path, text in texts.items():
                write_atomic(path, text)

    def delete(self, s: Session, *, force: bool = False) -> None:
        ensure_unlocked(s, force)
        path = self.home_of(s)
        with self.locked():
            _, index, _ = self._index(path, s.id)
            self._rewrite(path, lambda t: tomltext.replace_record(t, index, None, str(path)))

    def record_text(self, s: Session) -> str:
        """The record as it stands in its file, comments and all, for an editor."""
        path = self.home_of(s)
        text, index, _ = self._index(path, s.id)
        lines = text.splitlines(keepends=True)
        blocks, _ = tomltext.split_records(lines)
        records = parse_file(path, text).get("session", [])
        if len(blocks) == len(records):
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
            raise SessionlogError(str(exc)) from None
        if new.id != old.id:
            raise SessionlogError("the id of a record cannot be changed")
        ensure_unlocked(old, force)
        check(new, force)
        self._put(old, new, lambda _: raw)
        return new


def read_user_config(path: Path) -> dict[str, Any]:
    """Per-user settings (who am I, which ledger); empty when the file does not exist."""
    text = read_text(path)
    return parse_file(path, text) if text else {}

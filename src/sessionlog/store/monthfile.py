"""One month file of [[session]] records: read once with its problems, written atomically under the lock.

`open_file` keeps a file's text and parsed TOML together, and every write works from that
pair, so the only other parse is the one that verifies the text about to be written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from sessionlog.i18n import _
from sessionlog.model import Kind, Origin, Problem, Session, SessionlogError, check_customer_key, month_key
from sessionlog.store import codec, marks, tomltext
from sessionlog.store.files import LedgerLock, read_text, remove, write_atomic
from sessionlog.store.layout import is_month_file
from sessionlog.store.validate import parse_file


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


def write(path: Path, text: str, lock: LedgerLock) -> None:
    """Write (or remove, when empty) a file under the held lock, forgetting its parsed form."""
    assert lock.is_held, "writes happen under the ledger lock"
    lock.memo.pop(path, None)
    if text.strip():
        write_atomic(path, text)
    else:
        remove(path)


def record_ids(f: SessionFile) -> list[str | None]:
    return [r.get("id") if isinstance(r, dict) else None for r in f.records]


def holds(path: Path, sid: str, lock: LedgerLock) -> bool:
    try:
        return sid in record_ids(open_file(path, lock))
    except SessionlogError:
        return False


def record_bytes(path: Path, line: int) -> bytes:
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

"""Records and documents a merge left in conflict: finding them, and keeping one side.

A record in conflict is unreadable to every other command (it would bill one side's values
silently), so these read the raw TOML: month files and timer files for sessions, customer
files, and the settings; the file is rewritten by splicing, under the lock, verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sessionlog.i18n import _
from sessionlog.model import Kind, SessionlogError
from sessionlog.store import marks, tomltext
from sessionlog.store.files import LedgerLock, read_text
from sessionlog.store.layout import Layout
from sessionlog.store.merge_docs import document_text
from sessionlog.store.monthfile import open_file, write
from sessionlog.store.validate import parse_file

SETTINGS = "settings"


@dataclass(frozen=True)
class Found:
    """One thing in conflict: a session (by id), a customer (by key), or the settings."""

    kind: str  # "session", "customer" or "settings"
    label: str  # the session id, the customer key, or "settings"
    path: Path
    entries: Any  # its conflict table


@dataclass(frozen=True)
class Settled:
    found: Found
    side: str
    keys: tuple[str, ...]
    deleted: bool  # the side taken had deleted the record
    dropped: str | None = None  # the other of two timers, removed


def _session_files(layout: Layout) -> list[Path]:
    return [*layout.month_files(), *layout.timer_files()]


def find(layout: Layout, target: str) -> list[Found]:
    """What `target` names among the conflicts: a session id (or a prefix of at least 4
    characters), a customer key, or `settings`."""
    wanted = target.strip().lower()
    hits: list[Found] = []
    if wanted:
        needle = wanted.encode()
        for path in _session_files(layout):
            data = path.read_bytes()
            if needle not in data or marks.CONFLICT.encode() not in data:
                continue
            f = open_file(path)
            for raw in f.records:
                sid = raw.get("id") if isinstance(raw, dict) else None
                if isinstance(sid, str) and marks.CONFLICT in raw and _fits(sid, wanted):
                    hits.append(Found("session", sid, path, raw[marks.CONFLICT]))
    if wanted == SETTINGS:
        doc = _document(layout.settings_file)
        if marks.CONFLICT in doc:
            hits.append(Found(SETTINGS, SETTINGS, layout.settings_file, doc[marks.CONFLICT]))
    elif _safe(wanted) and layout.customer_file(wanted).is_file():
        doc = _document(layout.customer_file(wanted))
        if marks.CONFLICT in doc:
            hits.append(Found("customer", wanted, layout.customer_file(wanted), doc[marks.CONFLICT]))
    return hits


def _fits(sid: str, wanted: str) -> bool:
    return sid == wanted or (len(wanted) >= 4 and sid.startswith(wanted))


def _safe(key: str) -> bool:
    return bool(key) and "/" not in key and "\\" not in key and key not in (".", "..")


def _document(path: Path) -> dict[str, Any]:
    text = read_text(path)
    return parse_file(path, text) if text else {}


def every(layout: Layout) -> list[Found]:
    """Every session, customer and settings file in conflict (a byte search before any parse)."""
    needle = marks.CONFLICT.encode()
    out: list[Found] = []
    for path in _session_files(layout):
        if needle in path.read_bytes():
            try:
                records = open_file(path).records
            except SessionlogError:
                continue
            out += [
                Found("session", str(r.get("id")), path, r[marks.CONFLICT])
                for r in records
                if isinstance(r, dict) and marks.CONFLICT in r
            ]
    for key in layout.customer_keys():
        path = layout.customer_file(key)
        if path.is_file() and needle in path.read_bytes():
            doc = _document(path)
            if marks.CONFLICT in doc:
                out.append(Found("customer", key, path, doc[marks.CONFLICT]))
    return out


def settle(found: Found, side: str, layout: Layout, lock: LedgerLock) -> Settled:
    """Keep `side` of what `found` holds in conflict; the file rewritten by splicing, verified."""
    with lock.held():
        if found.kind == "session":
            return _settle_session(found, side, layout, lock)
        text = read_text(found.path) or ""
        doc = parse_file(found.path, text)
        if marks.CONFLICT not in doc:
            raise SessionlogError(
                _("{label} is no longer in conflict").format(label=found.label), Kind.CONFLICT, path=found.path
            )
        new, keys = marks.take_document(doc, side)
        spliced = document_text(text, doc, new, str(found.path))
        write(found.path, spliced, lock)
        return Settled(found, side, keys, deleted=False)


def _settle_session(found: Found, side: str, layout: Layout, lock: LedgerLock) -> Settled:
    f = open_file(found.path, lock)
    index, raw = f.locate(found.label)
    if marks.CONFLICT not in raw:
        raise SessionlogError(
            _("session {label} is no longer in conflict").format(label=found.label), Kind.CONFLICT, path=found.path
        )
    taken = marks.take_record(raw, side)
    if taken.record is not None and marks.DELETED in found.entries:
        elsewhere = _held_elsewhere(found, layout)
        if elsewhere is not None:
            raise SessionlogError(
                _(
                    "session {label} is also in {elsewhere}: it was moved there, so keeping "
                    "it here would make two of it"
                ).format(label=found.label, elsewhere=elsewhere),
                Kind.DUPLICATE,
                hint=_(
                    "take the side that deleted it here ({entries}), then change the moved "
                    "record if it needs the other side's change"
                ).format(entries=found.entries[marks.DELETED]),
            )
    text = tomltext.replace_record(f.text, index, taken.record, str(found.path), doc=f.doc)
    if taken.drop is not None:
        doc = tomltext.parse(text)
        other = next((i for i, r in enumerate(doc.get("session", [])) if r.get("id") == taken.drop), None)
        if other is not None:
            text = tomltext.replace_record(text, other, None, str(found.path), doc=doc)
    write(found.path, text, lock)
    return Settled(found, side, taken.keys, deleted=taken.record is None, dropped=taken.drop)


def _held_elsewhere(found: Found, layout: Layout) -> Path | None:
    needle = f'"{found.label}"'.encode()
    for path in _session_files(layout):
        if path == found.path or needle not in path.read_bytes():
            continue
        try:
            if found.label in open_file(path).ids():
                return path
        except SessionlogError:
            continue
    return None

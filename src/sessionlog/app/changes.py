"""What a sync commits, in words: the sessions added, changed and deleted, timers, invoices.

Only the files this technician changed are read (their version in HEAD and on disk), so the
cost of a commit message follows the size of one's own work, not of the ledger or history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sessionlog.store import tomltext
from sessionlog.store.marks import kind_of

SHOWN = 50  # lines of detail in a commit message; the counts are always complete


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)  # one line per session
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    timers: list[str] = field(default_factory=list)
    invoices: list[str] = field(default_factory=list)  # numbers issued
    files: list[str] = field(default_factory=list)  # other files: customers, settings, templates ...

    def counts(self) -> str:
        parts = [
            f"{len(self.added)} session(s) added" if self.added else "",
            f"{len(self.changed)} changed" if self.changed else "",
            f"{len(self.deleted)} deleted" if self.deleted else "",
            f"{len(self.invoices)} invoice(s) issued" if self.invoices else "",
            f"{len(self.timers)} timer change(s)" if self.timers else "",
            _files(self.files),
        ]
        return ", ".join(p for p in parts if p) or "no ledger changes"

    def message(self, supporter: str) -> str:
        """A commit message: a subject with the counts, then what each line of work was."""
        body: list[str] = []
        for title, lines in (
            ("added", self.added),
            ("changed", self.changed),
            ("deleted", self.deleted),
            ("invoices", self.invoices),
            ("timers", self.timers),
            ("files", self.files),
        ):
            for line in lines[:SHOWN]:
                body.append(f"{title + ':':9} {line}")
            if len(lines) > SHOWN:
                body.append(f"{title + ':':9} ... and {len(lines) - SHOWN} more")
        return f"sessionlog: {supporter}: {self.counts()}\n\n" + "\n".join(body) + "\n"


def _label(path: str) -> str:
    parts = path.split("/")
    if path == "sessionlog.toml":
        return "the settings"
    if len(parts) == 3 and parts[0] == "customers" and parts[2] == "customer.toml":
        return f"customer {parts[1]}"
    return path


def _files(paths: list[str]) -> str:
    """Other files by name while they are few: `customer acme, the settings`."""
    if not paths:
        return ""
    return ", ".join(_label(p) for p in paths) if len(paths) <= 3 else f"{len(paths)} other files"


def _doc(text: str | None) -> dict[str, Any]:
    if not text or not text.strip():
        return {}
    try:
        return tomltext.parse(text)
    except tomltext.TomlError:
        return {}


def _records(doc: Mapping[str, Any], table: str, key: str) -> dict[str, dict[str, Any]]:
    raw = doc.get(table, [])
    if not isinstance(raw, list):
        return {}
    return {str(r[key]): r for r in raw if isinstance(r, dict) and key in r}


def _when(value: Any) -> str:
    return value.strftime("%d.%m.%Y %H:%M") if isinstance(value, datetime) else "?"


def _session(r: Mapping[str, Any], customer: str) -> str:
    note = str(r.get("note", "")).replace("\n", " ")
    note = note if len(note) <= 60 else note[:57] + "..."
    return f"{r.get('id')} {customer} {_when(r.get('start'))} {r.get('supporter', '')}: {note}".rstrip(": ")


def describe(paths: list[tuple[str, str | None, str | None]]) -> Changes:
    """The changes between old and new texts of each path (None: the file did not exist)."""
    out = Changes()
    gone: dict[str, tuple[str, str]] = {}  # id -> (customer, line) of sessions no longer where they were
    came: dict[str, tuple[str, dict[str, Any]]] = {}
    for path, old_text, new_text in paths:
        kind = kind_of(path)
        old, new = _doc(old_text), _doc(new_text)
        parts = path.split("/")
        if kind == "records" and len(parts) == 3 and parts[0] == "customers":
            customer = parts[1]
            before, after = _records(old, "session", "id"), _records(new, "session", "id")
            for sid, r in after.items():
                if sid not in before:
                    came[sid] = (customer, r)
                elif r != before[sid]:
                    keys = sorted(k for k in {*r, *before[sid]} if r.get(k) != before[sid].get(k))
                    out.changed.append(f"{sid} {customer}: {', '.join(keys)}")
            for sid, r in before.items():
                if sid not in after:
                    gone[sid] = (customer, _session(r, customer))
        elif kind == "timer":
            out.timers += _timer(old, new)
        elif kind == "register":
            before, after = _records(old, "invoice", "number"), _records(new, "invoice", "number")
            out.invoices += [
                f"{n} {r.get('customer', '?')} {r.get('total', '?')} {r.get('currency', '')}".rstrip()
                for n, r in after.items()
                if n not in before
            ]
        else:
            out.files.append(path)
    for sid, (customer, r) in came.items():
        if sid in gone:
            out.changed.append(f"{sid} moved from {gone.pop(sid)[0]} to {customer}")
        else:
            out.added.append(_session(r, customer))
    out.deleted += [line for _, line in gone.values()]
    return out


def _timer(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    before = next(iter(_records(old, "session", "id").values()), None)
    after = next(iter(_records(new, "session", "id").values()), None)
    if after is not None and (before is None or before.get("id") != after.get("id")):
        return [f"{after.get('supporter', '?')} started {after.get('customer', '?')} {_when(after.get('start'))}"]
    if before is not None and after is None:
        return [f"{before.get('supporter', '?')} stopped {before.get('customer', '?')} ({before.get('id')})"]
    if before is not None and after is not None and before != after:
        return [f"{after.get('supporter', '?')} paused or resumed {after.get('customer', '?')}"]
    return []

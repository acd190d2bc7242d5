"""How a conflict is written into a ledger file, read back, described and settled. Pure.

A record that both sides of a merge changed differently keeps ours' values and carries a
`conflict` table, for example

    conflict = { note = { ours = "Drucker getauscht", theirs = "Drucker repariert", base = "Drucker" } }
    conflict = { deleted = "theirs" }      # theirs deleted the record, ours changed it
    conflict = { timer = "k3f9qz" }        # a second running timer of one supporter (ours runs k3f9qz)

and a customer or settings file carries one at its top, keyed by dotted paths
(`conflict = { "billing.rate" = { ours = "95.00", theirs = "90.00" } }`). The file stays valid
TOML; every reader reports such a record as `path:line: conflict` instead of using it, until
a person keeps one side (`take_record`, `take_document`) or edits the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sessionlog.i18n import _
from sessionlog.model import Kind, Problem
from sessionlog.store import tomltext

CONFLICT = "conflict"  # the key that carries a conflict in a record or document
OURS = "ours"
THEIRS = "theirs"
SIDES = (OURS, THEIRS)
DELETED = "deleted"  # conflict entry: this side deleted the record the other side changed
TIMER = "timer"  # conflict entry in a timer file: ours runs another timer (its id)
ISSUED_TWICE = "this invoice number was issued twice"  # a register entry's conflict value
MISSING: Any = object()  # a key one side does not have


@dataclass(frozen=True)
class Conflict:
    """One record (or document) that needs a person, and where it is in the merged text."""

    label: str  # a session id, an invoice number, or the file's name for a document
    keys: tuple[str, ...]  # what differs: key names (dotted paths in documents), DELETED, TIMER
    line: int | None = None


def kind_of(path: str) -> str:
    """How a ledger file merges, by its path in the ledger: records, timer, document or register."""
    parts = path.replace("\\", "/").strip("/").split("/")
    if parts == ["sessionlog.toml"] or (len(parts) == 3 and parts[0] == "customers" and parts[2] == "customer.toml"):
        return "document"
    if parts[0] == "invoices":
        return "register"
    if parts[0] == "running":
        return "timer"
    return "records"


def document_label(path: str) -> str:
    """What `resolve` calls a document: the customer's key, or `settings`."""
    parts = path.replace("\\", "/").strip("/").split("/")
    return parts[-2] if len(parts) >= 2 and parts[-1] == "customer.toml" else "settings"


def with_conflict(record: Mapping[str, Any], entries: Mapping[str, Any]) -> dict[str, Any]:
    """The record with `entries` added to its conflict table (kept last, where people look)."""
    out = {k: v for k, v in record.items() if k != CONFLICT}
    earlier = record.get(CONFLICT)
    out[CONFLICT] = {**(earlier if isinstance(earlier, dict) else {}), **entries}
    return out


# --- settling a conflict: taking one side ------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    """A record after a person took one side: None to delete it, and another record to drop."""

    record: dict[str, Any] | None
    drop: str | None = None  # the id of another record to remove (the other of two timers)
    keys: tuple[str, ...] = ()


def take_record(raw: Mapping[str, Any], side: str) -> Taken:
    """The record as `side` has it; its conflict table gone."""
    entries = raw.get(CONFLICT)
    if not isinstance(entries, dict):
        raise ValueError("the record has no conflict table")
    out = {k: v for k, v in raw.items() if k != CONFLICT}
    for key, sides in entries.items():
        if key == DELETED:
            if sides == side:
                return Taken(None, keys=(DELETED,))
            continue
        if key == TIMER:
            return Taken(None, keys=(TIMER,)) if side == OURS else Taken(out, drop=str(sides), keys=(TIMER,))
        if isinstance(sides, dict):
            _put(out, [key], sides.get(side, MISSING))
    return Taken(out, keys=tuple(entries))


def take_document(doc: Mapping[str, Any], side: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A customer or settings document as `side` has it at each conflicting key."""
    entries = doc.get(CONFLICT)
    if not isinstance(entries, dict):
        raise ValueError("the document has no conflict table")
    out = _copy({k: v for k, v in doc.items() if k != CONFLICT})
    for dotted, sides in entries.items():
        if isinstance(sides, dict):
            _put(out, dotted.split("."), sides.get(side, MISSING))
    return out, tuple(entries)


def _copy(value: Any) -> Any:
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value


def _put(doc: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        nxt = doc.get(part)
        if not isinstance(nxt, dict):
            if value is MISSING:
                return
            nxt = doc[part] = {}
        doc = nxt
    if value is MISSING:
        doc.pop(path[-1], None)
    else:
        doc[path[-1]] = value


# --- what a person reads about a conflict -------------------------------------------------------


def _shown(value: Any) -> str:
    try:
        text = tomltext.format_value(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(entries: Any) -> str:
    """One line saying what a conflict table holds: `note: ours "A", theirs "B"`."""
    if isinstance(entries, str):
        return entries
    if not isinstance(entries, dict):
        return "marked as a conflict"
    out = []
    for key, sides in entries.items():
        if key == DELETED:
            other = THEIRS if sides == OURS else OURS
            out.append(f"deleted by {sides}, changed by {other}")
        elif key == TIMER:
            out.append(f"a second running timer (ours runs {sides})")
        elif isinstance(sides, dict):
            shown = [f"{s} {_shown(sides[s])}" if s in sides else f"{s} has none" for s in SIDES]
            out.append(f"{key}: " + ", ".join(shown))
        else:
            out.append(f"{key}: {_shown(sides)}")
    return "; ".join(out)


def conflict_problem(what: str, target: str, entries: Any, path: str, line: int | None) -> Problem:
    """The finding for a record or document in conflict: `path:line: conflict: ...`."""
    return Problem(
        Kind.MERGE_CONFLICT,
        _("{what} is in conflict: {describe}").format(what=what, describe=describe(entries)),
        path,
        line,
        hint=_(
            "keep one side with: sessionlog resolve {target} --take ours|theirs, or "
            "edit it and remove the `{CONFLICT} = ...` line"
        ).format(target=target, CONFLICT=CONFLICT),
    )


def register_problem(raw: Mapping[str, Any], path: str, line: int | None) -> Problem:
    """The finding for an invoice number that two invoices carry (`take` cannot settle this)."""
    number = raw.get("number", "?")
    return Problem(
        Kind.MERGE_CONFLICT,
        _("invoice {number} ({customer}, {total} {currency}) is in conflict: {conflict}").format(
            number=number,
            customer=raw.get("customer", "?"),
            total=raw.get("total", "?"),
            currency=raw.get("currency", ""),
            conflict=raw.get(CONFLICT),
        ),
        path,
        line,
        hint=_(
            "keep the invoice that was sent under this number; give the other a new "
            "number here and in its sessions' `invoice` keys, then remove its "
            "`{CONFLICT} = ...` line"
        ).format(CONFLICT=CONFLICT),
    )


def problems_in(text: str, path: str, shown: str | None = None) -> list[Problem]:
    """Every conflict the text of a ledger file holds, as its readers report them.

    `path` is the file's place in the ledger (it decides how the file is read); `shown` is the
    path to name in the findings (by default `path`). Raises TomlError when it does not parse."""
    doc = tomltext.parse(text) if text.strip() else {}
    where = shown or path
    kind = kind_of(path)
    if kind == "document":
        if CONFLICT not in doc:
            return []
        label = document_label(path)
        what = _("the settings") if label == "settings" else _("customer {key}").format(key=label)
        line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(f"{CONFLICT} =")), None)
        return [conflict_problem(what, label, doc[CONFLICT], where, line)]
    table = "invoice" if kind == "register" else "session"
    records = doc.get(table, [])
    if not isinstance(records, list) or not any(isinstance(r, dict) and CONFLICT in r for r in records):
        return []
    blocks, _rest = tomltext.split_records(text.splitlines(), table)
    lines = [b.start + 1 for b in blocks] if len(blocks) == len(records) else [None] * len(records)
    out = []
    for raw, line in zip(records, lines, strict=True):
        if not isinstance(raw, dict) or CONFLICT not in raw:
            continue
        if kind == "register":
            out.append(register_problem(raw, where, line))
        else:
            sid = str(raw.get("id"))
            out.append(conflict_problem(_("session {id}").format(id=sid), sid, raw[CONFLICT], where, line))
    return out

"""Three-way merge of ledger files by record, as git's merge driver and `check --fix` need it.

Pure: texts in, a merged text and its conflicts out. Records are matched by their key (a
session's `id`, an invoice's number), never by line: two technicians appending sessions to
one month file do not conflict. A record added on either side is kept; deleted on one side
and unchanged on the other, it goes; changed on both sides, each key is merged on its own,
and only a key changed differently on both sides is a conflict. The merged text starts from
ours and takes theirs' record blocks as they are written, so comments survive as in every
other write (store/tomltext.py); every result is parsed again and compared with the records
intended before it is returned.

A true conflict keeps the file valid TOML: the record keeps ours' value and carries both in
a `conflict` table, which the readers report as `path:line: conflict` until a person decides
(`sessionlog resolve ID --take ours|theirs`, or an edit). A text that does not parse on any
side raises Unmergeable: that file is left to git's own line merge, never guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sessionlog.model import SessionlogError
from sessionlog.store import tomltext
from sessionlog.store.marks import CONFLICT, DELETED, MISSING, OURS, THEIRS, TIMER, Conflict, kind_of, with_conflict


class Unmergeable(Exception):
    """The texts cannot be merged by record (a side does not parse, ids missing or doubled)."""


@dataclass
class Merged:
    text: str
    conflicts: list[Conflict] = field(default_factory=list)
    added: int = 0  # records taken from theirs that ours did not have
    changed: int = 0  # records of ours changed by theirs
    removed: int = 0  # records of ours that theirs deleted


def merge_texts(base: str, ours: str, theirs: str, path: str) -> Merged:
    """The three-way merge of one ledger file; Unmergeable when it cannot be done by record.

    `base` is "" when there is none (a file both sides created, a conflict copy).
    """
    if ours == theirs:
        return Merged(ours)
    if base == ours:
        return Merged(theirs)
    if base == theirs:
        return Merged(ours)
    kind = kind_of(path)
    if kind in ("document", "register"):
        from sessionlog.store import merge_docs  # it builds on this module's pieces

        merge = merge_docs.merge_document if kind == "document" else merge_docs.merge_register
        return merge(base, ours, theirs, path)
    return _merge_records(base, ours, theirs, path, timer=kind == "timer")


def parse_doc(text: str, path: str) -> dict[str, Any]:
    try:
        return tomltext.parse(text) if text.strip() else {}
    except tomltext.TomlError as exc:
        raise Unmergeable(f"{path} does not parse: {exc.problem.message}") from None


def newline(*texts: str) -> str:
    return next((tomltext.newline_of(t) for t in texts if t), "\n")


# --- one record: key by key ----------------------------------------------------------------


def _value(b: Any, o: Any, t: Any) -> tuple[Any, bool]:
    """One value merged, and whether it is a conflict (then ours' value stands)."""
    if o == t:
        return o, False
    if o == b:
        return t, False
    if t == b:
        return o, False
    return o, True


def sides(b: Any, o: Any, t: Any) -> dict[str, Any]:
    """The conflict entry for one key: each side's value where that side has one."""
    return {k: v for k, v in ((OURS, o), (THEIRS, t), ("base", b)) if v is not MISSING}


def merge_record(
    base: Mapping[str, Any] | None, ours: Mapping[str, Any], theirs: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record merged key by key, and the conflict table for the keys changed differently."""
    b = base or {}
    out: dict[str, Any] = {}
    conflicts: dict[str, Any] = {}
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        bv, ov, tv = b.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING)
        value, clash = _value(bv, ov, tv)
        if clash:
            conflicts[key] = sides(bv, ov, tv)
        if value is not MISSING:
            out[key] = value
    return out, conflicts


# --- files of records: month files and timer files -------------------------------------------


@dataclass
class _Side:
    """One version of a file of [[table]] records, cut into the text of each record."""

    text: str
    doc: dict[str, Any]
    records: dict[str, dict[str, Any]]  # id -> record, in file order
    rest: dict[str, Any]  # everything but the records
    preamble: str = ""
    tail: str = ""
    segments: dict[str, str] | None = None  # id -> comment lines above it + its lines; None: cannot cut


def _side(text: str, path: str, table: str, key: str) -> _Side:
    doc = parse_doc(text, path)
    raw = doc.get(table, [])
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise Unmergeable(f"{path}: [[{table}]] is not a list of tables")
    records: dict[str, dict[str, Any]] = {}
    for r in raw:
        rid = r.get(key)
        if not isinstance(rid, str) or rid in records:
            raise Unmergeable(f"{path}: a [[{table}]] record without {key}, or {key} {rid!r} twice")
        records[rid] = r
    side = _Side(text, doc, records, {k: v for k, v in doc.items() if k != table})
    lines = text.splitlines(keepends=True)
    blocks, first = tomltext.split_records(lines, table)
    side.preamble = "".join(lines[:first])
    if len(blocks) == len(records):
        side.segments = {}
        done = first
        for rid, b in zip(records, blocks, strict=True):
            side.segments[rid] = "".join(lines[done : b.end])
            done = b.end
        side.tail = "".join(lines[done:])
    return side


def ended(text: str, nl: str) -> str:
    return text if not text or text.endswith(("\n", "\r")) else text + nl


class _Writer:
    """The merged text, built from pieces of the three versions, and the records it must hold."""

    def __init__(self, table: str, nl: str, path: str) -> None:
        self.table, self.nl, self.path = table, nl, path
        self.parts: list[str] = []
        self.records: list[dict[str, Any]] = []

    def text(self, piece: str) -> None:
        """Add text from any version, in ours' line endings (a copy from Windows may differ)."""
        if piece:
            piece = piece.replace("\r\n", "\n")
            self.parts.append(ended(piece if self.nl == "\n" else piece.replace("\n", self.nl), self.nl))

    def record(self, record: dict[str, Any], segment: str | None, *, separate: bool = False) -> None:
        """Add a record, written as `segment` (its text in some version) or formatted anew."""
        if segment is None or not _holds(segment, self.table, record):
            segment = self._spliced(record, segment)
        if separate and self.parts and segment.strip() and not segment.startswith(("\n", "\r\n")):
            self.parts.append(self.nl)  # a blank line before a record appended after others
        self.text(segment)
        self.records.append(record)

    def _spliced(self, record: dict[str, Any], segment: str | None) -> str:
        """`segment` changed to hold `record`, keeping its comments where the keys can be spliced."""
        if segment is not None:
            try:
                return tomltext.replace_record(segment, 0, record, self.path, self.table)
            except (SessionlogError, IndexError):
                pass
        return tomltext.format_table(record, f"[[{self.table}]]", self.nl)


def _holds(segment: str, table: str, record: Mapping[str, Any]) -> bool:
    try:
        records = tomltext.parse(segment).get(table)
    except tomltext.TomlError:
        return False
    return records == [dict(record)]


def _segment(side: _Side, rid: str) -> str | None:
    return side.segments.get(rid) if side.segments is not None else None


def _comments(segment: str | None) -> str:
    """What is left of a deleted record's text: the comment lines above it."""
    if not segment:
        return ""
    lines = segment.splitlines(keepends=True)
    head = []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        head.append(line)
    return "".join(head) if any(ln.strip() for ln in head) else ""


def _merge_records(base_t: str, ours_t: str, theirs_t: str, path: str, *, timer: bool) -> Merged:
    table, key = "session", "id"
    base, ours, theirs = (_side(t, path, table, key) for t in (base_t, ours_t, theirs_t))
    rest, rest_clash = _value(base.rest, ours.rest, theirs.rest)
    if rest_clash:
        raise Unmergeable(f"{path}: keys outside the records were changed on both sides")
    w = _Writer(table, newline(ours_t, theirs_t), path)
    result = Merged("")
    conflicts: dict[str, tuple[str, ...]] = {}
    if ours.rest != rest:
        w.text(theirs.preamble)
    else:
        w.text(theirs.preamble if ours.preamble == base.preamble else ours.preamble)
    for rid, o in ours.records.items():
        b, t = base.records.get(rid), theirs.records.get(rid)
        o_seg = _segment(ours, rid)
        if t is None and b is not None:  # theirs deleted it
            if o == b:
                w.text(_comments(o_seg))
                result.removed += 1
            else:
                conflicts[rid] = (DELETED,)
                w.record(with_conflict(o, {DELETED: THEIRS}), o_seg)
            continue
        if t is None:  # ours added it
            w.record(o, o_seg)
            continue
        merged, clash = merge_record(b, o, t)
        if clash:
            conflicts[rid] = tuple(clash)
            merged = with_conflict(merged, clash)
        elif merged == t and o != t:
            result.changed += 1
            w.record(merged, _segment(theirs, rid))
            continue
        elif merged == o and o_seg is not None and b is not None and o_seg == _segment(base, rid):
            w.record(merged, _segment(theirs, rid) or o_seg)  # theirs may have changed a comment only
            continue
        if merged != o and not clash:
            result.changed += 1
        w.record(merged, o_seg)
    w.text(theirs.tail if ours.tail == base.tail else ours.tail)
    for rid, t in theirs.records.items():
        if rid in ours.records:
            continue
        b = base.records.get(rid)
        if b is None:  # theirs added it
            result.added += 1
            w.record(t, _segment(theirs, rid), separate=True)
        elif t != b:  # ours deleted what theirs changed
            conflicts[rid] = (DELETED,)
            w.record(with_conflict(t, {DELETED: OURS}), _segment(theirs, rid), separate=True)
    if timer:
        _one_timer(w, ours, conflicts)
    expect = {**rest, **({table: w.records} if w.records else {})}
    text = verified("".join(w.parts), expect, path) or verified(_formatted(rest, w, ours, theirs), expect, path)
    if text is None:
        raise Unmergeable(f"{path}: the merged records could not be written and read back the same")
    result.text = text
    result.conflicts = located(text, table, key, conflicts)
    return result


def _one_timer(w: _Writer, ours: _Side, conflicts: dict[str, tuple[str, ...]]) -> None:
    """A supporter runs one timer: a second one (both sides started one) is a conflict."""
    if len(w.records) < 2:
        return
    mine = next((r["id"] for r in w.records if r["id"] in ours.records), w.records[0]["id"])
    for i, r in enumerate(w.records):
        if r["id"] != mine and TIMER not in r.get(CONFLICT, {}):
            w.records[i] = with_conflict(r, {TIMER: mine})
            conflicts[r["id"]] = (*conflicts.get(r["id"], ()), TIMER)
    # The marks changed records already written: write them all anew (a timer file is one record).
    w.parts = [tomltext.format_table(r, f"[[{w.table}]]", w.nl) for r in w.records]
    w.parts = [p if i == 0 else w.nl + p for i, p in enumerate(w.parts)]


def _formatted(rest: dict[str, Any], w: _Writer, ours: _Side, theirs: _Side) -> str:
    """The merged file written anew: the preamble of whichever side has the merged keys, then
    every record formatted (their inner comments are lost, which beats no merge at all)."""
    preamble = ours.preamble if ours.rest == rest else theirs.preamble
    parts = [ended(preamble, w.nl)] if preamble.strip() else []
    for r in w.records:
        if parts:
            parts.append(w.nl)
        parts.append(tomltext.format_table(r, f"[[{w.table}]]", w.nl))
    return "".join(parts)


def verified(text: str, expect: Mapping[str, Any], path: str) -> str | None:
    try:
        got = tomltext.parse(text) if text.strip() else {}
    except tomltext.TomlError:
        return None
    return text if got == dict(expect) else None


def located(text: str, table: str, key: str, conflicts: Mapping[str, tuple[str, ...]]) -> list[Conflict]:
    """The conflicts with the line of each record's header in the merged text."""
    if not conflicts:
        return []
    lines = text.splitlines()
    blocks, _ = tomltext.split_records(lines, table)
    records = tomltext.parse(text).get(table, [])
    where: dict[Any, int] = {}
    if len(blocks) == len(records):
        where = {r.get(key): b.start + 1 for r, b in zip(records, blocks, strict=True)}
    return [Conflict(label, keys, where.get(label)) for label, keys in conflicts.items()]

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

from sessionlog.model import Kind, Problem, SessionlogError
from sessionlog.store import tomltext

CONFLICT = "conflict"  # the key that carries a conflict in a record or document
OURS = "ours"
THEIRS = "theirs"
SIDES = (OURS, THEIRS)
DELETED = "deleted"  # conflict entry: this side deleted the record the other side changed
TIMER = "timer"  # conflict entry in a timer file: ours runs another timer (its id)
ISSUED_TWICE = "this invoice number was issued twice"  # a register entry's conflict value


class Unmergeable(Exception):
    """The texts cannot be merged by record (a side does not parse, ids missing or doubled)."""


@dataclass(frozen=True)
class Conflict:
    """One record (or document) that needs a person, and where it is in the merged text."""

    label: str  # a session id, an invoice number, or the file's name for a document
    keys: tuple[str, ...]  # what differs: key names (dotted paths in documents), DELETED, TIMER
    line: int | None = None


@dataclass
class Merged:
    text: str
    conflicts: list[Conflict] = field(default_factory=list)
    added: int = 0  # records taken from theirs that ours did not have
    changed: int = 0  # records of ours changed by theirs
    removed: int = 0  # records of ours that theirs deleted


_MISSING: Any = object()


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
    if kind == "document":
        return _merge_document(base, ours, theirs, path)
    if kind == "register":
        return _merge_register(base, ours, theirs, path)
    return _merge_records(base, ours, theirs, path, timer=kind == "timer")


def _parse(text: str, path: str) -> dict[str, Any]:
    try:
        return tomltext.parse(text) if text.strip() else {}
    except tomltext.TomlError as exc:
        raise Unmergeable(f"{path} does not parse: {exc.problem.message}") from None


def _nl(*texts: str) -> str:
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


def _sides(b: Any, o: Any, t: Any) -> dict[str, Any]:
    """The conflict entry for one key: each side's value where that side has one."""
    return {k: v for k, v in ((OURS, o), (THEIRS, t), ("base", b)) if v is not _MISSING}


def merge_record(
    base: Mapping[str, Any] | None, ours: Mapping[str, Any], theirs: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record merged key by key, and the conflict table for the keys changed differently."""
    b = base or {}
    out: dict[str, Any] = {}
    conflicts: dict[str, Any] = {}
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        bv, ov, tv = b.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING)
        value, clash = _value(bv, ov, tv)
        if clash:
            conflicts[key] = _sides(bv, ov, tv)
        if value is not _MISSING:
            out[key] = value
    return out, conflicts


def with_conflict(record: Mapping[str, Any], entries: Mapping[str, Any]) -> dict[str, Any]:
    """The record with `entries` added to its conflict table (kept last, where people look)."""
    out = {k: v for k, v in record.items() if k != CONFLICT}
    earlier = record.get(CONFLICT)
    out[CONFLICT] = {**(earlier if isinstance(earlier, dict) else {}), **entries}
    return out


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
    doc = _parse(text, path)
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


def _ended(text: str, nl: str) -> str:
    return text if not text or text.endswith(("\n", "\r")) else text + nl


class _Writer:
    """The merged text, built from pieces of the three versions, and the records it must hold."""

    def __init__(self, table: str, nl: str, path: str) -> None:
        self.table, self.nl, self.path = table, nl, path
        self.parts: list[str] = []
        self.records: list[dict[str, Any]] = []

    def text(self, piece: str) -> None:
        if piece:
            self.parts.append(_ended(piece, self.nl))

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
    w = _Writer(table, _nl(ours_t, theirs_t), path)
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
        if merged != o:
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
    text = _verified("".join(w.parts), expect, path) or _verified(_formatted(rest, w, ours, theirs), expect, path)
    if text is None:
        raise Unmergeable(f"{path}: the merged records could not be written and read back the same")
    result.text = text
    result.conflicts = _located(text, table, key, conflicts)
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
    parts = [_ended(preamble, w.nl)] if preamble.strip() else []
    for r in w.records:
        if parts:
            parts.append(w.nl)
        parts.append(tomltext.format_table(r, f"[[{w.table}]]", w.nl))
    return "".join(parts)


def _verified(text: str, expect: Mapping[str, Any], path: str) -> str | None:
    try:
        got = tomltext.parse(text) if text.strip() else {}
    except tomltext.TomlError:
        return None
    return text if got == dict(expect) else None


def _located(text: str, table: str, key: str, conflicts: Mapping[str, tuple[str, ...]]) -> list[Conflict]:
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


# --- documents: customer.toml and sessionlog.toml ------------------------------------------


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _scalars(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str | int) and not isinstance(x, bool) for x in v)


def _merge_list(b: Any, o: list[Any], t: list[Any]) -> list[Any]:
    """Lists of names (remote IDs, aliases, days) as sets: what either side added or removed."""
    base = b if isinstance(b, list) else []
    kept = [x for x in o if not (x in base and x not in t)]
    return kept + [x for x in t if x not in base and x not in o and x not in kept]


def _merge_tree(b: Any, o: Any, t: Any, at: tuple[str, ...], conflicts: dict[str, Any]) -> Any:
    if o == t:
        return o
    if o == b:
        return t
    if t == b:
        return o
    if isinstance(o, dict) and isinstance(t, dict):
        base = b if isinstance(b, dict) else {}
        out: dict[str, Any] = {}
        for k in [*o, *(k for k in t if k not in o)]:
            v = _merge_tree(base.get(k, _MISSING), o.get(k, _MISSING), t.get(k, _MISSING), (*at, k), conflicts)
            if v is not _MISSING:
                out[k] = v
        return out
    if _scalars(o) and _scalars(t) and (b is _MISSING or _scalars(b)):
        return _merge_list(b, o, t)
    conflicts[".".join(at)] = _sides(b, o, t)
    return o


def _merge_document(base_t: str, ours_t: str, theirs_t: str, path: str) -> Merged:
    base, ours, theirs = (_parse(t, path) for t in (base_t, ours_t, theirs_t))
    conflicts: dict[str, Any] = {}
    merged = _merge_tree(base, ours, theirs, (), conflicts)
    if conflicts:
        merged = with_conflict(merged, conflicts)
    text = next((t for t, d in ((ours_t, ours), (theirs_t, theirs)) if d == merged), None)
    if text is None:
        text = _spliced_document(ours_t, ours, merged, path)
    if text is None:
        raise Unmergeable(f"{path}: the merged values could not be written and read back the same")
    if not conflicts:
        return Merged(text, changed=int(merged != ours))
    line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(f"{CONFLICT} =")), None)
    return Merged(text, [Conflict(document_label(path), tuple(conflicts), line)], changed=1)


def document_label(path: str) -> str:
    """What `resolve` calls a document: the customer's key, or `settings`."""
    parts = path.replace("\\", "/").strip("/").split("/")
    return parts[-2] if len(parts) >= 2 and parts[-1] == "customer.toml" else "settings"


def _spliced_document(text: str, doc: dict[str, Any], merged: dict[str, Any], path: str) -> str | None:
    """`text` (ours) with the merged values spliced into each of its tables, comments kept.

    A table ours has no header for is written inline in the nearest table it has."""
    lines = text.splitlines(keepends=True)
    nl = _nl(text)
    regions = tomltext.table_regions(lines)
    headed = {name for name, _, _ in regions}
    if any(_at(merged, name) is _MISSING for name in headed):
        return None  # a table one side removed: let git show it
    out = list(lines)
    for name, start, end in sorted(regions, key=lambda r: r[1], reverse=True):
        old, new = _plain(_at(doc, name), name, headed), _plain(_at(merged, name), name, headed)
        if old == new:
            continue
        region = lines[start:end]
        if region and not region[-1].endswith(("\n", "\r")):
            region[-1] += nl
        spliced = tomltext.splice_keys(region, 0, len(region), old, new, nl)
        if spliced is None:
            return None
        out[start:end] = spliced
    return _verified("".join(out), merged, path)


def _at(doc: Any, name: str) -> Any:
    for part in [p for p in name.split(".") if p]:
        if not isinstance(doc, dict) or part not in doc:
            return _MISSING
        doc = doc[part]
    return doc


def _plain(table: Any, name: str, headed: set[str]) -> dict[str, Any]:
    """The keys a table writes on its own lines: not those with a header of their own below."""
    if not isinstance(table, dict):
        return {}
    prefix = f"{name}." if name else ""

    def own(key: str) -> bool:
        sub = prefix + key
        return sub not in headed and not any(h.startswith(sub + ".") for h in headed)

    return {k: v for k, v in table.items() if own(k) and not _is_table_array(v)}


# --- the invoice register: append-only, by invoice number -------------------------------------


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _entries(text: str, doc: dict[str, Any], table: str, path: str) -> tuple[list[Any], dict[Any, str] | None]:
    """The register's [[table]] entries keyed by their whole content, and each one's text."""
    raw = doc.get(table, [])
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise Unmergeable(f"{path}: [[{table}]] is not a list of tables")
    keys = [_freeze(r) for r in raw]
    lines = text.splitlines(keepends=True)
    blocks, _ = tomltext.split_records(lines, table)
    if len(blocks) != len(raw) or len(set(keys)) != len(keys):
        return keys, None
    return keys, {k: "".join(lines[b.start : b.end]) for k, b in zip(keys, blocks, strict=True)}


def _merge_register(base_t: str, ours_t: str, theirs_t: str, path: str) -> Merged:
    """Issued invoices and corrections are only ever appended: the union of both sides, and an
    entry one side deleted by hand stays deleted. One number on two different invoices is the
    one true conflict here; both stay, the later marked, for a person."""
    docs = [_parse(t, path) for t in (base_t, ours_t, theirs_t)]
    for d in docs:
        if set(d) - {"invoice", "correction"}:
            raise Unmergeable(f"{path}: the register holds more than [[invoice]] and [[correction]]")
    nl = _nl(ours_t, theirs_t)
    expect: dict[str, list[Any]] = {}
    removed: list[tuple[str, str]] = []
    appended: list[str] = []
    result = Merged("")
    conflicts: dict[str, tuple[str, ...]] = {}
    for table in ("invoice", "correction"):
        (bk, _), (ok, o_text), (tk, t_text) = (
            _entries(t, d, table, path) for t, d in zip((base_t, ours_t, theirs_t), docs, strict=True)
        )
        by_key = {k: r for d in docs for k, r in zip(_entries_keys(d, table), d.get(table, []), strict=True)}
        kept = [k for k in ok if not (k in bk and k not in tk)]
        removed += [(table, o_text[k]) for k in ok if k not in kept and o_text is not None]
        if len(kept) != len(ok) and o_text is None:
            raise Unmergeable(f"{path}: an entry removed on one side cannot be found in the other's text")
        new = [k for k in tk if k not in ok and k not in bk]
        result.added += len(new)
        records = [by_key[k] for k in kept]
        numbers = {r.get("number") for r in records}
        for k in new:
            record = dict(by_key[k])
            segment = t_text.get(k) if t_text is not None else None
            if table == "invoice" and record.get("number") in numbers:
                conflicts[str(record.get("number"))] = ("number",)
                record = {CONFLICT: ISSUED_TWICE, **record}
                segment = _marked(segment, nl) if segment is not None else None
            numbers.add(record.get("number"))
            if segment is None:
                raise Unmergeable(f"{path}: an entry of theirs cannot be cut out of its text")
            appended.append(segment)
            records.append(record)
        if records:
            expect[table] = records
    text = ours_t
    for _, piece in removed:
        text = text.replace(piece, "", 1)
    for piece in appended:
        text = _ended(text, nl) + (nl if text.strip() else "") + _ended(piece, nl)
    if _verified(text, expect, path) is None:
        raise Unmergeable(f"{path}: the merged register could not be written and read back the same")
    result.text = text
    result.conflicts = _located(text, "invoice", "number", conflicts) if conflicts else []
    result.removed = len(removed)
    return result


def _entries_keys(doc: dict[str, Any], table: str) -> list[Any]:
    raw = doc.get(table, [])
    return [_freeze(r) for r in raw] if isinstance(raw, list) else []


def _marked(segment: str, nl: str) -> str:
    """An [[invoice]] block with the conflict line right under its header."""
    lines = segment.splitlines(keepends=True)
    head = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("[[invoice]]"))
    mark = f"{CONFLICT} = {tomltext.format_value(ISSUED_TWICE)}{nl}"
    return "".join([*lines[: head + 1], mark, *lines[head + 1 :]])


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
            _put(out, [key], sides.get(side, _MISSING))
    return Taken(out, keys=tuple(entries))


def take_document(doc: Mapping[str, Any], side: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A customer or settings document as `side` has it at each conflicting key."""
    entries = doc.get(CONFLICT)
    if not isinstance(entries, dict):
        raise ValueError("the document has no conflict table")
    out = _copy({k: v for k, v in doc.items() if k != CONFLICT})
    for dotted, sides in entries.items():
        if isinstance(sides, dict):
            _put(out, dotted.split("."), sides.get(side, _MISSING))
    return out, tuple(entries)


def _copy(value: Any) -> Any:
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value


def _put(doc: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        nxt = doc.get(part)
        if not isinstance(nxt, dict):
            if value is _MISSING:
                return
            nxt = doc[part] = {}
        doc = nxt
    if value is _MISSING:
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
        f"{what} is in conflict: {describe(entries)}",
        path,
        line,
        hint=f"keep one side with: sessionlog resolve {target} --take ours|theirs, or edit it and remove the "
        f"`{CONFLICT} = ...` line",
    )


def register_problem(raw: Mapping[str, Any], path: str, line: int | None) -> Problem:
    """The finding for an invoice number that two invoices carry (`take` cannot settle this)."""
    number = raw.get("number", "?")
    return Problem(
        Kind.MERGE_CONFLICT,
        f"invoice {number} ({raw.get('customer', '?')}, {raw.get('total', '?')} {raw.get('currency', '')}) "
        f"is in conflict: {raw.get(CONFLICT)}",
        path,
        line,
        hint="keep the invoice that was sent under this number; give the other a new number here and in its "
        f"sessions' `invoice` keys, then remove its `{CONFLICT} = ...` line",
    )

"""Three-way merge of the ledger's documents: customer and settings files key by key, and the
invoice register, which is only ever appended to, by invoice number (see store/merge.py)."""

from __future__ import annotations

from typing import Any

from sessionlog.i18n import _
from sessionlog.model import Kind, SessionlogError
from sessionlog.store import tomltext
from sessionlog.store.marks import CONFLICT, ISSUED_TWICE, MISSING, Conflict, document_label, with_conflict
from sessionlog.store.merge import Merged, Unmergeable, ended, located, newline, parse_doc, sides, verified


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
            v = _merge_tree(base.get(k, MISSING), o.get(k, MISSING), t.get(k, MISSING), (*at, k), conflicts)
            if v is not MISSING:
                out[k] = v
        return out
    if _scalars(o) and _scalars(t) and (b is MISSING or _scalars(b)):
        return _merge_list(b, o, t)
    conflicts[".".join(at)] = sides(b, o, t)
    return o


def merge_document(base_t: str, ours_t: str, theirs_t: str, path: str) -> Merged:
    base, ours, theirs = (parse_doc(t, path) for t in (base_t, ours_t, theirs_t))
    conflicts: dict[str, Any] = {}
    merged = _merge_tree(base, ours, theirs, (), conflicts)
    if conflicts:
        merged = with_conflict(merged, conflicts)
    text = next((t for t, d in ((ours_t, ours), (theirs_t, theirs)) if d == merged), None)
    if text is None and not conflicts:
        text = _line_merged(base_t, ours_t, theirs_t, merged, path)
    if text is None:
        text = _spliced_document(ours_t, ours, merged, path)
    if text is None:
        raise Unmergeable(f"{path}: the merged values could not be written and read back the same")
    if not conflicts:
        return Merged(text, changed=int(merged != ours))
    line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(f"{CONFLICT} =")), None)
    return Merged(text, [Conflict(document_label(path), tuple(conflicts), line)], changed=1)


def _line_merged(base: str, ours: str, theirs: str, merged: dict[str, Any], path: str) -> str | None:
    """git's own way first: lines changed apart merge as lines, comments and all; used only
    when it holds exactly the values merged key by key."""
    import merge3

    m = merge3.Merge3(base.splitlines(True), ours.splitlines(True), theirs.splitlines(True))
    if any(region[0] == "conflict" for region in m.merge_regions()):
        return None
    return verified("".join(m.merge_lines()), merged, path)


def _spliced_document(text: str, doc: dict[str, Any], merged: dict[str, Any], path: str) -> str | None:
    """`text` (ours) with the merged values spliced into each of its tables, comments kept.

    A table ours has no header for is written inline in the nearest table it has."""
    lines = text.splitlines(keepends=True)
    nl = newline(text)
    regions = tomltext.table_regions(lines)
    headed = {name for name, _, _ in regions}
    if any(_at(merged, name) is MISSING for name in headed):
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
    return verified("".join(out), merged, path)


def document_text(text: str, doc: dict[str, Any], new: dict[str, Any], path: str) -> str:
    """A customer or settings file's text changed from `doc` to `new`, its comments kept."""
    spliced = _spliced_document(text, doc, new, path)
    if spliced is None:
        raise SessionlogError(
            _("cannot rewrite this file safely"), Kind.UNSAFE_WRITE, path=path, hint=_("edit it by hand")
        )
    return spliced


def _at(doc: Any, name: str) -> Any:
    for part in [p for p in name.split(".") if p]:
        if not isinstance(doc, dict) or part not in doc:
            return MISSING
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


def merge_register(base_t: str, ours_t: str, theirs_t: str, path: str) -> Merged:
    """Issued invoices and corrections are only ever appended: the union of both sides, and an
    entry one side deleted by hand stays deleted. One number on two different invoices is the
    one true conflict here; both stay, the later marked, for a person."""
    docs = [parse_doc(t, path) for t in (base_t, ours_t, theirs_t)]
    for d in docs:
        if set(d) - {"invoice", "correction"}:
            raise Unmergeable(f"{path}: the register holds more than [[invoice]] and [[correction]]")
    nl = newline(ours_t, theirs_t)
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
        text = ended(text, nl) + (nl if text.strip() else "") + ended(piece, nl)
    if verified(text, expect, path) is None:
        raise Unmergeable(f"{path}: the merged register could not be written and read back the same")
    result.text = text
    result.conflicts = located(text, "invoice", "number", conflicts) if conflicts else []
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

"""Edit TOML as text, so that what a person wrote around a record survives.

tomllib reads and tomli-w writes values, but neither keeps comments. So writes splice
text: a record is the `[[session]]` header up to its last value line; a change replaces
only the lines of the keys that changed. Every result is parsed again and compared with
what was intended before it may be written; if splicing cannot be proven right, the
record is written whole (its unknown keys kept), and if even that fails, nothing is.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sessionlog.i18n import _
from sessionlog.model import Kind, Session, SessionlogError
from sessionlog.store import plaintoml

_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([^\[\]]+?)[ \t]*(\]\]?)[ \t]*(#.*)?$")
_KEY_LINE = re.compile(r'^[ \t]*([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*")[ \t]*=')
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_TOML_LINE = re.compile(r"line (\d+)")
# A string TOML takes between quotes as it is: no quote, backslash or control character.
_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*')


class TomlError(SessionlogError):
    """A TOML text that does not parse; carries the line number when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message, Kind.INPUT, line=line)
        self.line = line


# The last few texts parsed, and their documents: a write verifies its new text by parsing
# it, and a command that reads that file again afterwards gets the same document back.
_PARSED: dict[str, dict[str, Any]] = {}
_PARSED_KEEP = 4


def parse(text: str) -> dict[str, Any]:
    """The TOML document of `text` (callers never change what it returns)."""
    found = _PARSED.get(text)
    if found is not None:
        return found
    doc = _loads(text)
    if len(_PARSED) >= _PARSED_KEEP:
        del _PARSED[next(iter(_PARSED))]
    _PARSED[text] = doc
    return doc


def _loads(text: str) -> dict[str, Any]:
    """The document of `text`: the store's own shapes read by plaintoml, the rest by tomllib."""
    doc = plaintoml.read(text)
    if doc is not None:
        return doc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_LINE.search(msg)
        raise TomlError(re.sub(r"\s*\(at line \d+, column \d+\)", "", msg), int(m.group(1)) if m else None) from None


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


# --- values --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # a few names, each formatted once per record written
def format_key(key: str) -> str:
    if _BARE_KEY.match(key):
        return key
    import tomli_w  # only writers need it; status never writes

    return tomli_w.dumps({"k": key})[4:-1]


def format_value(value: Any) -> str:
    """One TOML value on one line: inline arrays and tables, datetimes with 'T'."""
    kind = type(value)
    if kind is str and _PLAIN.fullmatch(value):
        return f'"{value}"'  # the most common values first: an import formats a million
    if kind is datetime:
        if value.utcoffset() is None:
            raise ValueError("refusing to write a datetime without offset")
        moment: str = value.isoformat()
        return moment
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format_value(str(value))  # money stays exact as a string
    if isinstance(value, str):
        import tomli_w

        return tomli_w.dumps({"k": value})[4:-1]
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("refusing to write a datetime without offset")
        return value.isoformat()
    if isinstance(value, date):  # a local date: the day an invoice was issued
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{format_key(k)} = {format_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


# The value types format_table writes itself, as format_value would, without a call per value
# (an import writes a million); a test empties it to compare with format_value alone.
_INLINE: frozenset[type] = frozenset({str, bool, datetime, list})
_BARE: set[str] = set()  # keys seen to be bare, written as they are


def format_table(fields: Mapping[str, Any], header: str | None, nl: str = "\n") -> str:
    lines = [header] if header else []
    inline = _INLINE
    plain = _PLAIN.fullmatch
    for k, v in fields.items():
        if k not in _BARE:
            if not _BARE_KEY.match(k) or len(_BARE) > 1024:
                lines.append(f"{format_key(k)} = {format_value(v)}")
                continue
            _BARE.add(k)
        kind = type(v)
        if kind not in inline:
            text = format_value(v)
        elif kind is str:
            text = f'"{v}"' if plain(v) else format_value(v)
        elif kind is bool:
            text = "true" if v else "false"
        elif kind is datetime:
            text = v.isoformat() if v.utcoffset() is not None else format_value(v)
        elif all(type(x) is str and plain(x) for x in v):
            text = "[" + ", ".join(f'"{x}"' for x in v) + "]"
        else:
            text = format_value(v)
        lines.append(f"{k} = {text}")
    return nl.join(lines) + nl


def format_session(s: Session, nl: str = "\n") -> str | None:
    """What format_table writes for codec.session_to_dict(s) under `[[session]]`, made straight
    from the fields for a usual record (an import writes 100 000); None for any other."""
    if s.end is None or s.pauses or s.unfinished or s.billed or type(s.billable) is not bool:
        return None
    # Plain is a property of each character, so one test of all the texts at once will do.
    if not _PLAIN.fullmatch(
        "".join((s.id, s.supporter, s.contact or "", s.machine or "", s.channel, s.note, *s.tags))
        + (s.free_reason or "")
        + (s.ticket or "")
        + (s.invoice or "")
        + (s.source or "")
    ):
        return None
    out = f'[[session]]{nl}id = "{s.id}"{nl}start = {s.start.isoformat()}{nl}end = {s.end.isoformat()}{nl}'
    out += f'supporter = "{s.supporter}"{nl}'
    if s.contact:
        out += f'contact = "{s.contact}"{nl}'
    if s.machine:
        out += f'machine = "{s.machine}"{nl}'
    out += f'channel = "{s.channel}"{nl}note = "{s.note}"{nl}billable = {"true" if s.billable else "false"}{nl}'
    if s.free_reason:
        out += f'free_reason = "{s.free_reason}"{nl}'
    if s.tags:
        out += "tags = [" + ", ".join(f'"{t}"' for t in s.tags) + f"]{nl}"
    for key, value in (("ticket", s.ticket), ("invoice", s.invoice), ("source", s.source)):
        if value:
            out += f'{key} = "{value}"{nl}'
    return out



def new_file_text(formatted: Sequence[str | None], nl: str) -> str | None:
    """The text `append_records` makes of these format_session blocks on an empty text, not
    parsed back: format_session's property tests hold its text to what tomllib reads (an
    import creates thousands of such files). None when a record was left to format_table."""
    blocks = [b for b in formatted if b is not None]
    return nl.join(blocks) if len(blocks) == len(formatted) else None

# --- blocks of [[session]] records ---------------------------------------------------


@dataclass(frozen=True)
class Block:
    """Lines [start, end) of one record, header included, trailing comments excluded."""

    start: int
    end: int


def _is_content(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def _trim(lines: list[str], start: int, end: int) -> int:
    while end > start + 1 and not _is_content(lines[end - 1]):
        end -= 1
    return end


def split_records(lines: list[str], table: str = "session") -> tuple[list[Block], int]:
    """The [[table]] blocks and where the first one starts (the preamble ends there)."""
    blocks: list[Block] = []
    start: int | None = None
    first = len(lines)
    for i, line in enumerate(lines):
        m = _HEADER.match(line.rstrip("\r\n"))
        if not m or len(m.group(1)) != len(m.group(3)):
            continue
        name = m.group(2)
        if m.group(1) == "[[" and name == table:
            if start is not None:
                blocks.append(Block(start, _trim(lines, start, i)))
            start = i
            first = min(first, i)
        elif not name.startswith(table + ".") and start is not None:
            blocks.append(Block(start, _trim(lines, start, i)))
            start = None
    if start is not None:
        blocks.append(Block(start, _trim(lines, start, len(lines))))
    return blocks, first


def _key_spans(lines: list[str], start: int, end: int) -> dict[str, tuple[int, int]]:
    """Top-level keys of a region and the lines each value occupies."""
    starts: list[tuple[str, int]] = []
    stop = end
    for i in range(start, end):
        if _HEADER.match(lines[i].rstrip("\r\n")) and i > start:
            stop = i  # a sub-table: its keys are not ours
            break
        m = _KEY_LINE.match(lines[i])
        if m:
            key = m.group(1)
            starts.append((tomllib.loads(f"{key} = 0").popitem()[0] if key.startswith('"') else key, i))
    spans: dict[str, tuple[int, int]] = {}
    for n, (key, i) in enumerate(starts):
        nxt = starts[n + 1][1] if n + 1 < len(starts) else stop
        spans[key] = (i, _trim(lines, i, nxt))
    return spans


def _splice_keys(
    lines: list[str], start: int, end: int, old: Mapping[str, Any], new: Mapping[str, Any], nl: str
) -> list[str] | None:
    """Replace only changed keys in the region; None where a key's lines cannot be found."""
    spans = _key_spans(lines, start, end)
    edits: list[tuple[int, int, list[str]]] = []
    for key in old.keys() - new.keys():
        if key not in spans:
            return None
        edits.append((*spans[key], []))
    appended: list[str] = []
    for key, value in new.items():
        if key in old and old[key] == value:
            continue
        line = f"{format_key(key)} = {format_value(value)}{nl}"
        if key in spans:
            edits.append((*spans[key], [line]))
        elif key in old:
            return None
        else:
            appended.append(line)
    if appended:
        last = max((b for a, b in spans.values()), default=start)
        edits.append((last, last, appended))
    out = list(lines)
    for a, b, repl in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out[a:b] = repl
    return out


# --- whole-document operations, each verified ------------------------------------------


def _records(doc: Mapping[str, Any], table: str) -> list[Any]:
    recs = doc.get(table, [])
    return recs if isinstance(recs, list) else []


def _check(text: str, table: str, expect: list[Any], rest: Mapping[str, Any]) -> bool:
    try:
        doc = parse(text)
    except TomlError:
        return False
    got_rest = {k: v for k, v in doc.items() if k != table}
    return _records(doc, table) == expect and got_rest == rest


def _unsafe(path: str) -> SessionlogError:
    return SessionlogError(
        _("cannot rewrite this file safely"),
        Kind.UNSAFE_WRITE,
        path=path,
        hint=_("edit it by hand or run `sessionlog check`"),
    )


def _ensure_verified(text: str, table: str, expect: list[Any], rest: Mapping[str, Any], path: str) -> str:
    if not _check(text, table, expect, rest):
        raise _unsafe(path)
    return text


def replace_record(
    text: str,
    index: int,
    new: Mapping[str, Any] | None,
    path: str,
    table: str = "session",
    doc: Mapping[str, Any] | None = None,
) -> str:
    """The text with record `index` changed to `new` (or removed when None); `doc` is the
    text already parsed, when the caller has it."""
    doc = parse(text) if doc is None else doc
    records = _records(doc, table)
    rest = {k: v for k, v in doc.items() if k != table}
    old = records[index]
    expect = [*records[:index], *([dict(new)] if new is not None else []), *records[index + 1 :]]
    lines = text.splitlines(keepends=True)
    nl = newline_of(text)
    blocks, _ = split_records(lines, table)
    if len(blocks) == len(records):
        b = blocks[index]
        if new is None:
            gap_end = b.end
            while gap_end < len(lines) and not lines[gap_end].strip():
                gap_end += 1  # take the blank lines after it, not the comments
            candidate = "".join(lines[: b.start] + lines[gap_end:])
            if _check(candidate, table, expect, rest):
                return candidate
        else:
            spliced = _splice_keys(lines, b.start + 1, b.end, old, new, nl)
            if spliced is not None and _check("".join(spliced), table, expect, rest):
                return "".join(spliced)
            # Whole record: keys a person added are in `new` already; comments inside are lost.
            whole = [*lines[: b.start], format_table(new, f"[[{table}]]", nl), *lines[b.end :]]
            if _check("".join(whole), table, expect, rest):
                return "".join(whole)
    raise _unsafe(path)


def verified_table(record: Mapping[str, Any], table: str, path: str) -> str:
    """A file of one [[table]] record, parsed again and compared before it may be written."""
    text = format_table(record, f"[[{table}]]")
    if not _check(text, table, [dict(record)], {}):
        raise _unsafe(path)
    return text


def replace_records(
    text: str, changes: Mapping[int, Mapping[str, Any]], path: str, doc: Mapping[str, Any], table: str = "session"
) -> str:
    """The text with many records changed at once, verified once: linear in the file's size.

    Each changed record keeps its other lines where its changed keys can be spliced; otherwise
    all changed records are written whole. (Finalize stamps thousands of records of a month.)
    """
    records = _records(doc, table)
    rest = {k: v for k, v in doc.items() if k != table}
    expect = [dict(changes[i]) if i in changes else r for i, r in enumerate(records)]
    lines = text.splitlines(keepends=True)
    nl = newline_of(text)
    blocks, _ = split_records(lines, table)
    if len(blocks) == len(records):
        spliced: list[str] | None = []
        whole: list[str] = []
        done = 0  # lines before this are copied already
        for i in sorted(changes):
            b = blocks[i]
            whole += [*lines[done : b.start], format_table(changes[i], f"[[{table}]]", nl)]
            if spliced is not None:
                block = lines[b.start : b.end]  # splice within the block only: no copy of the whole file
                part = _splice_keys(block, 1, len(block), records[i], changes[i], nl)
                spliced = None if part is None else [*spliced, *lines[done : b.start], *part]
            done = b.end
        whole += lines[done:]
        if spliced is not None:
            spliced += lines[done:]
        for candidate in (spliced, whole):
            if candidate is not None and _check("".join(candidate), table, expect, rest):
                return "".join(candidate)
    raise _unsafe(path)


def _open_end(text: str) -> tuple[str, str]:
    """The text ready for a table to follow (its last line ended, a blank line after), and its newline."""
    nl = newline_of(text)
    body = text
    if body and not body.endswith(("\n", "\r")):
        body += nl
    if body.strip():
        body += nl
    return body, nl


def append_record(
    text: str, new: Mapping[str, Any], path: str, table: str = "session", doc: Mapping[str, Any] | None = None
) -> str:
    if doc is None:
        doc = parse(text) if text.strip() else {}
    body, nl = _open_end(text)
    out = body + format_table(new, f"[[{table}]]", nl)
    rest = {k: v for k, v in doc.items() if k != table}
    return _ensure_verified(out, table, [*_records(doc, table), dict(new)], rest, path)


def append_trusted(text: str, new: Mapping[str, Any], path: str, table: str = "session") -> str | None:
    """`append_record` for a text known to parse to records of [[table]] headers only (the
    derived cache vouches for it by the file's stamp): verifies just the appended block, so a
    5 000-record month is not parsed twice for one new record. None: take the full path.

    Appending a [[table]] block to such a text keeps every earlier value, which is why the
    rest needs no parse; an inline `table = [...]` array cannot be extended by a header, so
    such a text is left to the full path.
    """
    if _inline_array(table).search(text):
        return None
    body, nl = _open_end(text)
    block = format_table(new, f"[[{table}]]", nl)
    if not _check(block, table, [dict(new)], {}):
        raise _unsafe(path)
    return body + block


@functools.lru_cache(maxsize=4)
def _inline_array(table: str) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*[\"']?{re.escape(table)}[\"']?[ \t]*=", re.MULTILINE)


def append_records(
    text: str,
    news: Sequence[Mapping[str, Any]],
    path: str,
    table: str = "session",
    doc: Mapping[str, Any] | None = None,
    formatted: Sequence[str | None] = (),
) -> str:
    """The text with all of `news` appended, verified by one parse (an import adds thousands);
    `formatted[i]`, where given and not None, is the text of `news[i]` made by format_session."""
    if doc is None:
        doc = parse(text) if text.strip() else {}
    nl = newline_of(text)
    parts = [text]
    if text and not text.endswith(("\n", "\r")):
        parts.append(nl)
    for i, new in enumerate(news):
        if i or text.strip():
            parts.append(nl)
        made = formatted[i] if formatted else None
        parts.append(made if made is not None else format_table(new, f"[[{table}]]", nl))
    rest = {k: v for k, v in doc.items() if k != table}
    expect = [*_records(doc, table), *(dict(n) for n in news)]
    return _ensure_verified("".join(parts), table, expect, rest, path)


def set_top_level(text: str, new: Mapping[str, Any], path: str, doc: Mapping[str, Any] | None = None) -> str:
    """Set the document's top-level plain keys to `new` (keys absent from `new` are removed)."""
    if doc is None:
        doc = parse(text) if text.strip() else {}
    lines = text.splitlines(keepends=True)
    nl = newline_of(text)
    first_table = next((i for i, ln in enumerate(lines) if _HEADER.match(ln.rstrip("\r\n"))), len(lines))
    old = {k: v for k, v in doc.items() if not isinstance(v, dict) and not _is_table_array(v)}
    tables = {k: v for k, v in doc.items() if k not in old}
    expect = {**tables, **new}
    if lines and first_table == len(lines) and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += nl
    spliced = _splice_keys(lines, 0, first_table, old, new, nl)
    if spliced is not None and _parses_to(spliced, expect):
        return "".join(spliced)
    whole = format_table(new, None, nl) + nl + "".join(lines[first_table:])
    if _parses_to([whole], expect):
        return whole
    raise _unsafe(path)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _parses_to(lines: list[str], expect: Mapping[str, Any]) -> bool:
    try:
        return parse("".join(lines)) == dict(expect)
    except TomlError:
        return False


# --- tables of a document, for the merge of settings and customer files (store/merge.py) -------


def splice_keys(
    lines: list[str], start: int, end: int, old: Mapping[str, Any], new: Mapping[str, Any], nl: str
) -> list[str] | None:
    """`lines` with the keys of the region [start, end) changed from `old` to `new`, each
    changed key's lines replaced and nothing else; None where a key's lines cannot be found."""
    return _splice_keys(lines, start, end, old, new, nl)


def table_regions(lines: list[str]) -> list[tuple[str, int, int]]:
    """(dotted table name, first line, end) of the top level ("") and of each [table] header's
    keys; [[array]] tables are left out (their keys belong to one element each)."""
    regions: list[tuple[str, int, int]] = []
    name: str | None = ""
    start = 0
    for i, line in enumerate(lines):
        m = _HEADER.match(line.rstrip("\r\n"))
        if not m or len(m.group(1)) != len(m.group(3)):
            continue
        if name is not None:
            regions.append((name, start, i))
        name = ".".join(p.strip() for p in m.group(2).split(".")) if m.group(1) == "[" else None
        start = i + 1
    if name is not None:
        regions.append((name, start, len(lines)))
    return regions

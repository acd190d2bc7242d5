"""A reader for the TOML the store writes itself: several times faster than tomllib, which
reads everything else.

`tomltext.format_table` writes a record as a `[[table]]` header and one `key = value` line
per field, and most month files hold nothing else. tomllib spends about 4 µs on each such
line; an import of 100 000 connections writes a million of them and parses every one again
to verify it, and a re-import reads them all to find known connections. Here each line is
matched whole by one regular expression. Only lines whose meaning in TOML is plain are
taken:

- blank lines, `[[name]]` headers of a bare name, and `name = value` with a bare key and
  one space each side of `=`, where the value is a basic string without escapes or control
  characters, `true` or `false`, a decimal integer, an offset date-time the way
  `datetime.isoformat` writes it, or an array of such strings.

A whole `[[session]]` record in the layout `tomltext.format_session` writes (an import's
usual record) is matched at once, its ten lines by one pattern built of those same shapes.

On anything else (a comment, an escape, an inline table, a `[table]` header, a key given
twice, a date that does not exist, a lone CR) `read` returns None and the caller asks
tomllib, which also reports the errors. tests/test_plaintoml.py holds this to tomllib: for
every text it reads, tomllib reads the same document, value types and offsets included.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

_STR = r'"[^"\\\x00-\x1f\x7f]*"'
# The digits tomllib's own date-time pattern allows; the calendar is left to datetime.
_DATETIME = (
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{6})?[+-](?:[01]\d|2[0-3]):[0-5]\d"
)
_LINE = re.compile(
    r"([A-Za-z0-9_-]+) = (?:"
    r'"([^"\\\x00-\x1f\x7f]*)"'  # 2: a string
    r"|(true|false)"  # 3
    rf"|({_DATETIME})"  # 4
    r"|(-?(?:0|[1-9]\d{0,17}))"  # 5: an integer (a longer one is left to tomllib)
    rf"|(\[(?:{_STR}(?:, {_STR})*)?\])"  # 6: an array of strings
    r")"
)
_HEADER = re.compile(r"\[\[([A-Za-z0-9_-]+)\]\]")
# A whole [[session]] record as tomltext.format_session writes it, each line one that _LINE
# takes with the same meaning: one match for the ten lines of a usual record. _S: a string line.
_S = r'"([^"\\\x00-\x1f\x7f]*)"\n'
_RECORD = re.compile(
    rf"\[\[session\]\]\nid = {_S}start = ({_DATETIME})\nend = ({_DATETIME})\nsupporter = {_S}"
    rf"(?:contact = {_S})?(?:machine = {_S})?channel = {_S}note = {_S}billable = (true|false)\n"
    rf"(?:free_reason = {_S})?(?:tags = (\[(?:{_STR}(?:, {_STR})*)?\])\n)?"
    rf"(?:ticket = {_S})?(?:invoice = {_S})?(?:source = {_S})?"
)
_RECORD_REST = ("free_reason", "tags", "ticket", "invoice", "source")


def read(text: str) -> dict[str, Any] | None:
    """The document of `text` as tomllib reads it, or None when it is not plain enough to read here."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    doc: dict[str, Any] = {}
    arrays: set[str] = set()  # the names of [[name]] headers seen
    table = doc
    match_line = _LINE.fullmatch
    match_record = _RECORD.match
    iso = datetime.fromisoformat
    pos = 0
    size = len(text)
    while pos < size:
        r = match_record(text, pos)
        if r is not None and ("session" in arrays or "session" not in doc):
            rid, start, end, supporter, contact, machine, channel, note, flag, *rest = r.groups()
            try:
                table = {"id": rid, "start": iso(start), "end": iso(end), "supporter": supporter}
            except ValueError:  # 30 February: tomllib says where
                return None
            if contact is not None:
                table["contact"] = contact
            if machine is not None:
                table["machine"] = machine
            table["channel"] = channel
            table["note"] = note
            table["billable"] = flag == "true"
            for key, value in zip(_RECORD_REST, rest, strict=True):
                if value is not None:
                    table[key] = value if key != "tags" else (value[2:-2].split('", "') if len(value) > 2 else [])
            if "session" not in arrays:
                arrays.add("session")
                doc["session"] = []
            doc["session"].append(table)
            pos = r.end()
            continue
        end_of_line = text.find("\n", pos)
        if end_of_line < 0:
            end_of_line = size
        line = text[pos:end_of_line]
        pos = end_of_line + 1
        if not line:
            continue
        m = match_line(line)
        if m is None:
            h = _HEADER.fullmatch(line)
            if h is None:
                return None
            name = h.group(1)
            if name not in arrays:
                if name in doc:
                    return None  # a plain key of that name: TOML refuses the header
                arrays.add(name)
                doc[name] = []
            table = {}
            doc[name].append(table)
            continue
        key, text_value, flag, moment, number, array = m.groups()
        if key in table:
            return None
        if text_value is not None:
            table[key] = text_value
        elif flag is not None:
            table[key] = flag == "true"
        elif moment is not None:
            try:
                table[key] = datetime.fromisoformat(moment)
            except ValueError:  # 30 February: tomllib says where
                return None
        elif number is not None:
            table[key] = int(number)
        else:
            table[key] = array[2:-2].split('", "') if len(array) > 2 else []
    return doc

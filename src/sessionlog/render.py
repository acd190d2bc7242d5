"""Rows -> CSV or JSON on a given stream, and the text of every cell.

This is the one output layer every command uses. A command describes its output as a
sequence of :class:`Column` and hands over rows (mappings from column key to value); the
formatting of every value lives in :func:`cell_text`, shared by CSV and the tables people
read, which `sessionlog.cli.table` draws with Rich (only the CLI imports Rich).

The module does not import typer or rich, does not read the clock and writes only to the
stream it is given.

CSV
    Two profiles (:data:`PROFILES`). ``en``: ``,`` separator, ``.`` decimals, ISO dates, no
    BOM. ``de``: ``;`` separator, ``,`` decimals, ``dd.mm.yyyy`` dates, a UTF-8 BOM (without
    it Excel reads the file as Windows-1252 and mangles umlauts) and German headers. Both end
    records with CRLF (RFC 4180). The text is built with the csv module (QUOTE_MINIMAL), then
    encoded and written as bytes, so no newline translation on Windows can turn CRLF into
    CRCRLF. A line break inside a cell (a multi-line note) stays a bare LF inside quotes,
    which Excel and LibreOffice read as a line break within the cell. Money is written with
    exactly two decimals and no thousands separator, so spreadsheets read it as a number.
    Values people read (column kind ``word``: channel, billable or free and why) are German in
    the ``de`` profile, as a German shop's spreadsheet expects, and English in ``en``.

Tables
    For people, in the current language (:mod:`sessionlog.i18n`): headings and ``word`` values
    from the catalog, dates as messages write them (``01.03.2024``), numbers and money with the
    language's separators through Babel (``1.234,56``).

    Formula injection (CSV injection): a spreadsheet runs a cell that starts with ``=``,
    ``+``, ``-`` or ``@`` as a formula, and tab or carriage return can hide such a start.
    Following the OWASP recommendation, a *text* cell (kind ``text`` or ``list``) that starts
    with one of ``= + - @ \\t \\r`` gets a single quote prepended, so ``-15 min Pause`` is
    written as ``'-15 min Pause``. Number, money, date and time columns are never touched: a
    negative amount stays ``-22,50`` and stays a number. Tables and JSON are not altered.

JSON
    An array with one object per row, indented, non-ASCII kept. ``Decimal`` becomes a string
    (``"22.50"``, exact), ``datetime`` its ISO form with UTC offset, ``date``/``time`` their
    ISO form. Any other type json does not know (``timedelta``, ``set``, a dataclass) raises
    ``TypeError``: the caller decides how it is represented (a duration as seconds, say),
    because a silent ``str()`` would hide bugs.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO, TextIO

from sessionlog.i18n import _, current, value_in
from sessionlog.model import Format as Format  # re-exported: commands import it with Column
from sessionlog.model import SessionlogError, format_duration

# "word": a value people read (remote, billable, "free: warranty"), translated word by word;
# "reasons": "warranty 1:00:00, goodwill 0:30:00", each reason translated as a "word".
KINDS = ("text", "word", "reasons", "int", "money", "decimal", "date", "time", "datetime", "duration", "bool", "list")
_RIGHT_KINDS = frozenset({"int", "money", "decimal", "duration"})
_TEXT_KINDS = frozenset({"text", "word", "reasons", "list"})
# OWASP "CSV Injection": characters that make a spreadsheet treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    """One output column.

    ``key`` is the key in each row, the English CSV header and the JSON key; ``de`` the German
    CSV header; ``title`` the table header (defaults to ``key``); ``kind`` selects formatting
    and alignment (one of :data:`KINDS`).

    How a table narrower than its text fits (CSV and JSON always carry every column; see
    `sessionlog.fit`): ``wraps`` marks free text (a note) that wraps; every other column is
    never cut. ``drop`` > 0 lets the column drop out of a narrow table, higher numbers first;
    ``drop_if_same`` lets it drop when every row has the same value (the currency).
    """

    key: str
    de: str
    title: str = ""
    kind: str = "text"
    drop: int = 0
    wraps: bool = False
    drop_if_same: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key!r}: unknown kind {self.kind!r}")

    @property
    def align_right(self) -> bool:
        return self.kind in _RIGHT_KINDS

    @property
    def header(self) -> str:
        """The table header."""
        return self.title or self.key


@dataclass(frozen=True)
class CsvProfile:
    name: str
    delimiter: str
    decimal_sep: str
    date_format: str
    bom: bool
    line_end: str
    german_headers: bool
    language: str = "en"


PROFILES: dict[str, CsvProfile] = {
    "en": CsvProfile(
        name="en",
        delimiter=",",
        decimal_sep=".",
        date_format="%Y-%m-%d",
        bom=False,
        line_end="\r\n",
        german_headers=False,
    ),
    "de": CsvProfile(
        name="de",
        delimiter=";",
        decimal_sep=",",
        date_format="%d.%m.%Y",
        bom=True,
        line_end="\r\n",
        german_headers=True,
        language="de",
    ),
}

# How tables show dates: as messages do (model.clock).
_TABLE = CsvProfile("table", ",", ".", "%d.%m.%Y", bom=False, line_end="\n", german_headers=False)


def csv_profile(name: str) -> CsvProfile:
    """The profile called `name`; SessionlogError for an unknown name."""
    try:
        return PROFILES[name]
    except KeyError:
        choices = " or ".join(sorted(PROFILES))
        raise SessionlogError(f"unknown CSV profile {name!r} (choose {choices})") from None


def _wrong(value: object, kind: str) -> TypeError:
    return TypeError(f"a {kind} cell cannot hold {type(value).__name__} {value!r}")


def _decimal_text(value: object, kind: str, sep: str) -> str:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        # float is refused on purpose: money never passes through binary floating point.
        raise _wrong(value, kind)
    number = Decimal(value)
    if kind == "money":
        number = number.quantize(_CENT, rounding=ROUND_HALF_UP)
    text = format(number, "f")
    return text.replace(".", sep) if sep != "." else text


def _number_for_people(value: object, kind: str) -> str:
    """'1.234,56' in German, '1,234.56' in English: Babel's separators for the current language."""
    from babel.numbers import format_decimal, get_decimal_symbol

    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _wrong(value, kind)
    if kind == "money":
        cents = Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)
        return format_decimal(cents, format="#,##0.00", locale=current())
    return _decimal_text(value, kind, get_decimal_symbol(current()))


def money_text(amount: Decimal, currency: str) -> str:
    """An amount as people read it in the current language: '1.234,56 €', '€1,234.56' (Babel, CLDR)."""
    from babel.numbers import format_currency

    # The pattern is the catalog's: '1,234.56 EUR' in English, '1.234,56 €' in German.
    return format_currency(amount, currency, format=_("#,##0.00 ¤¤"), locale=current())


def cell_text(value: object, kind: str, profile: CsvProfile | None) -> str:
    """The text of one cell; `profile` None means a table for people.

    Raises TypeError when the value does not fit the kind, ValueError for an unknown kind.
    """
    if value is None:
        return ""
    p = profile or _TABLE
    if kind == "text":
        return str(value)
    if kind == "word":
        language = current() if profile is None else profile.language
        return ": ".join(value_in(part, language) for part in str(value).split(": "))
    if kind == "reasons":
        language = current() if profile is None else profile.language
        items = (item.rpartition(" ") for item in str(value).split(", ")) if value else ()
        return ", ".join(f"{value_in(reason, language)} {amount}" if reason else amount for reason, _, amount in items)
    if kind in ("money", "decimal") and profile is None:
        return _number_for_people(value, kind)
    if kind in ("money", "decimal"):
        return _decimal_text(value, kind, p.decimal_sep)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(value, kind)
        return str(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise _wrong(value, kind)
        return value_in("yes" if value else "no", current() if profile is None else profile.language)
    if kind == "date":
        if not isinstance(value, date):
            raise _wrong(value, kind)
        return _date_text(value.date() if isinstance(value, datetime) else value, p.date_format)
    if kind == "time":
        if not isinstance(value, datetime | time):
            raise _wrong(value, kind)
        return f"{value.hour:02d}:{value.minute:02d}"  # strftime("%H:%M"), several times faster
    if kind == "datetime":
        if not isinstance(value, datetime):
            raise _wrong(value, kind)
        return value.strftime(f"{p.date_format} %H:%M")
    if kind == "duration":
        if not isinstance(value, timedelta):
            raise _wrong(value, kind)
        return format_duration(value)
    if kind == "list":
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise _wrong(value, kind)
        return ", ".join(str(v) for v in value)
    raise ValueError(f"unknown column kind {kind!r}")


@functools.lru_cache(maxsize=4096)  # an export of 100 000 rows has a few hundred days
def _date_text(day: date, fmt: str) -> str:
    return day.strftime(fmt)


def _csv_cell(value: object, kind: str, profile: CsvProfile) -> str:
    text = cell_text(value, kind, profile)
    if kind in _TEXT_KINDS and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def write_csv(
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[Column],
    profile: CsvProfile,
    out: BinaryIO,
) -> None:
    """Write a header line and one record per row to the binary stream `out`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=profile.delimiter,
        quotechar='"',
        quoting=csv.QUOTE_MINIMAL,
        lineterminator=profile.line_end,
    )
    writer.writerow([c.de if profile.german_headers else c.key for c in columns])
    encoding = "utf-8-sig" if profile.bom else "utf-8"  # the BOM once, before the first record
    for n, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(row.get(c.key), c.kind, profile) for c in columns])
        if n % 1000 == 0:  # a thousand records at a time: many rows never stand in memory as text
            out.write(buffer.getvalue().encode(encoding))
            buffer.seek(0)
            buffer.truncate()
            encoding = "utf-8"
    out.write(buffer.getvalue().encode(encoding))


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as JSON")


def write_json(rows: Iterable[Mapping[str, object]], out: TextIO) -> None:
    """Write the rows as a JSON array of objects, with a trailing newline: the text of
    `json.dumps(rows, ensure_ascii=False, indent=2)`, written a row at a time, so that 40 000 rows
    never stand in memory as one string, and made without json's indenting encoder, which is
    written in Python and took 0.8 s for them (tests/test_render.py holds the two to each other)."""
    batch: list[str] = []
    first = True
    for row in rows:
        batch += ("[\n  " if first else ",\n  ", _row_text(dict(row)))
        first = False
        if len(batch) >= 1000:  # a write per row cost as much as making the row's text
            out.write("".join(batch))
            batch.clear()
    out.write("".join(batch) + ("[]\n" if first else "\n]\n"))


_json_text = json.encoder.encode_basestring  # the C encoder of a string (ensure_ascii=False)
# json's C encoder, with a separator no JSON text holds (control characters are escaped in strings):
# the keys and flat values of a row in one call, split apart again.
_FLAT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default, separators=("\x00", ": "))
# The same encoder made once (JSONEncoder.encode makes it anew on every call, which cost more than
# the encoding of a row); only CPython has it.
_make_c = getattr(json.encoder, "c_make_encoder", None)
_FLAT_C = None if _make_c is None else _make_c(None, _json_default, _json_text, None, ": ", "\x00", False, False, False)
_TEMPLATES: dict[tuple[str, ...], str] = {}


def _row_text(row: dict[str, object]) -> str:
    """`_indented(row, "  ")`: the flat values of the row encoded by json's C encoder in one go
    and put into a template made once per set of keys; lists and objects inside by `_indented`."""
    keys = tuple(row)
    template = _TEMPLATES.get(keys)
    if template is None:
        if not keys or set(map(type, keys)) != {str}:
            return _indented(row, "  ")
        fields = ",\n".join(f"    {_json_text(key).replace('%', '%%')}: %s" for key in keys)
        template = _TEMPLATES[keys] = "{\n" + fields + "\n  }"
    values = list(row.values())
    shape = tuple(map(type, values))
    nested = _NESTED.get(shape)
    if nested is None:
        nested = _NESTED[shape] = [k for k, kind in enumerate(shape) if issubclass(kind, list | tuple | dict)]
    flat = values.copy()
    for k in nested:
        flat[k] = None
    texts = ("".join(_FLAT_C(flat, 0)) if _FLAT_C else _FLAT.encode(flat))[1:-1].split("\x00")
    if len(texts) != len(keys):  # a value whose default() is a list or an object
        return _indented(row, "  ")
    for k in nested:
        texts[k] = _indented(values[k], "    ")
    return template % tuple(texts)


_NESTED: dict[tuple[type, ...], list[int]] = {}  # the types of a row's values -> where lists and objects are
_JSON_WORDS = {None: "null", True: "true", False: "false"}


def _indented(value: object, pad: str) -> str:
    """`value` as `json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)` writes it
    at the depth whose lines start with `pad`."""
    if isinstance(value, str):
        return _json_text(value)
    if value is None or value is True or value is False:
        return _JSON_WORDS[value]
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _json_scalar(value)
    inner = pad + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{_json_text(k) if isinstance(k, str) else _json_key(k)}: {_indented(v, inner)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        kinds = set(map(type, value))
        if kinds == {str} or kinds == {int}:  # tags, a span's ends: no call per item
            texts = map(_json_text, value) if str in kinds else map(int.__repr__, value)
            return "[\n" + inner + f",\n{inner}".join(texts) + "\n" + pad + "]"
        return "[\n" + ",\n".join([inner + _indented(v, inner) for v in value]) + "\n" + pad + "]"
    return _indented(_json_default(value), pad)


def _json_key(key: object) -> str:
    return json.dumps({key: 0}, allow_nan=False)[1:-4]  # as json turns 1, 1.5 or True into a key


def _json_scalar(value: float) -> str:
    return json.dumps(value, allow_nan=False)

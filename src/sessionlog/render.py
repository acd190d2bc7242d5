"""Rows -> output on a given stream: a Rich table for people, CSV or JSON for programs.

This is the one output layer every command uses. A command describes its output as a
sequence of :class:`Column` and hands over rows (mappings from column key to value); the
formatting of every value lives in :func:`cell_text`, shared by CSV and tables.

The module does not import typer, does not read the clock and writes only to the stream it
is given. Rich is imported inside :func:`print_table` only, so commands that never draw a
table (``start``, ``stop``) do not pay for it.

CSV
    Two profiles (:data:`PROFILES`). ``en``: ``,`` separator, ``.`` decimals, ISO dates, no
    BOM. ``de``: ``;`` separator, ``,`` decimals, ``dd.mm.yyyy`` dates, a UTF-8 BOM (without
    it Excel reads the file as Windows-1252 and mangles umlauts) and German headers. Both end
    records with CRLF (RFC 4180). The text is built with the csv module (QUOTE_MINIMAL), then
    encoded and written as bytes, so no newline translation on Windows can turn CRLF into
    CRCRLF. A line break inside a cell (a multi-line note) stays a bare LF inside quotes,
    which Excel and LibreOffice read as a line break within the cell. Money is written with
    exactly two decimals and no thousands separator, so spreadsheets read it as a number.

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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO, TextIO

# Format lives in model so that the CLI can declare --format without importing this module.
from sessionlog.model import Format as Format
from sessionlog.model import SessionlogError, format_duration

KINDS = ("text", "int", "money", "decimal", "date", "time", "datetime", "duration", "bool", "list")
_RIGHT_KINDS = frozenset({"int", "money", "decimal", "duration"})
_TEXT_KINDS = frozenset({"text", "list"})
# OWASP "CSV Injection": characters that make a spreadsheet treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CENT = Decimal("0.01")
# Width for tables written to a file or pipe: wide enough that nothing wraps needlessly.
PIPE_WIDTH = 200


@dataclass(frozen=True)
class Column:
    """One output column.

    ``key`` is the key in each row, the English CSV header and the JSON key; ``de`` the German
    CSV header; ``title`` the table header (defaults to ``key``); ``kind`` selects formatting
    and alignment (one of :data:`KINDS`).
    """

    key: str
    de: str
    title: str = ""
    kind: str = "text"

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
    ),
}

# How tables show values: ISO dates, '.' decimals, English words.
_TABLE = PROFILES["en"]


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


# One function per column kind: (value, profile) -> text; `value` is never None here. Shared
# by tables and CSV; write_csv looks each column's up once instead of once per cell.


def _text(value: object, p: CsvProfile) -> str:
    return str(value)


def _money(value: object, p: CsvProfile) -> str:
    return _decimal_text(value, "money", p.decimal_sep)


def _decimal(value: object, p: CsvProfile) -> str:
    return _decimal_text(value, "decimal", p.decimal_sep)


def _int(value: object, p: CsvProfile) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(value, "int")
    return str(value)


def _bool(value: object, p: CsvProfile) -> str:
    if not isinstance(value, bool):
        raise _wrong(value, "bool")
    if p.german_headers:
        return "ja" if value else "nein"
    return "yes" if value else "no"


def _date(value: object, p: CsvProfile) -> str:
    if not isinstance(value, date):
        raise _wrong(value, "date")
    return value.strftime(p.date_format)


def _time(value: object, p: CsvProfile) -> str:
    if not isinstance(value, datetime | time):
        raise _wrong(value, "time")
    return f"{value.hour:02d}:{value.minute:02d}"  # strftime("%H:%M"), at a third of the cost


def _datetime(value: object, p: CsvProfile) -> str:
    if not isinstance(value, datetime):
        raise _wrong(value, "datetime")
    return value.strftime(f"{p.date_format} %H:%M")


def _duration(value: object, p: CsvProfile) -> str:
    if not isinstance(value, timedelta):
        raise _wrong(value, "duration")
    return format_duration(value)


def _list(value: object, p: CsvProfile) -> str:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _wrong(value, "list")
    return ", ".join(str(v) for v in value)


_FORMATS: dict[str, Callable[[object, CsvProfile], str]] = {
    "text": _text,
    "int": _int,
    "money": _money,
    "decimal": _decimal,
    "date": _date,
    "time": _time,
    "datetime": _datetime,
    "duration": _duration,
    "bool": _bool,
    "list": _list,
}


def _format(kind: str) -> Callable[[object, CsvProfile], str]:
    try:
        return _FORMATS[kind]
    except KeyError:
        raise ValueError(f"unknown column kind {kind!r}") from None


def cell_text(value: object, kind: str, profile: CsvProfile | None) -> str:
    """The text of one cell; `profile` None means a table for people.

    Raises TypeError when the value does not fit the kind, ValueError for an unknown kind.
    """
    if value is None:
        return ""
    return _format(kind)(value, profile or _TABLE)


def write_csv(
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[Column],
    profile: CsvProfile,
    out: BinaryIO,
) -> None:
    """Write a header line and one record per row to the binary stream `out`."""
    import csv  # here, not at the top: tables for people need neither csv nor json
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=profile.delimiter,
        quotechar='"',
        quoting=csv.QUOTE_MINIMAL,
        lineterminator=profile.line_end,
    )
    writer.writerow([c.de if profile.german_headers else c.key for c in columns])
    formats = [(c.key, _format(c.kind), c.kind in _TEXT_KINDS) for c in columns]
    for row in rows:
        cells = []
        for key, format_, guarded in formats:
            value = row.get(key)
            text = "" if value is None else format_(value, profile)
            # A text cell a spreadsheet would run as a formula gets a leading quote (see above).
            cells.append("'" + text if guarded and text.startswith(FORMULA_TRIGGERS) else text)
        writer.writerow(cells)
    out.write(buffer.getvalue().encode("utf-8-sig" if profile.bom else "utf-8"))


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as JSON")


def write_json(rows: Iterable[Mapping[str, object]], out: TextIO) -> None:
    """Write the rows as a JSON array of objects, with a trailing newline."""
    from sessionlog.jsontext import dumps  # json.dumps(indent=2), without its slow pure-Python path

    data = [dict(row) for row in rows]
    out.write(dumps(data, _json_default))
    out.write("\n")


def print_table(
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[Column],
    out: TextIO,
    *,
    title: str | None = None,
    footer: Mapping[str, object] | None = None,
) -> None:
    """Draw the rows as a Rich table on `out`; `footer` is a bold totals row at the end.

    Cell text is never parsed as Rich markup, so a note like ``[bold]`` prints as written.
    Without rows the table still shows its headers; messages are the caller's business.
    Written to a file or pipe, a table that fits is written without Rich (same text, see
    sessionlog.plaintable).
    """
    from sessionlog.plaintable import plain_output, plain_table

    if plain_output(out):
        text = plain_table(
            [c.header for c in columns],
            [[cell_text(row.get(c.key), c.kind, None) for c in columns] for row in rows],
            [c.align_right for c in columns],
            PIPE_WIDTH,
            title=title or None,
            footer=None if footer is None else [cell_text(footer.get(c.key), c.kind, None) for c in columns],
        )
        if text is not None:
            out.write(text)
            return

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    try:
        tty = out.isatty()
    except (AttributeError, ValueError):
        tty = False
    console = Console(
        file=out,
        width=None if tty else PIPE_WIDTH,
        markup=False,
        emoji=False,
        highlight=False,
    )
    table = Table(title=Text(title) if title else None)
    for c in columns:
        table.add_column(Text(c.header), justify="right" if c.align_right else "left")
    for row in rows:
        table.add_row(*(Text(cell_text(row.get(c.key), c.kind, None)) for c in columns))
    if footer is not None:
        table.add_section()
        table.add_row(*(Text(cell_text(footer.get(c.key), c.kind, None)) for c in columns), style="bold")
    console.print(table)

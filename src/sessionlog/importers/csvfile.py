"""Any CSV file, read through a column map (`csvmap`): rows in, candidate sessions out.

The delimiter is `,`, `;` or tab, whichever the header line has most of outside quotes
(or Excel's `sep=;` first line, or the map's `delimiter`). Values may hold quoted line
breaks; a line number is the line a row starts on. A text cell that starts with `'` and
one of `= + - @` is read without the `'` that spreadsheet exports (sessionlog's own among
them) put there against formula injection.

A row's start is its start column (a date and time), or its date column and a time of day
in the start column, or the date alone (midnight). Its end is the duration after the start
when there is one (the worked time), else the end column (a time before the start is on the
next day), else there is none and the session is unfinished. A decimal duration (1,25
hours) is rounded, so an end column beside it wins.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime, time, timedelta, tzinfo

from sessionlog.i18n import _
from sessionlog.importers import csvtime
from sessionlog.importers.base import Candidate, Parsed, Progress, digits
from sessionlog.importers.csvmap import FIELDS, ColumnMap
from sessionlog.model import Kind, SessionlogError

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_YES = frozenset({"yes", "y", "true", "1", "x", "ja", "j", "wahr", "billable", "abrechenbar"})
_NO = frozenset({"no", "n", "false", "0", "nein", "falsch", "free", "frei", "kostenlos", "nicht abrechenbar"})
_FREE = re.compile(r"(?:free|frei|kostenlos)\s*:\s*(.+)", re.IGNORECASE)
_CHANNELS = {
    "remote": "remote", "fernwartung": "remote", "online": "remote",
    "phone": "phone", "telefon": "phone", "tel": "phone", "tel.": "phone", "call": "phone",
    "onsite": "onsite", "on-site": "onsite", "on site": "onsite", "vor ort": "onsite", "vor-ort": "onsite",
}  # fmt: skip
_REMOTE_ID = re.compile(r"[A-Za-z]?[\d -]*\d")
_SEP_LINE = re.compile(r'"?sep=(.)"?\s*')
PROGRESS_EVERY = 5000
_EMPTY = dict.fromkeys(FIELDS, "")


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def sniff(line: str) -> str:
    """The delimiter a header line uses: the most frequent of , ; tab outside quotes."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts.values())
    return next(d for d in (",", ";", "\t") if counts[d] == best)


class _Rows:
    """The mapped columns of one file and how a row becomes a candidate."""

    def __init__(self, cmap: ColumnMap, tz: tzinfo, header: list[str], line: int, delimiter: str) -> None:
        self.cmap = cmap
        self.tz = tz
        self.width = len(header)
        self.delimiter = delimiter
        where = {_norm(h): i for i, h in reversed(list(enumerate(header))) if h.strip()}
        self.index: dict[str, int] = {}
        for name, columns in cmap.columns.items():
            found = next((where[_norm(c)] for c in columns if _norm(c) in where), None)
            if found is not None:
                self.index[name] = found
            elif name not in cmap.optional:
                has = ", ".join(repr(h.strip()) for h in header if h.strip())
                wanted = " or ".join(repr(c) for c in columns)
                raise SessionlogError(
                    _("line {line}: no column {wanted} for {name} (the header has {has})").format(
                        line=line, wanted=wanted, name=name, has=has
                    ),
                    Kind.INPUT,
                )
        if "start" not in self.index and "date" not in self.index:
            raise SessionlogError(
                _("line {line}: none of the map's start or date columns is in the header").format(line=line), Kind.INPUT
            )
        self.tag_columns = [where[_norm(c)] for c in cmap.tag_columns if _norm(c) in where]
        # Dates, times of day and durations repeat from row to row: each text is read once.
        self._days: dict[str, date | str] = {}
        self._times: dict[str, time | None] = {}
        self._durations: dict[str, timedelta | str] = {}

    def values(self, cells: list[str]) -> dict[str, str]:
        """The row's text for every field; "" for a field the map or the row does not have."""
        n = len(cells)
        found = dict(_EMPTY)
        for name, i in self.index.items():
            if i < n:
                found[name] = _clean(cells[i])
        return found

    def row(self, line: int, cells: list[str], out: Parsed) -> None:
        extra = [c for c in cells[self.width :] if c.strip()]
        if extra:
            out.bad(
                line,
                _("{count} values where the header has {width} (a {name} inside a value?)").format(
                    count=len(cells), width=self.width, name=self._name()
                ),
            )
            return
        v = self.values(cells)
        span = self._span(line, v, out)
        if span is None:
            return
        start, end = span
        billing = self._billing(line, v, out)
        if billing is None:
            return
        billable, reason = billing
        channel = v["channel"]
        if channel and channel.casefold() not in _CHANNELS:
            out.bad(line, _("channel {channel!r} is not remote, phone or onsite").format(channel=channel))
            return
        customer, supporter, rid = v["customer"], v["supporter"], v["id"]
        tags = [t.strip() for t in v["tags"].split(",")] if v["tags"] else []
        tags += [_clean(cells[i]) for i in self.tag_columns if i < len(cells)]
        out.candidates.append(
            Candidate(
                line=line,
                start=start,
                end=end,
                source=f"{self.cmap.prefix}:{rid or _hash(v, start, end)}",
                partner_id=digits(customer) if _REMOTE_ID.fullmatch(customer) and len(digits(customer)) >= 6 else "",
                partner_name=customer,
                tool_user=supporter,
                supporter=supporter,
                contact=v["contact"] or None,
                machine=v["machine"] or None,
                channel=_CHANNELS[channel.casefold()] if channel else "remote",
                note=v["note"],
                customer_names=(customer,) if customer else (),
                tags=tuple(dict.fromkeys(t for t in tags if t)),
                ticket=v["ticket"] or None,
                billable=billable,
                free_reason=reason,
                record_id=rid if self.cmap.keep_ids else "",
            )
        )

    def _name(self) -> str:
        return {",": "comma", ";": "semicolon", "\t": "tab"}.get(self.delimiter, "delimiter")

    def _day(self, text: str) -> date | str:
        found = self._days.get(text)
        if found is None:
            found = self._days[text] = csvtime.day(text, self.cmap.date_format)
        return found

    def _span(self, line: int, v: dict[str, str], out: Parsed) -> tuple[datetime, datetime | None] | None:
        day: date | None = None
        date_text, start_text = v["date"], v["start"]
        if date_text:
            found = self._day(date_text)
            if isinstance(found, str):
                out.bad(line, found)
                return None
            day = found
        if not start_text and day is None:
            if v["customer"] or v["note"] or v["id"] or v["end"]:
                out.bad(line, _("no start: the start (or date) column is empty"))
            else:
                out.ignore("row(s) without a start or customer (totals?)")
            return None
        start = self._moment(start_text, day, None, "start") if start_text else self._at(day, None)
        if start is None or isinstance(start, str):
            if isinstance(start, str):
                out.bad(line, start)
            return None
        duration_text, end_text = v["duration"], v["end"]
        # A decimal duration (1,25 hours) is rounded: the end says it better when there is one.
        if duration_text and not (end_text and csvtime.is_decimal(duration_text)):
            length = self._durations.get(duration_text)
            if length is None:
                length = self._durations[duration_text] = csvtime.duration(duration_text, self.cmap.duration_unit)
            if isinstance(length, str):
                out.bad(line, _("duration: {length}").format(length=length))
                return None
            if length <= timedelta(0):
                out.ignore("zero-length row(s)")
                return None
            return start, start + length
        if not end_text:
            return start, None
        end = self._moment(end_text, day, start, "end")
        if end is None or isinstance(end, str):
            if isinstance(end, str):
                out.bad(line, end)
            return None
        if end == start:
            out.ignore("zero-length row(s)")
            return None
        if end < start:
            out.bad(
                line,
                _("it ends ({end_text}) before it starts ({value})").format(
                    end_text=end_text, value=start_text or date_text
                ),
            )
            return None
        return start, end

    def _moment(self, text: str, day: date | None, after: datetime | None, name: str) -> datetime | str | None:
        """A start or end cell: a date and time, or a time of day on the row's day."""
        if text in self._times:
            at = self._times[text]
        else:
            at = self._times[text] = csvtime.time_of_day(text)
        if at is None or self.cmap.date_format:
            found = csvtime.moment(text, self.tz, self.cmap.date_format)
            if found is not None:
                return found
        if at is None:
            return f"{name} {text!r} is not a date and time like 2024-03-01 10:22 (or give --date-format)"
        if day is None and after is None:
            return f'{name} {text!r} is a time without a date: map the date column too (date = "…")'
        base = day if day is not None else after.astimezone(self.tz).date()  # type: ignore[union-attr]
        moment = self._at(base, at)
        if isinstance(moment, datetime) and after is not None and moment < after:
            moment = self._at(base + timedelta(days=1), at)  # an end past midnight
        return moment

    def _at(self, day: date | None, at: time | None) -> datetime | str | None:
        if day is None:
            return None
        return csvtime.local(datetime.combine(day, at or time(0)), self.tz)

    def _billing(self, line: int, v: dict[str, str], out: Parsed) -> tuple[bool | None, str | None] | None:
        value, reason = v["billable"], v["free_reason"]
        if not value and not reason:
            return None, None
        folded = value.casefold()
        billable: bool | None = None
        if folded in _YES:
            billable = True
        elif folded in _NO:
            billable = False
        elif m := _FREE.fullmatch(value):
            billable, reason = False, reason or m.group(1).strip()
        elif folded == "running":
            out.ignore("running session(s) (import them again once they are stopped)")
            return None
        elif value and not folded.startswith("unfinished"):
            out.bad(line, _("billable {value!r} is not yes or no (or billable, free: REASON)").format(value=value))
            return None
        if reason and billable:
            out.bad(line, _("billable, but with a free reason ({reason!r})").format(reason=reason))
            return None
        if reason:
            return False, reason
        if billable is False:
            return False, self.cmap.free_reason_default
        return billable, None


def _hash(v: dict[str, str], start: datetime, end: datetime | None) -> str:
    """A row's source when the file has no id column: its mapped values, so the same row
    exported again is known and a changed one is new."""
    parts = [v["customer"], v["supporter"], str(int(start.timestamp())), str(int(end.timestamp())) if end else ""]
    parts += [v["contact"], v["machine"], v["note"], v["ticket"]]
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def _clean(value: str) -> str:
    text = value.strip()
    if text[:1] == "'" and text[1:2] in _TRIGGERS and len(text) > 1:
        return text[1:]
    return text


def parse(text: str, cmap: ColumnMap, tz: tzinfo, progress: Progress | None = None) -> Parsed:
    """The rows of a CSV file as candidates; a bad row is a problem with its line. A file the
    map does not fit (a column is missing) raises SessionlogError."""
    out = Parsed()
    head = text.lstrip("\r\n").split("\n", 2)
    first, skip, delimiter = head[0].strip(), 0, cmap.delimiter
    if (m := _SEP_LINE.fullmatch(first)) is not None:
        # Excel's "sep=;" line: it names the delimiter, the header comes after it.
        delimiter, skip = delimiter or m.group(1), 1
        first = head[1].strip() if len(head) > 1 else ""
    delimiter = delimiter or sniff(first)
    total = text.count("\n") + 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: _Rows | None = None
    done = previous = 0
    try:
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if skip:
                skip -= 1
                continue
            if rows is None:
                rows = _Rows(cmap, tz, cells, line, delimiter)
                continue
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(reader.line_num, total)
            rows.row(line, cells, out)
    except csv.Error as exc:
        out.bad(previous + 1, _("not CSV: {exc}").format(exc=exc))
    if rows is None and not out.problems:
        out.bad(1, _("no header line"))
    if progress is not None:
        progress(total, total)
    return out

"""Dates, times and durations in CSV cells.

The forms the time parser knows (2024-03-01 10:22, 01.03.2024 10:22, ISO 8601 with an
offset, 5. März 2024, …) are read here without a clock: a cell that needs "now" (14:30
alone, yesterday, -15m) has no meaning in a file. The common forms go through small
regexes, because a file may hold 100 000 rows; anything else goes to `sessionlog.timeparse`.
A wall time is read in the file's zone: one the clocks skip is an error, one that happens
twice (the night DST ends) is the first of the two.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from sessionlog.model import SessionlogError

_ISO = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:(?:[Tt]|,?\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*([Zz]|[+-]\d{2}:?\d{2})?"
)
_GERMAN = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:,?\s+(?:um\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*[Uu]hr)?)?"
)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*[Uu]hr)?|(\d{1,2})(?:\.(\d{2}))?\s*[Uu]hr")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_RELATIVE = re.compile(r"^\s*(?:[+-]|now|jetzt|today|heute|yesterday|gestern)", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_SENTINEL_NOW = datetime(2000, 1, 1, tzinfo=UTC)  # never used: cells with relative forms are refused

UNITS = {"hours": 3600, "minutes": 60, "seconds": 1}


def local(wall: datetime, tz: tzinfo) -> datetime | str:
    """`wall` (naive) as the moment it names in `tz`, in UTC (so adding a duration adds
    elapsed time, also across a DST change); the reason when the clocks skipped it."""
    moment = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != wall:
        return f"{wall:%Y-%m-%d %H:%M} does not exist in {tz} (the clocks were put forward)"
    return moment


def _offset(text: str) -> tzinfo:
    if text in ("Z", "z"):
        return UTC
    return datetime.strptime(text.replace(":", ""), "%z").tzinfo or UTC


def moment(text: str, tz: tzinfo, fmt: str | None = None) -> datetime | str | None:
    """A date and time (or a date: midnight); None when the cell holds no date at all (a time
    of day, say); the reason as text when it looks like one but is not."""
    s = text.strip()
    if fmt:
        try:
            parsed = datetime.strptime(s, fmt)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else local(parsed, tz)
    m = _ISO.fullmatch(s)
    if m:
        year, month, day, hour, minute, second, fraction, zone = m.groups()
        wall = _wall(year, month, day, hour, minute, second, fraction)
        if isinstance(wall, str):
            return wall
        return wall.replace(tzinfo=_offset(zone)) if zone else local(wall, tz)
    m = _GERMAN.fullmatch(s)
    if m:
        day, month, year, hour, minute, second = m.groups()
        full = str(int(year) + 2000) if len(year) == 2 else year
        wall = _wall(full, month, day, hour, minute, second, None)
        return wall if isinstance(wall, str) else local(wall, tz)
    if not _YEAR.search(s) or _RELATIVE.match(s):
        return None
    from sessionlog.timeparse import parse_moment

    try:
        return parse_moment(s, _SENTINEL_NOW, tz)
    except SessionlogError as exc:
        return f"{exc.problem.message} (or give --date-format)"


def _wall(
    year: str, month: str, day: str, hour: str | None, minute: str | None, second: str | None, fraction: str | None
) -> datetime | str:
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError:
        when = f"{year}-{month}-{day}" + (f" {hour}:{minute}" if hour is not None else "")
        return f"{when} is not a {'date and time' if hour is not None else 'date'}"


def day(text: str, fmt: str | None = None) -> date | str:
    """A date alone (a Date column)."""
    s = text.strip()
    if fmt:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    found = moment(s, UTC)
    if isinstance(found, datetime):
        return found.date()
    return found or f"{text.strip()!r} is not a date like 2024-03-01 or 01.03.2024"


def time_of_day(text: str) -> time | None:
    """10:22, 10:22:05, 9 Uhr, 14.30 Uhr; None when the cell is not a time of day."""
    m = _TIME.fullmatch(text.strip())
    if m is None:
        return None
    hour, minute, second, uhr_hour, uhr_minute = m.groups()
    try:
        if uhr_hour is not None:
            return time(int(uhr_hour), int(uhr_minute or 0))
        return time(int(hour), int(minute), int(second or 0))
    except ValueError:
        return None


def is_decimal(text: str) -> bool:
    """Whether a duration cell is a bare number (1,25) rather than 1:15 or 75m."""
    return _NUMBER.fullmatch(text.strip()) is not None and not text.strip().isdigit()


def duration(text: str, unit: str = "minutes") -> timedelta | str:
    """A length of time: 1:15, 0:12:22, 1,5h, 12m, or a bare number in `unit` (1,25 hours)."""
    s = text.strip()
    if _NUMBER.fullmatch(s):
        seconds = Decimal(s.replace(",", ".")) * UNITS[unit]
        return timedelta(seconds=int(seconds.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    if s.strip("0:., hmsHMS") == "" and any(ch == "0" for ch in s):
        return timedelta(0)  # 0:00:00, 0h: no time, which the time parser refuses
    from sessionlog.timeparse import parse_duration

    try:
        return parse_duration(s)
    except SessionlogError as exc:
        return exc.problem.message

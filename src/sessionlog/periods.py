"""User text -> periods: spans of time [start, end) in the ledger zone, such as 2024-03,
2024-W09, last-week or --from/--to.

Like sessionlog.timeparse, whose helpers this builds on, nothing here reads the clock, and
bounds carry fixed UTC offsets (the module docstring of timeparse explains why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sessionlog.i18n import _
from sessionlog.model import MAX_YEAR, MIN_YEAR, SessionlogError
from sessionlog.timeparse import (
    GERMAN_DATE,
    ISO_DATE,
    check_year,
    format_local,
    in_zone,
    make_date,
    midnight,
    normalize,
    require_aware,
)

# What a missing --from/--to bound becomes: earlier/later than anything a user can type.
OPEN_START = date(MIN_YEAR, 1, 1)
OPEN_END = date(MAX_YEAR + 1, 1, 1)

# Plain strings, compiled by re's cache on first use (as in timeparse).
_MONTH_ISO = r"(\d{4})-(\d{1,2})"
_MONTH_GERMAN = r"(\d{1,2})\.(\d{4})"
_ISO_WEEK = r"(\d{4})-w(\d{1,2})"


@dataclass(frozen=True)
class Period:
    """A span of time [start, end) in the ledger zone, with a label for headings."""

    start: datetime  # inclusive; wall time in the ledger zone with that instant's fixed offset
    end: datetime  # exclusive; `end - start` is the true length (23 h on a spring-forward day)
    label: str

    def months(self) -> list[str]:
        """Every 'YYYY-MM' the period touches, in order; these name the month files to read.

        An open-ended period (from `period_between`) spans centuries, so for those prefer
        listing the month files that exist and keeping those where `touches(month)` holds.
        """
        span = self._month_span()
        if span is None:
            return []
        (year, month), (last_year, last_month) = span
        out = []
        while (year, month) <= (last_year, last_month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def touches(self, month: str) -> bool:
        """Whether the period overlaps the ledger month 'YYYY-MM'."""
        span = self._month_span()
        if span is None:
            return False
        (year, month_no), (last_year, last_month) = span
        return f"{year:04d}-{month_no:02d}" <= month <= f"{last_year:04d}-{last_month:02d}"

    def _month_span(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        if self.end <= self.start:
            return None
        # The last instant inside the period, in end's offset. Only a DST change exactly at
        # midnight on the 1st (never in Europe) could add one harmless extra month here.
        last = self.end - timedelta(microseconds=1)
        return (self.start.year, self.start.month), (last.year, last.month)

    def __contains__(self, moment: object) -> bool:
        if not isinstance(moment, datetime):
            return False
        return self.start <= moment < self.end


def parse_period(text: str, now: datetime, tz: tzinfo) -> Period:
    """The period `text` names; SessionlogError when it names none (see `match_period`)."""
    found = match_period(text, now, tz)
    if found is None:
        raise SessionlogError(
            _(
                "cannot read period {text!r}; use e.g. 2024-03, 03.2024, 2024, "
                "05.03.2024, today, yesterday, week, last-week, month"
            ).format(text=text)
        )
    return found


def match_period(text: str, now: datetime, tz: tzinfo) -> Period | None:
    """The period `text` names, None when it has no period's form, SessionlogError when it has
    one but is impossible (`2024-13`).

    Periods: `2024-03`, `03.2024`, `2024`, `2024-03-05`, `05.03.2024`, `2024-W09`, `today`,
    `yesterday`, `week`, `last-week`, `month`, `last-month`, `year`, `last-year`
    (German: heute, gestern, woche, letzte-woche, monat, letzter-monat, jahr, letztes-jahr).
    """
    require_aware(now, "now")
    s = re.sub(r"[\s_]+", "-", normalize(text))
    today = now.astimezone(tz).date()

    if s in ("today", "heute"):
        return _day_period(today, tz)
    if s in ("yesterday", "gestern"):
        return _day_period(today - timedelta(days=1), tz)
    if s in ("week", "this-week", "woche", "diese-woche"):
        return _week_period(today, tz)
    if s in ("last-week", "letzte-woche", "vorwoche"):
        return _week_period(today - timedelta(days=7), tz)
    if s in _MONTH_WORDS:
        return _month_word(s, today, tz)
    if s in ("year", "this-year", "jahr", "dieses-jahr"):
        return _year_period(today.year, tz)
    if s in ("last-year", "letztes-jahr", "vorjahr"):
        return _year_period(today.year - 1, tz)

    if re.fullmatch(r"\d{4}", s):
        year = int(s)
        check_year(year, text)
        return _year_period(year, tz)
    if re.fullmatch(_MONTH_ISO, s) or re.fullmatch(_MONTH_GERMAN, s):
        # Lenient about '2024-3' here; `invoice MONTH` goes through the strict month_period.
        return _parse_month(s, text, tz, strict=False)
    m = re.fullmatch(_ISO_WEEK, s)
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        check_year(year, text)
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise SessionlogError(
                _("{text!r}: {year} has no week {week}").format(text=text, year=year, week=week)
            ) from None
        return _week_period(monday, tz)
    m = re.fullmatch(ISO_DATE, s)
    if m and m.group(5) is None:
        return _day_period(make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)), text), tz)
    m = re.fullmatch(GERMAN_DATE, s)
    if m and m.group(4) is None:
        year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0)
        return _day_period(make_date(year, int(m.group(2)), int(m.group(1)), text), tz)
    return None


def month_period(month: str, tz: tzinfo, now: datetime | None = None) -> Period:
    """The ledger month '2024-03' (or '03.2024') as a Period; with `now`, also a word naming
    a month relative to it (`month`, `last-month`, `vormonat`, ...)."""
    if now is not None:
        word = re.sub(r"[\s_]+", "-", normalize(month))
        if word in _MONTH_WORDS:
            return _month_word(word, now.astimezone(tz).date(), tz)
    return _parse_month(month.strip(), month, tz, strict=True)


# The words that name a month, as months back from this one.
_MONTH_WORDS = {
    **dict.fromkeys(("month", "this-month", "monat", "dieser-monat"), 0),
    **dict.fromkeys(("last-month", "letzter-monat", "vormonat"), 1),
}


def _month_word(word: str, today: date, tz: tzinfo) -> Period:
    back = _MONTH_WORDS[word]
    index = today.year * 12 + today.month - 1 - back
    return _month_period(index // 12, index % 12 + 1, tz)


def _parse_month(s: str, text: str, tz: tzinfo, *, strict: bool) -> Period:
    m = re.fullmatch(r"(\d{4})-(\d{2})" if strict else _MONTH_ISO, s)
    if m:
        year, month_no = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(_MONTH_GERMAN, s):
        year, month_no = int(m.group(2)), int(m.group(1))
    else:
        raise SessionlogError(
            _("cannot read month {text!r}; use e.g. 2024-03, 03.2024 or last-month").format(text=text)
        )
    if not 1 <= month_no <= 12:
        raise SessionlogError(
            _("{text!r}: there is no month {month_no}; use e.g. 2024-03 or 03.2024").format(
                text=text, month_no=month_no
            )
        )
    check_year(year, text)
    return _month_period(year, month_no, tz)


def period_between(start: datetime | None, end: datetime | None, now: datetime, tz: tzinfo) -> Period:
    """The span from `start` (inclusive) to `end` (exclusive), for --from/--to.

    A missing bound means no bound (OPEN_START / OPEN_END midnight in `tz`). `end` is always
    exclusive, so an `end` at local midnight does not include that day: to include a whole
    day given as a date, the caller passes the next midnight. `now` is not needed today and
    is accepted so callers need not change if relative defaults are added later.
    """
    require_aware(now, "now")
    lower = midnight(OPEN_START, tz) if start is None else in_zone(start, tz)
    upper = midnight(OPEN_END, tz) if end is None else in_zone(end, tz)
    if upper <= lower:
        raise SessionlogError(
            _("the period is empty: {time} is not before {time2}").format(
                time=format_local(lower, tz), time2=format_local(upper, tz)
            )
        )
    if start is None and end is None:
        label = "all time"
    elif end is None:
        label = f"since {format_local(lower, tz)}"
    elif start is None:
        label = f"before {format_local(upper, tz)}"
    else:
        label = f"{format_local(lower, tz)} to {format_local(upper, tz)}"
    return Period(lower, upper, label)


def _day_period(day: date, tz: tzinfo) -> Period:
    return Period(midnight(day, tz), midnight(day + timedelta(days=1), tz), day.isoformat())


def _week_period(day: date, tz: tzinfo) -> Period:
    """The ISO week (Monday to Monday) containing `day`."""
    monday = day - timedelta(days=day.weekday())
    iso = monday.isocalendar()
    label = f"week {iso.year}-W{iso.week:02d}"
    return Period(midnight(monday, tz), midnight(monday + timedelta(days=7), tz), label)


def _month_period(year: int, month: int, tz: tzinfo) -> Period:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(midnight(date(year, month, 1), tz), midnight(following, tz), f"{year:04d}-{month:02d}")


def _year_period(year: int, tz: tzinfo) -> Period:
    return Period(midnight(date(year, 1, 1), tz), midnight(date(year + 1, 1, 1), tz), f"{year:04d}")

"""User text -> timezone-aware datetimes and durations.

Nothing here reads the clock: callers pass `now` (an aware datetime) and the ledger zone `tz`.
Common forms are matched by small regexes; python-dateutil is only imported for the rest,
because `sessionlog start`/`stop` must stay fast and never need it.

Wall times ("2024-03-01 10:22") are read in `tz`. A wall time the clocks skip (spring
forward) is an error; one that happens twice (fall back) means the first occurrence.

Results carry a fixed UTC offset (tz's offset at that instant), not `tz` itself: Python
subtracts two datetimes that share a tzinfo object as wall times, so with ZoneInfo values
01:30 -> 03:30 on the spring-forward night would come out as 2 hours instead of 1. With
fixed offsets every difference is a true elapsed time, and `.isoformat()` shows the offset
that was in force, which is what the ledger stores.

Periods (2024-03, last-week, --from/--to) live in sessionlog.periods, which builds on the
public helpers at the end of this module.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from sessionlog.i18n import _
from sessionlog.model import MAX_YEAR, MIN_YEAR, SessionlogError

if TYPE_CHECKING:
    from dateutil.parser import parserinfo

# No support session lasts a month; a longer duration is a typo (and 99999999h overflows).
MAX_DURATION = timedelta(days=31)

# Patterns are plain strings: re's own cache compiles each on first use, so `start` and
# `stop`, which parse nothing, do not pay for compiling all of them at import.
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*uhr)?"
# German "14.30 Uhr" / "9 Uhr": only with "Uhr", because a bare "14.30" could be a date.
_TIME_UHR = r"(\d{1,2})(?:\.(\d{2}))?\s*uhr"
ISO_DATE = r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:(?:t|,?\s+)(.+))?"
GERMAN_DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:,?\s+(?:um\s+)?(.+))?"
_ISO_WITH_OFFSET = r"\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:z|[+-]\d{2}(?::?\d{2})?)"
_RELATIVE = r"(?:now|jetzt)?\s*([+-])\s*(\S.*)"
_DAY_WORD = r"(today|heute|yesterday|gestern)(?:\s+(?:um\s+)?(.+))?"
_DAYS_BACK = {"today": 0, "heute": 0, "yesterday": 1, "gestern": 1}
# Numeric d/m/y with slashes or dashes: 3/5/2024 is 3 May in Germany and 5 March in the US.
_AMBIGUOUS_NUMERIC_DATE = r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b"

_DURATION_PART = r"(\d+(?:\.\d+)?)\s*([a-z]+)\.?\s*"
_DURATION_UNITS: dict[str, tuple[int, int]] = {}  # unit word -> (order, seconds)
for _order, _seconds, _words in (
    (0, 3600, "h hr hrs hour hours std stunde stunden"),
    (1, 60, "m min mins minute minutes minuten"),
    (2, 1, "s sec secs second seconds sek sekunde sekunden"),
):
    for _word in _words.split():
        _DURATION_UNITS[_word] = (_order, _seconds)


# --- formatting -------------------------------------------------------------------


def format_local(moment: datetime, tz: tzinfo) -> str:
    """'2024-03-01 10:22': `moment` as wall time in `tz`, for tables."""
    require_aware(moment, "moment")
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


# --- moments --------------------------------------------------------------------------------


def parse_moment(text: str, now: datetime, tz: tzinfo) -> datetime:
    """A point in time typed by a user: aware, with tz's UTC offset at that instant.

    Accepts `14:30`, `2024-03-01 10:22`, `01.03.2024 10:22`, dates alone (midnight),
    ISO 8601 with offset, `-15m`/`+5m`, `now`, `today|yesterday|heute|gestern [TIME]`,
    and, through dateutil, spelled-out dates such as `5 March 2024 10:22` or `5. März 2024`.
    """
    require_aware(now, "now")
    return _fixed(_parse_moment(text, now, tz), tz)


def _parse_moment(text: str, now: datetime, tz: tzinfo) -> datetime:
    s = normalize(text)
    local_now = now.astimezone(tz)
    if not s:
        raise _moment_error(text)
    if s in ("now", "jetzt"):
        return local_now

    m = re.fullmatch(_RELATIVE, s)
    if m:
        seconds = _duration_seconds(m.group(2).replace(",", "."))
        if seconds is None or seconds <= 0:
            raise _moment_error(text)
        sign = -1 if m.group(1) == "-" else 1
        # Absolute arithmetic: aware + timedelta on one tzinfo is wall-clock arithmetic,
        # which is off by an hour across a DST change.
        try:
            moment = (local_now.astimezone(UTC) + sign * timedelta(seconds=int(seconds))).astimezone(tz)
        except OverflowError:
            raise SessionlogError(
                _("{text!r} is too far from now (years {MIN_YEAR}-{MAX_YEAR})").format(
                    text=text, MIN_YEAR=MIN_YEAR, MAX_YEAR=MAX_YEAR
                )
            ) from None
        check_year(moment.year, text)
        return moment

    m = re.fullmatch(_DAY_WORD, s)
    if m:
        day = local_now.date() - timedelta(days=_DAYS_BACK[m.group(1)])
        at = _time_of_day(m.group(2), text) if m.group(2) else time(0)
        if at is None:
            raise _moment_error(text)
        return _wall_to_aware(datetime.combine(day, at), tz, text)

    at = _time_of_day(s, text)
    if at is not None:
        return _wall_to_aware(datetime.combine(local_now.date(), at), tz, text)

    if re.fullmatch(_ISO_WITH_OFFSET, s):
        try:
            moment = datetime.fromisoformat(s.upper())
        except ValueError:
            raise _moment_error(text) from None
        check_year(moment.year, text)
        # The offset fixes the instant; show it in the ledger zone.
        return moment.astimezone(tz)

    m = re.fullmatch(ISO_DATE, s)
    if m:
        day = make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)), text)
        at = _time_of_day(m.group(5), text) if m.group(5) else time(0)
        if at is not None:
            return _wall_to_aware(datetime.combine(day, at), tz, text)

    m = re.fullmatch(GERMAN_DATE, s)
    if m:
        year = int(m.group(3))
        # Two-digit years are this century: a support ledger holds no 1990s sessions.
        if len(m.group(3)) == 2:
            year += 2000
        day = make_date(year, int(m.group(2)), int(m.group(1)), text)
        at = _time_of_day(m.group(4), text) if m.group(4) else time(0)
        if at is not None:
            return _wall_to_aware(datetime.combine(day, at), tz, text)

    # A date followed by "10pm" and the like also lands here; garbage fails in dateutil.
    return _parse_with_dateutil(text, s, local_now, tz)


def _time_of_day(s: str, text: str) -> time | None:
    """`14:30`, `9:05`, `14:30:15`, `14.30 Uhr`, `9 Uhr`; None when `s` is not a time at all."""
    m = re.fullmatch(_TIME, s) or re.fullmatch(_TIME_UHR, s)
    if not m:
        return None
    # _TIME_UHR has no seconds group; pad so both patterns unpack alike.
    hour, minute, second = (int(g) if g else 0 for g in (*m.groups(), None)[:3])
    if hour > 23 or minute > 59 or second > 59:
        raise SessionlogError(
            _(
                "{text!r} is not a valid time of day (e.g. 14:30, 2024-03-01 10:22, "
                "01.03.2024 10:22, -15m or yesterday 16:00)"
            ).format(text=text)
        )
    return time(hour, minute, second)


def _parse_with_dateutil(text: str, s: str, local_now: datetime, tz: tzinfo) -> datetime:
    """Spelled-out forms via dateutil, refusing anything it would have to guess."""
    if re.search(_AMBIGUOUS_NUMERIC_DATE, s):
        raise SessionlogError(
            _("{text!r} is ambiguous (day or month first?); write 01.03.2024 or 2024-03-01").format(text=text)
        )
    import warnings

    from dateutil.parser import UnknownTimezoneWarning, parse

    info = _dateutil_info()
    # dateutil's dayfirst turns 2024/03/05 into 3 May; year-first input is always Y-M-D.
    dayfirst = not re.match(r"\d{4}\b", s)
    # dateutil needs the original case to recognize zone names such as UTC or CET.
    original = " ".join(text.split())
    # Two defaults that differ in every field reveal which fields the text really gave.
    default_a = datetime(2000, 1, 1, 0, 0, 0, 0)
    default_b = datetime(2001, 12, 2, 1, 1, 1, 1)
    try:
        with warnings.catch_warnings():
            # "10:22 CET" would silently come back naive; refuse it instead.
            warnings.simplefilter("error", UnknownTimezoneWarning)
            a = parse(original, info, default=default_a, dayfirst=dayfirst)
            b = parse(original, info, default=default_b, dayfirst=dayfirst)
    except (ValueError, OverflowError, UnknownTimezoneWarning):
        raise _moment_error(text) from None

    given = [x == y for x, y in ((a.year, b.year), (a.month, b.month), (a.day, b.day))]
    date_given = all(given)
    if any(given) and not date_given:
        # "march", "3", "2024", "5 march 10:00": never fill in the rest of a date.
        raise SessionlogError(
            _(
                "{text!r} needs a full date with day, month and year, or only a time "
                "(e.g. 14:30, 2024-03-01 10:22, 01.03.2024 10:22, -15m or yesterday "
                "16:00)"
            ).format(text=text)
        )
    if not date_given and a.hour != b.hour:
        # Neither a date nor an hour: nothing time-like was given.
        raise _moment_error(text)
    weekdays = [n for w in re.findall(r"[a-z]+", s) if (n := info.weekday(w)) is not None]
    if weekdays and not date_given:
        raise SessionlogError(
            _(
                "{text!r}: give a date, not a weekday (e.g. 14:30, 2024-03-01 10:22, "
                "01.03.2024 10:22, -15m or yesterday 16:00)"
            ).format(text=text)
        )
    if weekdays and weekdays[0] != a.weekday():
        raise SessionlogError(_("{text!r}: {a:%Y-%m-%d} is a {a:%A}").format(text=text, a=a))

    if date_given:
        check_year(a.year, text)
        if a.tzinfo is not None:
            return a.astimezone(tz)
        return _wall_to_aware(a, tz, text)
    if a.tzinfo is not None:
        # A time with an offset but no date: whose "today"? Refuse rather than guess.
        raise SessionlogError(
            _("{text!r} has a UTC offset but no date; write e.g. 2024-03-01T10:22+01:00").format(text=text)
        )
    return _wall_to_aware(datetime.combine(local_now.date(), a.time()), tz, text)


def _dateutil_info() -> parserinfo:
    """dateutil's English names plus German month names and 'um'."""
    from dateutil.parser import parserinfo

    german = {
        0: ("januar", "jänner", "jän"),
        2: ("märz", "mär", "maerz"),
        4: ("mai",),
        5: ("juni",),
        6: ("juli",),
        9: ("okt", "oktober"),
        11: ("dez", "dezember"),
    }

    class _Info(parserinfo):
        def __init__(self) -> None:
            # parserinfo.__init__ builds its lookup tables from these, so set them first.
            self.MONTHS = [(*names, *german.get(i, ())) for i, names in enumerate(parserinfo.MONTHS)]
            self.JUMP = [*parserinfo.JUMP, "um"]
            super().__init__()

    return _Info()


# --- durations ------------------------------------------------------------------------------


def parse_duration(text: str) -> timedelta:
    """A positive length of time: `12m`, `1h30m`, `1:15`, `00:12:22`, `1,5h`, `90` (minutes).

    Fractions are exact (Decimal) and the result is rounded to whole seconds.
    """
    s = normalize(text).replace(",", ".")
    negative = s.startswith("-")
    seconds = _duration_seconds(s[1:].lstrip() if negative else s)
    if seconds is None:
        raise SessionlogError(
            _("cannot read duration {text!r}; use e.g. 12m, 1h30m, 1:30, 00:12:22 or 1,5h").format(text=text)
        )
    if negative or seconds <= 0:
        raise SessionlogError(
            _("duration must be positive, got {text!r}; use e.g. 12m, 1h30m, 1:30, 00:12:22 or 1,5h").format(text=text)
        )
    if seconds > MAX_DURATION.total_seconds():
        raise SessionlogError(
            _("duration {text!r} is longer than {days} days").format(text=text, days=MAX_DURATION.days)
        )
    return timedelta(seconds=int(seconds))


def _duration_seconds(s: str) -> Decimal | None:
    """Whole seconds in `s`, or None if it is not a duration."""
    if re.fullmatch(r"\d+", s):
        # A bare number is minutes: that is what people type for a support session.
        return Decimal(s) * 60
    m = re.fullmatch(r"(\d+):(\d{2})(?::(\d{2}))?", s)
    if m:
        hours, minutes, secs = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if minutes > 59 or secs > 59:
            return None
        return Decimal(hours * 3600 + minutes * 60 + secs)
    if not s or not re.fullmatch(rf"(?:{_DURATION_PART})+", s):
        return None
    total = Decimal(0)
    last_order = -1
    for number, unit in re.findall(_DURATION_PART, s):
        if unit not in _DURATION_UNITS:
            return None
        order, factor = _DURATION_UNITS[unit]
        # Hours, then minutes, then seconds, each once: "30m1h" or "1h1h" is a typo.
        if order <= last_order:
            return None
        last_order = order
        try:
            total += Decimal(number) * factor
        except InvalidOperation:
            return None
    return total.quantize(Decimal(1), rounding=ROUND_HALF_UP)


# --- helpers (the public ones are shared with sessionlog.periods) ---------------------------


def normalize(text: str) -> str:
    return " ".join(text.split()).lower()


def require_aware(moment: datetime, name: str) -> None:
    # A programming error, not a user's: naive datetimes would be read in the machine's zone.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")


def _fixed(moment: datetime, tz: tzinfo) -> datetime:
    """The same instant as wall time in `tz`, carrying that moment's offset as a fixed one."""
    local = moment.astimezone(UTC).astimezone(tz)
    offset = local.utcoffset()
    assert offset is not None  # astimezone never returns a naive datetime
    return local.replace(tzinfo=timezone(offset), fold=0)


def in_zone(moment: datetime, tz: tzinfo) -> datetime:
    require_aware(moment, "moment")
    return _fixed(moment, tz)


def midnight(day: date, tz: tzinfo) -> datetime:
    """The start of `day` in `tz`: local midnight, or the first instant after it when a DST
    change skips midnight (e.g. Chile), so periods never have gaps between them."""
    # fold=0 reads a skipped wall time with the offset from before the change; the UTC
    # round trip then lands on the instant of the change, shown with the new offset.
    return _fixed(datetime.combine(day, time(0), tzinfo=tz), tz)


def _wall_to_aware(wall: datetime, tz: tzinfo, text: str) -> datetime:
    """`wall` read as a clock time in `tz`; the first occurrence when the hour repeats."""
    aware = wall.replace(tzinfo=tz, fold=0)
    # A wall time the clocks skipped does not survive the round trip through UTC.
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != wall:
        raise SessionlogError(
            _("{text!r}: {wall:%Y-%m-%d %H:%M} does not exist in {tz} (the clocks were put forward)").format(
                text=text, wall=wall, tz=tz
            )
        )
    return back


def make_date(year: int, month: int, day: int, text: str) -> date:
    check_year(year, text)
    try:
        return date(year, month, day)
    except ValueError:
        raise SessionlogError(
            _(
                "{text!r} is not a valid date (e.g. 14:30, 2024-03-01 10:22, 01.03.2024 10:22, -15m or yesterday 16:00)"
            ).format(text=text)
        ) from None


def check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise SessionlogError(
            _("{text!r}: the year {year} is out of range ({MIN_YEAR}-{MAX_YEAR})").format(
                text=text, year=year, MIN_YEAR=MIN_YEAR, MAX_YEAR=MAX_YEAR
            )
        )


def _moment_error(text: str) -> SessionlogError:
    return SessionlogError(
        _(
            "cannot read time {text!r}; use e.g. 14:30, 2024-03-01 10:22, 01.03.2024 10:22, -15m or yesterday 16:00"
        ).format(text=text)
    )


def parse_gap(text: str) -> timedelta:
    """A duration that may be zero (`0`, `0m`): how far apart two connections may be to merge."""
    if re.fullmatch(r"0+\s*[smh]?", normalize(text)):
        return timedelta(0)
    return parse_duration(text)

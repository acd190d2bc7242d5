"""Tests for sessionlog.periods: user text -> periods, month_period and period_between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sessionlog.model import SessionlogError
from sessionlog.periods import Period, month_period, parse_period, period_between
from sessionlog.timeparse import parse_moment

BERLIN = ZoneInfo("Europe/Berlin")
# A Tuesday in ISO week 10, in winter time (+01:00).
NOW = datetime(2024, 3, 5, 12, 0, tzinfo=BERLIN)


# --- periods ----------------------------------------------------------------------------------


def _period(text: str, now: datetime = NOW, tz: ZoneInfo = BERLIN) -> Period:
    return parse_period(text, now, tz)


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2024-03", "2024-03", "2024-03-01T00:00:00+01:00", "2024-04-01T00:00:00+02:00"),
        ("2024-3", "2024-03", "2024-03-01T00:00:00+01:00", "2024-04-01T00:00:00+02:00"),
        ("03.2024", "2024-03", "2024-03-01T00:00:00+01:00", "2024-04-01T00:00:00+02:00"),
        ("3.2024", "2024-03", "2024-03-01T00:00:00+01:00", "2024-04-01T00:00:00+02:00"),
        ("2024-12", "2024-12", "2024-12-01T00:00:00+01:00", "2025-01-01T00:00:00+01:00"),
        ("2024", "2024", "2024-01-01T00:00:00+01:00", "2025-01-01T00:00:00+01:00"),
        ("2024-03-05", "2024-03-05", "2024-03-05T00:00:00+01:00", "2024-03-06T00:00:00+01:00"),
        ("05.03.2024", "2024-03-05", "2024-03-05T00:00:00+01:00", "2024-03-06T00:00:00+01:00"),
        ("31.12.2024", "2024-12-31", "2024-12-31T00:00:00+01:00", "2025-01-01T00:00:00+01:00"),
        ("today", "2024-03-05", "2024-03-05T00:00:00+01:00", "2024-03-06T00:00:00+01:00"),
        ("heute", "2024-03-05", "2024-03-05T00:00:00+01:00", "2024-03-06T00:00:00+01:00"),
        ("yesterday", "2024-03-04", "2024-03-04T00:00:00+01:00", "2024-03-05T00:00:00+01:00"),
        ("gestern", "2024-03-04", "2024-03-04T00:00:00+01:00", "2024-03-05T00:00:00+01:00"),
        ("week", "week 2024-W10", "2024-03-04T00:00:00+01:00", "2024-03-11T00:00:00+01:00"),
        ("woche", "week 2024-W10", "2024-03-04T00:00:00+01:00", "2024-03-11T00:00:00+01:00"),
        ("last-week", "week 2024-W09", "2024-02-26T00:00:00+01:00", "2024-03-04T00:00:00+01:00"),
        ("last week", "week 2024-W09", "2024-02-26T00:00:00+01:00", "2024-03-04T00:00:00+01:00"),
        ("2024-W09", "week 2024-W09", "2024-02-26T00:00:00+01:00", "2024-03-04T00:00:00+01:00"),
        ("month", "2024-03", "2024-03-01T00:00:00+01:00", "2024-04-01T00:00:00+02:00"),
        ("last-month", "2024-02", "2024-02-01T00:00:00+01:00", "2024-03-01T00:00:00+01:00"),
        ("letzter-monat", "2024-02", "2024-02-01T00:00:00+01:00", "2024-03-01T00:00:00+01:00"),
        ("year", "2024", "2024-01-01T00:00:00+01:00", "2025-01-01T00:00:00+01:00"),
        ("last-year", "2023", "2023-01-01T00:00:00+01:00", "2024-01-01T00:00:00+01:00"),
    ],
)
def test_parse_period(text: str, label: str, start: str, end: str) -> None:
    p = _period(text)
    assert (p.label, p.start.isoformat(), p.end.isoformat()) == (label, start, end)


def test_relative_periods_wrap_at_year_end() -> None:
    january = datetime(2025, 1, 2, 9, 0, tzinfo=BERLIN)  # a Thursday in ISO week 2025-W01
    last_month = _period("last-month", january)
    assert (last_month.label, last_month.start.isoformat(), last_month.end.isoformat()) == (
        "2024-12",
        "2024-12-01T00:00:00+01:00",
        "2025-01-01T00:00:00+01:00",
    )
    week = _period("week", january)
    assert week.label == "week 2025-W01"
    assert week.start.isoformat() == "2024-12-30T00:00:00+01:00"
    assert week.months() == ["2024-12", "2025-01"]
    assert _period("last-week", january).label == "week 2024-W52"
    assert _period("last-year", january).label == "2024"


def test_week_53() -> None:
    p = _period("2020-W53")
    assert p.start.isoformat() == "2020-12-28T00:00:00+01:00"
    assert p.end.isoformat() == "2021-01-04T00:00:00+01:00"


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2024-03-31", 23),  # spring forward
        ("2024-10-27", 25),  # fall back
        ("2024-03-30", 24),
        ("2024-02", 29 * 24),  # leap year
        ("2023-02", 28 * 24),
        ("2024-03", 31 * 24 - 1),
        ("2024-10", 31 * 24 + 1),
        ("2024", 366 * 24),
        ("2023", 365 * 24),
    ],
)
def test_period_length_is_real_elapsed_time(text: str, hours: int) -> None:
    p = _period(text)
    assert p.end - p.start == timedelta(hours=hours)
    assert p.end.astimezone(UTC) - p.start.astimezone(UTC) == timedelta(hours=hours)


def test_day_whose_midnight_is_skipped_starts_at_the_change() -> None:
    # Chile moved its clocks from 00:00 to 01:00 on 2024-09-08.
    santiago = ZoneInfo("America/Santiago")
    now = datetime(2024, 9, 10, 12, 0, tzinfo=santiago)
    day = _period("2024-09-08", now, santiago)
    before = _period("2024-09-07", now, santiago)
    assert day.start.isoformat() == "2024-09-08T01:00:00-03:00"
    assert before.end == day.start  # no gap between adjacent days
    assert day.end - day.start == timedelta(hours=23)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2024-03", ["2024-03"]),
        ("2024-03-05", ["2024-03"]),
        ("31.03.2024", ["2024-03"]),
        ("2024-W09", ["2024-02", "2024-03"]),
        ("2024", [f"2024-{m:02d}" for m in range(1, 13)]),
    ],
)
def test_months(text: str, months: list[str]) -> None:
    assert _period(text).months() == months


def test_year_has_twelve_months() -> None:
    assert len(_period("2023").months()) == 12


def test_months_across_years_and_touches() -> None:
    start = parse_moment("15.11.2023 10:00", NOW, BERLIN)
    end = parse_moment("01.02.2024", NOW, BERLIN)  # midnight: February is not touched
    p = period_between(start, end, NOW, BERLIN)
    assert p.months() == ["2023-11", "2023-12", "2024-01"]
    assert [p.touches(m) for m in ("2023-10", "2023-11", "2024-01", "2024-02")] == [False, True, True, False]


def test_contains() -> None:
    march = _period("2024-03")
    assert parse_moment("01.03.2024 00:00", NOW, BERLIN) in march
    assert parse_moment("31.03.2024 23:59:59", NOW, BERLIN) in march
    assert parse_moment("01.04.2024 00:00", NOW, BERLIN) not in march
    assert parse_moment("29.02.2024 23:59:59", NOW, BERLIN) not in march
    # an instant given in another zone: 2024-02-29 23:30 UTC is 00:30 on 1 March in Berlin
    assert datetime(2024, 2, 29, 23, 30, tzinfo=UTC) in march
    assert datetime(2024, 3, 31, 22, 0, tzinfo=UTC) not in march  # 00:00 on 1 April, CEST
    assert "2024-03-05" not in march


@pytest.mark.parametrize(
    "text",
    [
        "",
        "foo",
        "2024-13",
        "13.2024",
        "0.2024",
        "2024-00",
        "2024-02-30",
        "30.02.2024",
        "1899",
        "3000",
        "2024-W54",
        "2023-W53",
        "next-week",
        "2024-03-05 10:00",
        "03/2024",
        "-15m",
    ],
)
def test_parse_period_rejects(text: str) -> None:
    with pytest.raises(SessionlogError) as err:
        _period(text)
    assert repr(text) in str(err.value)


# --- month_period -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2024-03", "03.2024", "3.2024", " 2024-03 "])
def test_month_period(text: str) -> None:
    p = month_period(text, BERLIN)
    assert p.label == "2024-03"
    assert p.start.isoformat() == "2024-03-01T00:00:00+01:00"
    assert p.end.isoformat() == "2024-04-01T00:00:00+02:00"
    assert p.months() == ["2024-03"]


def test_month_period_december_and_leap_february() -> None:
    december = month_period("2024-12", BERLIN)
    assert december.end.isoformat() == "2025-01-01T00:00:00+01:00"
    february = month_period("02.2024", BERLIN)
    assert february.end - february.start == timedelta(days=29)
    assert month_period("2023-02", UTC).end.isoformat() == "2023-03-01T00:00:00+00:00"


@pytest.mark.parametrize(
    "text", ["2024-3", "2024-13", "2024-00", "13.2024", "00.2024", "march", "", "2024-03-01", "03/2024", "24-03"]
)
def test_month_period_rejects(text: str) -> None:
    with pytest.raises(SessionlogError) as err:
        month_period(text, BERLIN)
    assert repr(text) in str(err.value)


# --- period_between ---------------------------------------------------------------------------


def test_period_between_end_at_midnight_is_exclusive() -> None:
    start = parse_moment("01.03.2024", NOW, BERLIN)
    end = parse_moment("05.03.2024", NOW, BERLIN)
    p = period_between(start, end, NOW, BERLIN)
    assert parse_moment("04.03.2024 23:59:59", NOW, BERLIN) in p
    assert end not in p
    assert start in p
    assert p.label == "2024-03-01 00:00 to 2024-03-05 00:00"


def test_period_between_converts_bounds_to_the_ledger_zone() -> None:
    p = period_between(datetime(2024, 3, 1, 9, 0, tzinfo=UTC), None, NOW, BERLIN)
    assert p.start.isoformat() == "2024-03-01T10:00:00+01:00"
    assert p.label == "since 2024-03-01 10:00"


def test_period_between_open_bounds() -> None:
    everything = period_between(None, None, NOW, BERLIN)
    assert everything.label == "all time"
    assert parse_moment("1.1.1900", NOW, BERLIN) in everything
    assert parse_moment("31.12.2999 23:59", NOW, BERLIN) in everything
    months = everything.months()
    assert months[0] == "1900-01"
    assert months[-1] == "2999-12"
    before = period_between(None, parse_moment("2024-03-01", NOW, BERLIN), NOW, BERLIN)
    assert before.label == "before 2024-03-01 00:00"
    assert before.touches("1999-05")
    assert not before.touches("2024-03")


@pytest.mark.parametrize(("start", "end"), [("05.03.2024", "01.03.2024"), ("05.03.2024", "05.03.2024")])
def test_period_between_rejects_empty(start: str, end: str) -> None:
    with pytest.raises(SessionlogError, match="the period is empty: 2024-03-05 00:00 is not before"):
        period_between(parse_moment(start, NOW, BERLIN), parse_moment(end, NOW, BERLIN), NOW, BERLIN)


def test_empty_period_has_no_months() -> None:
    moment = parse_moment("05.03.2024", NOW, BERLIN)
    assert Period(moment, moment, "empty").months() == []
    assert not Period(moment, moment, "empty").touches("2024-03")

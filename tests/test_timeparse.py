"""Tests for sessionlog.timeparse: user text -> datetimes, durations; the ledger zone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionlog.model import SessionlogError
from sessionlog.store.config import ledger_zone
from sessionlog.timeparse import (
    format_local,
    parse_duration,
    parse_moment,
)

BERLIN = ZoneInfo("Europe/Berlin")
# A Tuesday in ISO week 10, in winter time (+01:00).
NOW = datetime(2024, 3, 5, 12, 0, tzinfo=BERLIN)


def iso(text: str, now: datetime = NOW, tz: timezone | ZoneInfo = BERLIN) -> str:
    return parse_moment(text, now, tz).isoformat()


# --- parse_moment: accepted forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # time of day: today in the ledger zone
        ("14:30", "2024-03-05T14:30:00+01:00"),
        ("14:30:15", "2024-03-05T14:30:15+01:00"),
        ("9:05", "2024-03-05T09:05:00+01:00"),
        ("09:05", "2024-03-05T09:05:00+01:00"),
        ("0:00", "2024-03-05T00:00:00+01:00"),
        ("23:59:59", "2024-03-05T23:59:59+01:00"),
        ("  14:30  ", "2024-03-05T14:30:00+01:00"),
        ("14:30 Uhr", "2024-03-05T14:30:00+01:00"),
        ("14.30 Uhr", "2024-03-05T14:30:00+01:00"),
        ("9 Uhr", "2024-03-05T09:00:00+01:00"),
        # ISO dates, naive: wall time in the zone
        ("2024-03-01 10:22", "2024-03-01T10:22:00+01:00"),
        ("2024-03-01 10:22:05", "2024-03-01T10:22:05+01:00"),
        ("2024-03-01T10:22", "2024-03-01T10:22:00+01:00"),
        ("2024-3-1 9:05", "2024-03-01T09:05:00+01:00"),
        ("2024-07-01 10:22", "2024-07-01T10:22:00+02:00"),
        ("2024-03-01", "2024-03-01T00:00:00+01:00"),
        # German day-first dates
        ("01.03.2024 10:22", "2024-03-01T10:22:00+01:00"),
        ("01.03.2024 10:22:05", "2024-03-01T10:22:05+01:00"),
        ("1.3.2024 9:05", "2024-03-01T09:05:00+01:00"),
        ("01.03.24 10:22", "2024-03-01T10:22:00+01:00"),
        ("01.03.2024, 10:22", "2024-03-01T10:22:00+01:00"),
        ("01.03.2024 um 10:22 Uhr", "2024-03-01T10:22:00+01:00"),
        ("01.03.2024", "2024-03-01T00:00:00+01:00"),
        ("29.02.2024", "2024-02-29T00:00:00+01:00"),
        ("12.03.2024 10:00", "2024-03-12T10:00:00+01:00"),  # day first, not 3 December
        # ISO 8601 with an offset: same instant, shown in the ledger zone
        ("2024-03-01T10:22:00+01:00", "2024-03-01T10:22:00+01:00"),
        ("2024-03-01T09:22:00Z", "2024-03-01T10:22:00+01:00"),
        ("2024-03-01T09:22:00z", "2024-03-01T10:22:00+01:00"),
        ("2024-03-01T04:22:00-05:00", "2024-03-01T10:22:00+01:00"),
        ("2024-03-01 10:22+0100", "2024-03-01T10:22:00+01:00"),
        ("2024-03-01T09:22Z", "2024-03-01T10:22:00+01:00"),
        # relative to now
        ("-15m", "2024-03-05T11:45:00+01:00"),
        ("-1h30m", "2024-03-05T10:30:00+01:00"),
        ("-90s", "2024-03-05T11:58:30+01:00"),
        ("+5m", "2024-03-05T12:05:00+01:00"),
        ("now -15m", "2024-03-05T11:45:00+01:00"),
        ("now", "2024-03-05T12:00:00+01:00"),
        ("NOW", "2024-03-05T12:00:00+01:00"),
        ("jetzt", "2024-03-05T12:00:00+01:00"),
        # day words
        ("today 16:00", "2024-03-05T16:00:00+01:00"),
        ("today", "2024-03-05T00:00:00+01:00"),
        ("yesterday 16:00", "2024-03-04T16:00:00+01:00"),
        ("Yesterday  16:00", "2024-03-04T16:00:00+01:00"),
        ("yesterday", "2024-03-04T00:00:00+01:00"),
        ("heute 16:00", "2024-03-05T16:00:00+01:00"),
        ("gestern 16:00", "2024-03-04T16:00:00+01:00"),
        ("gestern um 16:30 Uhr", "2024-03-04T16:30:00+01:00"),
        # dateutil fallback: spelled-out dates, complete ones only
        ("5 March 2024 10:22", "2024-03-05T10:22:00+01:00"),
        ("March 5, 2024 10:22", "2024-03-05T10:22:00+01:00"),
        ("5. März 2024 10:22", "2024-03-05T10:22:00+01:00"),
        ("1. Mai 2024 um 10:00", "2024-05-01T10:00:00+02:00"),
        ("Fri 1 Mar 2024 10:00", "2024-03-01T10:00:00+01:00"),
        ("2024/03/05 10:00", "2024-03-05T10:00:00+01:00"),
        ("2024/03/05 10pm", "2024-03-05T22:00:00+01:00"),  # year first stays Y/M/D in dateutil too
        ("2024.03.05 10:00", "2024-03-05T10:00:00+01:00"),
        ("2024-03-05 10 pm", "2024-03-05T22:00:00+01:00"),
        ("01.03.2024 10pm", "2024-03-01T22:00:00+01:00"),
        ("1 Mar 2024 10:22 UTC", "2024-03-01T11:22:00+01:00"),
        ("1 Mar 2024 10:22 +0000", "2024-03-01T11:22:00+01:00"),
        ("10pm", "2024-03-05T22:00:00+01:00"),
    ],
)
def test_parse_moment_accepts(text: str, expected: str) -> None:
    assert iso(text) == expected


def test_yesterday_across_month_and_year_boundary() -> None:
    new_year = datetime(2025, 1, 1, 8, 0, tzinfo=BERLIN)
    assert iso("yesterday 16:00", new_year) == "2024-12-31T16:00:00+01:00"
    assert iso("gestern", datetime(2024, 3, 1, 8, 0, tzinfo=BERLIN)) == "2024-02-29T00:00:00+01:00"


def test_today_is_the_date_in_the_ledger_zone_not_in_nows_zone() -> None:
    # 00:30 in Berlin is still the previous day in UTC.
    now = datetime(2024, 3, 5, 0, 30, tzinfo=BERLIN)
    assert iso("14:30", now, UTC) == "2024-03-04T14:30:00+00:00"
    assert iso("14:30", now, BERLIN) == "2024-03-05T14:30:00+01:00"
    # and `now` given in UTC still means the Berlin date
    now_utc = datetime(2024, 3, 4, 23, 30, tzinfo=UTC)
    assert iso("today 9:00", now_utc, BERLIN) == "2024-03-05T09:00:00+01:00"


def test_plain_utc_zone_works() -> None:
    assert iso("2024-03-01 10:22", tz=UTC) == "2024-03-01T10:22:00+00:00"
    assert iso("2024-03-01T10:22:00+01:00", tz=UTC) == "2024-03-01T09:22:00+00:00"
    assert iso("-15m", tz=UTC) == "2024-03-05T10:45:00+00:00"


def test_two_digit_year_is_this_century() -> None:
    assert iso("01.03.99") == "2099-03-01T00:00:00+01:00"


# --- parse_moment: rejected input -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "x",
        "12x",
        "3",  # dateutil would read "the 3rd of this month"
        "10",
        "march",  # dateutil would read "March 5th"
        "2024",  # a year is a period, not a moment
        "1430",
        "14.30",  # time or 14 March? refuse
        "5 march 10:22",  # no year: never fill one in
        "monday 10:00",
        "saturday 10:00",
        "sat 9am",
        "Mon 1 Mar 2024 10:00",  # that day is a Friday
        "10:22 CET",  # dateutil would silently drop the zone
        "1 Mar 2024 10:22 CET",
        "1 Mar 2024 10:22 XYZ",
        "10:22 +0100",  # an offset but no date
        "3/5/2024",  # 3 May or 5 March?
        "03-05-2024",
        "tomorrow",
        "25:00",
        "24:00",
        "14:60",
        "14:30:60",
        "31.02.2024",
        "29.02.2023",
        "2024-13-01",
        "2024-02-30 10:00",
        "01.03.2024 foo",
        "2024-03-01 lunch",
        "yesterday lunch",
        "today 25:00",
        "-abc",
        "-0m",
        "+",
        "01.03.1899 10:00",
        "01.03.3000",
        "2024-03-01T10:22:00+25:00",
    ],
)
def test_parse_moment_rejects(text: str) -> None:
    with pytest.raises(SessionlogError) as err:
        parse_moment(text, NOW, BERLIN)
    message = str(err.value)
    assert repr(text) in message
    assert "\n" not in message


def test_generic_moment_error_shows_examples() -> None:
    with pytest.raises(SessionlogError, match=r"cannot read time 'abc'; use e\.g\. 14:30"):
        parse_moment("abc", NOW, BERLIN)


def test_weekday_mismatch_names_the_real_weekday() -> None:
    with pytest.raises(SessionlogError, match="2024-03-01 is a Friday"):
        parse_moment("Mon 1 Mar 2024 10:00", NOW, BERLIN)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_moment("14:30", datetime(2024, 3, 5, 12, 0), BERLIN)


# --- daylight saving time ---------------------------------------------------------------------


def test_spring_forward_night() -> None:
    before = parse_moment("2024-03-31 01:30", NOW, BERLIN)
    after = parse_moment("2024-03-31 03:30", NOW, BERLIN)
    assert before.isoformat() == "2024-03-31T01:30:00+01:00"
    assert after.isoformat() == "2024-03-31T03:30:00+02:00"
    # plain subtraction gives the elapsed time, not the wall-clock difference
    assert after - before == timedelta(hours=1)


@pytest.mark.parametrize("text", ["2024-03-31 02:30", "31.03.2024 02:00", "31.03.2024 02:59:59"])
def test_skipped_wall_time_is_rejected(text: str) -> None:
    with pytest.raises(SessionlogError, match="does not exist in Europe/Berlin") as err:
        parse_moment(text, NOW, BERLIN)
    assert repr(text) in str(err.value)


def test_skipped_wall_time_today_is_rejected() -> None:
    dst_day = datetime(2024, 3, 31, 12, 0, tzinfo=BERLIN)
    with pytest.raises(SessionlogError, match="does not exist"):
        parse_moment("2:30", dst_day, BERLIN)
    with pytest.raises(SessionlogError, match="does not exist"):
        parse_moment("today 2:30", dst_day, BERLIN)


def test_explicit_offset_in_the_gap_is_a_real_instant() -> None:
    # 02:30+01:00 is 01:30 UTC, which the Berlin clocks show as 03:30.
    assert iso("2024-03-31T02:30:00+01:00") == "2024-03-31T03:30:00+02:00"


def test_relative_time_across_spring_forward_counts_real_minutes() -> None:
    now = datetime(2024, 3, 31, 3, 10, tzinfo=BERLIN)  # 20 real minutes after the change
    assert iso("-15m", now) == "2024-03-31T01:55:00+01:00"
    assert iso("-1h", now) == "2024-03-31T01:10:00+01:00"


def test_autumn_ambiguous_hour_takes_first_occurrence() -> None:
    first = parse_moment("2024-10-27 02:30", NOW, BERLIN)
    assert first.isoformat() == "2024-10-27T02:30:00+02:00"
    second = parse_moment("2024-10-27T02:30:00+01:00", NOW, BERLIN)
    assert second.isoformat() == "2024-10-27T02:30:00+01:00"
    assert second - first == timedelta(hours=1)
    start = parse_moment("27.10.2024 01:30", NOW, BERLIN)
    end = parse_moment("27.10.2024 03:30", NOW, BERLIN)
    assert end - start == timedelta(hours=3)


def test_results_carry_the_offset_in_force() -> None:
    winter = parse_moment("2024-01-15 10:00", NOW, BERLIN)
    summer = parse_moment("2024-07-15 10:00", NOW, BERLIN)
    assert winter.utcoffset() == timedelta(hours=1)
    assert summer.utcoffset() == timedelta(hours=2)


# --- parse_duration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12m", timedelta(minutes=12)),
        ("12m22s", timedelta(minutes=12, seconds=22)),
        ("12m 22s", timedelta(minutes=12, seconds=22)),
        ("45s", timedelta(seconds=45)),
        ("1h", timedelta(hours=1)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("1h30m15s", timedelta(hours=1, minutes=30, seconds=15)),
        ("1H30M", timedelta(minutes=90)),
        ("1:15", timedelta(hours=1, minutes=15)),
        ("0:05", timedelta(minutes=5)),
        ("00:12:22", timedelta(minutes=12, seconds=22)),
        ("25:00", timedelta(hours=25)),
        ("1,5h", timedelta(minutes=90)),
        ("1.5h", timedelta(minutes=90)),
        ("0,25h", timedelta(minutes=15)),
        ("0,1h", timedelta(minutes=6)),
        ("1.333h", timedelta(seconds=4799)),  # 4798.8 s, rounded to whole seconds
        ("0.5s", timedelta(seconds=1)),  # half up
        ("1,5m", timedelta(seconds=90)),
        ("90", timedelta(minutes=90)),
        ("5", timedelta(minutes=5)),
        ("90min", timedelta(minutes=90)),
        ("90 min", timedelta(minutes=90)),
        ("10 Minuten", timedelta(minutes=10)),
        ("2 Std", timedelta(hours=2)),
        ("2std", timedelta(hours=2)),
        ("2 Std.", timedelta(hours=2)),
        ("1,5 Stunden", timedelta(minutes=90)),
        ("  12m  ", timedelta(minutes=12)),
    ],
)
def test_parse_duration_accepts(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "12x",
        "1:75",
        "1:05:60",
        "1:5",
        "m",
        "h30",
        "1.5",
        "1,5",
        "30m1h",
        "1h1h",
        "1h 2x",
        "1..5h",
        ".5h",
        "1h-30m",
        "12 m s",
        "1:30h",
    ],
)
def test_parse_duration_rejects_garbage(text: str) -> None:
    with pytest.raises(SessionlogError, match="cannot read duration") as err:
        parse_duration(text)
    assert repr(text) in str(err.value)
    assert "e.g." in str(err.value)


@pytest.mark.parametrize("text", ["0", "0m", "0:00", "00:00:00", "0,0h", "-5m", "-1:30", "- 5m", "0.4s"])
def test_parse_duration_must_be_positive(text: str) -> None:
    with pytest.raises(SessionlogError, match="duration must be positive") as err:
        parse_duration(text)
    assert repr(text) in str(err.value)


def test_parse_duration_absurdly_long_is_an_error_not_a_crash() -> None:
    with pytest.raises(SessionlogError, match="longer than 31 days"):
        parse_duration("99999999999999h")
    with pytest.raises(SessionlogError, match="longer than 31 days"):
        parse_duration("745h")
    assert parse_duration("744h") == timedelta(days=31)


@given(st.integers(min_value=1, max_value=31 * 24 * 3600))
def test_duration_h_mm_ss_round_trip(seconds: int) -> None:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    assert parse_duration(f"{h}:{m:02d}:{s:02d}") == timedelta(seconds=seconds)
    assert parse_duration(f"{h}h{m}m{s}s") == timedelta(seconds=seconds)


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2998, 12, 31), timezones=st.just(UTC)))
def test_iso_with_offset_keeps_the_instant(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    parsed = parse_moment(moment.isoformat(), NOW, BERLIN)
    assert parsed == moment
    assert parsed.utcoffset() == moment.astimezone(BERLIN).utcoffset()


# --- ledger_zone and format_local -------------------------------------------------------------


def test_ledger_zone_by_name() -> None:
    zone = ledger_zone("Europe/Berlin")
    assert isinstance(zone, ZoneInfo)
    assert zone.key == "Europe/Berlin"


@pytest.mark.parametrize("name", ["Mars/Base", "Europe", "", "../etc/passwd", "/etc/localtime", "Berlin"])
def test_ledger_zone_unknown_name(name: str) -> None:
    with pytest.raises(SessionlogError, match=r"unknown timezone .* in sessionlog\.toml") as err:
        ledger_zone(name)
    assert repr(name) in str(err.value)


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
def test_ledger_zone_default_respects_tz_variable(zone: str) -> None:
    done = _run_python("from sessionlog.store.config import ledger_zone; print(ledger_zone(None))", TZ=zone)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == zone


def test_ledger_zone_falls_back_to_localtime_rules_then_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import tzlocal

    def broken() -> str:
        raise ValueError("conflicting configuration")

    kolkata = ZoneInfo("Asia/Kolkata")
    monkeypatch.setattr(tzlocal, "get_localzone_name", broken)
    monkeypatch.setattr(tzlocal, "get_localzone", lambda: kolkata)
    assert ledger_zone(None) is kolkata

    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: None)
    assert ledger_zone(None) is kolkata

    monkeypatch.setattr(tzlocal, "get_localzone", broken)
    assert ledger_zone(None) == ZoneInfo("UTC")


def test_format_local() -> None:
    moment = parse_moment("2024-03-01T09:22:00Z", NOW, BERLIN)
    assert format_local(moment, BERLIN) == "2024-03-01 10:22"
    assert format_local(moment, UTC) == "2024-03-01 09:22"
    assert format_local(datetime(2024, 7, 1, 8, 5, 59, tzinfo=UTC), BERLIN) == "2024-07-01 10:05"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_local(datetime(2024, 3, 1, 9, 22), BERLIN)


# --- import cost ------------------------------------------------------------------------------


def test_fast_paths_do_not_import_dateutil() -> None:
    done = _run_python(
        """
        import sys
        import sessionlog.periods as p
        import sessionlog.timeparse as t
        from sessionlog.store.config import ledger_zone
        assert "dateutil" not in sys.modules, "imported by the module"
        from datetime import datetime
        tz = ledger_zone("Europe/Berlin")
        now = datetime(2024, 3, 5, 12, 0, tzinfo=tz)
        for text in ("14:30", "-15m", "now", "yesterday 16:00", "01.03.2024 10:22",
                     "2024-03-01 10:22", "2024-03-01T09:22:00Z"):
            t.parse_moment(text, now, tz)
        t.parse_duration("1,5h")
        p.parse_period("2024-03", now, tz)
        ledger_zone(None)
        assert "dateutil" not in sys.modules, "imported by a fast path"
        t.parse_moment("5 March 2024 10:22", now, tz)
        assert "dateutil" in sys.modules, "the fallback should need it"
        """
    )
    assert done.returncode == 0, done.stderr

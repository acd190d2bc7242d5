"""Billing rules: rounding, money, after-hours, contract allowance, frozen lines."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionlog.billing import (
    Rules,
    bill,
    billed_minutes,
    check_rules,
    freeze,
    is_after_hours,
    money,
    rules_for,
)
from sessionlog.model import (
    CHANNELS,
    ROUNDING_MODES,
    Billed,
    BusinessHours,
    Customer,
    Pause,
    Session,
    SessionlogError,
    Settings,
    month_key,
)
from sessionlog.reports import summarize, total

BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal


def at(text: str) -> datetime:
    """'2024-03-04 10:00[:ss]' as Berlin wall time."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def sess(sid: str, customer: str, start: str, seconds: int, **kw: object) -> Session:
    begin = at(start)
    fields: dict[str, object] = {"supporter": "Klaus Hörner", **kw}
    return Session(sid, customer, begin, begin + timedelta(seconds=seconds), **fields)  # type: ignore[arg-type]


# --- billed minutes -------------------------------------------------------------------------

# (net seconds, increment, rounding, minimum, expected billed minutes), worked out by hand.
ROUNDING_TABLE = [
    # increment 1
    (60, 1, "up", 0, 1),  # exact multiple stays
    (61, 1, "up", 0, 2),  # one second over
    (30, 1, "up", 0, 1),
    (5, 1, "up", 0, 1),
    (5, 1, "up", 15, 15),
    (742, 1, "up", 0, 13),  # 12m22s per started minute
    (60, 1, "nearest", 0, 1),
    (61, 1, "nearest", 0, 1),
    (30, 1, "nearest", 0, 1),  # half rounds up
    (29, 1, "nearest", 0, 0),
    (29, 1, "nearest", 15, 15),
    (89, 1, "nearest", 0, 1),
    (90, 1, "nearest", 0, 2),
    (60, 1, "down", 0, 1),
    (61, 1, "down", 0, 1),
    (30, 1, "down", 0, 0),
    (5, 1, "down", 0, 0),
    (5, 1, "down", 15, 15),
    # increment 5
    (300, 5, "up", 0, 5),
    (301, 5, "up", 0, 10),
    (150, 5, "up", 0, 5),
    (5, 5, "up", 0, 5),
    (5, 5, "up", 15, 15),
    (301, 5, "up", 15, 15),
    (960, 5, "up", 15, 20),  # above the minimum, the rounding counts
    (300, 5, "nearest", 0, 5),
    (301, 5, "nearest", 0, 5),
    (150, 5, "nearest", 0, 5),  # half rounds up
    (149, 5, "nearest", 0, 0),
    (149, 5, "nearest", 15, 15),
    (420, 5, "nearest", 0, 5),  # 7m in steps of 5
    (449, 5, "nearest", 0, 5),
    (450, 5, "nearest", 0, 10),  # 7m30s: half rounds up
    (300, 5, "down", 0, 5),
    (301, 5, "down", 0, 5),
    (599, 5, "down", 0, 5),
    (5, 5, "down", 0, 0),
    (5, 5, "down", 15, 15),
    # increment 15
    (742, 15, "up", 0, 15),
    (900, 15, "up", 0, 15),  # 15m00s stays 15
    (901, 15, "up", 0, 30),  # 15m01s is 30
    (5, 15, "up", 0, 15),
    (450, 15, "up", 15, 15),
    (900, 15, "nearest", 0, 15),
    (901, 15, "nearest", 0, 15),
    (450, 15, "nearest", 0, 15),
    (449, 15, "nearest", 0, 0),
    (449, 15, "nearest", 15, 15),
    (1349, 15, "nearest", 0, 15),
    (1350, 15, "nearest", 0, 30),
    (900, 15, "down", 0, 15),
    (901, 15, "down", 0, 15),
    (1799, 15, "down", 0, 15),
    (899, 15, "down", 0, 0),
    (899, 15, "down", 15, 15),
    (1800, 15, "down", 15, 30),
    # increment 30
    (1800, 30, "up", 0, 30),
    (1801, 30, "up", 0, 60),
    (900, 30, "up", 0, 30),
    (5, 30, "up", 0, 30),
    (5, 30, "up", 15, 30),  # the minimum is below one increment: rounding wins
    (1800, 30, "nearest", 0, 30),
    (1801, 30, "nearest", 0, 30),
    (900, 30, "nearest", 0, 30),
    (899, 30, "nearest", 0, 0),
    (899, 30, "nearest", 15, 15),  # the minimum need not be a multiple of the increment
    (2699, 30, "nearest", 0, 30),
    (2700, 30, "nearest", 0, 60),
    (1800, 30, "down", 0, 30),
    (1801, 30, "down", 0, 30),
    (1799, 30, "down", 0, 0),
    (1799, 30, "down", 15, 15),
    (3599, 30, "down", 15, 30),
]


@pytest.mark.parametrize(("seconds", "increment", "rounding", "minimum", "expected"), ROUNDING_TABLE)
def test_rounding_table(seconds: int, increment: int, rounding: str, minimum: int, expected: int) -> None:
    assert billed_minutes(timedelta(seconds=seconds), increment, rounding, minimum) == expected


def test_the_issue_examples() -> None:
    net = timedelta(minutes=12, seconds=22)
    assert billed_minutes(net, 1, "up", 0) == 13
    assert billed_minutes(net, 15, "up", 0) == 15
    assert billed_minutes(timedelta(minutes=7), 5, "nearest", 0) == 5


def test_sub_second_parts_are_dropped() -> None:
    # Whole seconds: 15m00.9s is still an exact multiple of 15 minutes.
    assert billed_minutes(timedelta(minutes=15, microseconds=900_000), 15, "up", 0) == 15


def test_unknown_rounding_mode_is_an_error() -> None:
    with pytest.raises(SessionlogError, match="rounding"):
        billed_minutes(timedelta(minutes=5), 1, "ceil", 0)


# --- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "rate", "expected"),
    [
        (13, "95.00", "20.58"),  # 20.5833...
        (1, "0.10", "0.00"),  # 0.00166...
        (90, "95.00", "142.50"),
        (0, "95.00", "0.00"),
        (15, "90.10", "22.53"),  # 22.525: half-up gives .53, half-even would give .52
        (1, "0.30", "0.01"),  # 0.005: half-up gives 0.01, half-even 0.00
        (3, "0.90", "0.05"),  # 0.045: half-up .05, half-even .04
    ],
)
def test_money_rounds_half_up_to_cents(minutes: int, rate: str, expected: str) -> None:
    got = money(minutes, D(rate))
    assert got == D(expected)
    assert got.as_tuple().exponent == -2
    assert str(got) == expected


def test_money_half_up_differs_from_half_even() -> None:
    exact = D(15) * D("90.10") / 60
    assert exact == D("22.525")
    assert exact.quantize(D("0.01"), rounding=ROUND_HALF_EVEN) == D("22.52")
    assert money(15, D("90.10")) == D("22.53")


# --- after hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2024-03-04 07:59", True),  # Monday
        ("2024-03-04 07:59:59", True),
        ("2024-03-04 08:00", False),
        ("2024-03-04 17:59", False),
        ("2024-03-04 17:59:59", False),
        ("2024-03-04 18:00", True),
        ("2024-03-08 12:00", False),  # Friday
        ("2024-03-09 10:00", True),  # Saturday
        ("2024-03-10 10:00", True),  # Sunday
    ],
)
def test_after_hours_default(start: str, expected: bool) -> None:
    assert is_after_hours(at(start), BusinessHours(), BERLIN) is expected


def test_after_hours_checks_local_wall_time_in_the_ledger_zone() -> None:
    hours = BusinessHours()
    # 07:00Z is 08:00 in Berlin (CET): inside; 06:59Z is 07:59: outside.
    assert is_after_hours(datetime(2024, 3, 4, 7, 0, tzinfo=UTC), hours, BERLIN) is False
    assert is_after_hours(datetime(2024, 3, 4, 6, 59, tzinfo=UTC), hours, BERLIN) is True
    # Same UTC time of day either side of the autumn change: 06:30Z is 08:30 CEST on Friday
    # 2024-10-25 but 07:30 CET on Monday 2024-10-28.
    assert is_after_hours(datetime(2024, 10, 25, 6, 30, tzinfo=UTC), hours, BERLIN) is False
    assert is_after_hours(datetime(2024, 10, 28, 6, 30, tzinfo=UTC), hours, BERLIN) is True
    # Friday 23:30 in New York is Saturday in Berlin.
    ny = datetime(2024, 3, 8, 17, 30, tzinfo=ZoneInfo("America/New_York"))
    assert is_after_hours(ny, hours, BERLIN) is True


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2024-03-04 06:59", True),
        ("2024-03-04 07:00", False),
        ("2024-03-04 19:59", False),
        ("2024-03-04 20:00", True),
        ("2024-03-09 10:00", False),  # Saturday is a business day here
        ("2024-03-10 10:00", True),  # Sunday is not
    ],
)
def test_after_hours_custom_business_hours(start: str, expected: bool) -> None:
    hours = BusinessHours(days=frozenset(range(6)), start=time(7, 0), end=time(20, 0))
    assert is_after_hours(at(start), hours, BERLIN) is expected


def test_after_hours_factor_applies_to_the_rate() -> None:
    s = Settings(rate=D("95.00"), after_hours_factor=D("1.5"))
    weekday = sess("a", "acme", "2024-03-04 10:00", 30 * 60)
    saturday = sess("b", "acme", "2024-03-09 10:00", 30 * 60)
    evening = sess("c", "acme", "2024-03-04 18:00", 30 * 60)
    lines = {line.session.id: line for line in bill([weekday, saturday, evening], s, {}, BERLIN)}
    assert (lines["a"].after_hours, lines["a"].rate, lines["a"].amount) == (False, D("95.00"), D("47.50"))
    assert (lines["b"].after_hours, lines["b"].rate, lines["b"].amount) == (True, D("142.50"), D("71.25"))
    assert (lines["c"].after_hours, lines["c"].rate, lines["c"].amount) == (True, D("142.50"), D("71.25"))


def test_effective_rate_is_quantized_before_use() -> None:
    # 95.30 x 1.25 = 119.125 -> 119.13; 30 min of that is 59.565 -> 59.57
    # (with the unrounded rate it would be 59.5625 -> 59.56).
    acme = Customer("acme", rate=D("95.30"), after_hours_factor=D("1.25"))
    line = bill([sess("a", "acme", "2024-03-09 10:00", 30 * 60)], Settings(), {"acme": acme}, BERLIN)[0]
    assert line.rate == D("119.13")
    assert str(line.rate) == "119.13"
    assert line.amount == D("59.57")


def test_dst_spring_forward_night() -> None:
    # 2024-03-31 is a Sunday; 02:00 CET jumps to 03:00 CEST, so 01:30-03:30 is one real hour.
    s = Settings(rate=D("95.00"), after_hours_factor=D("1.5"))
    fixed = Session(
        "fx",
        "acme",
        datetime(2024, 3, 31, 1, 30, tzinfo=timezone(timedelta(hours=1))),
        datetime(2024, 3, 31, 3, 30, tzinfo=timezone(timedelta(hours=2))),
        supporter="K",
    )
    # The same instants as ZoneInfo times, whose plain subtraction says 2 hours.
    assert at("2024-03-31 03:30") - at("2024-03-31 01:30") == timedelta(hours=2)
    zoned = Session("zz", "acme", at("2024-03-31 01:30"), at("2024-03-31 03:30"), supporter="K")
    lines = bill([fixed, zoned], s, {}, BERLIN)
    for line in lines:
        assert line.net == timedelta(hours=1)
        assert line.billed_minutes == 60
        assert line.after_hours is True
        assert line.rate == D("142.50")
        assert line.amount == D("142.50")


def test_dst_fall_back_night() -> None:
    # 2024-10-27: 03:00 CEST falls back to 02:00 CET; 01:30+02:00 to 02:30+01:00 is two hours.
    start = datetime(2024, 10, 27, 1, 30, tzinfo=BERLIN)
    end = datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=BERLIN)
    line = bill([Session("x", "acme", start, end, supporter="K")], Settings(), {}, BERLIN)[0]
    assert line.net == timedelta(hours=2)
    assert line.billed_minutes == 120


# --- lines ---------------------------------------------------------------------------------


def test_a_session_through_bill() -> None:
    s = Settings(rate=D("95.00"))
    line = bill([sess("a", "acme", "2024-03-01 10:22", 742)], s, {}, BERLIN)[0]
    assert line.net == timedelta(minutes=12, seconds=22)
    assert (line.billed_minutes, line.included_minutes, line.charged_minutes) == (13, 0, 13)
    assert line.amount == D("20.58")
    assert line.currency == "EUR"
    assert line.after_hours is False


def test_pauses_are_excluded() -> None:
    s = Settings(rate=D("95.00"))
    session = sess(
        "a",
        "acme",
        "2024-03-01 10:22",
        742,
        pauses=(
            Pause(at("2024-03-01 10:25"), at("2024-03-01 10:27")),
            Pause(at("2024-03-01 10:30"), at("2024-03-01 10:30:30")),
        ),
    )
    line = bill([session], s, {}, BERLIN)[0]
    # 12m22s - 2m - 30s = 9m52s -> 10 started minutes; 10 x 95 / 60 = 15.8333 -> 15.83
    assert line.net == timedelta(minutes=9, seconds=52)
    assert line.billed_minutes == 10
    assert line.amount == D("15.83")


def test_free_sessions_carry_nothing() -> None:
    s = Settings(rate=D("95.00"), minimum=15, currency="CHF")
    free = sess("f", "acme", "2024-03-09 10:00", 3600, billable=False, free_reason="warranty")
    line = bill([free], s, {}, BERLIN)[0]
    assert line.net == timedelta(hours=1)
    assert (line.billed_minutes, line.included_minutes, line.charged_minutes) == (0, 0, 0)
    assert line.rate == D("0.00") and str(line.rate) == "0.00"
    assert line.amount == D("0.00") and str(line.amount) == "0.00"
    assert line.currency == "CHF"
    assert line.after_hours is True  # shown, but it changes nothing


def test_running_sessions_are_skipped() -> None:
    running = Session("r", "acme", at("2024-03-04 10:00"), supporter="K")
    done = sess("d", "acme", "2024-03-04 09:00", 600)
    assert [line.session.id for line in bill([running, done], Settings(), {}, BERLIN)] == ["d"]


def test_lines_are_sorted_by_customer_start_id() -> None:
    sessions = [
        sess("b", "beta", "2024-03-01 09:00", 60),
        sess("z", "acme", "2024-03-02 09:00", 60),
        sess("y", "acme", "2024-03-01 09:00", 60),
        sess("x", "acme", "2024-03-01 09:00", 60),
        # 08:30Z is 09:30 Berlin: later than 09:00 Berlin though written in another zone.
        Session("w", "acme", datetime(2024, 3, 1, 8, 30, tzinfo=UTC), at("2024-03-01 10:00"), supporter="K"),
    ]
    ids = [line.session.id for line in bill(sessions, Settings(), {}, BERLIN)]
    assert ids == ["x", "y", "w", "z", "b"]


def test_freeze_copies_the_figures() -> None:
    line = bill([sess("a", "acme", "2024-03-04 10:00", 742)], Settings(rate=D("95.00")), {}, BERLIN)[0]
    assert freeze(line) == Billed(13, 0, 13, D("95.00"), D("20.58"), "EUR")


# --- contract allowance --------------------------------------------------------------------


def test_contract_allowance_across_lines_and_months() -> None:
    acme = Customer("acme", rate=D("90.00"), increment=15, rounding="up", included_minutes=120)
    sessions = [  # deliberately not in start order
        sess("s3", "acme", "2024-03-07 10:00", 20 * 60),
        sess("s1", "acme", "2024-03-04 10:00", 50 * 60),
        sess("fr", "acme", "2024-03-05 10:00", 45 * 60, billable=False, free_reason="warranty"),
        sess("s2", "acme", "2024-03-06 10:00", 89 * 60),
        sess("s4", "acme", "2024-04-02 10:00", 10 * 60),
        # 00:30 Berlin on 1 April is still 31 March in UTC: it belongs to April's allowance.
        sess("s5", "acme", "2024-04-01 00:30", 100 * 60),
    ]
    got = [
        (line.session.id, line.billed_minutes, line.included_minutes, line.charged_minutes, line.amount)
        for line in bill(sessions, Settings(), {"acme": acme}, BERLIN)
    ]
    assert got == [
        ("s1", 60, 60, 0, D("0.00")),  # 50m -> 60, fully covered; 60 left
        ("fr", 0, 0, 0, D("0.00")),  # free: takes nothing from the allowance
        ("s2", 90, 60, 30, D("45.00")),  # 89m -> 90, partly covered; nothing left
        ("s3", 30, 0, 30, D("45.00")),  # fully charged
        ("s5", 105, 105, 0, D("0.00")),  # April: a fresh 120; 15 left
        ("s4", 15, 15, 0, D("0.00")),
    ]


def test_allowance_is_per_customer() -> None:
    s = Settings(rate=D("60.00"), included_minutes=30)
    sessions = [sess("a", "acme", "2024-03-04 10:00", 40 * 60), sess("b", "beta", "2024-03-04 10:00", 40 * 60)]
    got = [(line.included_minutes, line.charged_minutes, line.amount) for line in bill(sessions, s, {}, BERLIN)]
    assert got == [(30, 10, D("10.00")), (30, 10, D("10.00"))]


# --- frozen (finalized) lines --------------------------------------------------------------


def test_frozen_lines_keep_their_figures_and_late_sessions_get_what_is_left() -> None:
    old = Customer("acme", rate=D("90.00"), increment=15, included_minutes=120)
    march = [
        sess("s1", "acme", "2024-03-04 10:00", 60 * 60),
        sess("s2", "acme", "2024-03-05 10:00", 90 * 60),
    ]
    first = bill(march, Settings(), {"acme": old}, BERLIN)
    assert [freeze(line) for line in first] == [
        Billed(60, 60, 0, D("90.00"), D("0.00"), "EUR"),
        Billed(90, 60, 30, D("90.00"), D("45.00"), "EUR"),
    ]
    finalized = [line.session.evolve(billed=freeze(line), invoice="RE-2024-0001") for line in first]

    # Rates and rules change afterwards; a session that starts *before* the frozen ones is added.
    new = Customer("acme", rate=D("120.00"), increment=1, included_minutes=120)
    late = sess("s0", "acme", "2024-03-01 10:00", 30 * 60)
    again = bill([*finalized, late], Settings(), {"acme": new}, BERLIN)
    by_id = {line.session.id: line for line in again}
    assert [freeze(by_id[s.id]) for s in finalized] == [freeze(line) for line in first]
    assert by_id["s2"].rate == D("90.00") and by_id["s2"].amount == D("45.00")
    # The frozen lines used all 120 included minutes: the late one is fully charged at the new rate.
    assert (by_id["s0"].billed_minutes, by_id["s0"].included_minutes, by_id["s0"].charged_minutes) == (30, 0, 30)
    assert by_id["s0"].amount == D("60.00")


def test_late_session_gets_the_remaining_allowance() -> None:
    acme = Customer("acme", rate=D("60.00"), included_minutes=120)
    frozen = sess("s1", "acme", "2024-03-10 10:00", 3600, billed=Billed(70, 70, 0, D("50.00"), D("0.00"), "EUR"))
    late = sess("s0", "acme", "2024-03-05 10:00", 90 * 60)
    lines = bill([frozen, late], Settings(), {"acme": acme}, BERLIN)
    assert [line.session.id for line in lines] == ["s0", "s1"]
    assert (lines[0].included_minutes, lines[0].charged_minutes, lines[0].amount) == (50, 40, D("40.00"))
    assert (lines[1].billed_minutes, lines[1].rate, lines[1].amount) == (70, D("50.00"), D("0.00"))


def test_frozen_currency_is_kept() -> None:
    frozen = sess("s1", "acme", "2024-03-04 10:00", 3600, billed=Billed(60, 0, 60, D("80.00"), D("80.00"), "EUR"))
    line = bill([frozen], Settings(currency="CHF", rate=D("100.00")), {}, BERLIN)[0]
    assert (line.amount, line.currency) == (D("80.00"), "EUR")


def test_a_free_session_never_carries_an_amount_even_if_frozen() -> None:
    odd = sess(
        "f",
        "acme",
        "2024-03-04 10:00",
        3600,
        billable=False,
        free_reason="goodwill",
        billed=Billed(60, 60, 0, D("80.00"), D("0.00"), "EUR"),
    )
    paid = sess("p", "acme", "2024-03-05 10:00", 3600)
    lines = bill([odd, paid], Settings(rate=D("60.00"), included_minutes=60), {}, BERLIN)
    assert (lines[0].billed_minutes, lines[0].included_minutes, lines[0].amount) == (0, 0, D("0.00"))
    # The free record's stale included minutes are not taken off the allowance.
    assert (lines[1].included_minutes, lines[1].amount) == (60, D("0.00"))


# --- rules ---------------------------------------------------------------------------------


def test_customer_without_overrides_uses_the_ledger_defaults() -> None:
    s = Settings(rate=D("80.00"), increment=15, rounding="up", minimum=15, currency="EUR")
    assert rules_for(s, Customer("plain")) == Rules(D("80.00"), 15, "up", 15, 0, D("1"), "EUR")
    assert rules_for(s, None) == rules_for(s, Customer("plain"))
    sessions = [sess("p", "plain", "2024-03-04 10:00", 10 * 60), sess("g", "ghost", "2024-03-04 10:00", 16 * 60)]
    lines = bill(sessions, s, {"plain": Customer("plain")}, BERLIN)
    # ghost (not registered): 16m -> 30 at 80.00 = 40.00; plain: 10m -> 15 = 20.00
    assert [(line.session.id, line.billed_minutes, line.amount) for line in lines] == [
        ("g", 30, D("40.00")),
        ("p", 15, D("20.00")),
    ]


def test_customer_overrides_only_what_it_sets() -> None:
    s = Settings(rate=D("80.00"), increment=15, rounding="up", minimum=15, included_minutes=60)
    c = Customer("acme", rate=D("100.00"), rounding="down", included_minutes=0, after_hours_factor=D("2"))
    assert rules_for(s, c) == Rules(D("100.00"), 15, "down", 15, 0, D("2"), "EUR")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"increment": 0}, "customer acme: increment must be from 1 to 1440 minutes, not 0"),
        ({"increment": True}, "customer acme: increment must be a whole number, not True"),
        ({"increment": 999999999999999999999999}, "customer acme: increment must be from 1 to 1440 minutes"),
        ({"rounding": "ceil"}, "customer acme: rounding must be one of up, nearest, down, not 'ceil'"),
        ({"minimum": -1}, "customer acme: minimum must be from 0 to 1440 minutes, not -1"),
        ({"included_minutes": -5}, "customer acme: included_minutes must be from 0 to 44640 minutes, not -5"),
        ({"rate": D("-1")}, "customer acme: rate must be from 0 to 10000 per hour, not -1"),
        ({"rate": D("NaN")}, "customer acme: rate must be a decimal number, not Decimal('NaN')"),
        ({"rate": D("1e9999")}, "customer acme: rate must be from 0 to 10000 per hour, not 1E+9999"),
        ({"rate": D("90.005")}, "customer acme: rate must be at most 2 decimal places, not 90.005"),
        ({"after_hours_factor": D("-0.5")}, "customer acme: after_hours_factor must be from 0 to 10, not -0.5"),
        ({"after_hours_factor": D("1e9999")}, "customer acme: after_hours_factor must be from 0 to 10"),
    ],
)
def test_invalid_rules_name_customer_and_key(override: dict[str, object], message: str) -> None:
    with pytest.raises(SessionlogError) as err:
        rules_for(Settings(), Customer("acme", **override))  # type: ignore[arg-type]
    assert str(err.value).startswith(message)


def test_invalid_ledger_settings_and_reuse_of_check_rules() -> None:
    with pytest.raises(SessionlogError, match=r"^ledger settings: increment"):
        rules_for(Settings(increment=0), None)
    with pytest.raises(SessionlogError, match=r"^--minimum: minimum"):
        check_rules(Rules(D("1"), 1, "up", -3, 0, D("1"), "EUR"), "--minimum")
    check_rules(Rules(D("0"), 1, "down", 0, 0, D("0"), "EUR"), "ok")  # zero is allowed everywhere


def test_bill_raises_on_an_invalid_customer() -> None:
    with pytest.raises(SessionlogError, match="customer acme: rounding"):
        bill([sess("a", "acme", "2024-03-04 10:00", 60)], Settings(), {"acme": Customer("acme", rounding="x")}, BERLIN)


# --- properties ----------------------------------------------------------------------------

CUSTOMER_KEYS = ("acme", "beta", "gamma")
REASONS = ("warranty", "goodwill", "internal")
TAGS = ("printer", "mail", "vpn")
YEAR_START = datetime(2024, 1, 1, tzinfo=UTC)

customers_st = st.fixed_dictionaries(
    {
        key: st.builds(
            Customer,
            key=st.just(key),
            rate=st.decimals(min_value=0, max_value=300, places=2),
            increment=st.sampled_from((1, 5, 10, 15, 30, 60)),
            rounding=st.sampled_from(ROUNDING_MODES),
            minimum=st.integers(0, 60),
            included_minutes=st.integers(0, 600),
            after_hours_factor=st.sampled_from((D("1"), D("1.25"), D("1.5"), D("2"))),
        )
        for key in CUSTOMER_KEYS
    }
)


@st.composite
def session_st(draw: st.DrawFn, sid: str) -> Session:
    start = YEAR_START + timedelta(seconds=draw(st.integers(0, 366 * 86400 - 1)))
    length = draw(st.integers(1, 10 * 3600))
    end = start + timedelta(seconds=length)
    cuts = sorted(draw(st.sets(st.integers(1, length - 1), max_size=6)) if length > 1 else set())
    cuts = cuts[: len(cuts) // 2 * 2]
    pauses = tuple(
        Pause(start + timedelta(seconds=a), start + timedelta(seconds=b))
        for a, b in zip(cuts[::2], cuts[1::2], strict=True)
    )
    billable = draw(st.booleans())
    zone = draw(st.sampled_from((UTC, BERLIN, timezone(timedelta(hours=-5)))))
    return Session(
        sid,
        draw(st.sampled_from(CUSTOMER_KEYS)),
        start.astimezone(zone),
        None if draw(st.integers(0, 9)) == 0 else end.astimezone(zone),
        pauses,
        supporter=draw(st.sampled_from(("Klaus", "Anna"))),
        channel=draw(st.sampled_from(CHANNELS)),
        billable=billable,
        free_reason=None if billable else draw(st.sampled_from(REASONS)),
        tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
    )


@st.composite
def ledger_st(draw: st.DrawFn) -> list[Session]:
    n = draw(st.integers(0, 25))
    return [draw(session_st(f"s{i:02d}")) for i in range(n)]


@settings(deadline=None)
@given(sessions=ledger_st(), customers=customers_st)
def test_billing_properties(sessions: list[Session], customers: dict[str, Customer]) -> None:
    lines = bill(sessions, Settings(), customers, BERLIN)
    assert len(lines) == sum(1 for s in sessions if s.end is not None)
    keys = [(line.session.customer, line.session.start.astimezone(UTC), line.session.id) for line in lines]
    assert keys == sorted(keys)

    included: dict[tuple[str, str], int] = {}
    billed: dict[tuple[str, str], int] = {}
    for line in lines:
        s, rules = line.session, rules_for(Settings(), customers[line.session.customer])
        assert s.end is not None
        assert line.amount >= 0
        assert line.amount == line.amount.quantize(D("0.01"))
        assert line.charged_minutes == line.billed_minutes - line.included_minutes
        assert line.charged_minutes >= 0 and line.included_minutes >= 0
        if not s.billable:
            assert (line.billed_minutes, line.included_minutes, line.charged_minutes) == (0, 0, 0)
            assert line.amount == D("0.00") and line.rate == D("0.00")
            continue
        assert line.billed_minutes % rules.increment == 0 or line.billed_minutes == rules.minimum
        assert line.billed_minutes >= rules.minimum
        seconds = int(line.net.total_seconds())
        assert 0 < seconds <= (s.end - s.start).total_seconds()
        if rules.rounding == "up":
            assert line.billed_minutes * 60 >= seconds
        if rules.rounding == "down" and rules.minimum == 0:
            assert line.billed_minutes * 60 <= seconds
        assert line.amount == money(line.charged_minutes, line.rate)
        key = (s.customer, month_key(s.start, BERLIN))
        included[key] = included.get(key, 0) + line.included_minutes
        billed[key] = billed.get(key, 0) + line.billed_minutes
    for (customer, month), used in included.items():
        allowance = customers[customer].included_minutes
        assert allowance is not None
        assert used <= allowance
        # Greedy in start order: the allowance is used up unless there was less to bill.
        assert used == min(allowance, billed[(customer, month)])

    whole = total(lines)
    assert whole.amount == sum((line.amount for line in lines), D("0"))
    assert whole.sessions == len(lines)
    for by in ("customer", "supporter", "month", "channel"):
        rows = summarize(lines, by, BERLIN)
        assert sum((r.amount for r in rows), D("0")) == whole.amount
        assert sum(r.sessions for r in rows) == whole.sessions
        assert sum(r.net_seconds for r in rows) == whole.net_seconds
        assert sum(r.billable_seconds for r in rows) == whole.billable_seconds
        assert sum(r.billed_minutes for r in rows) == whole.billed_minutes
        assert sum(r.charged_minutes for r in rows) == whole.charged_minutes
        merged: dict[str, int] = {}
        for r in rows:
            for reason, secs in r.free_seconds.items():
                merged[reason] = merged.get(reason, 0) + secs
        assert merged == dict(whole.free_seconds)
    assert sum(r.sessions for r in summarize(lines, "tag", BERLIN)) >= whole.sessions


@settings(deadline=None)
@given(
    seconds=st.integers(0, 20 * 3600),
    increment=st.integers(1, 120),
    rounding=st.sampled_from(ROUNDING_MODES),
    minimum=st.integers(0, 120),
)
def test_billed_minutes_properties(seconds: int, increment: int, rounding: str, minimum: int) -> None:
    got = billed_minutes(timedelta(seconds=seconds), increment, rounding, minimum)
    assert got >= minimum
    assert got % increment == 0 or got == minimum
    if got > minimum or minimum == 0:
        # Not lifted by the minimum: within one increment of the worked time, the mode's way.
        twice, step2 = 2 * got * 60, 2 * increment * 60
        if rounding == "up":
            assert twice - step2 < 2 * seconds <= twice
        elif rounding == "down":
            assert twice <= 2 * seconds < twice + step2
        else:  # nearest, half up
            assert twice - step2 // 2 <= 2 * seconds < twice + step2 // 2

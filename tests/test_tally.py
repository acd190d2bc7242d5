"""`tally` bills and totals in integers exactly what `billing.bill` and `reports` give in Decimal."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sessionlog.billing import bill
from sessionlog.figures import Figures, MonthFigures, cents, figures_of
from sessionlog.model import (
    CHANNELS,
    ROUNDING_MODES,
    Billed,
    BusinessHours,
    Customer,
    Pause,
    Session,
    Settings,
    month_key,
)
from sessionlog.reports import GROUPINGS, summarize, totals
from sessionlog.tally import file_sums, instant_us, rules_key, tally

BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal
KEYS = ("acme", "beta", "gamma", "delta")  # delta has no customer.toml: ledger defaults
YEAR = datetime(2024, 1, 1, tzinfo=UTC)

rate_st = st.decimals(min_value=0, max_value=300, places=2)
factor_st = st.sampled_from((D("1"), D("1.25"), D("1.5"), D("2"), D("1.333")))

customers_st = st.fixed_dictionaries(
    {
        key: st.builds(
            Customer,
            key=st.just(key),
            rate=st.none() | rate_st,
            increment=st.none() | st.sampled_from((1, 5, 15, 30)),
            rounding=st.none() | st.sampled_from(ROUNDING_MODES),
            minimum=st.none() | st.integers(0, 30),
            included_minutes=st.none() | st.integers(0, 300),
            after_hours_factor=st.none() | factor_st,
            currency=st.none() | st.sampled_from(("EUR", "CHF")),
        )
        for key in KEYS[:3]
    }
)

settings_st = st.builds(
    Settings,
    currency=st.sampled_from(("EUR", "USD")),
    rate=rate_st,
    increment=st.sampled_from((1, 6, 15)),
    rounding=st.sampled_from(ROUNDING_MODES),
    minimum=st.integers(0, 15),
    included_minutes=st.integers(0, 120),
    after_hours_factor=factor_st,
    business_hours=st.builds(
        BusinessHours,
        days=st.frozensets(st.integers(0, 6), min_size=1),
        start=st.sampled_from((time(7, 0), time(8, 0), time(8, 30, 15))),
        end=st.sampled_from((time(17, 0), time(18, 0), time(19, 59, 59))),
    ),
)


@st.composite
def session_st(draw: st.DrawFn, sid: str) -> Session:
    start = YEAR + timedelta(seconds=draw(st.integers(0, 120 * 86400)))
    length = draw(st.integers(1, 6 * 3600))
    end = start + timedelta(seconds=length)
    cut = draw(st.none() | st.tuples(st.integers(0, length), st.integers(0, length)))
    pauses = () if cut is None else (Pause(start + timedelta(seconds=min(cut)), start + timedelta(seconds=max(cut))),)
    billable = draw(st.booleans())
    billed = None
    if draw(st.integers(0, 4)) == 0:
        minutes, included = draw(st.integers(0, 300)), draw(st.integers(0, 60))
        amount = draw(st.sampled_from((D("22.50"), D("0.00"), D("-5.00"), D("13.5"), D("7.125"), D("1E+1"))))
        billed = Billed(minutes, min(included, minutes), minutes - min(included, minutes), D("90.00"), amount, "EUR")
    zone = draw(st.sampled_from((UTC, BERLIN, timezone(timedelta(hours=-5)))))
    return Session(
        sid,
        draw(st.sampled_from(KEYS)),
        start.astimezone(zone),
        None if draw(st.integers(0, 14)) == 0 else end.astimezone(zone),
        pauses,
        supporter=draw(st.sampled_from(("Klaus Hörner", "Anna"))),
        channel=draw(st.sampled_from(CHANNELS)),
        billable=billable,
        free_reason=None if billable else draw(st.sampled_from(("warranty", "goodwill", None))),
        tags=tuple(draw(st.lists(st.sampled_from(("printer", "mail", "vpn")), max_size=3))),
        billed=billed,
    )


def as_files(sessions: list[Session]) -> list[MonthFigures]:
    """The sessions as the store hands them out: one group per customer and month file."""
    files: dict[tuple[str, str], list[Figures]] = defaultdict(list)
    for s in sessions:
        files[(s.customer, month_key(s.start, BERLIN))].append(figures_of(s, BERLIN))
    return [MonthFigures(key, month, f"{key}/{month}.toml", figs) for (key, month), figs in files.items()]


@settings(max_examples=400, deadline=None)
@given(
    sessions=st.integers(0, 30).flatmap(lambda n: st.tuples(*(session_st(f"s{i:02d}") for i in range(n)))),
    customers=customers_st,
    ledger=settings_st,
    by=st.sampled_from(GROUPINGS),
    span=st.tuples(st.integers(0, 130), st.integers(0, 130)),
)
def test_tally_equals_bill_then_summarize(
    sessions: tuple[Session, ...], customers: dict[str, Customer], ledger: Settings, by: str, span: tuple[int, int]
) -> None:
    lo, hi = (YEAR + timedelta(days=d) for d in sorted(span))
    got = tally(as_files(list(sessions)), ledger, customers, by, (instant_us(lo), instant_us(hi)))

    # What `report` did before: bill everything read, pick the lines of the sessions in the period.
    lines = {line.session.id: line for line in bill(sessions, ledger, customers, BERLIN)}
    shown = sorted((s for s in sessions if lo <= s.start < hi), key=lambda s: (s.start, s.id))
    picked = [lines[s.id] for s in shown if s.id in lines]

    inexact = any(s.billed is not None and s.billable and s.end and cents(s.billed.amount) is None for s in sessions)
    if inexact:
        assert got is None, "a frozen amount of fractions of a cent is left to Decimal"
        return
    assert got is not None
    assert got.rows == summarize(picked, by, BERLIN)
    assert got.totals == totals(picked)
    assert [r.id for r in got.running] == [s.id for s in shown if s.running]


def test_an_id_used_twice_is_left_to_decimal_billing() -> None:
    s = Session("dup", "acme", YEAR, YEAR + timedelta(hours=1), supporter="Anna")
    files = [MonthFigures(key, "2024-01", key, [figures_of(s, BERLIN)]) for key in ("acme", "beta")]
    assert tally(files, Settings(), {}, "customer", (0, instant_us(YEAR + timedelta(days=31)))) is None
    assert tally(files[:1], Settings(), {}, "customer", (0, instant_us(YEAR + timedelta(days=31)))) is not None
    running = {"dup"}  # a timer with the same id
    assert tally(files[:1], Settings(), {}, "customer", (0, instant_us(YEAR + timedelta(days=31))), running) is None


def test_amounts_are_rounded_half_up_per_line_in_integers() -> None:
    # 20 min at 80.00 = 26.666… -> 26.67; 1 min at 0.50 = 0.00833… -> 0.01; 3 min at 0.10 = 0.005 -> 0.01
    ledger = Settings(increment=1, rate=D("80.00"))
    customers = {"acme": Customer("acme", rate=D("0.50")), "beta": Customer("beta", rate=D("0.10"))}
    at = YEAR.replace(hour=9)  # a Monday, 10:00 in Berlin: business hours
    sessions = [
        Session("a", "gamma", at, at + timedelta(minutes=20), supporter="Anna"),
        Session("b", "acme", at, at + timedelta(minutes=1), supporter="Anna"),
        Session("c", "beta", at, at + timedelta(minutes=3), supporter="Anna"),
    ]
    got = tally(as_files(sessions), ledger, customers, "customer", (0, instant_us(YEAR + timedelta(days=1))))
    assert got is not None
    assert [(r.group, r.amount) for r in got.rows] == [("acme", D("0.01")), ("beta", D("0.01")), ("gamma", D("26.67"))]
    assert got.totals[0].amount == D("26.69")


def test_business_hours_boundaries_match_billing() -> None:
    ledger = Settings(rate=D("60.00"), after_hours_factor=D("2"))
    local = datetime(2024, 1, 5, tzinfo=BERLIN)  # a Friday; the next day a Saturday
    starts = ["07:59:59", "08:00:00", "12:00:00", "17:59:59", "18:00:00", "23:59:59"]
    sessions = [
        Session(f"{day}{i}", "acme", at, at + timedelta(minutes=10), supporter="Anna")
        for day in range(2)
        for i, clock in enumerate(starts)
        if (at := datetime.combine(local.date() + timedelta(days=day), time.fromisoformat(clock), BERLIN))
    ]
    got = tally(as_files(sessions), ledger, {}, "supporter", (0, instant_us(YEAR + timedelta(days=40))))
    assert got is not None
    lines = bill(sessions, ledger, {}, BERLIN)
    assert got.rows == summarize(lines, "supporter", BERLIN)
    # Friday 08:00, 12:00 and 17:59:59 are in hours (3 x 10.00); the other 9 at 120.00/h (9 x 20.00)
    assert got.rows[0].amount == D("210.00")


@settings(max_examples=300, deadline=None)
@given(
    sessions=st.integers(0, 30).flatmap(lambda n: st.tuples(*(session_st(f"s{i:02d}") for i in range(n)))),
    customers=customers_st,
    ledger=settings_st,
    by=st.sampled_from(GROUPINGS),
    months=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    kept=st.sets(st.integers(0, 40)),
)
def test_kept_sums_of_whole_months_add_up_to_the_same(
    sessions: tuple[Session, ...],
    customers: dict[str, Customer],
    ledger: Settings,
    by: str,
    months: tuple[int, int],
    kept: set[int],
) -> None:
    first, last = sorted(months)
    lo = datetime(2024, first, 1, tzinfo=BERLIN)
    hi = datetime(2024, last + 1, 1, tzinfo=BERLIN) if last < 12 else datetime(2025, 1, 1, tzinfo=BERLIN)
    span = (instant_us(lo), instant_us(hi))
    files = as_files(list(sessions))
    expected = tally(files, ledger, customers, by, span)
    # Some of the files that lie wholly in the period come as kept sums instead of figures.
    inside = [i for i, f in enumerate(files) if f"2024-{first:02d}" <= f.month <= f"2024-{last:02d}"]
    summed, figures = [], []
    for i, f in enumerate(files):
        sums = file_sums(f, ledger, customers.get(f.customer), by) if i in inside and i in kept else None
        if sums is None:
            figures.append(f)
        else:
            summed.append(sums)
    got = tally(figures, ledger, customers, by, span, summed=summed)
    if expected is None:
        return  # fractions of a cent or an id twice: left to Decimal either way
    assert got == expected


def test_the_rules_key_changes_with_every_rule_a_file_is_billed_by() -> None:
    base = Settings()
    acme = Customer("acme", rate=D("90.00"))
    key = rules_key(base, acme)
    assert key is not None and key == rules_key(Settings(), Customer("acme", rate=D("90.00")))
    changed = [
        rules_key(base, Customer("acme", rate=D("91.00"))),
        rules_key(base, Customer("acme", rate=D("90.00"), increment=15)),
        rules_key(base, Customer("acme", rate=D("90.00"), currency="CHF")),
        rules_key(base, Customer("acme", rate=D("90.00"), after_hours_factor=D("1.5"))),
        rules_key(Settings(included_minutes=60), acme),
        rules_key(Settings(business_hours=BusinessHours(end=time(17, 0))), acme),
        rules_key(Settings(business_hours=BusinessHours(days=frozenset(range(6)))), acme),
        rules_key(Settings(currency="CHF"), Customer("acme", rate=D("90.00"))),  # free sessions' currency
    ]
    assert key not in changed and None not in changed
    assert rules_key(base, Customer("acme", increment=0)) is None  # invalid: billed one by one, error as before

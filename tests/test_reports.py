"""Report rows: grouping, tag double counting, free time by reason, JSON shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sessionlog.billing import Line, bill
from sessionlog.model import Billed, Customer, Session, SessionlogError, Settings
from sessionlog.reports import GROUPINGS, Row, row_as_json, summarize, total, totals

BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal
# 60.00 an hour in steps of one minute: a billed minute is 1.00, which keeps the sums readable.
SETTINGS = Settings(rate=D("60.00"))
# beta has 30 included minutes a month, so charged minutes differ from billed ones.
CUSTOMERS = {"beta": Customer("beta", included_minutes=30)}


def sess(sid: str, customer: str, start: str, minutes: int, **kw: object) -> Session:
    begin = datetime.fromisoformat(start).replace(tzinfo=BERLIN)
    return Session(sid, customer, begin, begin + timedelta(minutes=minutes), **kw)  # type: ignore[arg-type]


def sample() -> list[Line]:
    sessions = [
        sess("a1", "acme", "2024-03-04 10:00", 30, supporter="Klaus", channel="remote", tags=("printer",)),
        sess(
            "a2",
            "acme",
            "2024-03-05 10:00",
            15,
            supporter="Anna",
            channel="phone",
            billable=False,
            free_reason="warranty",
            tags=("printer", "mail"),
        ),
        sess("a3", "acme", "2024-03-06 10:00", 10, supporter="Klaus", billable=False, free_reason="warranty"),
        sess("b1", "beta", "2024-04-02 10:00", 45, supporter="Klaus", channel="onsite"),
        # Written in UTC: 22:10Z on 31 March is 00:10 on 1 April in Berlin, so it counts for April.
        Session(
            "b2",
            "beta",
            datetime(2024, 3, 31, 22, 10, tzinfo=UTC),
            datetime(2024, 3, 31, 22, 30, tzinfo=UTC),
            supporter="Anna",
            billable=False,
            free_reason="goodwill",
            tags=("mail",),
        ),
    ]
    return bill(sessions, SETTINGS, CUSTOMERS, BERLIN)


def fields(row: Row) -> tuple[object, ...]:
    return (
        row.group,
        row.sessions,
        row.net_seconds,
        row.billable_seconds,
        row.billed_minutes,
        row.charged_minutes,
        row.amount,
        dict(row.free_seconds),
    )


def test_sample_lines() -> None:
    # a1: 30 billed, 30.00; b1: 45 billed, 30 included, 15 charged, 15.00; the rest free.
    got = [(line.session.id, line.billed_minutes, line.charged_minutes, line.amount) for line in sample()]
    assert got == [
        ("a1", 30, 30, D("30.00")),
        ("a2", 0, 0, D("0.00")),
        ("a3", 0, 0, D("0.00")),
        ("b2", 0, 0, D("0.00")),
        ("b1", 45, 15, D("15.00")),
    ]


def test_total() -> None:
    row = total(sample())
    # net: 30 + 15 + 10 + 45 + 20 minutes = 7200 s; billable: 30 + 45 minutes = 4500 s
    assert fields(row) == ("total", 5, 7200, 4500, 75, 45, D("45.00"), {"goodwill": 1200, "warranty": 1500})
    assert row.currency == "EUR"


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (
            "customer",
            [
                ("acme", 3, 3300, 1800, 30, 30, D("30.00"), {"warranty": 1500}),
                ("beta", 2, 3900, 2700, 45, 15, D("15.00"), {"goodwill": 1200}),
            ],
        ),
        (
            "supporter",
            [
                ("Anna", 2, 2100, 0, 0, 0, D("0.00"), {"goodwill": 1200, "warranty": 900}),
                ("Klaus", 3, 5100, 4500, 75, 45, D("45.00"), {"warranty": 600}),
            ],
        ),
        (
            # In UTC b2 would fall into March; in Berlin it is April.
            "month",
            [
                ("2024-03", 3, 3300, 1800, 30, 30, D("30.00"), {"warranty": 1500}),
                ("2024-04", 2, 3900, 2700, 45, 15, D("15.00"), {"goodwill": 1200}),
            ],
        ),
        (
            "channel",
            [
                ("onsite", 1, 2700, 2700, 45, 15, D("15.00"), {}),
                ("phone", 1, 900, 0, 0, 0, D("0.00"), {"warranty": 900}),
                ("remote", 3, 3600, 1800, 30, 30, D("30.00"), {"goodwill": 1200, "warranty": 600}),
            ],
        ),
        (
            # a2 has two tags and counts under both; a3 and b1 have none.
            "tag",
            [
                ("(untagged)", 2, 3300, 2700, 45, 15, D("15.00"), {"warranty": 600}),
                ("mail", 2, 2100, 0, 0, 0, D("0.00"), {"goodwill": 1200, "warranty": 900}),
                ("printer", 2, 2700, 1800, 30, 30, D("30.00"), {"warranty": 900}),
            ],
        ),
    ],
)
def test_summarize(by: str, expected: list[tuple[object, ...]]) -> None:
    rows = summarize(sample(), by, BERLIN)
    assert [fields(row) for row in rows] == expected
    assert all(row.currency == "EUR" for row in rows)


def test_rows_add_up_to_the_total_except_for_tags() -> None:
    lines = sample()
    whole = total(lines)
    for by in GROUPINGS:
        rows = summarize(lines, by, BERLIN)
        sums = (sum(r.sessions for r in rows), sum(r.net_seconds for r in rows), sum(r.amount for r in rows))
        if by == "tag":
            assert sums == (6, 8100, D("45.00"))  # a2 counted twice; its amount is 0.00
        else:
            assert sums == (whole.sessions, whole.net_seconds, whole.amount)


def test_a_repeated_tag_counts_once() -> None:
    lines = bill([sess("x", "acme", "2024-03-04 10:00", 5, supporter="K", tags=("vpn", "vpn"))], SETTINGS, {}, BERLIN)
    assert [fields(row) for row in summarize(lines, "tag", BERLIN)] == [
        ("vpn", 1, 300, 300, 5, 5, D("5.00"), {}),
    ]


def test_invalid_grouping_lists_the_choices() -> None:
    # `ticket` became a grouping (issue 14); a colour never will be.
    with pytest.raises(SessionlogError) as err:
        summarize(sample(), "colour", BERLIN)
    assert str(err.value) == (
        "--by must be one of customer, supporter, month, tag, channel, machine, contact, ticket, day, week, "
        "weekday, hour, not 'colour'"
    )


def test_no_lines() -> None:
    assert summarize([], "customer", BERLIN) == []
    assert fields(total([])) == ("total", 0, 0, 0, 0, 0, D("0.00"), {})


def test_mixed_currencies_are_never_added_up() -> None:
    frozen = Billed(60, 0, 60, D("80.00"), D("80.00"), "CHF")
    lines = bill(
        [
            sess("a", "acme", "2024-03-04 10:00", 60, supporter="K"),
            sess("b", "acme", "2024-03-05 10:00", 60, supporter="K", billed=frozen),
        ],
        SETTINGS,
        {},
        BERLIN,
    )
    with pytest.raises(SessionlogError, match=r"more than one currency \(CHF, EUR\)"):
        total(lines)
    rows = summarize(lines, "customer", BERLIN)
    # a: 60 min at the ledger's 60.00 = 60.00 EUR; b: frozen at 80.00 CHF
    assert [(r.group, r.currency, r.amount) for r in rows] == [("acme", "CHF", D("80.00")), ("acme", "EUR", D("60.00"))]
    assert [(r.currency, r.amount, r.sessions) for r in totals(lines)] == [
        ("CHF", D("80.00"), 1),
        ("EUR", D("60.00"), 1),
    ]


def test_row_as_json() -> None:
    rows = summarize(sample(), "customer", BERLIN)
    data = row_as_json(rows[0])
    assert data == {
        "group": "acme",
        "sessions": 3,
        "net_seconds": 3300,
        "billable_seconds": 1800,
        "billed_minutes": 30,
        "charged_minutes": 30,
        "amount": "30.00",
        "currency": "EUR",
        "free_seconds": {"warranty": 1500},
    }
    assert json.loads(json.dumps(data)) == data  # serializable as is, no Decimal inside


@pytest.mark.parametrize(("amount", "text"), [(D("22.5"), "22.50"), (D("0"), "0.00"), (D("1E+3"), "1000.00")])
def test_row_as_json_amount_is_a_two_place_decimal_string(amount: Decimal, text: str) -> None:
    row = Row("x", 1, 60, 60, 1, 1, amount, "EUR", {})
    assert row_as_json(row)["amount"] == text

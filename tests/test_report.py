"""`sessionlog report [PERIOD]`: totals per group, as a table, JSON or CSV, through the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing_helpers import TOTAL, Book, March, money, new_book, read_csv, stderr_total
from billing_helpers import march as build_march
from harness import table_cells

KEYS = {
    "group",
    "sessions",
    "net_seconds",
    "billable_seconds",
    "billed_minutes",
    "amount",
    "currency",
    "free_seconds",
}


def report_json(book: Book, *args: str, **kwargs: Any) -> list[dict[str, Any]]:
    result = book.ok("report", *args, "--format", "json", **kwargs)
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def march_with_free(tmp_path: Path) -> March:
    m = build_march(tmp_path)
    # 06.03.2024 10:00-10:30 free under warranty: 1800 s of free time, no money
    m.ids["free"] = m.book.add("ACME", "06.03.2024 10:00", "06.03.2024 10:30", "--free", "warranty")
    return m


# --- JSON -----------------------------------------------------------------------------


def test_report_by_customer_json(tmp_path: Path) -> None:
    m = march_with_free(tmp_path)
    rows = report_json(m.book, "2024-03", "--by", "customer")
    assert [r["group"] for r in rows] == ["acme", "delta", "gamma"]
    for r in rows:
        assert set(r) >= KEYS, r
        assert isinstance(r["amount"], str)
    acme, delta, gamma = rows
    # acme: 12m22s = 742 s billable (15 min, 22.50) + 30 min = 1800 s free under warranty
    assert acme["sessions"] == 2
    assert (acme["net_seconds"], acme["billable_seconds"]) == (742 + 1800, 742)
    assert (acme["billed_minutes"], acme["amount"], acme["currency"]) == (15, "22.50", "EUR")
    assert acme["free_seconds"] == {"warranty": 1800}
    # delta: 60 + 30 + 60 + 60 min = 210 min = 12600 s; 150 + 75 + 100 + 150 = 475.00
    assert (delta["sessions"], delta["net_seconds"], delta["billable_seconds"]) == (4, 12600, 12600)
    assert (delta["billed_minutes"], delta["amount"], delta["free_seconds"]) == (210, "475.00", {})
    # gamma: 45 + 37 min = 4920 s; billed 45 + 35 = 80 min; 20 charged after the 60 included -> 26.67
    assert (gamma["sessions"], gamma["net_seconds"], gamma["billed_minutes"]) == (2, 4920, 80)
    assert gamma["amount"] == "26.67"


def test_report_amounts_add_up_to_the_invoice_total(tmp_path: Path) -> None:
    m = march_with_free(tmp_path)
    rows = report_json(m.book, "2024-03", "--by", "customer")
    invoice = m.book.ok("invoice", "2024-03", "--profile", "en")
    assert sum(Decimal(r["amount"]) for r in rows) == stderr_total(invoice) == TOTAL


def test_report_a_year_by_customer_and_by_month(tmp_path: Path) -> None:
    m = march_with_free(tmp_path)
    # 28.02.2024 15:00-15:20: 20 min -> up to 15 -> 30 min x 90 / 60 = 45.00
    m.book.add("ACME", "28.02.2024 15:00", "28.02.2024 15:20")
    m.book.add("ACME", "02.01.2025 10:00", "02.01.2025 11:00")  # another year: not in 2024

    result = m.book.ok("report", "2024", "--by", "customer")
    cells = {r[0]: r for r in table_cells(result.stdout)}
    assert set(cells) == {"group", "acme", "delta", "gamma", "total"}
    # acme over the year: 22.50 + 45.00 = 67.50; everything: 524.17 + 45.00 = 569.17
    assert "67.50" in cells["acme"]
    assert "569.17" in cells["total"]
    assert cells["total"][1] == "9"  # 7 billable + 1 free in March, 1 in February; not the 2025 one

    by_month = report_json(m.book, "2024", "--by", "month")
    assert [(r["group"], r["sessions"], r["amount"]) for r in by_month] == [
        ("2024-02", 1, "45.00"),
        ("2024-03", 8, "524.17"),
    ]
    assert by_month[1]["free_seconds"] == {"warranty": 1800}


def test_report_by_supporter(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    # Wednesday 06.03.2024 10:00-10:45 by Eva Weiß for DELTA: 45 min x 100 / 60 = 75.00
    m.book.add("DELTA", "06.03.2024 10:00", "06.03.2024 10:45", supporter="Eva Weiß")
    rows = report_json(m.book, "2024-03", "--by", "supporter")
    assert [(r["group"], r["sessions"], r["amount"]) for r in rows] == [
        ("Eva Weiß", 1, "75.00"),
        ("Klaus Hörner", 7, "524.17"),
    ]


def _tag_ledger(tmp_path: Path) -> Book:
    # the ledger default rate: 60.00 an hour, per started minute -> one minute costs 1.00
    book = new_book(tmp_path, 'timezone = "Europe/Berlin"\n\n[billing]\nrate = "60"\n')
    book.add("SHOP", "01.03.2024 10:00", "01.03.2024 10:10", "--tag", "drucker", "--tag", "netz", "--new")
    book.add("SHOP", "04.03.2024 10:00", "04.03.2024 10:20", "--tag", "drucker", "--channel", "phone")
    book.add("SHOP", "05.03.2024 10:00", "05.03.2024 10:30", "--channel", "onsite")
    book.add(
        "SHOP", "06.03.2024 10:00", "06.03.2024 10:40", "--tag", "drucker", "--channel", "phone", "--free", "goodwill"
    )
    return book


def test_report_by_tag_counts_a_session_under_each_of_its_tags(tmp_path: Path) -> None:
    book = _tag_ledger(tmp_path)
    rows = report_json(book, "2024-03", "--by", "tag")
    got = {r["group"]: (r["sessions"], r["net_seconds"], r["amount"], r["free_seconds"]) for r in rows}
    assert got == {
        # 10 + 20 min billable (10.00 + 20.00) and 40 min free: 600 + 1200 + 2400 = 4200 s
        "drucker": (3, 4200, "30.00", {"goodwill": 2400}),
        "netz": (1, 600, "10.00", {}),
        "(untagged)": (1, 1800, "30.00", {}),
    }
    # the table's total counts each session once: 4 sessions, 10 + 20 + 30 = 60.00, not 70.00
    cells = {r[0]: r for r in table_cells(book.ok("report", "2024-03", "--by", "tag").stdout)}
    assert cells["total"][1] == "4"
    assert "60.00" in cells["total"]


def test_report_by_channel(tmp_path: Path) -> None:
    book = _tag_ledger(tmp_path)
    rows = report_json(book, "2024-03", "--by", "channel")
    assert [(r["group"], r["sessions"], r["amount"], r["free_seconds"]) for r in rows] == [
        ("onsite", 1, "30.00", {}),
        ("phone", 2, "20.00", {"goodwill": 2400}),
        ("remote", 1, "10.00", {}),
    ]


# --- the table ---------------------------------------------------------------------------


def test_report_table_has_a_totals_row(tmp_path: Path) -> None:
    m = march_with_free(tmp_path)
    result = m.book.ok("report", "2024-03", "--by", "customer")
    assert result.stderr == ""
    assert "2024-03 by customer" in result.stdout
    rows = table_cells(result.stdout)
    assert [r[0] for r in rows] == ["group", "acme", "delta", "gamma", "total"]
    header, *body = rows
    total = dict(zip(header, body[-1], strict=True))
    # 8 sessions; 524.17; billed 15 + 210 + 80 = 305 min; charged 15 + 210 + 20 = 245 min
    assert total["sessions"] == "8"
    assert total["amount"] == "524.17"
    assert total["billed min"] == "305"
    assert total["charged min"] == "245"
    assert "warranty 0:30:00" in total["free (by reason)"]
    assert sum(money(dict(zip(header, r, strict=True))["amount"]) for r in body[:-1]) == Decimal("524.17")


def test_report_without_period_is_the_current_month(tmp_path: Path) -> None:
    m = march_with_free(tmp_path)
    march = report_json(m.book, "2024-03")
    assert report_json(m.book, now="2024-03-15T12:00:00+01:00") == march
    assert report_json(m.book, now="2024-04-01T00:30:00+02:00") == []
    table = m.book.ok("report", now="2024-03-31T23:30:00+02:00").stdout
    assert "524.17" in table


def test_report_customer_filter(tmp_path: Path) -> None:
    m = march_with_free(tmp_path)
    rows = report_json(m.book, "2024-03", "--customer", "gamma", "--by", "month")
    assert [(r["group"], r["sessions"], r["amount"]) for r in rows] == [("2024-03", 2, "26.67")]


def test_report_as_german_csv(tmp_path: Path) -> None:
    m = march_with_free(tmp_path)
    data = m.book.ok("report", "2024-03", "--format", "csv", "--profile", "de").stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_csv(data, "de")
    assert [(r["Gruppe"], r["Betrag"]) for r in rows] == [("acme", "22,50"), ("delta", "475,00"), ("gamma", "26,67")]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "match"),
    [
        (["2024-03", "--by", "color"], 2, "'color' is not one of 'customer', 'supporter', 'month', 'tag', 'channel'"),
        (["2024-03", "--format", "xml"], 2, "'xml' is not one of 'table', 'csv', 'json'"),
        (["abc"], 1, "cannot read period 'abc'"),
        (["2024-13"], 1, "there is no month 13"),
        (["2024-03", "--customer", "ZETA"], 1, "no customer 'zeta'"),
    ],
    ids=["by-color", "format-xml", "period-abc", "month-13", "unknown-customer"],
)
def test_report_bad_input(tmp_path: Path, args: list[str], code: int, match: str) -> None:
    m = march_with_free(tmp_path)
    line = m.book.refused("report", *args, code=code, match=match)
    assert args[-1].lower() in line.lower()

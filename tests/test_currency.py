"""A customer billed in another currency: its amounts are never added to the others."""

from __future__ import annotations

import json
from pathlib import Path

from billing_helpers import new_book, read_csv
from harness import table_cells


def test_a_customer_in_another_currency_keeps_its_own_totals(tmp_path: Path) -> None:
    book = new_book(tmp_path)
    book.ok("customer", "add", "ACME", "--rate", "90")
    book.ok("customer", "add", "ZUERI", "--name", "Zürich AG", "--rate", "120", "--currency", "chf")
    book.add("ACME", "04.03.2024 10:00", "04.03.2024 11:00")  # 60 min at 90.00 = 90.00 EUR
    book.add("ZUERI", "05.03.2024 10:00", "05.03.2024 10:30")  # 30 min at 120.00 = 60.00 CHF
    book.add("ZUERI", "06.03.2024 10:00", "06.03.2024 10:15", "--free", "goodwill")

    result = book.ok("invoice", "2024-03", "--profile", "en", "--include-free")
    rows = read_csv(result.stdout_bytes, "en")
    assert [(r["customer"], r["amount"], r["currency"]) for r in rows] == [
        ("acme", "90.00", "EUR"),
        ("zueri", "60.00", "CHF"),
        ("zueri", "0.00", "CHF"),
    ]
    assert "total 60.00 CHF + 90.00 EUR" in result.stderr

    report = json.loads(book.ok("report", "2024-03", "--by", "month", "--format", "json").stdout)
    assert [(r["group"], r["amount"], r["currency"]) for r in report] == [
        ("2024-03", "60.00", "CHF"),
        ("2024-03", "90.00", "EUR"),
    ]
    table = book.ok("report", "2024-03", "--by", "month").stdout
    assert [row[0] for row in table_cells(table) if "total" in row] == ["total", "total"]

    config = (book.root / "customers" / "zueri" / "customer.toml").read_text("utf-8")
    assert 'currency = "CHF"' in config


def test_a_currency_that_is_not_a_code_is_refused(tmp_path: Path) -> None:
    book = new_book(tmp_path)
    book.refused("customer", "add", "ZUERI", "--currency", "Franken", match="--currency must be a three-letter code")

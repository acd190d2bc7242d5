"""`list`: periods, filters and the three output formats."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from conftest import Ledger

JSON_KEYS = {
    "id", "customer", "start", "end", "duration_seconds", "supporter", "contact", "machine", "channel", "note",
    "billable", "free_reason", "tags", "ticket", "invoice", "source", "billed_minutes", "amount", "currency",
}  # fmt: skip


def test_json_has_every_published_key_with_the_right_values(ledger: Ledger) -> None:
    # 60 EUR per hour in quarter hours rounded up: 37 minutes bill as 45 minutes = 45.00 EUR.
    ledger.ok("customer", "add", "acme", "--rate", "60", "--increment", "15", "--rounding", "up")
    sid = ledger.add(
        "acme", "01.03.2024 10:00", "01.03.2024 10:37",
        "--contact", "Herr Horst Maier", "--machine", "PC-Buchhaltung", "--channel", "phone",
        "--note", "IE aktualisiert", "--tag", "browser", "--tag", "update", "--ticket", "T-2024-0113",
    )  # fmt: skip
    [s] = ledger.sessions()
    assert s.keys() >= JSON_KEYS
    assert s["id"] == sid
    assert s["customer"] == "acme"
    assert s["start"] == "2024-03-01T10:00:00+01:00"
    assert s["end"] == "2024-03-01T10:37:00+01:00"
    assert s["duration_seconds"] == 37 * 60
    assert s["supporter"] == "Klaus Hörner"
    assert s["contact"] == "Herr Horst Maier"
    assert s["machine"] == "PC-Buchhaltung"
    assert s["channel"] == "phone"
    assert s["note"] == "IE aktualisiert"
    assert s["billable"] is True
    assert s["free_reason"] is None
    assert s["tags"] == ["browser", "update"]
    assert s["ticket"] == "T-2024-0113"
    assert s["invoice"] is None
    assert s["source"] is None
    assert s["billed_minutes"] == 45
    assert Decimal(str(s["amount"])) == Decimal("45.00")
    assert s["currency"] == "EUR"


def test_json_of_a_free_session(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "60")
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:30", "--free", "warranty")
    [s] = ledger.sessions()
    assert (s["billable"], s["free_reason"]) == (False, "warranty")
    assert s["duration_seconds"] == 1800
    assert not s["amount"] or Decimal(str(s["amount"])) == 0  # nothing to charge for warranty work


def test_json_of_a_running_session_has_no_end_and_no_duration(ledger: Ledger) -> None:
    ledger.add("acme", "05.03.2024 08:00", "05.03.2024 09:00")
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    sessions = ledger.sessions()
    assert len(sessions) == 2
    running = next(s for s in sessions if s["start"] == "2024-03-05T10:00:00+01:00")
    assert running["end"] is None
    assert running["duration_seconds"] is None
    done = next(s for s in sessions if s is not running)
    assert done["duration_seconds"] == 3600


@pytest.fixture
def spread(ledger: Ledger) -> dict[str, str]:
    """Sessions around NOW (Tuesday 05.03.2024 12:00), name -> id."""
    days = {
        "dec2023": ("31.12.2023 10:00", "acme", "Klaus Hörner"),
        "feb29": ("29.02.2024 10:00", "acme", "Klaus Hörner"),
        "mar01": ("01.03.2024 10:00", "beta", "Anna Schmidt"),
        "mon": ("04.03.2024 10:00", "acme", "Anna Schmidt"),
        "today": ("05.03.2024 09:00", "beta", "Klaus Hörner"),
        "sun": ("10.03.2024 23:00", "acme", "Klaus Hörner"),
        "next_mon": ("11.03.2024 00:30", "acme", "Klaus Hörner"),
        "dec2024": ("31.12.2024 10:00", "beta", "Klaus Hörner"),
    }
    return {
        name: ledger.ok("add", customer, "--start", start, "--duration", "30m", supporter=who).stdout.strip()
        for name, (start, customer, who) in days.items()
    }


def _names(ledger: Ledger, spread: dict[str, str], *args: str) -> set[str]:
    by_id = {v: k for k, v in spread.items()}
    return {by_id[s["id"]] for s in ledger.json("list", *args)}


def test_period_month(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread, "2024-03") == {"mar01", "mon", "today", "sun", "next_mon"}


def test_default_period_is_the_current_month(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread) == _names(ledger, spread, "2024-03")


def test_period_year(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread, "2024") == set(spread) - {"dec2023"}


def test_period_today(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread, "today") == {"today"}


def test_period_week_is_monday_to_sunday(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread, "week") == {"mon", "today", "sun"}


def test_from_to_includes_the_to_day(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread, "--from", "01.03.2024", "--to", "04.03.2024") == {"mar01", "mon"}
    assert _names(ledger, spread, "--from", "2024-02-29", "--to", "2024-03-01") == {"feb29", "mar01"}


def test_from_without_to_is_open_ended(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread, "--from", "10.03.2024") == {"sun", "next_mon", "dec2024"}


def test_filter_by_customer(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread, "2024", "--customer", "BETA") == {"mar01", "today", "dec2024"}


def test_filter_by_supporter(ledger: Ledger, spread: dict[str, str]) -> None:
    assert _names(ledger, spread, "2024", "--supporter", "Anna Schmidt") == {"mar01", "mon"}


def test_filter_by_unknown_customer_is_refused(ledger: Ledger, spread: dict[str, str]) -> None:
    ledger.refused("list", "2024", "--customer", "nobody", match="no customer 'nobody'")


def test_period_and_from_together_are_refused(ledger: Ledger, spread: dict[str, str]) -> None:
    ledger.refused("list", "2024-03", "--from", "01.03.2024", match="give a PERIOD or --from/--to, not both")


def test_unreadable_period_is_refused(ledger: Ledger) -> None:
    ledger.refused("list", "irgendwann", match="cannot read period 'irgendwann'")


def test_an_empty_ledger_lists_an_empty_json_array(ledger: Ledger) -> None:
    result = ledger.ok("list", "2024-03", "--format", "json")
    assert json.loads(result.stdout) == []


def test_week_across_a_month_boundary_reads_both_months(ledger: Ledger) -> None:
    # Wednesday 28.02.2024: the week runs Monday 26.02. to Sunday 03.03.
    now = "2024-02-28T12:00:00+01:00"
    feb = ledger.add("acme", "26.02.2024 10:00", "26.02.2024 11:00")
    mar = ledger.add("acme", "03.03.2024 10:00", "03.03.2024 11:00")
    ledger.add("acme", "04.03.2024 10:00", "04.03.2024 11:00")
    assert [s["id"] for s in ledger.json("list", "week", now=now)] == [feb, mar]


def test_csv_parses_with_the_csv_module(ledger: Ledger) -> None:
    note = 'Drucker, "Büro"; neu gestartet'
    sid = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:45", "--note", note)
    ledger.add("beta", "02.03.2024 10:00", "02.03.2024 10:15")
    result = ledger.ok("list", "2024-03", "--format", "csv", "--profile", "en")
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == 2
    first = rows[0]
    assert first["id"] == sid
    assert first["customer"] == "acme"
    assert first["note"] == note
    assert rows[1]["customer"] == "beta"


def test_csv_german_profile_uses_semicolons(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:45", "--note", "Drucker; neu")
    result = ledger.ok("list", "2024-03", "--format", "csv", "--profile", "de")
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert len(rows) == 2
    assert "Drucker; neu" in rows[1]
    assert len(rows[0]) == len(rows[1])


def test_table_goes_to_stdout_and_the_count_to_stderr(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:45", "--note", "Drucker")
    result = ledger.ok("list", "2024-03")
    assert "Drucker" in result.stdout
    assert "1 session" in result.stderr
    assert "1 session" not in result.stdout


def test_unknown_format_is_a_usage_error(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:45")
    ledger.refused("list", "2024-03", "--format", "xml", code=2, match="'xml' is not one of 'table', 'csv', 'json'")


def test_a_broken_file_is_warned_about_and_the_rest_is_listed(ledger: Ledger) -> None:
    ledger.add("beta", "01.03.2024 10:00", "01.03.2024 10:45")
    broken = ledger.write("customers/acme/2024-03.toml", "[[session]\nid = 'x'\n")
    before = ledger.snapshot()
    result = ledger.run("list", "2024-03", "--format", "json")
    assert result.exit_code == 1  # shows what it can read, but says the list is not whole
    assert "warning" in result.stderr
    assert f"{broken}:1:" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: 1 problem(s)")
    assert [s["customer"] for s in json.loads(result.stdout)] == ["beta"]
    assert ledger.snapshot() == before

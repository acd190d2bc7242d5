"""`sessionlog invoice MONTH`: the month's billable lines as CSV, through the CLI.

The ledger is built with the acceptance commands of the issue (see billing_helpers.march, where
every expected amount is worked out by hand).
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from billing_helpers import (
    AMOUNTS,
    DE_HEADER,
    EN_HEADER,
    ORDER,
    SUPPORTER,
    TOTAL,
    money,
    new_book,
    one_error,
    read_csv,
    stderr_total,
)
from billing_helpers import march as build_march

BOM = b"\xef\xbb\xbf"


def _ids_in_order(m_ids: dict[str, str], rows: list[dict[str, str]]) -> list[str]:
    """The session column as the names of billing_helpers.march (unknown ids as they are)."""
    by_id = {v: k for k, v in m_ids.items()}
    return [by_id.get(r["session"], r["session"]) for r in rows]


# --- the en profile ----------------------------------------------------------------------


def test_en_header_separator_and_no_bom(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    result = m.book.ok("invoice", "2024-03", "--profile", "en")
    data = result.stdout_bytes
    assert not data.startswith(BOM)
    assert data.split(b"\r\n")[0].decode() == EN_HEADER
    # nothing but CSV on stdout: the header and seven lines, each ended by CRLF
    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") == 1 + 7
    assert "total" not in result.stdout


def test_en_acme_line_in_full(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    rows = read_csv(m.book.ok("invoice", "2024-03", "--profile", "en").stdout_bytes, "en")
    acme = rows[0]
    # 10:22 to 10:34:22 = 12m22s; up to 15 -> 15 min; 15 x 90 / 60 = 22.50
    assert acme == {
        "invoice": "",
        "customer": "acme",
        "customer_name": "Fa. Walter Maier GmbH",
        "session": m.ids["acme"],
        "date": "2024-03-01",
        "start": "10:22",
        "end": "10:34",
        "duration": "0:12:22",
        "billed_minutes": "15",
        "included_minutes": "0",
        "charged_minutes": "15",
        "rate": "90.00",
        "amount": "22.50",
        "currency": "EUR",
        "supporter": SUPPORTER,
        "contact": "",
        "machine": "",
        "note": "IE aktualisiert",
        "ticket": "",
    }


def test_en_lines_sorted_by_customer_then_start_with_hand_computed_amounts(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    result = m.book.ok("invoice", "2024-03", "--profile", "en")
    rows = read_csv(result.stdout_bytes, "en")
    # added in a shuffled order; listed by customer key, then start
    assert _ids_in_order(m.ids, rows) == ORDER
    assert [r["customer"] for r in rows] == ["acme", "delta", "delta", "delta", "delta", "gamma", "gamma"]
    assert [r["date"] for r in rows] == [
        "2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05", "2024-03-04", "2024-03-05",
    ]  # fmt: skip
    assert {name: money(r["amount"]) for name, r in zip(ORDER, rows, strict=True)} == AMOUNTS
    # the stderr total is the sum of the amount column (524.17, see billing_helpers)
    assert stderr_total(result) == sum(money(r["amount"]) for r in rows) == TOTAL


def test_contract_minutes_are_used_up_in_start_order(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    rows = {r["session"]: r for r in read_csv(m.book.ok("invoice", "2024-03", "--profile", "en").stdout_bytes, "en")}
    g1, g2 = rows[m.ids["g1"]], rows[m.ids["g2"]]
    # 45 min, all of it inside the 60 included minutes
    assert (g1["billed_minutes"], g1["included_minutes"], g1["charged_minutes"], g1["amount"]) == (
        "45",
        "45",
        "0",
        "0.00",
    )
    # 37 min -> nearest 5 = 35; 60 - 45 = 15 left included; 35 - 15 = 20 charged; 20 x 80 / 60 = 26.67
    assert (g2["billed_minutes"], g2["included_minutes"], g2["charged_minutes"], g2["amount"]) == (
        "35", "15", "20", "26.67",
    )  # fmt: skip
    assert g1["rate"] == g2["rate"] == "80.00"


def test_after_hours_rate_on_weekends_and_from_six_pm(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    rows = {r["session"]: r for r in read_csv(m.book.ok("invoice", "2024-03", "--profile", "en").stdout_bytes, "en")}

    def rate_and_amount(name: str) -> tuple[str, str]:
        r = rows[m.ids[name]]
        return r["rate"], r["amount"]

    # 100 x 1.5 = 150.00 an hour outside Mon-Fri 08:00-18:00
    assert rate_and_amount("d_sat") == ("150.00", "150.00")  # Saturday, 60 min
    assert rate_and_amount("d_sun") == ("150.00", "75.00")  # Sunday, 30 min
    assert rate_and_amount("d_1800") == ("150.00", "150.00")  # Tuesday 18:00 sharp, 60 min
    assert rate_and_amount("d_1759") == ("100.00", "100.00")  # Monday 17:59 is still business hours


def test_a_session_across_the_clock_change_bills_the_time_that_really_passed(tmp_path: Path) -> None:
    book = new_book(tmp_path)
    book.ok("customer", "add", "DELTA", "--name", "Delta AG", "--rate", "100", "--after-hours-factor", "1.5")
    # Sunday 31 March 2024: 01:30 CET to 03:30 CEST is one real hour (02:00 -> 03:00 does not exist)
    book.add("DELTA", "2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+02:00")
    [row] = read_csv(book.ok("invoice", "2024-03", "--profile", "en").stdout_bytes, "en")
    # 60 min on a Sunday at 150/h = 150.00
    assert (row["duration"], row["billed_minutes"], row["amount"]) == ("1:00:00", "60", "150.00")


# --- which sessions ----------------------------------------------------------------------


def test_free_sessions_only_with_include_free_and_at_zero(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    free = m.book.add("ACME", "06.03.2024 10:00", "06.03.2024 10:30", "--free", "warranty", "--note", "Garantie")
    plain = m.book.ok("invoice", "2024-03", "--profile", "en")
    assert free not in plain.stdout
    assert stderr_total(plain) == TOTAL

    result = m.book.ok("invoice", "2024-03", "--profile", "en", "--include-free")
    rows = read_csv(result.stdout_bytes, "en")
    [line] = [r for r in rows if r["session"] == free]
    assert (line["customer"], line["amount"], line["charged_minutes"], line["note"]) == (
        "acme",
        "0.00",
        "0",
        "Garantie",
    )
    assert len(rows) == 8
    # a free line adds nothing: the total stays 524.17 and still equals the column's sum
    assert stderr_total(result) == sum(money(r["amount"]) for r in rows) == TOTAL


def test_a_running_session_is_left_out_with_a_warning(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    m.book.ok("start", "ACME", "--at", "15.03.2024 10:00", supporter="Eva Weiß")
    with (m.book.root / "running" / "eva-weiss.toml").open("rb") as f:
        [running] = tomllib.load(f)["session"]
    result = m.book.ok("invoice", "2024-03", "--profile", "en")
    rows = read_csv(result.stdout_bytes, "en")
    assert len(rows) == 7
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1
    assert "running" in warnings[0] and "Eva Weiß" in warnings[0] and "acme" in warnings[0]
    assert running["id"] in warnings[0]
    assert running["id"] not in result.stdout
    assert stderr_total(result) == TOTAL


def test_other_months_are_not_included(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    m.book.add("ACME", "29.02.2024 23:50", "01.03.2024 00:20")  # starts in February
    m.book.add("ACME", "01.04.2024 00:00", "01.04.2024 00:15")  # April, midnight sharp
    rows = read_csv(m.book.ok("invoice", "2024-03", "--profile", "en").stdout_bytes, "en")
    assert _ids_in_order(m.ids, rows) == ORDER
    # the February one: 30 min -> 30 x 90 / 60 = 45.00
    [feb] = read_csv(m.book.ok("invoice", "2024-02", "--profile", "en").stdout_bytes, "en")
    assert (feb["date"], feb["amount"]) == ("2024-02-29", "45.00")


def test_an_empty_month_gives_the_header_and_a_zero_total(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    result = m.book.ok("invoice", "2024-05", "--profile", "en")
    assert result.stdout_bytes == (EN_HEADER + "\r\n").encode()
    assert stderr_total(result) == Decimal("0.00")


def test_german_month_spelling_gives_the_same_invoice(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    iso = m.book.ok("invoice", "2024-03", "--profile", "de").stdout_bytes
    assert m.book.ok("invoice", "03.2024", "--profile", "de").stdout_bytes == iso


# --- the de profile ----------------------------------------------------------------------


def test_de_bytes_bom_semicolons_crlf_german_headers(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    result = m.book.ok("invoice", "2024-03", "--profile", "de")
    data = result.stdout_bytes
    assert data.startswith(BOM)
    assert data.endswith(b"\r\n")
    lines = data[len(BOM) :].split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in ln for ln in lines)  # every line ends CRLF (no multi-line notes here)
    assert lines[0].decode().split(";") == DE_HEADER
    assert b"22,50" in data and b"22.50" not in data
    acme = lines[1].decode().split(";")
    assert acme[:14] == [
        "", "acme", "Fa. Walter Maier GmbH", m.ids["acme"], "01.03.2024", "10:22", "10:34", "0:12:22",
        "15", "0", "15", "90,00", "22,50", "EUR",
    ]  # fmt: skip
    rows = read_csv(data, "de")
    assert [r["Datum"] for r in rows][:2] == ["01.03.2024", "02.03.2024"]
    assert rows[-1]["Betrag"] == "26,67"
    # the stderr total (with a '.', it is a message) is the sum of the Betrag column
    assert stderr_total(result) == sum(money(r["Betrag"]) for r in rows) == TOTAL


def test_profile_default_comes_from_the_ledger_settings(tmp_path: Path) -> None:
    m = build_march(tmp_path, 'timezone = "Europe/Berlin"\n\n[csv]\nprofile = "de"\n')
    assert (
        m.book.ok("invoice", "2024-03").stdout_bytes == m.book.ok("invoice", "2024-03", "--profile", "de").stdout_bytes
    )
    assert m.book.ok("invoice", "2024-03", "--profile", "en").stdout_bytes.startswith(b"invoice,")


NOTE = 'Drucker; "Büro"\nGrüße'


@pytest.mark.parametrize("profile", ["en", "de"])
def test_a_tricky_note_comes_back_exactly(tmp_path: Path, profile: str) -> None:
    book = new_book(tmp_path)
    book.ok("customer", "add", "MUELLER", "--name", 'Müller & Söhne; Büro "Süd"', "--rate", "60")
    sid = book.add("MUELLER", "01.03.2024 10:00", "01.03.2024 10:15", "--note", NOTE, "--contact", "Frau Weiß")
    data = book.ok("invoice", "2024-03", "--profile", profile).stdout_bytes
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if profile == "de" else ","))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    note, name = ("Notiz", "Kundenname") if profile == "de" else ("note", "customer_name")
    assert row[note] == NOTE
    assert row[name] == 'Müller & Söhne; Büro "Süd"'
    assert row["Ansprechpartner" if profile == "de" else "contact"] == "Frau Weiß"
    assert row["Sitzung" if profile == "de" else "session"] == sid
    # 15 min x 60 / 60 = 15.00
    assert money(row["Betrag" if profile == "de" else "amount"]) == Decimal("15.00")


@pytest.mark.parametrize("note", ['=HYPERLINK("http://evil.example/","Rechnung")', "+1", "-2", "@x"])
@pytest.mark.parametrize("profile", ["en", "de"])
def test_formula_injection_is_defused_but_numbers_are_not_touched(tmp_path: Path, note: str, profile: str) -> None:
    book = new_book(tmp_path)
    book.ok("customer", "add", "ACME", "--rate", "90")
    book.add("ACME", "01.03.2024 10:00", "01.03.2024 11:00", "--note", note)
    [row] = read_csv(book.ok("invoice", "2024-03", "--profile", profile).stdout_bytes, profile)
    if profile == "de":
        assert row["Notiz"] == "'" + note
        assert (row["Betrag"], row["Stundensatz"], row["Berechnete Minuten"]) == ("90,00", "90,00", "60")
    else:
        assert row["note"] == "'" + note
        assert (row["amount"], row["rate"], row["charged_minutes"]) == ("90.00", "90.00", "60")


# --- --summary -----------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["en", "de"])
def test_summary_one_row_per_customer_equal_to_its_lines(tmp_path: Path, profile: str) -> None:
    m = build_march(tmp_path)
    m.book.add("ACME", "06.03.2024 10:00", "06.03.2024 10:30", "--free", "goodwill")  # free: not on the invoice
    key, amount = ("Kunde", "Betrag") if profile == "de" else ("customer", "amount")
    lines = read_csv(m.book.ok("invoice", "2024-03", "--profile", profile).stdout_bytes, profile)
    result = m.book.ok("invoice", "2024-03", "--profile", profile, "--summary")
    summary = read_csv(result.stdout_bytes, profile)
    assert [r[key] for r in summary] == ["acme", "delta", "gamma"]
    for row in summary:
        mine = [money(ln[amount]) for ln in lines if ln[key] == row[key]]
        assert money(row[amount]) == sum(mine)
    # by hand: acme 22.50; delta 150 + 75 + 100 + 150 = 475.00; gamma 0 + 26.67 = 26.67
    assert [money(r[amount]) for r in summary] == [Decimal("22.50"), Decimal("475.00"), Decimal("26.67")]
    assert stderr_total(result) == sum(money(r[amount]) for r in summary) == TOTAL


def test_summary_counts_and_minutes(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    rows = {
        r["customer"]: r
        for r in read_csv(m.book.ok("invoice", "2024-03", "--profile", "en", "--summary").stdout_bytes, "en")
    }
    assert rows["acme"]["customer_name"] == "Fa. Walter Maier GmbH"
    assert rows["delta"]["sessions"] == "4"
    # delta: 60 + 30 + 60 + 60 = 210 min; gamma: billed 45 + 35 = 80, included 60, charged 20
    assert rows["delta"]["billed_minutes"] == "210"
    assert (rows["gamma"]["billed_minutes"], rows["gamma"]["included_minutes"], rows["gamma"]["charged_minutes"]) == (
        "80", "60", "20",
    )  # fmt: skip


# --- --customer ------------------------------------------------------------------------


def test_customer_filter(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    result = m.book.ok("invoice", "2024-03", "--profile", "en", "--customer", "GAMMA")
    rows = read_csv(result.stdout_bytes, "en")
    assert _ids_in_order(m.ids, rows) == ["g1", "g2"]
    # the contract is the same when the other customers are left out: 0.00 + 26.67
    assert stderr_total(result) == Decimal("26.67")
    summary = read_csv(
        m.book.ok("invoice", "2024-03", "--profile", "en", "--customer", "delta", "--summary").stdout_bytes, "en"
    )
    assert [(r["customer"], r["amount"]) for r in summary] == [("delta", "475.00")]


# --- bad input -----------------------------------------------------------------------------


def test_unknown_customer_is_refused(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    line = m.book.refused("invoice", "2024-03", "--customer", "ZETA", match="no customer 'zeta'")
    assert "zeta" in line.lower()
    line = m.book.refused("invoice", "2024-03", "--customer", "ACMY", "--finalize", match="no customer 'acmy'")
    assert "acme" in line  # a typo gets a suggestion


@pytest.mark.parametrize(
    ("month", "match"),
    [
        pytest.param("2024-13", "there is no month 13", id="2024-13"),
        pytest.param("abc", "cannot read month 'abc'", id="abc"),
        pytest.param("2024-00", "there is no month 0", id="2024-00"),
        pytest.param("2024", "cannot read month '2024'", id="2024"),
    ],
)
def test_bad_month_is_refused_with_one_line(tmp_path: Path, month: str, match: str) -> None:
    m = build_march(tmp_path)
    before = m.book.snapshot()
    result = m.book.run("invoice", month, "--profile", "en")
    assert result.exit_code in (1, 2)
    assert month in one_error(result, result.exit_code, match=match)
    result = m.book.run("invoice", month, "--finalize")
    assert result.exit_code in (1, 2)
    one_error(result, result.exit_code, match=match)
    assert m.book.snapshot() == before


@pytest.mark.parametrize("extra", [[], ["--summary"], ["--finalize"]])
def test_bad_profile_is_refused_before_anything_is_written(tmp_path: Path, extra: list[str]) -> None:
    m = build_march(tmp_path)
    # A value outside the choices is a usage error (exit 2), refused before the command runs.
    line = m.book.refused(
        "invoice", "2024-03", "--profile", "fr", *extra, code=2, match="'fr' is not one of 'de', 'en'"
    )
    assert "fr" in line
    assert not any(r.get("invoice") for r in m.book.records("delta", "2024-03"))


def test_missing_month_is_a_usage_error(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    result = m.book.run("invoice")
    assert result.exit_code == 2
    assert result.stdout_bytes == b""


# --- broken files ------------------------------------------------------------------------------


BROKEN_MONTH = """\
[[session]]
id = "zzbroken"
start = 2024-03-07T10:00:00+01:00
end = 2024-03-07T11:00:00+01:00 oops
supporter = "Klaus Hörner"
"""


def test_a_broken_month_file_refuses_the_invoice_unless_skipped_visibly(tmp_path: Path) -> None:
    """A bill that silently misses a broken file's sessions is worse than none: refused, and with
    --skip-broken the CSV's last row says what it leaves out, and the exit code is 3."""
    m = build_march(tmp_path)
    m.book.ok("customer", "add", "ZETA", "--rate", "60")
    m.book.write("customers/zeta/2024-03.toml", BROKEN_MONTH)
    line = m.book.refused("invoice", "2024-03", "--profile", "en", match="does not parse as TOML")
    assert "zeta/2024-03.toml:4" in line and "--skip-broken" in line
    result = m.book.run("invoice", "2024-03", "--profile", "en", "--skip-broken")
    assert result.exit_code == 3
    rows = read_csv(result.stdout_bytes, "en")
    assert _ids_in_order(m.ids, rows[:-1]) == ORDER
    assert rows[-1]["invoice"].startswith("INCOMPLETE: 1 problem(s) left out")
    assert "zeta/2024-03.toml:4" in rows[-1]["invoice"]
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1
    assert "zeta" in warnings[0] and "2024-03.toml:4" in warnings[0]
    assert stderr_total(result) == TOTAL
    assert result.stderr.splitlines()[-1].startswith("error: INCOMPLETE")


def test_a_broken_customer_file_is_not_billed_at_zero(tmp_path: Path) -> None:
    """A customer.toml that does not parse must not be ignored silently, with its sessions billed at
    the ledger default rate (0.00 here) instead of the customer's 90.00: the statement is refused."""
    book = new_book(tmp_path)
    book.ok("customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH", "--rate", "90", "--increment", "15")
    book.add("ACME", "01.03.2024 10:00", "01.03.2024 11:00", "--note", "Server")
    path = book.root / "customers" / "acme" / "customer.toml"
    path.write_bytes(path.read_bytes().replace(b'rate = "90.00"', b"rate = 90,00"))  # a hand edit gone wrong
    line = book.refused(
        "invoice", "2024-03", "--profile", "en", match=r"customer\.toml:2: does not parse as TOML.*--skip-broken"
    )
    assert "acme/customer.toml" in line


MISFILED = """\
[[session]]
id = "handmade"
start = 2024-03-31T22:30:00+00:00
end = 2024-03-31T23:30:00+00:00
supporter = "Klaus Hörner"
note = "von Hand nachgetragen"
billable = true
"""


def test_the_march_invoice_and_the_march_report_agree_on_a_hand_written_record(tmp_path: Path) -> None:
    """A record written by hand into zeta/2024-03.toml that starts at 00:30 on 1 April in Berlin
    (22:30 UTC on 31 March) must not land on the March invoice dated 2024-04-01 while
    `report 2024-03` leaves it out: both refuse, naming where it belongs, and with --skip-broken
    both leave it out the same way."""
    m = build_march(tmp_path)
    m.book.ok("customer", "add", "ZETA", "--rate", "60")
    m.book.write("customers/zeta/2024-03.toml", MISFILED)
    m.book.refused("invoice", "2024-03", "--profile", "en", match="handmade started in 2024-04")
    m.book.refused("report", "2024-03", match="handmade started in 2024-04")
    result = m.book.run("invoice", "2024-03", "--profile", "en", "--skip-broken")
    assert result.exit_code == 3
    rows = read_csv(result.stdout_bytes, "en")
    assert _ids_in_order(m.ids, rows[:-1]) == ORDER
    [warning] = [w for w in result.stderr.splitlines() if w.startswith("warning:")]
    assert "handmade" in warning and "2024-04" in warning
    report = m.book.run("report", "2024-03", "--format", "json", "--skip-broken")
    assert report.exit_code == 3
    assert "handmade" in report.stderr
    assert sum(Decimal(r["amount"]) for r in json.loads(report.stdout)) == stderr_total(result) == TOTAL

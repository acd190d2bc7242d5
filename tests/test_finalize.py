"""`sessionlog invoice MONTH --finalize`: invoice numbers, stamped and locked records, late sessions."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from billing_helpers import AMOUNTS, ORDER, TOTAL, Book, money, new_book, read_csv, stderr_total
from billing_helpers import march as build_march

NUMBER_OF = {"acme": "RE-2024-0001", "delta": "RE-2024-0002", "gamma": "RE-2024-0003"}


def all_records(book: Book) -> list[dict[str, Any]]:
    """Every [[session]] of every month file, read with tomllib."""
    out: list[dict[str, Any]] = []
    for path in sorted((book.root / "customers").glob("*/[0-9][0-9][0-9][0-9]-[0-9][0-9].toml")):
        with path.open("rb") as f:
            out += [{**r, "customer": path.parent.name} for r in tomllib.load(f).get("session", [])]
    return out


def test_finalize_numbers_one_invoice_per_customer_in_key_order_and_stamps_the_records(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    result = m.book.ok("invoice", "2024-03", "--finalize", "--profile", "de")
    rows = read_csv(result.stdout_bytes, "de")
    # the same lines as before, now each with its customer's number
    assert [r["Sitzung"] for r in rows] == [m.ids[n] for n in ORDER]
    assert [(r["Kunde"], r["Rechnung"]) for r in rows] == [(r["Kunde"], NUMBER_OF[r["Kunde"]]) for r in rows]
    assert [money(r["Betrag"]) for r in rows] == [AMOUNTS[n] for n in ORDER]
    assert stderr_total(result) == TOTAL
    for number in NUMBER_OF.values():
        assert number in result.stderr
    # every billable record of March carries its number in its month file
    for name in ORDER:
        customer = rows[ORDER.index(name)]["Kunde"]
        [record] = [r for r in m.book.records(customer, "2024-03") if r["id"] == m.ids[name]]
        assert record["invoice"] == NUMBER_OF[customer]
    text = m.book.month("acme", "2024-03").read_text(encoding="utf-8")
    assert 'invoice = "RE-2024-0001"' in text


def test_reexport_after_finalize_is_byte_identical_even_after_the_rates_change(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    issued = m.book.ok("invoice", "2024-03", "--finalize", "--profile", "de").stdout_bytes
    summary = m.book.ok("invoice", "2024-03", "--profile", "de", "--summary").stdout_bytes
    assert m.book.ok("invoice", "2024-03", "--profile", "de").stdout_bytes == issued
    # new rules for the customers do not change what was invoiced
    m.book.ok("customer", "edit", "GAMMA", "--rate", "200", "--included-minutes", "0")
    m.book.ok("customer", "edit", "ACME", "--increment", "1", "--minimum", "0")
    m.book.ok("customer", "edit", "DELTA", "--after-hours-factor", "2")
    again = m.book.ok("invoice", "2024-03", "--profile", "de")
    assert again.stdout_bytes == issued
    assert m.book.ok("invoice", "2024-03", "--profile", "de", "--summary").stdout_bytes == summary
    assert stderr_total(again) == TOTAL
    # and the report agrees with the frozen figures
    rows = m.book.ok("report", "2024-03", "--format", "json").stdout
    assert '"amount": "26.67"' in rows and '"amount": "22.50"' in rows


def test_invoiced_sessions_are_locked_unless_forced(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    m.book.ok("invoice", "2024-03", "--finalize", "--profile", "de")
    sid = m.ids["acme"]
    for args in (["edit", sid, "--note", "x"], ["delete", sid, "--yes"], ["edit", sid, "--duration", "2h"]):
        line = m.book.refused(*args, match=f"session {sid} is locked: it was invoiced")
        assert "locked" in line or "invoiced" in line
        assert "RE-2024-0001" in line

    m.book.ok("edit", sid, "--note", "x", "--force")
    [record] = m.book.records("acme", "2024-03")
    assert (record["note"], record["invoice"]) == ("x", "RE-2024-0001")

    m.book.ok("delete", m.ids["g1"], "--yes", "--force")
    assert [r["id"] for r in m.book.records("gamma", "2024-03")] == [m.ids["g2"]]


def test_forced_changes_to_invoiced_sessions_are_never_silent(tmp_path: Path) -> None:
    """Design: locked records change only with --force, "and never silently". The user must be
    told that the session was on an issued invoice, whose re-export now differs."""
    m = build_march(tmp_path)
    m.book.ok("invoice", "2024-03", "--finalize")
    edited = m.book.ok("edit", m.ids["acme"], "--note", "x", "--force")
    assert "RE-2024-0001" in edited.stderr
    deleted = m.book.ok("delete", m.ids["g1"], "--yes", "--force")
    assert "RE-2024-0003" in deleted.stderr, deleted.stderr


def test_free_sessions_are_not_stamped_and_stay_editable(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    free = m.book.add("ACME", "06.03.2024 10:00", "06.03.2024 10:30", "--free", "warranty")
    m.book.ok("invoice", "2024-03", "--finalize")
    [record] = [r for r in m.book.records("acme", "2024-03") if r["id"] == free]
    assert "invoice" not in record
    m.book.ok("edit", free, "--note", "Garantie")


def test_late_session_gets_a_new_number_and_nothing_is_billed_twice(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    first = m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en").stdout_bytes

    # 20.03.2024 09:00-09:10 for GAMMA: 10 min (nearest 5); the 60 included minutes are used up
    # by the invoiced 45 + 15, so all 10 are charged: 10 x 80 / 60 = 13.33
    late = m.book.add("GAMMA", "20.03.2024 09:00", "20.03.2024 09:10", "--note", "nachgetragen")
    result = m.book.ok("invoice", "2024-03", "--profile", "en")
    rows = read_csv(result.stdout_bytes, "en")
    [line] = [r for r in rows if r["session"] == late]
    assert line["invoice"] == ""
    assert (line["included_minutes"], line["charged_minutes"], line["amount"]) == ("0", "10", "13.33")
    warnings = [w for w in result.stderr.splitlines() if w.startswith("warning:")]
    assert len(warnings) == 1
    assert "gamma" in warnings[0] and "RE-2024-0003" in warnings[0] and "--finalize" in warnings[0]
    assert stderr_total(result) == sum(money(r["amount"]) for r in rows) == TOTAL + Decimal("13.33")

    second = m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en")
    rows = read_csv(second.stdout_bytes, "en")
    numbers = {r["session"]: r["invoice"] for r in rows}
    assert numbers[late] == "RE-2024-0004"
    assert {numbers[m.ids[n]] for n in ("g1", "g2")} == {"RE-2024-0003"}
    assert "RE-2024-0004" in second.stderr
    assert "RE-2024-0001" not in second.stderr  # nothing else was numbered again
    # the earlier lines are exactly as first issued
    earlier = [ln for ln in second.stdout_bytes.split(b"\r\n") if late.encode() not in ln]
    assert earlier == first.split(b"\r\n")
    assert not [w for w in second.stderr.splitlines() if w.startswith("warning:")]

    # no session is billed twice: each id once in the ledger and on the invoice, with one number
    records = all_records(m.book)
    assert Counter(r["id"] for r in records) == Counter({r["id"]: 1 for r in records})
    assert all(isinstance(r["invoice"], str) and r["invoice"].startswith("RE-2024-") for r in records)
    assert Counter(r["session"] for r in rows) == Counter({r["session"]: 1 for r in rows})
    assert Counter(r["invoice"] for r in records) == Counter(
        {"RE-2024-0001": 1, "RE-2024-0002": 4, "RE-2024-0003": 2, "RE-2024-0004": 1}
    )


def test_a_session_running_at_finalize_is_billed_later_under_a_new_number(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    m.book.ok("start", "DELTA", "--at", "15.03.2024 10:00", supporter="Eva Weiß")
    result = m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en")
    assert "running" in result.stderr
    assert len(read_csv(result.stdout_bytes, "en")) == 7
    # Friday 15.03.2024 10:00-10:45: 45 min x 100 / 60 = 75.00
    m.book.ok("stop", "--at", "15.03.2024 10:45", supporter="Eva Weiß")
    second = m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en")
    [line] = [r for r in read_csv(second.stdout_bytes, "en") if r["supporter"] == "Eva Weiß"]
    assert (line["invoice"], line["amount"]) == ("RE-2024-0004", "75.00")


def test_finalize_runs_at_the_same_time_issue_each_number_once(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    script = Path(sys.executable).parent / "sessionlog"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONLOG_")}
    env.update({k: v for k, v in m.book.env().items() if v is not None})
    runs = [
        subprocess.Popen(
            [str(script), "invoice", "2024-03", "--finalize", "--profile", "en"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [err for _, err in outputs]
    # one run numbered the month, the others found nothing left to do and printed the same lines
    assert len({out for out, _ in outputs}) == 1
    assert sum(b"nothing to finalize" in err for _, err in outputs) == 2
    numbers = Counter(r.get("invoice") for r in all_records(m.book))
    assert numbers == Counter({"RE-2024-0001": 1, "RE-2024-0002": 4, "RE-2024-0003": 2})


def test_finalizing_again_with_nothing_new_says_so_and_changes_nothing(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    first = m.book.ok("invoice", "2024-03", "--finalize", "--profile", "de").stdout_bytes
    before = m.book.snapshot()
    again = m.book.ok("invoice", "2024-03", "--finalize", "--profile", "de")
    assert "nothing to finalize" in again.stderr
    assert again.stdout_bytes == first
    assert m.book.snapshot() == before


def test_finalize_one_customer_then_the_rest(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    only = m.book.ok("invoice", "2024-03", "--finalize", "--customer", "GAMMA", "--profile", "en")
    assert {r["invoice"] for r in read_csv(only.stdout_bytes, "en")} == {"RE-2024-0001"}
    assert not any("invoice" in r for r in m.book.records("acme", "2024-03") + m.book.records("delta", "2024-03"))
    rest = read_csv(m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en").stdout_bytes, "en")
    assert {r["customer"]: r["invoice"] for r in rest} == {
        "acme": "RE-2024-0002",
        "delta": "RE-2024-0003",
        "gamma": "RE-2024-0001",
    }


def test_numbers_continue_through_the_year_and_restart_with_the_next(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    m.book.ok("invoice", "2024-03", "--finalize")
    m.book.add("ACME", "02.04.2024 10:00", "02.04.2024 10:10")
    m.book.add("ACME", "02.01.2025 10:00", "02.01.2025 10:10")
    april = read_csv(m.book.ok("invoice", "2024-04", "--finalize", "--profile", "en").stdout_bytes, "en")
    assert [r["invoice"] for r in april] == ["RE-2024-0004"]
    january = read_csv(m.book.ok("invoice", "2025-01", "--finalize", "--profile", "en").stdout_bytes, "en")
    assert [r["invoice"] for r in january] == ["RE-2025-0001"]


def test_the_invoice_pattern_of_the_ledger_is_used(tmp_path: Path) -> None:
    settings = 'timezone = "Europe/Berlin"\n\n[invoice]\npattern = "INV-{customer}-{seq:03d}"\n'
    m = build_march(tmp_path, settings)
    rows = read_csv(m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en").stdout_bytes, "en")
    assert {r["customer"]: r["invoice"] for r in rows} == {
        "acme": "INV-ACME-001",
        "delta": "INV-DELTA-001",
        "gamma": "INV-GAMMA-001",
    }
    late = m.book.add("GAMMA", "20.03.2024 09:00", "20.03.2024 09:10")
    rows = read_csv(m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en").stdout_bytes, "en")
    assert {r["session"]: r["invoice"] for r in rows}[late] == "INV-GAMMA-002"
    [record] = [r for r in m.book.records("gamma", "2024-03") if r["id"] == late]
    assert record["invoice"] == "INV-GAMMA-002"


def test_numbering_starts_at_the_configured_first_number(tmp_path: Path) -> None:
    m = build_march(tmp_path, 'timezone = "Europe/Berlin"\n\n[invoice]\nfirst = 100\n')
    rows = read_csv(m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en").stdout_bytes, "en")
    assert {r["customer"]: r["invoice"] for r in rows} == {
        "acme": "RE-2024-0100",
        "delta": "RE-2024-0101",
        "gamma": "RE-2024-0102",
    }


JANUARY = """\
# taken over from the old invoicing program
[[session]]
id = "oldjan01"
start = 2024-01-15T10:00:00+01:00
end = 2024-01-15T11:00:00+01:00
supporter = "Klaus Hörner"
note = "Altdaten"
billable = true
invoice = "RE-2024-0041"

[session.billed]
billed_minutes = 60
included_minutes = 0
charged_minutes = 60
rate = "90.00"
amount = "90.00"
currency = "EUR"
"""


def test_numbers_continue_after_the_highest_one_in_the_files(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    m.book.write("customers/acme/2024-01.toml", JANUARY)
    rows = read_csv(m.book.ok("invoice", "2024-03", "--finalize", "--profile", "en").stdout_bytes, "en")
    assert {r["customer"]: r["invoice"] for r in rows} == {
        "acme": "RE-2024-0042",
        "delta": "RE-2024-0043",
        "gamma": "RE-2024-0044",
    }
    # the old record is left as it was, comment and all
    assert m.book.month("acme", "2024-01").read_bytes() == JANUARY.encode()


def test_a_bad_invoice_pattern_stops_finalize_but_not_the_statement(tmp_path: Path) -> None:
    m = build_march(tmp_path, 'timezone = "Europe/Berlin"\n\n[invoice]\npattern = "RE-{seq:04d}-{kunde}"\n')
    line = m.book.refused(
        "invoice",
        "2024-03",
        "--finalize",
        "--profile",
        "de",
        match="invoice pattern '.*' must use {seq} and only year, month, customer, seq",
    )
    assert "pattern" in line and "kunde" in line
    assert stderr_total(m.book.ok("invoice", "2024-03", "--profile", "de")) == TOTAL


BROKEN = """\
[[session]]
id = "zzbroken"
start = 2024-03-07T10:00:00+01:00
end = 2024-03-07T11:00:00+01:00
supporter = "Klaus Hörner"
note = "Server neu
billable = true
"""


def test_a_broken_month_file_of_another_customer_stops_finalize(tmp_path: Path) -> None:
    m = build_march(tmp_path)
    m.book.ok("customer", "add", "ZETA", "--rate", "60")
    m.book.write("customers/zeta/2024-03.toml", BROKEN)
    line = m.book.refused(
        "invoice",
        "2024-03",
        "--finalize",
        "--profile",
        "de",
        match=r"2024-03\.toml:6: does not parse as TOML.*fix it before finalizing\)$",
    )
    assert "zeta" in line and "2024-03.toml" in line
    assert not any("invoice" in r for c in ("acme", "delta", "gamma") for r in m.book.records(c, "2024-03"))
    # without --finalize the month is refused too, unless the user skips the file knowingly
    line = m.book.refused("invoice", "2024-03", "--profile", "de", match="does not parse as TOML")
    assert "zeta" in line and "--skip-broken" in line
    shown = m.book.run("invoice", "2024-03", "--profile", "de", "--skip-broken")
    assert shown.exit_code == 3
    assert stderr_total(shown) == TOTAL
    assert "zeta" in shown.stderr


def test_a_broken_customer_file_stops_finalize(tmp_path: Path) -> None:
    """Without its customer.toml ACME's rates are unknown: billing it at the ledger default (0.00)
    and freezing that into the records for good would be worse than refusing."""
    m = build_march(tmp_path)
    path = m.book.root / "customers" / "acme" / "customer.toml"
    path.write_bytes(path.read_bytes().replace(b'rate = "90.00"', b"rate = 90,00"))  # a hand edit gone wrong
    line = m.book.refused(
        "invoice",
        "2024-03",
        "--finalize",
        "--profile",
        "de",
        match=r"customer\.toml:2: does not parse as TOML.*fix it before finalizing\)$",
    )
    assert "customer.toml" in line


def test_finalize_never_issues_a_number_again_that_a_broken_file_holds(tmp_path: Path) -> None:
    """The numbers already used are read from the year's month files; one that does not parse may
    hold a number, so finalize refuses rather than issue it a second time."""
    book = new_book(tmp_path)
    book.ok("customer", "add", "ACME", "--rate", "90")
    book.ok("customer", "add", "GAMMA", "--rate", "80")
    book.add("ACME", "10.01.2024 10:00", "10.01.2024 11:00")
    book.add("GAMMA", "04.03.2024 10:00", "04.03.2024 11:00")
    [jan] = read_csv(book.ok("invoice", "2024-01", "--finalize", "--profile", "en").stdout_bytes, "en")
    assert jan["invoice"] == "RE-2024-0001"
    # a hand edit breaks January's file (an unclosed string)
    path = book.month("acme", "2024-01")
    path.write_bytes(path.read_bytes().replace(b'note = ""', b'note = "Server neu'))

    # refused, so RE-2024-0001 is not issued a second time (to GAMMA for March)
    line = book.refused(
        "invoice", "2024-03", "--finalize", "--profile", "en", match=r"2024-01\.toml:7: .*fix it before finalizing"
    )
    assert "acme/2024-01.toml" in line
    assert not any("invoice" in r for r in book.records("gamma", "2024-03"))


MISFILED = """\
[[session]]
id = "handmade"
start = 2024-03-31T22:30:00+00:00
end = 2024-03-31T23:30:00+00:00
supporter = "Klaus Hörner"
note = "von Hand nachgetragen"
billable = true
"""


def test_finalize_stamps_all_or_nothing(tmp_path: Path) -> None:
    """A record written by hand into zeta/2024-03.toml whose start is 00:30 on 1 April in Berlin
    must not make --finalize stamp some customers and then fail on zeta (half a month invoiced):
    it refuses before writing anything."""
    m = build_march(tmp_path)
    m.book.ok("customer", "add", "ZETA", "--rate", "60")
    m.book.write("customers/zeta/2024-03.toml", MISFILED)
    line = m.book.refused(
        "invoice", "2024-03", "--finalize", "--profile", "en", match="session handmade started in 2024-04"
    )
    assert "handmade" in line and "2024-04" in line

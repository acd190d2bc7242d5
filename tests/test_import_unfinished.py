"""Unfinished sessions (a start, no end yet, `unfinished = true`), as a person may also write them."""

from __future__ import annotations

import pytest

from conftest import Ledger

UNFINISHED = """\
# imported from AnyDesk; the duration is still missing
[[session]]
id = "anyd0001"
start = 2024-03-04T09:15:00+01:00
unfinished = true
supporter = "Klaus Hörner"
machine = "buero-pc@ad"
channel = "remote"
note = ""
billable = true
source = "anydesk:565955529:20240304T0815Z"
"""

FINISHED = """
[[session]]
id = "done0001"
start = 2024-03-04T11:00:00+01:00
end = 2024-03-04T11:30:00+01:00
supporter = "Klaus Hörner"
channel = "remote"
note = "Drucker"
billable = true
"""


@pytest.fixture
def acme(ledger: Ledger) -> Ledger:
    ledger.ok("customer", "add", "ACME", "--rate", "60", "--remote-id", "565955529")
    ledger.write("customers/acme/2024-03.toml", UNFINISHED + FINISHED)
    return ledger


def test_list_shows_an_unfinished_session_without_duration(acme: Ledger) -> None:
    table = acme.ok("list", "2024-03").stdout
    row = next(ln for ln in table.splitlines() if "anyd0001" in ln)
    assert "unfinished" in row and "0:" not in row  # no duration, no made-up length
    first, second = acme.sessions()
    assert first["id"] == "anyd0001" and first["unfinished"] is True
    assert first["end"] is None and first["duration_seconds"] is None and first["amount"] is None
    assert second["unfinished"] is False and second["amount"] == "30.00"


def test_check_warns_with_file_and_line_but_passes(acme: Ledger) -> None:
    result = acme.ok("check")
    path = acme.month("acme", "2024-03")
    assert result.stdout.strip() == (
        f"{path}:2: warning: session anyd0001 of acme is unfinished: it started 04.03.2024 09:15 and has no end "
        "(give it its duration: sessionlog edit anyd0001 --duration 25m)"
    )
    assert result.stderr.strip() == "ledger ok: 2 session(s) checked, 1 warning(s)"


def test_invoice_and_report_warn_and_do_not_bill_it(acme: Ledger) -> None:
    invoice = acme.ok("invoice", "2024-03", "--profile", "en")
    assert "anyd0001" not in invoice.stdout and "done0001" in invoice.stdout
    assert "acme: 1 unfinished session(s) without an end are not billed: anyd0001" in invoice.stderr
    assert "total 30.00 EUR" in invoice.stderr
    report = acme.json("report", "2024-03")
    assert report[0]["sessions"] == 1
    assert "not included: anyd0001" in acme.ok("report", "2024-03").stderr


def test_edit_duration_completes_it_and_then_it_is_billed(acme: Ledger) -> None:
    acme.ok("edit", "anyd", "--duration", "25m")
    record = acme.records("acme", "2024-03")[0]
    assert "unfinished" not in record
    assert record["end"].isoformat() == "2024-03-04T09:40:00+01:00"
    assert record["source"] == "anydesk:565955529:20240304T0815Z"
    text = acme.month("acme", "2024-03").read_text(encoding="utf-8")
    assert text.startswith("# imported from AnyDesk")  # the comment survives
    assert "total 55.00 EUR" in acme.ok("invoice", "2024-03").stderr
    assert "ledger ok: 2 session(s) checked" in acme.ok("check").stderr


def test_edit_other_fields_keeps_it_unfinished(acme: Ledger) -> None:
    acme.ok("edit", "anyd", "--note", "Outlook repariert")
    record = acme.records("acme", "2024-03")[0]
    assert record["unfinished"] is True and "end" not in record
    assert record["note"] == "Outlook repariert"


def test_an_unfinished_session_can_be_deleted(acme: Ledger) -> None:
    acme.ok("delete", "anyd", "--yes")
    assert [r["id"] for r in acme.records("acme", "2024-03")] == ["done0001"]


def test_a_start_without_end_or_mark_is_an_error(acme: Ledger) -> None:
    acme.write("customers/acme/2024-03.toml", UNFINISHED.replace("unfinished = true\n", ""))
    result = acme.run("check")
    assert result.exit_code == 1
    path = acme.month("acme", "2024-03")
    assert (
        f"{path}:2: error: session anyd0001 has no end (give it an end, or mark it `unfinished = true`" in result.stdout
    )


def test_unfinished_with_an_end_is_an_error(acme: Ledger) -> None:
    text = UNFINISHED.replace("unfinished = true\n", "unfinished = true\nend = 2024-03-04T10:00:00+01:00\n")
    acme.write("customers/acme/2024-03.toml", text)
    result = acme.run("check")
    assert result.exit_code == 1
    assert "an unfinished session has no end" in result.stdout


def test_an_end_before_the_start_is_refused_and_it_stays_unfinished(acme: Ledger) -> None:
    acme.refused("edit", "anyd", "--end", "04.03.2024 08:00", match="end must be after start")


def test_check_still_finds_overlaps_of_a_supporter_after_an_unfinished_session(acme: Ledger) -> None:
    # An unfinished session has no extent: it neither overlaps nor hides the overlaps after it.
    later = FINISHED.replace("done0001", "done0002").replace("T11:00", "T11:15").replace("T11:30", "T11:45")
    path = acme.month("acme", "2024-03")
    path.write_text(UNFINISHED + FINISHED + later, "utf-8")
    result = acme.run("check")
    assert result.exit_code == 0, result.stderr
    overlaps = [ln for ln in result.stdout.splitlines() if "before session" in ln]
    assert len(overlaps) == 1, result.stdout
    assert overlaps[0].startswith(f"{path}:{len((UNFINISHED + FINISHED).splitlines()) + 2}: warning: session done0002")
    assert "before session done0001 ends" in overlaps[0]

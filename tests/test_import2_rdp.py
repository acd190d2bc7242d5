"""`sessionlog import rdp`: wevtutil's XML of the LocalSessionManager log into a ledger (Europe/Berlin)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import Ledger

FIXTURES = Path(__file__).parent / "fixtures" / "import"
LOG = str(FIXTURES / "rdp_LocalSessionManager.xml")
LOG16 = str(FIXTURES / "rdp_LocalSessionManager_utf16.xml")
NS = "http://schemas.microsoft.com/win/2004/08/events/event"


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    """ACME's server SRV-MAIER is in its machines; BETA is found by its key in the computer name."""
    ledger.write(
        "sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[import.supporters]\n"MAIER\\\\admin" = "Klaus Hörner"\n'
    )
    ledger.ok("customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH")
    text = ledger.path("customers", "acme", "customer.toml").read_text(encoding="utf-8")
    ledger.write("customers/acme/customer.toml", text + 'machines = ["SRV-MAIER"]\n')
    ledger.ok("customer", "add", "BETA", "--name", "Beta GmbH")
    return ledger


def event(eid: int, when: str, user: str, session: int, address: str | None = None, computer: str = "SRV-X") -> str:
    addr = f"<Address>{address}</Address>" if address else ""
    return (
        f"<Event xmlns='{NS}'><System><Provider Name='Microsoft-Windows-TerminalServices-LocalSessionManager'/>"
        f"<EventID>{eid}</EventID><TimeCreated SystemTime='{when}'/><EventRecordID>{eid}{session}</EventRecordID>"
        f"<Computer>{computer}</Computer></System><UserData><EventXML xmlns='Event_NS'><User>{user}</User>"
        f"<SessionID>{session}</SessionID>{addr}</EventXML></UserData></Event>"
    )


def planned(ledger: Ledger, path: str, *args: str) -> list[dict[str, Any]]:
    result = ledger.run("import", "rdp", path, "--dry-run", "-f", "json", *args)
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def test_logons_become_sessions_and_odd_events_are_counted(shop: Ledger) -> None:
    result = shop.run("import", "rdp", LOG)
    assert result.exit_code == 1  # one broken event
    assert f"{LOG}:16: event 21 (record 2001): TimeCreated/@SystemTime 'not a time' is not an ISO 8601 time" in (
        result.stderr
    )
    assert (
        "imported 5 session(s) from 5 logon(s) into 3 month file(s); 1 local logon(s) at the console ignored; "
        "3 other event(s) ignored; 1 session(s) that began before the file ignored; 1 skipped"
    ) in result.stderr
    assert "1 session(s) have a start but no end (the file has none)" in result.stderr
    first, second, night = shop.records("acme", "2024-03")
    # Logon at 09:15:02 UTC, disconnect at 09:40:10; the reconnect 80 s later is a session of its own
    # (no --merge-gap), closed by the logoff at 10:05:00 (the disconnect after it closes nothing).
    assert (first["start"].isoformat(), first["end"].isoformat()) == (
        "2024-03-01T10:15:02+01:00",
        "2024-03-01T10:40:10+01:00",
    )
    assert (second["start"].isoformat(), second["end"].isoformat()) == (
        "2024-03-01T10:41:30+01:00",
        "2024-03-01T11:05:00+01:00",
    )
    assert first["source"] == "rdp:192.168.10.20->SRV-MAIER.maier.local:2:20240301T091502Z"
    assert second["source"] == "rdp:192.168.10.21->SRV-MAIER.maier.local:2:20240301T094130Z"
    assert (first["machine"], first["tags"], first["supporter"]) == ("SRV-MAIER.maier.local", ["rdp"], "Klaus Hörner")
    # The DST night: 01:45:20 CET to 03:30 CEST is 44 minutes 40 seconds.
    assert (night["start"].isoformat(), night["end"].isoformat()) == (
        "2024-03-31T01:45:20+01:00",
        "2024-03-31T03:30:00+02:00",
    )
    # 22:30 UTC on 31 March is 00:30 on 1 April in Berlin: the April file.
    (april,) = shop.records("acme", "2024-04")
    assert april["start"].isoformat() == "2024-04-01T00:30:00+02:00"
    # The logon on PC-EMPFANG.beta.local has no close in the file: unfinished, BETA's by its name.
    (open_,) = shop.records("beta", "2024-04")
    assert open_["unfinished"] is True and "end" not in open_
    assert open_["start"].isoformat() == "2024-04-02T15:00:00+02:00"


def test_a_reconnect_after_a_disconnect_merges_with_a_gap(shop: Ledger) -> None:
    data = planned(shop, LOG, "--merge-gap", "2m")
    merged = data[0]
    assert merged["lines"] == [4, 8]
    assert (merged["start"], merged["end"]) == ("2024-03-01T10:15:02+01:00", "2024-03-01T11:05:00+01:00")
    assert len(merged["source"].split()) == 2
    assert [d["lines"] for d in planned(shop, LOG, "--merge-gap", "1m")][:2] == [[4], [8]]  # 80 s apart


def test_reimporting_adds_nothing_and_the_utf16_export_is_known_too(shop: Ledger) -> None:
    shop.run("import", "rdp", LOG)
    before = shop.snapshot()
    again = shop.run("import", "rdp", LOG)
    assert "imported 0 session(s)" in again.stderr and "5 already in the ledger or repeated" in again.stderr
    utf16 = shop.ok("import", "rdp", LOG16)
    assert "imported 0 session(s) from 2 logon(s)" in utf16.stderr
    assert shop.snapshot() == before


def test_a_utf16_export_on_one_line(tmp_path: Path, shop: Ledger) -> None:
    data = planned(shop, LOG16)
    assert [(d["customer"], d["start"], d["lines"]) for d in data] == [
        ("acme", "2024-03-01T10:15:02+01:00", [1]),
        ("acme", "2024-03-01T10:41:30+01:00", [1]),
    ]


def test_only_the_accounts_given_with_user(shop: Ledger) -> None:
    result = shop.run("import", "rdp", LOG, "--user", "beta\\ADMIN", "--dry-run")
    assert "dry run: would add 1 session(s) from 1 logon(s)" in result.stderr
    assert "4 logon(s) of other users ignored" in result.stderr
    bare = shop.run("import", "rdp", LOG, "--user", "admin", "--dry-run")  # the account without its domain
    assert "would add 5 session(s)" in bare.stderr


def test_newest_first_and_unpaired_events(shop: Ledger, tmp_path: Path) -> None:
    """wevtutil /rd:true writes newest first; a second logon without a close leaves the first unfinished."""
    events = [
        event(21, "2024-03-05T08:00:00Z", "MAIER\\admin", 2, "10.0.0.5", "SRV-MAIER"),
        event(21, "2024-03-05T09:00:00Z", "MAIER\\admin", 2, "10.0.0.5", "SRV-MAIER"),
        event(24, "2024-03-05T09:30:00Z", "MAIER\\admin", 2, "10.0.0.5", "SRV-MAIER"),
        event(21, "2024-03-05T10:00:00Z", "MAIER\\admin", 7, "10.0.0.5", "SRV-MAIER"),
        event(23, "2024-03-05T10:00:00Z", "MAIER\\admin", 7, None, "SRV-MAIER"),
    ]
    path = tmp_path / "newest-first.xml"
    path.write_text("\n".join(reversed(events)) + "\n", encoding="utf-8")
    result = shop.run("import", "rdp", str(path), "--dry-run", "-f", "json")
    data = json.loads(result.stdout)
    assert [(d["start"], d["end"], d["lines"]) for d in data] == [
        ("2024-03-05T09:00:00+01:00", None, [5]),
        ("2024-03-05T10:00:00+01:00", "2024-03-05T10:30:00+01:00", [4]),
    ]
    assert "1 zero-length logon(s) ignored" in result.stderr


def test_an_xml_bomb_is_not_expanded(shop: Ledger, tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        + event(21, "2024-03-05T08:00:00Z", "&lol2;", 2, "10.0.0.5", "SRV-MAIER")
        + "\n"
    )
    path = tmp_path / "bomb.xml"
    path.write_text(bomb, encoding="utf-8")
    line = shop.refused("import", "rdp", str(path), match=r"nothing in it reads as Remote Desktop logons")
    assert "line 3: not a well-formed event: undefined entity" in line


def test_a_dtd_inside_an_event_is_refused(shop: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "dtd.xml"
    path.write_text("<Event><!DOCTYPE x [<!ENTITY a 'b'>]><System/></Event>\n", encoding="utf-8")
    shop.refused("import", "rdp", str(path), match=r"line 1: not a well-formed event")


def test_files_that_are_no_event_export(shop: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "Connections.txt"
    path.write_text("565955529\t01-03-2024 09:22:00\t01-03-2024 09:34:22\tKlaus\tRemoteControl\n", encoding="utf-8")
    shop.refused(
        "import", "rdp", str(path), match=re.escape("line 1: no <Event> element: expected the XML of wevtutil qe")
    )
    cut = tmp_path / "cut.xml"
    cut.write_text(event(21, "2024-03-05T08:00:00Z", "MAIER\\admin", 2, "10.0.0.5")[:300], encoding="utf-8")
    shop.refused("import", "rdp", str(cut), match=r"line 1: not a well-formed event")


def test_events_of_other_logs_are_counted(shop: Ledger, tmp_path: Path) -> None:
    other = event(21, "2024-03-05T08:00:00Z", "MAIER\\admin", 2, "10.0.0.5", "SRV-MAIER").replace(
        "TerminalServices-LocalSessionManager", "Security-Auditing"
    )
    path = tmp_path / "mixed.xml"
    path.write_text(other + "\n" + event(21, "2024-03-05T09:00:00Z", "X\\y", 3, "10.0.0.6", "SRV-MAIER"), "utf-8")
    result = shop.run("import", "rdp", str(path), "--dry-run")
    assert "would add 1 session(s) from 1 logon(s)" in result.stderr
    assert "1 event(s) of other logs ignored" in result.stderr


def test_unmapped_computers_can_go_to_one_customer(ledger: Ledger) -> None:
    result = ledger.run("import", "rdp", LOG, "--dry-run")
    assert "unmapped: SRV-MAIER.maier.local (4 logon(s), lines 4, 8, 12, 14" in result.stderr
    assert "sessionlog customer edit KEY --alias srv-maier, or --map-project SRV-MAIER.maier.local=KEY" in result.stderr
    ledger.ok("customer", "add", "MAIER")
    mapped = ledger.run("import", "rdp", LOG, "--dry-run")
    assert "would add 4 session(s)" in mapped.stderr  # by the domain MAIER / the name's words
    ledger.ok("customer", "add", "OTHER")
    fallback = ledger.run("import", "rdp", LOG, "--dry-run", "--customer", "other")
    assert "would add 5 session(s)" in fallback.stderr

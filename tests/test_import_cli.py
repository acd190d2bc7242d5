"""`sessionlog import` end to end: fixture logs into a ledger in tmp_path (Europe/Berlin)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import Ledger, console_script, snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def log(name: str) -> str:
    return str(FIXTURES / name)


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    """ACME has TeamViewer ID 565955529; BETA's ID is written with a letter and spaces."""
    ledger.ok("customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH", "--remote-id", "565955529")
    ledger.ok("customer", "add", "BETA", "--name", "Beta GmbH", "--remote-id", "r 1234 567 890")
    return ledger


def starts(records: list[dict[str, Any]]) -> list[str]:
    return [r["start"].isoformat() for r in records]


def test_teamviewer_log_imports_with_merge_gap(shop: Ledger) -> None:
    result = shop.run(
        "import", "teamviewer", log("Connections.txt"), "--merge-gap", "2m", "--supporter", "Klaus Hörner"
    )
    assert result.exit_code == 1  # two bad lines and an unmapped partner; the rest is in
    assert result.stdout == ""
    acme = shop.records("acme", "2024-03")
    assert starts(acme) == ["2024-03-01T10:22:00+01:00", "2024-03-02T15:00:00+01:00", "2024-03-06T09:00:00+01:00"]
    # Lines 2 and 3: 68 seconds apart, merged into one session from 09:22 to 09:50 UTC.
    assert acme[0]["end"].isoformat() == "2024-03-01T10:50:00+01:00"
    assert acme[0]["source"] == (
        "teamviewer:{6460e19e-0c6f-4f5a-9a1b-2f3c4d5e6f70} teamviewer:{a1b2c3d4-0000-4000-8000-000000000001}"
    )
    assert acme[0]["machine"] == "565955529"
    assert acme[0]["supporter"] == "Klaus Hörner"
    assert acme[0]["channel"] == "remote"
    # Lines 11 and 12 overlap (a file transfer during remote control): one session, both kinds.
    assert acme[2]["end"].isoformat() == "2024-03-06T09:30:00+01:00"
    assert acme[2]["tags"] == ["filetransfer", "remotecontrol"]
    (beta,) = shop.records("beta", "2024-03")
    assert (beta["start"].isoformat(), beta["end"].isoformat()) == (
        "2024-03-01T10:40:00+01:00",
        "2024-03-01T10:45:10+01:00",
    )
    assert beta["source"] == "teamviewer:1234567890:20240301T094000Z-20240301T094510Z"
    err = result.stderr
    assert f"{log('Connections.txt')}:8: the connection ends (05-03-2024 09:00:00) before it starts" in err
    assert f"{log('Connections.txt')}:9: not a TeamViewer connection" in err
    assert "unmapped: 999888777 (2 connection(s), lines 7, 13): no customer has this remote ID" in err
    assert "sessionlog customer edit KEY --remote-id 999888777" in err
    assert "imported 4 session(s) from 8 connection(s) into 2 month file(s)" in err
    assert "2 connection(s) merged" in err
    assert "1 zero-length connection(s) ignored; 2 skipped; 2 unmapped" in err


def test_reimport_and_an_overlapping_file_add_nothing_twice(shop: Ledger) -> None:
    shop.run("import", "teamviewer", log("Connections.txt"), "--merge-gap", "2m")
    before = shop.snapshot()
    again = shop.run("import", "teamviewer", log("Connections.txt"), "--merge-gap", "2m")
    assert shop.snapshot() == before
    assert "imported 0 session(s)" in again.stderr and "6 already in the ledger or repeated" in again.stderr
    # The same file without merging: each connection is known, merged or not.
    shop.run("import", "teamviewer", log("Connections.txt"))
    assert shop.snapshot() == before
    # A file from another tool that overlaps: only its third line is new.
    padded = shop.ok("import", "teamviewer", log("connections_padded.txt"))
    assert "imported 1 session(s) from 3 connection(s)" in padded.stderr
    assert "2 already in the ledger or repeated" in padded.stderr
    new = [r for r in shop.records("acme", "2024-03") if r.get("contact")]
    assert [(r["contact"], r["start"].isoformat()) for r in new] == [
        ("Anna Muster | Muster GmbH", "2024-03-08T08:00:00+01:00")
    ]


def test_dry_run_writes_nothing_and_shows_what_would_be_added(shop: Ledger) -> None:
    before = shop.snapshot()
    result = shop.run("import", "teamviewer", log("Connections.txt"), "--merge-gap", "2m", "--dry-run")
    assert result.exit_code == 1
    assert shop.snapshot() == before
    assert "dry run: would add 4 session(s)" in result.stderr and "nothing written" in result.stderr
    rows = [ln for ln in result.stdout.splitlines() if "acme" in ln or "beta" in ln]
    assert len(rows) == 4
    assert "2, 3" in rows[0] and "10:22" in rows[0] and "10:50" in rows[0]
    data = json.loads(shop.run("import", "teamviewer", log("Connections.txt"), "--dry-run", "-f", "json").stdout)
    assert shop.snapshot() == before
    assert [(d["customer"], d["lines"]) for d in data] == [
        ("acme", [2]),
        ("acme", [3]),
        ("acme", [6]),
        ("acme", [11, 12]),
        ("beta", [4]),
    ]
    assert data[0]["duration_seconds"] == 12 * 60 + 22


def test_merge_gap_default_comes_from_the_ledger(shop: Ledger) -> None:
    def groups(*args: str) -> list[list[int]]:
        out = shop.run("import", "teamviewer", log("Connections.txt"), "--dry-run", "-f", "json", *args).stdout
        return [d["lines"] for d in json.loads(out)]

    assert groups() == [[2], [3], [6], [11, 12], [4]]  # unset: only overlapping connections merge
    shop.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[import]\nmerge_gap = "2m"\n')
    assert groups() == [[2, 3], [6], [11, 12], [4]]
    assert groups("--merge-gap", "0") == [[2], [3], [6], [11, 12], [4]]  # the option wins
    assert groups("--merge-gap", "1m") == [[2], [3], [6], [11, 12], [4]]  # 68 s is more than a minute


def test_everything_mapped_exits_zero_names_and_keys_find_customers(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME", "--remote-id", "565955529")
    ledger.ok("customer", "add", "WEBER", "--name", "Praxis Dr. Weber")  # found by its key in "Praxis Dr. Weber"
    ledger.ok("customer", "add", "HM", "--name", "Horst Maier", "--alias", "maier")  # by alias in "Maier, Horst"
    result = ledger.run("import", "teamviewer", log("Connections_incoming.txt"))
    assert result.exit_code == 0, result.stderr
    assert "imported 3 session(s) from 3 connection(s) into 3 month file(s)" in result.stderr
    (anna,) = ledger.records("acme", "2024-03")
    assert anna["contact"] == "Anna Muster | Muster GmbH"
    assert anna["start"].isoformat() == "2024-03-07T14:00:00+01:00"
    assert ledger.records("weber", "2024-03")[0]["contact"] == "Praxis Dr. Weber"
    assert ledger.records("hm", "2024-03")[0]["tags"] == ["filetransfer"]


def test_a_name_that_fits_two_customers_is_not_guessed(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "PRAXIS")
    ledger.ok("customer", "add", "WEBER")
    result = ledger.run("import", "teamviewer", log("Connections_incoming.txt"), "--customer", "praxis")
    assert result.exit_code == 1
    assert "unmapped: 123456789" in result.stderr
    assert "fits praxis (PRAXIS) and weber (WEBER)" in result.stderr
    # --customer took the other two, which fit nobody.
    assert len(ledger.records("praxis", "2024-03")) == 2


def test_a_remote_id_two_customers_claim_is_reported_with_both(shop: Ledger) -> None:
    shop.ok("customer", "add", "GAMMA", "--name", "Gamma e.K.", "--remote-id", "565 955 529")
    result = shop.run("import", "teamviewer", log("connections_utf16.txt"))
    assert result.exit_code == 1
    assert "remote ID 565955529 fits acme (Fa. Walter Maier GmbH) and gamma (Gamma e.K.)" in result.stderr
    assert len(shop.records("beta", "2024-03")) == 1


def test_api_report_with_customer_option_and_billing_states(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME", "--remote-id", "d565955529")
    ledger.write(
        "sessionlog.toml",
        'timezone = "Europe/Berlin"\n\n[import.billing_states]\nBill = "billable"\nNoBill = "goodwill"\n\n'
        '[import.supporters]\nkhoerner = "Klaus Hörner"\naschmidt = "Anna Schmidt"\n',
    )
    result = ledger.run("import", "teamviewer-api", log("connections_api.json"), "--customer", "ACME", supporter="Chef")
    assert result.exit_code == 1  # record 4 has no end
    assert (
        f"{log('connections_api.json')}:62: record 7f5e0c1a-0000-4000-8000-000000000004: no end_date" in result.stderr
    )
    records = ledger.records("acme", "2024-03")
    assert [(r["machine"], r["supporter"], r["billable"], r.get("free_reason")) for r in records] == [
        ("PC-Buchhaltung", "Klaus Hörner", True, None),
        ("Empfang", "Anna Schmidt", False, "goodwill"),
        ("Laptop-Chef", "Klaus Hörner", True, None),
    ]
    assert records[0]["note"] == "Drucker installiert"
    assert records[0]["source"] == "teamviewer-api:7f5e0c1a-0000-4000-8000-000000000001"
    assert records[1]["end"].isoformat() == "2024-03-11T13:40:30+01:00"
    assert "warning" not in result.stderr


def test_api_json_lines_username_as_supporter_and_unknown_states_warn_once(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME", "--remote-id", "565955529", "--alias", "empfang", "--alias", "unbekannt")
    ledger.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[import.supporters]\naschmidt = "Anna Schmidt"\n')
    result = ledger.run("import", "teamviewer-api", log("connections_api.jsonl"), supporter="Chef")
    assert f"{log('connections_api.jsonl')}:2: not JSON" in result.stderr
    # The API names who worked: mapped where the ledger says so, else kept as it is.
    assert [r["supporter"] for r in ledger.records("acme", "2024-03")] == ["khoerner", "Anna Schmidt", "khoerner"]
    assert result.stderr.count("billing_state 'Bill' is not in [import.billing_states]") == 1
    assert "[import.supporters]" not in result.stderr


def test_unknown_tool_users_are_named_once_and_go_to_the_current_supporter(shop: Ledger) -> None:
    shop.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[import.supporters]\nkhoerner = "Klaus Hörner"\n')
    result = shop.run("import", "teamviewer", log("Connections.txt"), supporter="Chef")
    supporters = {r["start"].isoformat(): r["supporter"] for r in shop.records("acme", "2024-03")}
    assert supporters["2024-03-02T15:00:00+01:00"] == "Klaus Hörner"  # line 6: khoerner
    assert supporters["2024-03-01T10:22:00+01:00"] == "Chef"  # "Klaus Hörner" is no login in the table
    assert result.stderr.count("the tool's user 'Klaus Hörner' is not in [import.supporters]") == 1


def test_supporter_option_wins(shop: Ledger) -> None:
    shop.ok("import", "teamviewer", log("connections_utf16.txt"), "--supporter", "Anna Schmidt", supporter="Chef")
    assert {r["supporter"] for r in shop.records("acme", "2024-03")} == {"Anna Schmidt"}


def test_month_boundary_and_dst_in_the_ledger_zone(shop: Ledger) -> None:
    shop.ok("import", "teamviewer", log("connections_months.txt"))
    march = shop.records("acme", "2024-03")
    # 29.02. 23:30 UTC is 01.03. 00:30 in Berlin: a March session.
    assert [(r["start"].isoformat(), r["end"].isoformat()) for r in march] == [
        ("2024-03-01T00:30:00+01:00", "2024-03-01T01:10:00+01:00"),
        ("2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+02:00"),  # an hour across the switch
    ]
    (april,) = shop.records("acme", "2024-04")  # 31.03. 22:30 UTC is 01.04. 00:30 summer time
    assert april["start"].isoformat() == "2024-04-01T00:30:00+02:00"
    (october,) = shop.records("acme", "2024-10")  # 02:30 twice: an hour that ends at the same wall time
    assert (october["start"].isoformat(), october["end"].isoformat()) == (
        "2024-10-27T02:30:00+02:00",
        "2024-10-27T02:30:00+01:00",
    )
    durations = [s["duration_seconds"] for s in shop.sessions("2024")]
    assert durations == [40 * 60, 3600, 30 * 60, 3600]


def test_source_tz_reads_local_times(shop: Ledger) -> None:
    shop.ok("customer", "add", "WEBER")
    shop.ok("customer", "add", "MAIER")
    shop.ok("import", "teamviewer", log("Connections_incoming.txt"), "--source-tz", "Europe/Berlin")
    assert starts(shop.records("acme", "2024-03")) == ["2024-03-07T13:00:00+01:00"]


def test_cp1252_file_keeps_umlauts(shop: Ledger) -> None:
    shop.ok("import", "teamviewer", log("connections_cp1252.txt"))
    (r,) = shop.records("acme", "2024-03")
    assert r["contact"] == "Jürgen Weiß | Müller & Söhne"


def test_anydesk_trace_gives_unfinished_sessions(shop: Ledger) -> None:
    result = shop.run("import", "anydesk", log("connection_trace.txt"), "--supporter", "Klaus Hörner")
    assert result.exit_code == 1  # line 7 is bad; two IDs belong to nobody
    assert f"{log('connection_trace.txt')}:7: not an AnyDesk connection" in result.stderr
    assert "1 rejected connection(s) ignored" in result.stderr
    assert "unmapped: 444555666 (1 connection(s), line 4; 'maier-laptop@ad')" in result.stderr
    assert "give each its duration with sessionlog edit ID --duration 25m" in result.stderr
    (march,) = shop.records("acme", "2024-03")
    assert march["unfinished"] is True and "end" not in march
    assert march["start"].isoformat() == "2024-03-13T09:15:00+01:00"
    assert march["machine"] == "buero-pc@ad"
    (april,) = shop.records("acme", "2024-04")  # 31.03. 22:10 UTC
    assert april["start"].isoformat() == "2024-04-01T00:10:00+02:00"
    # The whole life of such a session: listed, checked, not billed, then completed and billed.
    (listed,) = shop.sessions("2024-03")
    assert listed["unfinished"] is True and listed["duration_seconds"] is None
    check = shop.ok("check")
    assert f"customers/acme/2024-03.toml:1: warning: session {listed['id']} of acme is unfinished" in check.stdout
    assert sum("is unfinished" in line for line in check.stdout.splitlines()) == 2
    invoice = shop.ok("invoice", "2024-03", "--profile", "en")
    assert listed["id"] not in invoice.stdout
    assert "1 unfinished session(s) without an end are not billed" in invoice.stderr
    shop.ok("edit", listed["id"], "--duration", "25m")
    (done,) = shop.records("acme", "2024-03")
    assert "unfinished" not in done
    assert done["end"].isoformat() == "2024-03-13T09:40:00+01:00"
    assert listed["id"] in shop.ok("invoice", "2024-03", "--profile", "en").stdout
    # Importing the trace again adds nothing, not even the completed session.
    again = shop.run("import", "anydesk", log("connection_trace.txt"))
    assert "imported 0 session(s)" in again.stderr


@pytest.mark.parametrize("months", [3, 24])  # few files are synced one by one, many at once
def test_one_write_per_month_file(shop: Ledger, monkeypatch: pytest.MonkeyPatch, months: int) -> None:
    replaced: list[str] = []
    real = os.replace

    def counting(src: str, dst: str | Path) -> None:
        replaced.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(os, "replace", counting)
    big = shop.tmp / "big.txt"
    dates = [(d, m, y) for y in (2023, 2024) for m in range(1, 13) for d in range(1, 21)][-20 * months :]
    big.write_text(
        "".join(
            f"565955529\t{d:02d}-{m:02d}-{y} {h:02d}:00:00\t{d:02d}-{m:02d}-{y} {h:02d}:20:00\tK\tRemoteControl\n"
            for d, m, y in dates
            for h in (8, 10, 12, 14)
        ),
        encoding="utf-8",
    )
    result = shop.ok("import", "teamviewer", str(big))
    assert f"imported {80 * months} session(s) from {80 * months} connection(s) into {months} month file(s)" in (
        result.stderr
    )
    assert len(replaced) == months and len(set(replaced)) == months  # each month file replaced once
    assert len(shop.records("acme", "2024-12")) == 80
    assert not list(shop.path("customers", "acme").glob(".*.tmp"))


def test_repeated_lines_within_a_file_count_once(shop: Ledger) -> None:
    text = (FIXTURES / "connections_utf16.txt").read_bytes().decode("utf-16")
    doubled = shop.tmp / "doubled.txt"
    doubled.write_text(text + text, encoding="utf-8")
    result = shop.ok("import", "teamviewer", str(doubled))
    assert "imported 2 session(s) from 4 connection(s)" in result.stderr
    assert "2 already in the ledger or repeated" in result.stderr


def test_a_broken_month_file_blocks_only_its_own_rows(shop: Ledger) -> None:
    broken = shop.write("customers/acme/2024-03.toml", "[[session]\nid = \n")
    before = broken.read_bytes()
    result = shop.run("import", "teamviewer", log("connections_months.txt"))
    assert result.exit_code == 1
    assert f"{log('connections_months.txt')}:1: {broken} cannot be read (line 1)" in result.stderr
    assert f"{log('connections_months.txt')}:2: {broken} cannot be read (line 1)" in result.stderr
    assert broken.read_bytes() == before
    assert len(shop.records("acme", "2024-04")) == 1
    assert len(shop.records("acme", "2024-10")) == 1


def test_a_record_with_a_wrong_field_still_counts_as_imported(shop: Ledger) -> None:
    shop.write(
        "customers/acme/2024-03.toml",
        '[[session]]\nid = "hand0001"\nstart = 2024-03-11T10:00:00+01:00\nend = 2024-03-11T10:15:00+01:00\n'
        'supporter = "K"\nchannel = "fax"\nsource = "teamviewer:{2d3e4f50-dddd-4ddd-8ddd-dddddddddddd}"\n',
    )
    result = shop.ok("import", "teamviewer", log("connections_utf16.txt"))
    assert "imported 1 session(s) from 2 connection(s)" in result.stderr
    assert "1 already in the ledger or repeated" in result.stderr
    assert [r["id"] for r in shop.records("acme", "2024-03")] == ["hand0001"]


def test_overlap_with_a_recorded_session_is_a_warning(shop: Ledger) -> None:
    sid = shop.add("ACME", "01.03.2024 10:30", "01.03.2024 10:40")
    result = shop.run("import", "teamviewer", log("Connections.txt"), "--merge-gap", "2m")
    assert f"{log('Connections.txt')}:2: overlaps session {sid} of acme (01.03.2024 10:30 to 10:40)" in result.stderr
    assert len(shop.records("acme", "2024-03")) == 4  # both are kept


def test_sessions_over_24_hours_are_skipped_with_their_line(shop: Ledger) -> None:
    long = shop.tmp / "long.txt"
    long.write_text(
        "565955529\t01-03-2024 08:00:00\t02-03-2024 09:00:00\tK\tRemoteControl\n"
        "565955529\t03-03-2024 08:00:00\t03-03-2024 09:00:00\tK\tRemoteControl\n",
        encoding="utf-8",
    )
    result = shop.run("import", "teamviewer", str(long))
    assert result.exit_code == 1
    assert f"{long}:1: the connection lasts 25:00:00, over 24 hours" in result.stderr
    assert "sessionlog add --force" in result.stderr
    assert len(shop.records("acme", "2024-03")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["teamviewer", "nowhere.txt"], "nowhere.txt: no such file"),
        (["teamviewer", "{log}", "--source-tz", "Mars/Olympus"], "--source-tz: unknown time zone 'Mars/Olympus'"),
        (["teamviewer", "{log}", "--merge-gap", "soon"], "--merge-gap: cannot read duration 'soon'"),
        (["teamviewer", "{log}", "--customer", "nobody"], "no customer 'nobody'"),
        (["teamviewer", "{log}", "--supporter", " "], "--supporter is empty"),
        (["teamviewer", "{trace}"], "nothing in it reads as a TeamViewer connection log"),
        (["anydesk", "{log}"], "nothing in it reads as an AnyDesk connection trace"),
        (["teamviewer-api", "{log}"], "not JSON"),
    ],
)
def test_bad_input_is_one_error_line_and_no_change(shop: Ledger, args: list[str], message: str) -> None:
    names = {"{log}": log("Connections.txt"), "{trace}": log("connection_trace.txt")}
    shop.refused("import", *[names.get(a, a) for a in args], match=re.escape(message))


def test_unknown_kind_is_a_usage_error(shop: Ledger) -> None:
    shop.refused("import", "rustdesk", log("Connections.txt"), code=2, match="'rustdesk' is not one of")


def test_import_a_folder_is_refused(shop: Ledger) -> None:
    shop.refused("import", "teamviewer", str(FIXTURES), match="is a folder")


def test_relative_path_and_windows_names(shop: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = shop.tmp / "Verbindungen März"
    folder.mkdir()
    shutil.copy(FIXTURES / "connections_utf16.txt", folder / "Connections.txt")
    monkeypatch.chdir(folder)
    result = shop.ok("import", "teamviewer", "Connections.txt")
    assert "imported 2 session(s)" in result.stderr


def test_progress_bar_only_on_a_terminal_and_only_for_large_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from sessionlog.cli import importing

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with importing._progress() as progress:
        assert progress is not None
        progress("reading", 500, 1000)  # a small file: no bar
        progress("writing", 0, 3)
        progress("writing", 3, 3)
    assert screen.getvalue() == ""
    with importing._progress() as progress:
        assert progress is not None
        progress("reading", 25_000, 100_000)
        progress("writing", 0, 12)
    assert "reading" in screen.getvalue() and "writing" in screen.getvalue()
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with importing._progress() as progress:
        assert progress is None


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_readme_example_logs(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH", "--remote-id", "565955529")
    ledger.ok("customer", "add", "DELTA", "--name", "Delta AG", "--remote-id", "1482093345")
    teamviewer = str(EXAMPLES / "import" / "Connections.txt")
    result = ledger.run("import", "teamviewer", teamviewer, "--merge-gap", "2m")
    assert result.exit_code == 1
    assert "unmapped: 999888777 (2 connection(s), lines 7, 11)" in result.stderr
    assert "imported 4 session(s) from 9 connection(s) into 2 month file(s)" in result.stderr
    (delta,) = ledger.records("delta", "2024-04")
    assert (delta["start"].isoformat(), delta["end"].isoformat()) == (
        "2024-04-03T14:05:00+02:00",
        "2024-04-03T14:48:30+02:00",
    )
    anydesk = ledger.ok("import", "anydesk", str(EXAMPLES / "import" / "connection_trace.txt"))
    assert "imported 2 session(s) from 2 connection(s)" in anydesk.stderr
    assert sum(s["unfinished"] for s in ledger.sessions("2024-04")) == 2


def test_a_dry_run_on_the_shipped_example_ledger_changes_nothing(ledger: Ledger) -> None:
    before = snapshot(EXAMPLES / "ledger")
    result = ledger.run(
        "--ledger",
        str(EXAMPLES / "ledger"),
        "import",
        "teamviewer",
        str(EXAMPLES / "import" / "Connections.txt"),
        "--dry-run",
    )
    assert "565955529" in result.stdout  # maier has that ID in the example ledger
    assert snapshot(EXAMPLES / "ledger") == before


def test_the_installed_command_imports(cli_env: dict[str, str], tmp_path: Path) -> None:
    run = [console_script(), "import", "teamviewer", log("connections_utf16.txt"), "--customer", "ACME"]
    missing = subprocess.run(run, env=cli_env, capture_output=True, text=True, encoding="utf-8", check=False)
    assert missing.returncode == 1 and missing.stderr.startswith("error: no customer 'acme'")
    subprocess.run([console_script(), "customer", "add", "ACME"], env=cli_env, check=True, capture_output=True)
    done = subprocess.run(run, env=cli_env, capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "imported 2 session(s)" in done.stderr
    assert (tmp_path / "ledger" / "customers" / "acme" / "2024-03.toml").is_file()


def test_a_broken_customer_file_stops_customer_option_from_guessing(shop: Ledger) -> None:
    shop.write("customers/gamma/customer.toml", "remote_ids = [1234\n")
    result = shop.run("import", "teamviewer", log("Connections.txt"), "--customer", "acme")
    assert result.exit_code == 1
    assert "warning: --customer is not used while a customer file cannot be read" in result.stderr
    assert "unmapped: 999888777" in result.stderr
    assert "gamma/customer.toml" in result.stderr


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('[import]\nmerge_gap = "bald"\n', "import.merge_gap: cannot read duration 'bald'"),
        ("[import]\nmerge_gap = true\n", "import.merge_gap must be a duration"),
        ("[import.supporters]\nkhoerner = 3\n", "[import.supporters] must map names to text"),
        ('[import]\nbilling_states = "Bill"\n', "[import.billing_states] must map names to text"),
        ('import = "yes"\n', "[import] must be a table"),
    ],
)
def test_bad_import_settings_are_refused(shop: Ledger, settings: str, message: str) -> None:
    shop.write("sessionlog.toml", f'timezone = "Europe/Berlin"\n{settings}')
    shop.refused("import", "teamviewer", log("Connections.txt"), match=re.escape(message))


def test_other_commands_do_not_load_the_importers() -> None:
    probe = (
        "import sys, sessionlog.cli.app; print(sorted(m for m in sys.modules if 'import' in m and 'sessionlog' in m))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", "the command tree loads the import command only when it runs"

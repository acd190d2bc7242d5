"""`sessionlog import csv`: fixture exports through column maps into a ledger in tmp_path (Europe/Berlin)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import Ledger

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    """ACME (Fa. Walter Maier GmbH) with its RustDesk/TeamViewer ID, BETA (Beta GmbH); the Kimai
    user khoerner is Klaus Hörner."""
    ledger.write(
        "sessionlog.toml",
        'timezone = "Europe/Berlin"\n\n[import.supporters]\nkhoerner = "Klaus Hörner"\n',
    )
    ledger.ok("customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH", "--remote-id", "565955529")
    ledger.ok("customer", "add", "BETA", "--name", "Beta GmbH")
    return ledger


def spans(records: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(r["start"].isoformat(), r["end"].isoformat() if "end" in r else None) for r in records]


def dry(ledger: Ledger, *args: str) -> list[dict[str, Any]]:
    result = ledger.run("import", "csv", *args, "--dry-run", "-f", "json")
    assert result.exit_code in (0, 1), result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


# --- sessionlog's own export: two ledgers exchange sessions -------------------------------


@pytest.mark.parametrize("name", ["sessionlog_en.csv", "sessionlog_de.csv"])
def test_a_sessionlog_export_imports_with_its_ids_in_either_profile(shop: Ledger, name: str) -> None:
    result = shop.run("import", "csv", fixture(name), "--map-name", "sessionlog")
    assert result.exit_code == 0, result.stderr
    assert "imported 7 session(s) from 7 row(s) into 2 month file(s)" in result.stderr
    assert "1 running session(s) (import them again once they are stopped) ignored" in result.stderr
    assert "3 session(s) have a start but no end (the file has none)" in result.stderr
    acme = shop.records("acme", "2024-03")
    assert [r["id"] for r in acme] == ["jkxiaccd", "t9tdqk52", "zctzt2ze"]
    first, free, unfinished = acme
    assert first["source"] == "sessionlog:jkxiaccd"
    assert (first["contact"], first["machine"]) == ("Herr Horst Maier", "PC-Buchhaltung")
    assert first["note"] == "IE aktualisiert; Neustart des PC"
    # A quoted line break, quotes and a comma inside a note arrive as they were.
    assert free["note"] == 'Drucker getauscht, "Garantie"\nzweite Zeile'
    assert (free["billable"], free["free_reason"]) == (False, "warranty")
    assert unfinished["unfinished"] is True and "end" not in unfinished
    beta = shop.records("beta", "2024-03")
    # The DST night: 01:30 CET plus one hour of work is 03:30 CEST.
    night = next(r for r in beta if r["id"] == "dsd66p7b")
    assert (night["start"].isoformat(), night["end"].isoformat()) == (
        "2024-03-31T01:30:00+01:00",
        "2024-03-31T03:30:00+02:00",
    )
    # Past midnight: the end is on the next day; the formula guard ' is gone; phone stays phone.
    late = next(r for r in beta if r["id"] == "h5unkkji")
    assert late["end"].isoformat() == "2024-04-01T00:20:00+02:00"
    assert late["note"] == "-15 min Pause abgezogen"
    assert late["channel"] == "phone"


def test_reimporting_an_export_and_the_other_profile_adds_nothing(shop: Ledger) -> None:
    shop.ok("import", "csv", fixture("sessionlog_en.csv"), "--map-name", "sessionlog")
    before = shop.snapshot()
    for name in ("sessionlog_en.csv", "sessionlog_de.csv"):
        again = shop.ok("import", "csv", fixture(name), "--map-name", "sessionlog")
        assert "imported 0 session(s)" in again.stderr and "7 already in the ledger or repeated" in again.stderr
    assert shop.snapshot() == before


def test_sessions_go_back_to_the_ledger_they_came_from_without_duplicates(shop: Ledger, tmp_path: Path) -> None:
    """Ledger A exports, B imports and adds its own session, B exports; A imports B's export
    and gets only the new one (its own sessions are known by their ids)."""
    a = shop.add("acme", "2024-03-01 10:22", "2024-03-01 10:34", "--note", "IE aktualisiert")
    shop.add("beta", "2024-03-05 14:00", "2024-03-05 14:40", "--note", "Störung; Neustart")
    export_a = tmp_path / "a.csv"
    export_a.write_bytes(shop.ok("list", "2024-03", "--format", "csv", "--profile", "de").stdout_bytes)

    other_root = tmp_path / "other"
    other_root.mkdir()
    (other_root / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    b = Ledger(other_root, tmp_path)
    b.ok("customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH")
    b.ok("customer", "add", "BETA")
    b.ok("import", "csv", str(export_a), "--map-name", "sessionlog")
    own = b.add("acme", "2024-03-06 09:00", "2024-03-06 09:30", "--note", "aus Ledger B")
    export_b = tmp_path / "b.csv"
    export_b.write_bytes(b.ok("list", "2024-03", "--format", "csv").stdout_bytes)

    back = shop.ok("import", "csv", str(export_b), "--map-name", "sessionlog")
    assert "imported 1 session(s) from 3 row(s)" in back.stderr
    assert "2 already in the ledger or repeated" in back.stderr
    ids = [r["id"] for r in shop.records("acme", "2024-03")]
    assert ids == [a, own]


# --- Kimai -------------------------------------------------------------------------------


def test_a_kimai_export_imports_with_its_problems_on_their_lines(shop: Ledger) -> None:
    result = shop.run("import", "csv", fixture("kimai_export.csv"), "--map-name", "kimai")
    assert result.exit_code == 1  # a bad date, a bad billable value, a customer nobody has
    path = fixture("kimai_export.csv")
    assert f"{path}:6: 2024-02-31 is not a date" in result.stderr
    # Line 8: the row with the quoted line break starts there and ends on line 9.
    assert f"{path}:8: billable 'Jein' is not yes or no" in result.stderr
    assert "unmapped: Unbekannt AG (1 row(s), line 7): no customer has this name as key or alias" in result.stderr
    assert 'sessionlog customer edit KEY --alias unbekannt-ag, or --map-project "Unbekannt AG=KEY"' in result.stderr
    assert "imported 5 session(s) from 6 row(s) into 2 month file(s); 2 skipped; 1 unmapped" in result.stderr
    acme = shop.records("acme", "2024-03")
    assert spans(acme) == [
        ("2024-03-01T10:15:00+01:00", "2024-03-01T11:00:00+01:00"),
        # 08:00 to 09:30 with 1:15 worked: the duration is the worked time.
        ("2024-03-08T08:00:00+01:00", "2024-03-08T09:15:00+01:00"),
    ]
    first = acme[0]
    assert first["supporter"] == "Klaus Hörner"  # User khoerner through [import.supporters]
    assert first["note"] == "Drucker eingerichtet, Treiber aktualisiert"
    assert first["tags"] == ["drucker", "vor-ort", "Wartung", "Support"]  # Tags, then project and activity
    assert first["source"].startswith("kimai:")
    beta = shop.records("beta", "2024-03")
    assert (beta[0]["billable"], beta[0]["free_reason"]) == (False, "internal")  # Billable: No
    assert spans(beta)[1:] == [
        ("2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+02:00"),  # the DST night: one hour
        ("2024-03-31T23:40:00+02:00", "2024-04-01T00:20:00+02:00"),  # To before From: the next day
    ]
    again = shop.run("import", "csv", fixture("kimai_export.csv"), "--map-name", "kimai")
    assert "imported 0 session(s)" in again.stderr and "5 already in the ledger" in again.stderr


def test_a_german_kimai_export_in_cp1252_with_decimal_hours(shop: Ledger) -> None:
    result = shop.ok("import", "csv", fixture("kimai_export_de.csv"), "--map-name", "kimai")
    assert "imported 3 session(s) from 3 row(s)" in result.stderr
    (acme,) = shop.records("acme", "2024-03")
    # Dauer 0,75 is rounded hours: Von and Bis say it to the minute and win.
    assert spans([acme]) == [("2024-03-01T10:15:00+01:00", "2024-03-01T11:00:00+01:00")]
    assert acme["supporter"] == "Klaus Hörner" and acme["tags"] == ["drucker", "Wartung", "Support"]
    beta = shop.records("beta", "2024-03")
    assert beta[0]["note"] == "Änderungswünsche" and beta[0]["billable"] is False
    assert spans(beta)[1] == ("2024-03-05T16:00:00+01:00", "2024-03-05T17:30:00+01:00")  # no Bis: 1,5 hours


# --- maps in sessionlog.toml and on the command line ---------------------------------------

RUSTDESK = """
[import.csv.rustdesk]
id = "Session ID"
customer = "Remote ID"
machine = "Remote alias"
supporter = "Technician"
start = "Start time"
end = "End time"
note = "Note"
date_format = "%m/%d/%Y %I:%M %p"
source_tz = "UTC"
"""


def test_a_map_in_the_ledger_reads_a_utf16_tab_file_in_utc(shop: Ledger) -> None:
    shop.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n' + RUSTDESK)
    result = shop.run("import", "csv", fixture("rustdesk_sessions.tsv"), "--map-name", "RustDesk")
    assert result.exit_code == 1  # one remote ID nobody has
    assert "unmapped: 999888777 (1 row(s), line 4): no customer has this remote ID" in result.stderr
    records = shop.records("acme", "2024-03")
    # 09:15 AM UTC is 10:15 in Berlin; the ID written with spaces is ACME's.
    assert spans(records)[0] == ("2024-03-01T10:15:00+01:00", "2024-03-01T10:48:00+01:00")
    assert records[0]["source"] == "rustdesk:a91f2c07" and records[0]["machine"] == "buero-pc"
    # A time the map's format does not fit, but the time parser does, is read all the same.
    assert spans(records)[1] == ("2024-03-13T11:00:00+01:00", "2024-03-13T11:10:00+01:00")
    assert records[2]["unfinished"] is True  # no end time
    # 31 March 10:30 PM UTC is 1 April in Berlin: the April file.
    (april,) = shop.records("acme", "2024-04")
    assert spans([april]) == [("2024-04-01T00:30:00+02:00", "2024-04-01T01:05:00+02:00")]
    before = shop.snapshot()
    shop.run("import", "csv", fixture("rustdesk_sessions.tsv"), "--map-name", "rustdesk")
    assert shop.snapshot() == before


RMM_MAP = [
    "--map", "ticket=Ticket", "--map", "customer=Kunde", "--map", "start=Beginn",
    "--map", "duration=Dauer (min)", "--map", "channel=Kanal", "--map", "supporter=Techniker",
    "--map", "note=Tätigkeit", "--map", "tags=Kategorie",
]  # fmt: skip


def test_a_map_on_the_command_line_reads_a_semicolon_cp1252_file(shop: Ledger) -> None:
    result = shop.run("import", "csv", fixture("rmm_export_cp1252.csv"), *RMM_MAP)
    assert result.exit_code == 1
    path = fixture("rmm_export_cp1252.csv")
    assert f"{path}:4: 2024-03-07 25:00 is not a date and time" in result.stderr
    assert f"{path}:5: channel 'Brieftaube' is not remote, phone or onsite" in result.stderr
    (beta,) = shop.records("beta", "2024-03")
    # 12,5 minutes with a decimal comma; Telefon is the phone.
    assert spans([beta]) == [("2024-03-05T14:00:00+01:00", "2024-03-05T14:12:30+01:00")]
    assert (beta["channel"], beta["ticket"], beta["tags"]) == ("phone", "T-2024-0113", ["drucker"])
    assert beta["note"] == "Rückruf wegen Drucker"
    (acme,) = shop.records("acme", "2024-03")
    assert acme["channel"] == "onsite" and acme["note"] == "Switch getauscht; Patchfeld beschriftet"
    assert re.fullmatch(r"csv:[0-9a-f]{16}", acme["source"])  # no id column: a hash of the row
    before = shop.snapshot()
    again = shop.run("import", "csv", fixture("rmm_export_cp1252.csv"), *RMM_MAP)
    assert "2 already in the ledger" in again.stderr and shop.snapshot() == before


def test_map_keys_on_the_command_line_override_a_named_map(shop: Ledger) -> None:
    shop.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n' + RUSTDESK)
    # The same file read as Berlin time: --map beats the map's own option, --source-tz beats both.
    berlin = dry(shop, fixture("rustdesk_sessions.tsv"), "--map-name", "rustdesk", "--map", "source_tz=Europe/Berlin")
    assert berlin[0]["start"] == "2024-03-01T09:15:00+01:00"
    utc = dry(
        shop, fixture("rustdesk_sessions.tsv"), "--map-name", "rustdesk", "--map", "source_tz=Europe/Berlin",
        "--source-tz", "UTC",
    )  # fmt: skip
    assert utc[0]["start"] == "2024-03-01T10:15:00+01:00"
    # --date-format replaces the map's: now no row reads, and the first one's problem says why.
    shop.refused(
        "import", "csv", fixture("rustdesk_sessions.tsv"), "--map-name", "rustdesk", "--date-format", "%d.%m.%Y",
        match=re.escape(
            "nothing in it reads as a CSV file with a header line; line 2: '03/01/2024 09:15 AM' is ambiguous "
            "(day or month first?); write 01.03.2024 or 2024-03-01 (or give --date-format)"
        ),
    )  # fmt: skip


def test_delimiters_a_bom_and_quoted_line_breaks(shop: Ledger, tmp_path: Path) -> None:
    rows = [
        "Kunde{d}Start{d}Ende{d}Notiz",
        'acme{d}2024-03-01 10:00{d}2024-03-01 10:30{d}"zwei{d} Teile\r\nund eine Zeile mehr"',
        "beta{d}2024-03-02 11:00{d}2024-03-02 11:20{d}kurz",
    ]
    for delimiter, encoding in ((",", "utf-8-sig"), (";", "cp1252"), ("\t", "utf-16")):
        path = tmp_path / f"export-{ord(delimiter)}.csv"
        path.write_bytes("\r\n".join(r.format(d=delimiter) for r in rows).encode(encoding))
        found = dry(shop, str(path), "--map", "customer=Kunde", "--map", "start=Start", "--map", "end=Ende",
                    "--map", "note=Notiz")  # fmt: skip
        assert [(d["customer"], d["note"], d["lines"]) for d in found] == [
            ("acme", f"zwei{delimiter} Teile\r\nund eine Zeile mehr", [2]),
            ("beta", "kurz", [4]),
        ], delimiter


def test_a_header_that_lacks_a_mapped_column_is_refused(shop: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Start,Ende\n2024-03-01 10:00,2024-03-01 11:00\n", encoding="utf-8")
    shop.refused(
        "import", "csv", str(path), "--map", "start=Start", "--map", "end=End time", "--customer", "acme",
        match=re.escape(f"{path}: line 1: no column 'End time' for end (the header has 'Start', 'Ende')"),
    )  # fmt: skip


def test_column_map_mistakes_are_refused_before_anything_is_read(shop: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Start\n2024-03-01 10:00\n", encoding="utf-8")
    shop.refused(
        "import",
        "csv",
        str(path),
        match=r"import csv needs a column map: --map-name NAME \(kimai, sessionlog\)",
        code=2,
    )
    shop.refused("import", "csv", str(path), "--map-name", "toggl", match=r"--map-name: no column map 'toggl'")
    shop.refused("import", "csv", str(path), "--map", "strat=Start", match=r"unknown key 'strat'; did you mean start\?")
    shop.refused("import", "csv", str(path), "--map", "Start", match=r"--map 'Start': expected FIELD=COLUMN", code=2)
    shop.refused("import", "csv", str(path), "--map", "note=Start", match=r"the map names no start column")
    shop.refused(
        "import", "csv", str(path), "--map", "start=Start", "--map", "duration_unit=days",
        match="duration_unit is hours, minutes or seconds",
    )  # fmt: skip
    shop.refused(
        "import", "csv", str(path), "--map", "start=Start", "--map", "source_tz=Mars/Olympus",
        match="unknown time zone 'Mars/Olympus'",
    )  # fmt: skip
    shop.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[import.csv.mine]\nbegin = "Start"\n')
    shop.refused(
        "import", "csv", str(path), "--map-name", "mine",
        match=re.escape("sessionlog.toml [import.csv.mine]: unknown key 'begin'"),
    )  # fmt: skip
    shop.ok("status")  # a wrong map in sessionlog.toml stops only the import that uses it


def test_options_of_one_kind_are_refused_for_another(shop: Ledger) -> None:
    shop.refused(
        "import", "teamviewer", fixture("kimai_export.csv"), "--map-name", "kimai",
        match="--map, --map-name and --date-format are for import csv", code=2,
    )  # fmt: skip
    shop.refused(
        "import", "anydesk", fixture("kimai_export.csv"), "--map-project", "x=acme",
        match="--map-project is for import csv, rdp, timewarrior, watson", code=2,
    )  # fmt: skip


def test_a_settings_file_with_a_malformed_map_table_is_reported(shop: Ledger) -> None:
    shop.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[import.csv.mine]\nstart = 5\n')
    shop.refused("status", match=r"import\.csv\.mine\.start must be a column name or a list of them")


def test_rows_without_a_start_or_customer_are_counted_not_imported(shop: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "totals.csv"
    path.write_text("Kunde;Start;Dauer\nacme;01.03.2024 10:00;0:30\n;;0:30\nbeta;;0:10\n", encoding="utf-8")
    result = shop.run("import", "csv", str(path), "--map", "customer=Kunde", "--map", "start=Start",
                      "--map", "duration=Dauer")  # fmt: skip
    assert result.exit_code == 1
    assert "1 row(s) without a start or customer (totals?) ignored" in result.stderr
    assert f"{path}:4: no start: the start (or date) column is empty" in result.stderr
    assert len(shop.records("acme", "2024-03")) == 1


def test_a_session_moved_to_another_month_is_still_known_by_its_id(shop: Ledger) -> None:
    shop.ok("import", "csv", fixture("sessionlog_en.csv"), "--map-name", "sessionlog")
    shop.ok("edit", "jkxiaccd", "--start", "2024-01-31 10:22", "--end", "2024-01-31 10:34")
    before = shop.snapshot()
    again = shop.ok("import", "csv", fixture("sessionlog_en.csv"), "--map-name", "sessionlog")
    assert "imported 0 session(s)" in again.stderr and "7 already in the ledger or repeated" in again.stderr
    assert shop.snapshot() == before
    assert [r["id"] for r in shop.records("acme", "2024-01")] == ["jkxiaccd"]

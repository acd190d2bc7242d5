"""Finished records through the CLI: add, edit, delete; time input; hand edits that must survive."""

from __future__ import annotations

import shlex
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Ledger, assert_one_error

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


# --- add and time input ------------------------------------------------------------------


def test_add_prints_only_the_new_id_on_stdout(ledger: Ledger) -> None:
    result = ledger.ok("add", "acme", "--start", "01.03.2024 10:00", "--end", "01.03.2024 10:45", "--note", "Drucker")
    [sid] = result.stdout.split()
    assert "added acme" in result.stderr
    [record] = ledger.records("acme", "2024-03")
    assert record["id"] == sid
    assert record["note"] == "Drucker"


def test_add_across_the_spring_forward_change_counts_real_time(ledger: Ledger) -> None:
    # 02:00 does not exist on 31.03.2024 in Berlin: 01:30 to 03:30 is one real hour.
    sid = ledger.add("ACME", "2024-03-31 01:30", "2024-03-31 03:30")
    text = ledger.month("acme", "2024-03").read_text(encoding="utf-8")
    assert "start = 2024-03-31T01:30:00+01:00" in text
    assert "end = 2024-03-31T03:30:00+02:00" in text
    [s] = ledger.sessions()
    assert s["id"] == sid
    assert s["duration_seconds"] == 3600


def test_add_with_a_german_decimal_duration(ledger: Ledger) -> None:
    ledger.ok("add", "acme", "--start", "01.03.2024 10:00", "--duration", "1,5h")
    [s] = ledger.sessions()
    assert s["duration_seconds"] == 5400
    assert s["end"] == "2024-03-01T11:30:00+01:00"


@pytest.mark.parametrize(("text", "seconds"), [("12m", 720), ("1h30m", 5400), ("1:30", 5400), ("00:12:22", 742)])
def test_add_duration_forms(ledger: Ledger, text: str, seconds: int) -> None:
    ledger.ok("add", "acme", "--start", "01.03.2024 10:00", "--duration", text)
    [s] = ledger.sessions()
    assert s["duration_seconds"] == seconds


def test_a_session_over_midnight_belongs_to_the_month_it_started_in(ledger: Ledger) -> None:
    ledger.add("acme", "2024-03-31 23:30", "2024-04-01 00:30")
    assert ledger.month("acme", "2024-03").is_file()
    assert not ledger.month("acme", "2024-04").exists()
    [record] = ledger.records("acme", "2024-03")
    assert record["start"] == datetime(2024, 3, 31, 23, 30, tzinfo=CEST)
    assert record["end"] == datetime(2024, 4, 1, 0, 30, tzinfo=CEST)
    assert [s["duration_seconds"] for s in ledger.sessions("2024-03")] == [3600]
    assert ledger.sessions("2024-04") == []


@pytest.mark.parametrize("start", ["2024-04-01 00:10", "2024-03-31T22:10:00+00:00"])
def test_the_month_is_the_ledger_zones_month_not_utc(ledger: Ledger, start: str) -> None:
    # 01.04.2024 00:10 in Berlin is still 31.03. in UTC; the ledger's zone decides.
    ledger.add("acme", start, "2024-04-01 00:40")
    assert ledger.month("acme", "2024-04").is_file()
    assert not ledger.month("acme", "2024-03").exists()
    [record] = ledger.records("acme", "2024-04")
    assert record["start"] == datetime(2024, 3, 31, 22, 10, tzinfo=UTC)
    assert "start = 2024-04-01T00:10:00+02:00" in ledger.month("acme", "2024-04").read_text(encoding="utf-8")


def test_an_end_given_as_a_bare_time_is_on_the_start_day(ledger: Ledger) -> None:
    # NOW is 05.03.2024 12:00; "yesterday 16:00 to 17:00" is one hour on 04.03., not 25 hours.
    ledger.ok("add", "acme", "--start", "yesterday 16:00", "--end", "17:00")
    [s] = ledger.sessions()
    assert s["start"] == "2024-03-04T16:00:00+01:00"
    assert s["end"] == "2024-03-04T17:00:00+01:00"
    assert s["duration_seconds"] == 3600


def test_add_free_session_keeps_the_reason(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:20", "--free", "warranty")
    [s] = ledger.sessions()
    assert s["billable"] is False
    assert s["free_reason"] == "warranty"


def test_add_over_24_hours_needs_force(ledger: Ledger) -> None:
    line = ledger.refused("add", "acme", "--start", "01.03.2024 10:00", "--duration", "25h", match="over 24 hours")
    assert "--force" in line
    ledger.ok("add", "acme", "--start", "01.03.2024 10:00", "--duration", "25h", "--force")
    [s] = ledger.sessions()
    assert s["duration_seconds"] == 25 * 3600


def test_add_creates_an_unknown_customer_with_a_notice(ledger: Ledger) -> None:
    result = ledger.ok("add", "Neu", "--start", "01.03.2024 10:00", "--duration", "10m")
    assert "created customer neu" in result.stderr
    assert len(ledger.records("neu", "2024-03")) == 1


# --- refused add --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--start", "01.03.2024 10:00", "--end", "01.03.2024 09:00"], "end must be after start"),
        (["--start", "01.03.2024 10:00", "--end", "01.03.2024 10:00"], "end must be after start"),
        (["--start", "01.03.2024 10:00", "--duration", "0m"], "duration must be positive, got '0m'"),
        (["--start", "01.03.2024 10:00", "--duration", "-10m"], "duration must be positive, got '-10m'"),
        (["--start", "01.03.2024 10:00", "--duration", "abc"], "cannot read duration 'abc'"),
        (["--start", "32.03.2024", "--duration", "1h"], r"'32\.03\.2024' is not a valid date"),
        (["--start", "gestern um drei", "--duration", "1h"], "cannot read time 'gestern um drei'"),
        (["--start", "01.03.2024 10:00", "--end", "morgen irgendwann"], "cannot read time 'morgen irgendwann'"),
    ],
    ids=[
        "end-before-start",
        "zero-length",
        "duration-0m",
        "negative-duration",
        "duration-abc",
        "32-march",
        "gestern-um-drei",
        "bad-end",
    ],
)
def test_add_bad_input_is_refused(ledger: Ledger, args: list[str], match: str) -> None:
    ledger.add("acme", "01.03.2024 08:00", "01.03.2024 08:30")
    ledger.refused("add", "acme", *args, match=match)
    assert len(ledger.records("acme", "2024-03")) == 1


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ([], r"give --start \(and --end or --duration\)"),
        (["--start", "01.03.2024 10:00"], "give --end or --duration$"),
        (
            ["--start", "01.03.2024 10:00", "--end", "01.03.2024 11:00", "--duration", "1h"],
            "give --end or --duration, not both",
        ),
    ],
    ids=["no-start", "no-end", "end-and-duration"],
)
def test_add_usage_errors_exit_2(ledger: Ledger, args: list[str], match: str) -> None:
    ledger.refused("add", "acme", *args, code=2, match=match)


def test_add_into_a_broken_file_names_path_and_line_and_leaves_it_alone(ledger: Ledger) -> None:
    garbage = '[[session]]\nid = "ok"\nthis is not toml at all\n'
    path = ledger.write("customers/acme/2024-03.toml", garbage)
    line = ledger.refused(
        "add", "acme", "--start", "01.03.2024 10:00", "--duration", "1h", match="will not write to this file"
    )
    assert f"{path}:3:" in line
    assert path.read_bytes() == garbage.encode()
    # Other months of the same customer are still writable.
    ledger.add("acme", "01.04.2024 10:00", "01.04.2024 11:00")
    assert path.read_bytes() == garbage.encode()


# --- edit by option -----------------------------------------------------------------------


@pytest.fixture
def one(ledger: Ledger) -> str:
    """One finished session: acme, 01.03.2024 10:00-11:00, note 'alt'."""
    return ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--note", "alt")


def test_edit_note(ledger: Ledger, one: str) -> None:
    result = ledger.ok("edit", one, "--note", "neu")
    assert result.stdout == ""
    [record] = ledger.records("acme", "2024-03")
    assert record["note"] == "neu"
    assert record["id"] == one


def test_edit_by_unique_prefix(ledger: Ledger, one: str) -> None:
    ledger.ok("edit", one[:4], "--note", "per Präfix")
    assert ledger.records("acme", "2024-03")[0]["note"] == "per Präfix"


@pytest.mark.parametrize("command", [["edit", "--note", "x"], ["delete", "--yes"]])
def test_a_prefix_shorter_than_four_characters_is_refused(ledger: Ledger, one: str, command: list[str]) -> None:
    """`delete e --yes` once deleted whatever session started with an e."""
    line = ledger.refused(command[0], one[:1], *command[1:], match="give at least 4 characters of the id")
    assert repr(one[:1]) in line
    ledger.refused(command[0], one[:3], *command[1:], match="give at least 4 characters")


def test_delete_says_what_it_deleted(ledger: Ledger, one: str) -> None:
    result = ledger.ok("delete", one[:4], "--yes")
    assert f"deleted {one} acme 01.03.2024 10:00 1:00:00" in result.stderr


def test_edit_start_keeps_the_end(ledger: Ledger, one: str) -> None:
    ledger.ok("edit", one, "--start", "01.03.2024 10:10")
    [s] = ledger.sessions()
    assert s["start"] == "2024-03-01T10:10:00+01:00"
    assert s["end"] == "2024-03-01T11:00:00+01:00"
    assert s["duration_seconds"] == 50 * 60


def test_edit_duration_moves_the_end(ledger: Ledger, one: str) -> None:
    ledger.ok("edit", one, "--duration", "20m")
    [s] = ledger.sessions()
    assert s["start"] == "2024-03-01T10:00:00+01:00"
    assert s["end"] == "2024-03-01T10:20:00+01:00"


def test_edit_start_into_another_month_moves_the_record(ledger: Ledger, one: str) -> None:
    ledger.ok("edit", one, "--start", "29.02.2024 10:00", "--end", "29.02.2024 10:30")
    assert [r["id"] for r in ledger.records("acme", "2024-02")] == [one]
    assert not ledger.month("acme", "2024-03").exists() or ledger.records("acme", "2024-03") == []


def test_edit_customer_moves_the_record_to_the_other_customers_file(ledger: Ledger, one: str) -> None:
    ledger.ok("customer", "add", "beta")
    keep = ledger.add("acme", "02.03.2024 10:00", "02.03.2024 11:00")
    ledger.ok("edit", one, "--customer", "BETA")
    assert [r["id"] for r in ledger.records("acme", "2024-03")] == [keep]
    [moved] = ledger.records("beta", "2024-03")
    assert moved["id"] == one
    assert moved["note"] == "alt"
    assert moved["start"] == datetime(2024, 3, 1, 10, tzinfo=CET)


def test_edit_customer_to_an_unknown_customer_is_refused(ledger: Ledger, one: str) -> None:
    ledger.refused("edit", one, "--customer", "nobody", match="no customer 'nobody'")


def test_edit_free_and_billable(ledger: Ledger, one: str) -> None:
    ledger.ok("edit", one, "--free", "goodwill")
    [s] = ledger.sessions()
    assert (s["billable"], s["free_reason"]) == (False, "goodwill")
    ledger.ok("edit", one, "--billable")
    [s] = ledger.sessions()
    assert (s["billable"], s["free_reason"]) == (True, None)
    assert "free_reason" not in ledger.records("acme", "2024-03")[0]


def test_edit_end_before_start_is_refused(ledger: Ledger, one: str) -> None:
    ledger.refused("edit", one, "--end", "01.03.2024 09:00", match="end must be after start")
    ledger.refused("edit", one, "--start", "01.03.2024 11:30", match="end must be after start")
    ledger.refused("edit", one, "--duration", "0m", match="duration must be positive, got '0m'")
    ledger.refused("edit", one, "--start", "gestern um drei", match="cannot read time 'gestern um drei'")


def test_edit_unknown_id_is_refused(ledger: Ledger, one: str) -> None:
    line = ledger.refused("edit", "zzzzzzzz", "--note", "x", match="no session with id 'zzzzzzzz'")
    assert "zzzzzzzz" in line


AMBIGUOUS = textwrap.dedent(
    """\
    [[session]]
    id = "abc11111"
    start = 2024-03-01T10:00:00+01:00
    end = 2024-03-01T11:00:00+01:00
    supporter = "Klaus Hörner"
    note = "eins"

    [[session]]
    id = "abc22222"
    start = 2024-03-02T10:00:00+01:00
    end = 2024-03-02T11:00:00+01:00
    supporter = "Klaus Hörner"
    note = "zwei"
    """
)


def test_an_ambiguous_prefix_is_refused_and_a_longer_one_works(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", AMBIGUOUS)
    line = ledger.refused("edit", "abc", "--note", "x", match="give at least 4 characters of the id, not 'abc'")
    ledger.write("customers/acme/2024-03.toml", AMBIGUOUS.replace("abc1", "abcd1").replace("abc2", "abcd2"))
    line = ledger.refused("edit", "abcd", "--note", "x", match="id prefix 'abcd' is ambiguous")
    assert "abcd11111" in line and "abcd22222" in line
    ledger.refused("delete", "abcd", "--yes", match="id prefix 'abcd' is ambiguous")
    ledger.write("customers/acme/2024-03.toml", AMBIGUOUS)
    ledger.ok("edit", "abc2", "--note", "geändert")
    notes = {r["id"]: r["note"] for r in ledger.records("acme", "2024-03")}
    assert notes == {"abc11111": "eins", "abc22222": "geändert"}


# --- edit in $EDITOR ------------------------------------------------------------------------


def _editor(tmp_path: Path, body: str) -> str:
    """An $EDITOR command: a Python script that changes the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import re, sys\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        + textwrap.dedent(body)
        + "open(path, 'w', encoding='utf-8').write(text)\n",
        encoding="utf-8",
    )
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def test_edit_without_options_opens_the_editor(ledger: Ledger, one: str, tmp_path: Path) -> None:
    editor = _editor(tmp_path, "text = re.sub(r'(?m)^note = .*$', 'note = \"im Editor geändert\"', text)\n")
    result = ledger.ok("edit", one, env={"EDITOR": editor})
    assert result.stdout == ""
    [record] = ledger.records("acme", "2024-03")
    assert record["note"] == "im Editor geändert"
    assert record["end"] == datetime(2024, 3, 1, 11, tzinfo=CET)


def test_invalid_text_from_the_editor_changes_nothing(ledger: Ledger, one: str, tmp_path: Path) -> None:
    editor = _editor(tmp_path, "text = re.sub(r'(?m)^end = .*$', 'end = 2024-03-01T09:00:00+01:00', text)\n")
    before = ledger.snapshot()
    result = ledger.run("edit", one, env={"EDITOR": editor})  # stdin is not a tty: no second try
    line = assert_one_error(result, match="end must be after start")
    assert "end must be after start" in line
    assert ledger.snapshot() == before


def test_an_editor_that_fails_changes_nothing(ledger: Ledger, one: str, tmp_path: Path) -> None:
    editor = _editor(tmp_path, "sys.exit(3)\n")
    ledger.refused("edit", one, env={"EDITOR": editor}, match="the editor exited with status 3")


# --- delete ---------------------------------------------------------------------------------


def test_delete_with_yes_removes_the_record(ledger: Ledger, one: str) -> None:
    keep = ledger.add("acme", "02.03.2024 10:00", "02.03.2024 11:00")
    result = ledger.ok("delete", one, "--yes")
    assert result.stdout == ""
    assert "deleted" in result.stderr
    assert [r["id"] for r in ledger.records("acme", "2024-03")] == [keep]
    ledger.refused("edit", one, "--note", "x", match=f"no session with id '{one}'")


def test_delete_without_yes_and_without_a_terminal_deletes_nothing(ledger: Ledger, one: str) -> None:
    line = ledger.refused("delete", one, match="add --yes to confirm")
    assert "--yes" in line
    assert [r["id"] for r in ledger.records("acme", "2024-03")] == [one]


def test_delete_unknown_id_is_refused(ledger: Ledger, one: str) -> None:
    ledger.refused("delete", "zzzzzzzz", "--yes", match="no session with id 'zzzzzzzz'")


def test_delete_a_running_session_is_refused(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    sid = ledger.sessions()[0]["id"]
    line = ledger.refused("delete", sid, "--yes", match=f"{sid} is running")
    assert "cancel" in line


# --- what a person wrote by hand survives ----------------------------------------------------

HAND_WRITTEN = textwrap.dedent(
    """\
    # Sitzungen ACME, März 2024 - von Hand gepflegt

    # Anruf von Herrn Maier, Rückruf vereinbart
    [[session]]
    id = "hand0001"
    start = 2024-03-01T10:22:00+01:00
    end = 2024-03-01T10:34:22+01:00
    supporter = "Klaus Hörner"
    # intern: Kunde war verärgert
    note = "IE aktualisiert"
    rechnungstext = "Browser-Update …"
    billable = true

    [[session]]
    id   =   "hand0002"
    start=2024-03-02T09:00:00+01:00
    end =    2024-03-02T09:30:00+01:00
    supporter   = "Klaus Hörner"
    note = 'Drucker'   # Toner leer
    """
)
SECOND = HAND_WRITTEN[HAND_WRITTEN.index("[[session]]\nid   =") :]


def test_edit_keeps_comments_unknown_keys_and_other_records(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-03.toml", HAND_WRITTEN)
    ledger.ok("edit", "hand0001", "--note", "neu")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Sitzungen ACME, März 2024 - von Hand gepflegt\n")
    assert "# Anruf von Herrn Maier, Rückruf vereinbart\n[[session]]\n" in text
    assert 'rechnungstext = "Browser-Update …"' in text
    assert "# intern: Kunde war verärgert\n" in text
    assert text.endswith(SECOND)
    records = ledger.records("acme", "2024-03")
    assert [r["note"] for r in records] == ["neu", "Drucker"]
    assert records[0]["rechnungstext"] == "Browser-Update …"


def test_edit_of_the_odd_record_keeps_the_first_one_byte_for_byte(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-03.toml", HAND_WRITTEN)
    first = HAND_WRITTEN[: HAND_WRITTEN.index(SECOND)]
    ledger.ok("edit", "hand0002", "--note", "Toner getauscht")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(first)
    assert [r["note"] for r in ledger.records("acme", "2024-03")] == ["IE aktualisiert", "Toner getauscht"]


def test_delete_keeps_comments_and_the_other_record(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-03.toml", HAND_WRITTEN)
    ledger.ok("delete", "hand0002", "--yes")
    text = path.read_text(encoding="utf-8")
    assert "# Sitzungen ACME, März 2024 - von Hand gepflegt" in text
    assert "# Anruf von Herrn Maier, Rückruf vereinbart\n[[session]]\n" in text
    assert 'rechnungstext = "Browser-Update …"' in text
    assert "hand0002" not in text
    assert [r["id"] for r in ledger.records("acme", "2024-03")] == ["hand0001"]


def test_add_appends_without_touching_what_is_there(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-03.toml", HAND_WRITTEN)
    sid = ledger.add("acme", "03.03.2024 10:00", "03.03.2024 10:15")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN)
    assert [r["id"] for r in ledger.records("acme", "2024-03")] == ["hand0001", "hand0002", sid]


CRLF = (
    "# von Windows-Editor gespeichert\r\n"
    "[[session]]\r\n"
    'id = "crlf0001"\r\n'
    "start = 2024-03-01T10:00:00+01:00\r\n"
    "end = 2024-03-01T11:00:00+01:00\r\n"
    'supporter = "Klaus Hörner"\r\n'
    'note = "alt"\r\n'
    "\r\n"
    "[[session]]\r\n"
    'id = "crlf0002"\r\n'
    "start = 2024-03-02T10:00:00+01:00\r\n"
    "end = 2024-03-02T11:00:00+01:00\r\n"
    'supporter = "Klaus Hörner"\r\n'
)


def test_a_file_with_windows_line_endings_can_be_edited(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-03.toml", CRLF)
    ledger.ok("edit", "crlf0001", "--note", "neu")
    data = path.read_bytes()
    assert data.startswith(b"# von Windows-Editor gespeichert\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")  # still CRLF throughout
    assert [r["note"] for r in ledger.records("acme", "2024-03") if "note" in r] == ["neu"]


def test_a_record_can_be_deleted_from_a_file_with_windows_line_endings(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-03.toml", CRLF)
    ledger.ok("delete", "crlf0002", "--yes")
    assert path.read_bytes().startswith(b"# von Windows-Editor gespeichert\r\n")
    assert [r["id"] for r in ledger.records("acme", "2024-03")] == ["crlf0001"]


INVOICED = textwrap.dedent(
    """\
    [[session]]
    id = "billed01"
    start = 2024-02-01T10:00:00+01:00
    end = 2024-02-01T11:00:00+01:00
    supporter = "Klaus Hörner"
    note = "abgerechnet"
    invoice = "RE-2024-0007"
    """
)


def test_an_invoiced_record_changes_only_with_force(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-02.toml", INVOICED)
    line = ledger.refused("edit", "billed01", "--note", "nachträglich", match="session billed01 is locked")
    assert "RE-2024-0007" in line and "--force" in line
    ledger.refused("delete", "billed01", "--yes", match="session billed01 is locked: it was invoiced as RE-2024-0007")
    result = ledger.ok("edit", "billed01", "--note", "nachträglich", "--force")
    assert "warning" in result.stderr  # never silently
    [record] = ledger.records("acme", "2024-02")
    assert record["note"] == "nachträglich"
    assert record["invoice"] == "RE-2024-0007"
    assert path.is_file()

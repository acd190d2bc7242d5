"""The importers on their own: fixture files in, candidates and numbered problems out.

Expected values are read off the fixture files by hand (times there are UTC).
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionlog.importers import anydesk, teamviewer, teamviewer_api
from sessionlog.importers.base import Candidate, Parsed, decode

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def read(name: str) -> str:
    return decode((FIXTURES / name).read_bytes())


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def by_line(parsed: Parsed) -> dict[int, Candidate]:
    return {c.line: c for c in parsed.candidates}


def problem_lines(parsed: Parsed) -> list[int | None]:
    return [p.line for p in parsed.problems]


# --- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Jürgen".encode(), "Jürgen"),
        (codecs.BOM_UTF8 + "Jürgen".encode(), "Jürgen"),
        ("Jürgen Weiß".encode("cp1252"), "Jürgen Weiß"),
        ("Jürgen".encode("utf-16"), "Jürgen"),  # with BOM, in the machine's byte order
        (codecs.BOM_UTF16_BE + "Jürgen".encode("utf-16-be"), "Jürgen"),
        ("Incoming 2024".encode("utf-16-le"), "Incoming 2024"),  # no BOM
        ("Incoming 2024".encode("utf-16-be"), "Incoming 2024"),
        (b"\x81\x8d caf\xe9", "\x81\x8d café"),  # bytes cp1252 leaves undefined still decode
    ],
)
def test_decode_detects_bom_utf16_utf8_and_falls_back_to_cp1252(data: bytes, text: str) -> None:
    assert decode(data) == text


# --- TeamViewer local logs ---------------------------------------------------------------------


def test_outgoing_log_with_every_variation() -> None:
    parsed = teamviewer.parse(read("Connections.txt"))
    found = by_line(parsed)
    # Line 1 is blank, 5 blank, 8 ends before it starts, 9 is prose, 10 has no length.
    assert sorted(found) == [2, 3, 4, 6, 7, 11, 12, 13]
    assert problem_lines(parsed) == [8, 9]
    assert "ends (05-03-2024 09:00:00) before it starts" in parsed.problems[0].message
    assert parsed.ignored == {"zero-length connection(s)": 1}

    first = found[2]
    assert (first.start, first.end) == (utc("2024-03-01 09:22:00"), utc("2024-03-01 09:34:22"))
    assert first.partner_id == "565955529"
    assert first.partner_name == "" and first.contact is None  # outgoing logs name no partner
    assert first.machine == "565955529"
    assert first.tool_user == "Klaus Hörner"
    assert first.connection_type == "RemoteControl"
    assert first.source == "teamviewer:{6460e19e-0c6f-4f5a-9a1b-2f3c4d5e6f70}"  # upper case GUID, folded
    # A trailing tab after a lower-case GUID.
    assert found[3].source == "teamviewer:{a1b2c3d4-0000-4000-8000-000000000001}"
    # Ten digits, <unknown> user, "Filetransfer" with a small t, no GUID and a trailing tab.
    transfer = found[4]
    assert transfer.partner_id == "1234567890"
    assert transfer.tool_user == ""
    assert transfer.connection_type == "FileTransfer"
    assert transfer.source == "teamviewer:1234567890:20240301T094000Z-20240301T094510Z"
    # It overlaps line 3, a connection to another partner: both are read.
    assert transfer.start < found[3].end  # type: ignore[operator]
    # No GUID column at all.
    assert found[6].source == "teamviewer:565955529:20240302T140000Z-20240302T142000Z"
    assert found[6].tool_user == "khoerner"
    assert found[7].connection_type == "RemoteSupport"


def test_incoming_log_with_crlf_names_and_an_empty_guid_column() -> None:
    parsed = teamviewer.parse(read("Connections_incoming.txt"))
    assert parsed.problems == []
    found = by_line(parsed)
    assert sorted(found) == [1, 2, 4]
    anna = found[1]  # 7 columns and a trailing tab (8 fields, the last empty)
    assert anna.partner_name == "Anna Muster | Muster GmbH"
    assert anna.contact == "Anna Muster | Muster GmbH"
    assert anna.tool_user == "Buchhaltung PC"
    assert (anna.start, anna.end) == (utc("2024-03-07 13:00:00"), utc("2024-03-07 13:45:00"))
    assert anna.source == "teamviewer:{0a1b2c3d-aaaa-4aaa-8aaa-aaaaaaaaaaaa}"
    weber = found[2]  # an empty GUID column, <unknown> user, a nine-digit ID
    assert weber.partner_name == "Praxis Dr. Weber"
    assert weber.tool_user == ""
    assert weber.source == "teamviewer:123456789:20240307T150000Z-20240307T153000Z"
    maier = found[4]
    assert maier.partner_name == "Maier, Horst"
    assert maier.connection_type == "FileTransfer"
    assert maier.source == "teamviewer:{0a1b2c3d-bbbb-4bbb-8bbb-bbbbbbbbbbbb}"


def test_space_padded_columns_give_the_same_keys_as_tabs() -> None:
    padded = by_line(teamviewer.parse(read("connections_padded.txt")))
    tabs = by_line(teamviewer.parse(read("Connections.txt")))
    assert padded[1].source == tabs[2].source
    assert padded[2].source == tabs[4].source
    assert padded[1].tool_user == "Klaus Hörner"
    assert padded[3].partner_name == "Anna Muster | Muster GmbH"
    assert padded[3].start == utc("2024-03-08 07:00:00")


def test_cp1252_and_utf16_files() -> None:
    (weiss,) = teamviewer.parse(read("connections_cp1252.txt")).candidates
    assert weiss.partner_name == "Jürgen Weiß | Müller & Söhne"
    assert weiss.tool_user == "Jürgen"
    parsed = teamviewer.parse(read("connections_utf16.txt"))
    assert [c.tool_user for c in parsed.candidates] == ["Klaus Hörner", "Klaus Hörner"]
    assert [c.partner_id for c in parsed.candidates] == ["565955529", "1234567890"]


def test_source_tz_reads_the_times_as_local_wall_times() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    (anna, *_) = teamviewer.parse(read("Connections_incoming.txt"), berlin).candidates
    assert anna.start == datetime(2024, 3, 7, 12, 0, tzinfo=UTC)  # 13:00 in Berlin is 12:00 UTC
    # The key is the UTC instant, so the same connection read either way is not mixed up.
    assert anna.source.startswith("teamviewer:{")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("abc\t01-03-2024 09:00:00\t01-03-2024 09:10:00\tK\tRemoteControl", "partner ID 'abc' is not a number"),
        ("565955529\t32-03-2024 09:00:00\t01-03-2024 09:10:00\tK\tRemoteControl", "is not a time"),
        ("565955529\t01-03-2024 09:00:00\t01-03-2024 09:10:00\tK\tRemoteControl\tnot-a-guid", "is not a session GUID"),
        (
            "565955529\t01-03-2024 09:00:00\t01-03-2024 09:10:00\tK\tRC\t{6460e19e-0c6f-4f5a-9a1b-2f3c4d5e6f70}\tx",
            "7 columns",
        ),
        ("565955529\t01-03-2024", "not a TeamViewer connection"),
    ],
)
def test_bad_teamviewer_lines_are_problems_with_their_number(line: str, message: str) -> None:
    good = "565955529\t01-03-2024 08:00:00\t01-03-2024 08:10:00\tK\tRemoteControl"
    parsed = teamviewer.parse(f"{good}\n\n{line}\n")
    assert len(parsed.candidates) == 1
    assert problem_lines(parsed) == [3]
    assert message in parsed.problems[0].message


# Columns as the usual line has them, and as it does not: what the pattern of the usual line
# takes must read exactly as the general way reads it, and what it leaves must still be read.
_usual = {
    "partner": st.sampled_from(["565955529", "0"]),
    "start": st.sampled_from(["01-03-2024 09:00:00", "29-02-2024 23:59:59", "31-03-2024 00:59:00"]),
    "end": st.sampled_from(["01-03-2024 09:10:00", "01-04-2024 01:00:00"]),
    "user": st.sampled_from(["Klaus Hörner", "<unknown>", "<UNKNOWN>", "DOM\\k"]),
    "kind": st.sampled_from(["RemoteControl", "filetransfer", "Meeting", "Neu Typ"]),
    "guid": st.sampled_from(["", "{6460E19E-0C6F-4F5A-9A1B-2F3C4D5E6F70}"]),
    "tail": st.sampled_from(["", "\t", "\t\t"]),
}
_other = {
    "partner": st.sampled_from(["d565955529", "565 955 529", "", "²3"]),
    "start": st.sampled_from(["01-03-2024 09:10:00", "31-02-2024 10:00:00", "01-03-2024 24:00:00", "1-3-2024 9:00:00"]),
    "end": st.sampled_from(["01-03-2024 09:10:00", "01-03-2024 08:00:00", "01-13-2024 09:00:00", "1-3-2024 9:30:00"]),
    "user": st.sampled_from([" K ", "", "K\u00a0"]),
    "kind": st.sampled_from([" VPN", ""]),
    "guid": st.sampled_from(
        ["6460e19e-0c6f-4f5a-9a1b-2f3c4d5e6f70", "{6460e19e-0c6f-4f5a-9a1b-2f3c4d5e6f70", "{not-a-guid}"]
    ),
    "tail": st.sampled_from([" ", "\r", "\tx"]),
}
# A usual line, or one with some columns of the other kind.
_rows = st.fixed_dictionaries(_usual) | st.fixed_dictionaries({k: v | _other[k] for k, v in _usual.items()})


@given(st.lists(_rows, min_size=1, max_size=4), st.sampled_from([UTC, ZoneInfo("Europe/Berlin")]))
def test_the_usual_teamviewer_line_reads_as_the_general_way_reads_it(rows: list[dict[str, str]], tz: timezone) -> None:
    text = "\n".join(
        f"{r['partner']}\t{r['start']}\t{r['end']}\t{r['user']}\t{r['kind']}\t{r['guid']}{r['tail']}" for r in rows
    )
    fast = teamviewer.parse(text, tz)
    usual = teamviewer._USUAL
    try:
        teamviewer._USUAL = re.compile(r"(?!)")  # every line the general way
        general = teamviewer.parse(text, tz)
    finally:
        teamviewer._USUAL = usual
    assert fast.candidates == general.candidates
    assert [c.start.tzinfo for c in fast.candidates] == [c.start.tzinfo for c in general.candidates]
    assert fast.problems == general.problems and fast.ignored == general.ignored


def test_the_usual_teamviewer_line_is_read_by_its_pattern() -> None:
    """The benchmark's lines are the usual ones: if the pattern stopped taking them, the test
    above would compare the general way with itself."""
    line = "565955529\t01-03-2024 09:00:00\t01-03-2024 09:10:00\tKlaus Hörner\tRemoteControl\t"
    assert teamviewer._USUAL.fullmatch(line)
    assert teamviewer._USUAL.fullmatch(line + "{6460E19E-0C6F-4F5A-9A1B-2F3C4D5E6F70}")


# --- TeamViewer Web API ------------------------------------------------------------------------


def test_api_report_as_an_array_of_pages() -> None:
    parsed = teamviewer_api.parse(read("connections_api.json"))
    found = by_line(parsed)
    assert sorted(found) == [5, 22, 45]  # the line of each record's "id"
    assert problem_lines(parsed) == [62]
    assert "no end_date" in parsed.problems[0].message
    first = found[5]
    assert (first.start, first.end) == (utc("2024-03-11 09:00:00"), utc("2024-03-11 09:25:00"))
    assert first.partner_id == "565955529"  # "d565955529"
    assert first.partner_name == "PC-Buchhaltung" and first.machine == "PC-Buchhaltung"
    assert first.group_name == "Fa. Walter Maier GmbH"
    assert first.names == ("PC-Buchhaltung", "Fa. Walter Maier GmbH")
    assert first.tool_user == "khoerner" and first.supporter == "khoerner"
    assert first.note == "Drucker installiert"
    assert first.billing_state == "Bill"
    assert first.source == "teamviewer-api:7f5e0c1a-0000-4000-8000-000000000001"
    second = found[22]
    assert second.end - second.start == timedelta(minutes=40, seconds=30)  # type: ignore[operator]
    assert (second.billing_state, second.tool_user, second.note) == ("NoBill", "aschmidt", "Kulanz: Scanner")


def test_api_report_as_json_lines_with_a_broken_line() -> None:
    parsed = teamviewer_api.parse(read("connections_api.jsonl"))
    assert [c.line for c in parsed.candidates] == [1, 1, 3]
    assert problem_lines(parsed) == [2, 3]
    assert parsed.problems[0].message.startswith("not JSON")
    same = teamviewer_api.parse(read("connections_api.json")).candidates
    assert [c.source for c in parsed.candidates] == [c.source for c in same]


def test_api_single_page_bare_records_offsets_and_broken_json() -> None:
    page = '{"records": [{"id": "a", "deviceid": "r1", "start_date": "2024-03-11T10:00:00+01:00",'
    page += ' "end_date": "2024-03-11T10:30:00.250+01:00"}], "next_offset": "a"}'
    (one,) = teamviewer_api.parse(page).candidates
    assert one.start == utc("2024-03-11 09:00:00")
    assert one.end is not None and one.end - one.start == timedelta(minutes=30, milliseconds=250)
    bare = '[{"id": "b", "start_date": "2024-03-11T09:00:00", "end_date": "2024-03-11T09:05:00"}]'
    (two,) = teamviewer_api.parse(bare, ZoneInfo("Europe/Berlin")).candidates
    assert two.start == utc("2024-03-11 08:00:00")  # no offset: read in the source zone
    broken = teamviewer_api.parse('{"records": [\n  {"id": "c",\n}')
    assert broken.candidates == [] and problem_lines(broken) == [3]
    assert problem_lines(teamviewer_api.parse('{"total": 3}')) == [1]


# --- AnyDesk -------------------------------------------------------------------------------


def test_anydesk_trace_in_utf16_without_bom() -> None:
    parsed = anydesk.parse(read("connection_trace.txt"))
    found = by_line(parsed)
    assert sorted(found) == [1, 3, 4, 6]  # 2 is REJECTED, 5 blank, 7 has no date
    assert parsed.ignored == {"rejected connection(s)": 1}
    assert problem_lines(parsed) == [7]
    office = found[1]
    assert office.start == utc("2024-03-13 08:15:00")
    assert office.end is None  # no end times in this log: unfinished
    assert office.partner_id == "565955529"
    assert office.partner_name == "buero-pc@ad" and office.machine == "buero-pc@ad"
    assert office.source == "anydesk:565955529:20240313T0815Z"
    assert found[3].partner_name == ""  # the ID twice: no alias
    assert found[3].machine == "123456789"
    assert found[6].start == utc("2024-03-31 22:10:00")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_anydesk_trace_in_other_encodings(encoding: str) -> None:
    data = read("connection_trace.txt").encode(encoding)
    assert [c.line for c in anydesk.parse(decode(data)).candidates] == [1, 3, 4, 6]


def test_anydesk_header_alias_with_spaces_and_an_offset_zone() -> None:
    text = (
        "Direction   Date, Time          Authentication   Alias   ID\n"
        "Incoming    2024-03-13, 08:15   Passwd   Büro PC Maier   565 955 529\n"
    )
    (c,) = anydesk.parse(text, timezone(timedelta(hours=1))).candidates
    assert c.partner_name == "Büro PC Maier"
    assert c.partner_id == "565955529"
    assert c.start == utc("2024-03-13 07:15:00")

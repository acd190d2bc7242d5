"""The pieces of the CSV, RDP, Watson and Timewarrior imports on their own: dates in cells, maps,
tokens, and random input that must end in problems, never in a crash."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Ledger
from sessionlog.importers import csvfile, csvmap, csvtime, rdp, timewarrior, watson
from sessionlog.model import SessionlogError

BERLIN = ZoneInfo("Europe/Berlin")
FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 10:22", "2024-03-01T09:22:00+00:00"),
        ("2024-03-01T10:22:05", "2024-03-01T09:22:05+00:00"),
        ("2024/03/01 10:22", "2024-03-01T09:22:00+00:00"),
        ("2024-03-01T09:22:00Z", "2024-03-01T09:22:00+00:00"),
        ("2024-03-01T10:22:00.5944806+01:00", "2024-03-01T10:22:00.594480+01:00"),
        ("01.03.2024 10:22", "2024-03-01T09:22:00+00:00"),
        ("1.3.24, 10:22 Uhr", "2024-03-01T09:22:00+00:00"),
        ("01.03.2024", "2024-02-29T23:00:00+00:00"),
        ("5. März 2024 10:22", "2024-03-05T10:22:00+01:00"),
        # The night the clocks go back: 02:30 happens twice; it is the first one (summer time).
        ("27.10.2024 02:30", "2024-10-27T00:30:00+00:00"),
    ],
)
def test_cells_read_as_the_time_parser_reads_them(text: str, expected: str) -> None:
    found = csvtime.moment(text, BERLIN)
    assert isinstance(found, datetime), found
    assert found.isoformat() == expected


def test_cells_that_are_no_moment() -> None:
    assert csvtime.moment("31.03.2024 02:30", BERLIN) == (
        "2024-03-31 02:30 does not exist in Europe/Berlin (the clocks were put forward)"
    )
    assert csvtime.moment("31.02.2024", BERLIN) == "2024-02-31 is not a date"
    for needs_a_clock in ("14:30", "yesterday 16:00", "-15m", "now", "Notiz"):
        assert csvtime.moment(needs_a_clock, BERLIN) is None
    assert csvtime.moment("03/01/2024 10:00", BERLIN) == (
        "'03/01/2024 10:00' is ambiguous (day or month first?); write 01.03.2024 or 2024-03-01 (or give --date-format)"
    )
    us = csvtime.moment("03/01/2024 10:00 PM", UTC, "%m/%d/%Y %I:%M %p")
    assert us == datetime(2024, 3, 1, 22, 0, tzinfo=UTC)


def test_times_of_day_and_durations() -> None:
    assert csvtime.time_of_day("9:05") == time(9, 5)
    assert csvtime.time_of_day("14.30 Uhr") == time(14, 30)
    assert csvtime.time_of_day("10:22:05") == time(10, 22, 5)
    assert csvtime.time_of_day("25:00") is None and csvtime.time_of_day("halb zehn") is None
    assert csvtime.duration("1,25", "hours") == timedelta(hours=1, minutes=15)
    assert csvtime.duration("12,5") == timedelta(minutes=12, seconds=30)
    assert csvtime.duration("90", "seconds") == timedelta(seconds=90)
    assert csvtime.duration("0:12:22") == timedelta(minutes=12, seconds=22)
    assert csvtime.duration("1,5h") == timedelta(minutes=90)
    assert csvtime.duration("0:00") == timedelta(0)
    assert isinstance(csvtime.duration("lang"), str)
    assert csvtime.is_decimal("0,75") and not csvtime.is_decimal("45") and not csvtime.is_decimal("0:45")


def test_the_delimiter_is_the_most_frequent_outside_quotes() -> None:
    assert csvfile.sniff("a;b;c") == ";"
    assert csvfile.sniff('"a,b,c";d;e') == ";"
    assert csvfile.sniff("a\tb,c\td") == "\t"
    assert csvfile.sniff("single") == ","


def test_maps_check_their_keys_and_options() -> None:
    m = csvmap.build("x", [("Start", "Beginn"), ("tags", ["Tags", "Schlagworte"]), ("delimiter", "tab")], "--map")
    assert m.columns == {"start": ("Beginn",), "tags": ("Tags", "Schlagworte")}
    assert (m.delimiter, m.prefix, m.optional) == ("\t", "x", frozenset())
    with pytest.raises(SessionlogError, match="keep_ids is true or false"):
        csvmap.build("x", [("start", "a"), ("keep_ids", "maybe")], "--map")
    with pytest.raises(SessionlogError, match="delimiter is one of"):
        csvmap.build("x", [("start", "a"), ("delimiter", "::")], "--map")
    with pytest.raises(SessionlogError, match=r"date_format 'dd\.mm\.yyyy' has no % field"):
        csvmap.build("x", [("start", "a"), ("date_format", "dd.mm.yyyy")], "--map")
    kimai = csvmap.combine("KIMAI", {}, [("note", "Notes")])
    assert "note" not in kimai.optional and "tags" in kimai.optional  # what the user names must be there
    own = csvmap.combine("kimai", {"kimai": {"start": "Beginn"}}, [])
    assert own.columns == {"start": ("Beginn",)}  # a ledger map replaces the built-in one


def test_timewarrior_words() -> None:
    assert timewarrior.tokens('inc X # "two words" "say \\"hi\\"" plain') == [
        ("inc", False),
        ("X", False),
        ("#", False),
        ("two words", True),
        ('say "hi"', True),
        ("plain", False),
    ]
    parsed = timewarrior.parse('inc 20240301T080000Z - 20240301T090000Z # "#" acme # "a # b"\n')
    (c,) = parsed.candidates
    assert (c.tags, c.note) == (("#", "acme"), "a # b")  # a quoted # is a tag


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
MAP = csvmap.combine("sessionlog", {}, [])


@given(TEXT)
def test_random_text_never_crashes_a_parser(text: str) -> None:
    for parse in (rdp.parse, watson.parse, timewarrior.parse):
        out = parse(text)
        assert all(p.line and p.line >= 1 for p in out.problems)
    try:
        out = csvfile.parse(text, MAP, BERLIN)
    except SessionlogError as exc:
        assert "no column" in exc.problem.message or "none of the map's" in exc.problem.message
    else:
        assert all(p.line and p.line >= 1 for p in out.problems)


@given(st.lists(st.tuples(st.sampled_from(["2024-03-01 10:00", "", "x", "01.03.2024", "25:61"]), TEXT), max_size=5))
def test_random_rows_under_a_good_header_are_problems_or_sessions(rows: list[tuple[str, str]]) -> None:
    lines = ["customer;start;duration;note"] + [f'acme;{s};0:30;"{n.replace(chr(34), "")}"' for s, n in rows]
    cmap = csvmap.build("", [(k, k) for k in ("customer", "start", "duration", "note")], "--map")
    out = csvfile.parse("\r\n".join(lines), cmap, BERLIN)
    assert len(out.candidates) + len(out.problems) + sum(out.ignored.values()) >= sum(1 for s, _ in rows if s)


def test_start_and_status_load_none_of_it(ledger: Ledger) -> None:
    """`start` and `status` stay light: no CSV, XML or import workflow modules."""
    env = ledger.env()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sessionlog", "status"],
        capture_output=True,
        text=True,
        env={k: v for k, v in {**__import__("os").environ, **env}.items() if v is not None},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-500:]
    loaded = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    heavy = {"defusedxml", "xml.etree.ElementTree", "sessionlog.app.importing", "sessionlog.importers.csvfile"}
    assert not loaded & heavy, loaded & heavy
    assert "sessionlog.cli.status" in loaded  # the probe saw the command run


RUSTDESK_MAP = (
    '\n[import.csv.rustdesk]\nid = "Session ID"\ncustomer = "Remote ID"\nstart = "Start time"\nend = "End time"\n'
)
RMM = ["--map", "customer=Kunde", "--map", "start=Beginn", "--map", "duration=Dauer (min)", "--map", "channel=Kanal"]


@pytest.mark.parametrize(
    ("kind", "name", "args"),
    [
        ("csv", "sessionlog_en.csv", ["--map-name", "sessionlog"]),
        ("csv", "sessionlog_de.csv", ["--map-name", "sessionlog"]),
        ("csv", "kimai_export.csv", ["--map-name", "kimai"]),
        ("csv", "kimai_export_de.csv", ["--map-name", "kimai"]),
        ("csv", "rustdesk_sessions.tsv", ["--map-name", "rustdesk", "--date-format", "%m/%d/%Y %I:%M %p"]),
        ("csv", "rmm_export_cp1252.csv", RMM),
        ("rdp", "rdp_LocalSessionManager.xml", []),
        ("rdp", "rdp_LocalSessionManager_utf16.xml", ["--merge-gap", "2m"]),
        ("watson", "watson_frames.json", []),
        ("timewarrior", "timewarrior", ["--customer", "acme"]),
    ],
)
def test_importing_any_fixture_twice_adds_nothing(ledger: Ledger, kind: str, name: str, args: list[str]) -> None:
    ledger.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n' + RUSTDESK_MAP)
    ledger.ok(
        "customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH", "--remote-id", "565955529", "--alias", "maier"
    )
    ledger.ok("customer", "add", "BETA", "--name", "Beta GmbH")
    path = str(FIXTURES / name)
    first = ledger.run("import", kind, path, *args)
    assert first.exit_code in (0, 1), first.stderr
    added = int(re.search(r"imported (\d+) session", first.stderr).group(1))  # type: ignore[union-attr]
    assert added > 0, first.stderr
    merged = re.search(r"(\d+) \w+\(s\) merged", first.stderr)
    known = added + (int(merged.group(1)) if merged else 0)
    before = ledger.snapshot()
    again = ledger.run("import", kind, path, *args)
    assert again.exit_code == first.exit_code
    assert "imported 0 session(s)" in again.stderr and f"{known} already in the ledger" in again.stderr
    assert ledger.snapshot() == before


def test_column_maps_in_the_settings_file() -> None:
    from sessionlog.store import codec

    raw = {"import": {"csv": {"Mine": {"start": ["Beginn", "Start"], "keep_ids": True, "note": "Notiz"}}}}
    settings = codec.settings_from_dict(raw)
    assert settings.importing.csv_maps == (
        ("mine", (("start", ("Beginn", "Start")), ("keep_ids", "true"), ("note", "Notiz"))),
    )
    with pytest.raises(codec.Invalid, match=r"\[import\.csv\.NAME\] must be tables"):
        codec.settings_from_dict({"import": {"csv": {"mine": "Start"}}})
    with pytest.raises(codec.Invalid, match=r"import\.csv\.mine\.start must be a column name"):
        codec.settings_from_dict({"import": {"csv": {"mine": {"start": []}}}})


def test_excel_sep_line_names_the_delimiter() -> None:
    cmap = csvmap.build("", [("customer", "Kunde"), ("start", "Start"), ("note", "Notiz")], "--map")
    out = csvfile.parse("sep=;\r\nKunde;Start;Notiz\r\nacme;2024-03-01 10:00;a, b\r\n", cmap, BERLIN)
    (c,) = out.candidates
    assert (c.line, c.customer_names, c.note) == (3, ("acme",), "a, b")


def test_user_is_refused_where_the_file_names_no_user(ledger: Ledger) -> None:
    ledger.refused(
        "import", "watson", str(FIXTURES / "watson_frames.json"), "--user", "klaus",
        match=r"--user is for import csv, rdp, teamviewer, teamviewer-api: watson's files name no user", code=2,
    )  # fmt: skip


def test_timewarrior_progress_runs_over_all_files(ledger: Ledger) -> None:
    from sessionlog.app.context import Context
    from sessionlog.app.import_read import read
    from sessionlog.app.importing import ImportOptions
    from sessionlog.importers import ImportKind
    from sessionlog.store import Ledger as Store

    seen: list[tuple[int, int]] = []
    ctx = Context(Store(ledger.root), "Klaus Hörner", datetime(2024, 5, 1, tzinfo=UTC))
    read(ctx, ImportKind.TIMEWARRIOR, FIXTURES / "timewarrior", ImportOptions(), None, lambda d, t: seen.append((d, t)))
    assert seen == [(5, 8), (8, 8)]  # 2024-03.data has 4 lines and its end, 2024-04.data 2 and its end

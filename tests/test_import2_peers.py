"""Moving over from Watson and Timewarrior: their real files (made with watson 2.1 and timew 1.4)
into a ledger in tmp_path (Europe/Berlin)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import Ledger

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FRAMES = str(FIXTURES / "watson_frames.json")
TIMEW = FIXTURES / "timewarrior"


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    ledger.ok("customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH")
    ledger.ok("customer", "add", "BETA", "--name", "Beta GmbH")
    ledger.ok("customer", "add", "INTERN", "--name", "Interne Arbeiten")
    return ledger


def spans(records: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(r["start"].isoformat(), r["end"].isoformat() if "end" in r else None) for r in records]


# --- Watson ------------------------------------------------------------------------------


def test_watson_frames_become_sessions(shop: Ledger) -> None:
    result = shop.ok("import", "watson", FRAMES)
    assert "imported 6 session(s) from 6 frame(s) into 4 month file(s)" in result.stderr
    acme = shop.records("acme", "2024-03")
    assert spans(acme) == [
        ("2024-03-01T10:15:00+01:00", "2024-03-01T11:00:00+01:00"),
        ("2024-03-04T14:00:00+01:00", "2024-03-04T14:40:00+01:00"),
    ]
    # Tags with umlauts stay as they were; the project that is the customer is not a tag, one
    # that only contains its name ("acme-website") is.
    assert acme[0]["tags"] == ["Drucker", "Überwachung"]
    assert acme[1]["tags"] == ["acme-website", "Änderungswünsche", "Kulanz"]
    assert acme[0]["source"] == "watson:6bae468c4030414ba94a3e24f00462b1"
    assert acme[0]["supporter"] == "Klaus Hörner" and acme[0]["billable"] is True
    beta = shop.records("beta", "2024-03")
    assert spans(beta) == [
        ("2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+02:00"),  # the DST night: one hour
        ("2024-03-31T23:45:00+02:00", "2024-04-01T00:30:00+02:00"),
    ]
    # 22:40 UTC on 31 March is April in Berlin.
    (april,) = shop.records("beta", "2024-04")
    assert april["start"].isoformat() == "2024-04-01T00:40:00+02:00" and april["tags"] == ["Störung"]
    assert shop.records("intern", "2024-03")[0]["tags"] == ["fortbildung"]
    before = shop.snapshot()
    again = shop.ok("import", "watson", FRAMES)
    assert "imported 0 session(s)" in again.stderr and "6 already in the ledger or repeated" in again.stderr
    assert shop.snapshot() == before


def test_map_project_sends_a_project_to_a_customer(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME")
    ledger.ok("customer", "add", "BETA")
    plain = ledger.run("import", "watson", FRAMES, "--dry-run")
    assert "unmapped: intern (1 frame(s), line 44): no customer has this name as key or alias" in plain.stderr
    assert "--map-project intern=KEY" in plain.stderr
    result = ledger.run(
        "import", "watson", FRAMES, "--map-project", "intern=acme", "--map-project", "acme-website=beta"
    )
    assert result.exit_code == 0, result.stderr
    moved = [r for r in ledger.records("beta", "2024-03") if r["start"].day == 4]
    assert moved[0]["tags"] == ["acme-website", "Änderungswünsche", "Kulanz"]  # mapped: the project stays a tag
    assert [r["tags"] for r in ledger.records("acme", "2024-03")] == [
        ["Drucker", "Überwachung"],
        ["intern", "fortbildung"],
    ]


def test_map_project_names_an_existing_customer(shop: Ledger) -> None:
    shop.refused(
        "import", "watson", FRAMES, "--map-project", "intern=acm", match=r"--map-project intern=acm: no customer"
    )
    shop.refused(
        "import",
        "watson",
        FRAMES,
        "--map-project",
        "intern",
        match=r"--map-project 'intern': expected NAME=CUSTOMER",
        code=2,
    )


def test_bad_frames_are_skipped_with_their_lines(shop: Ledger, tmp_path: Path) -> None:
    frames = json.loads(Path(FRAMES).read_text(encoding="utf-8"))
    frames[1][0] = "yesterday"
    frames[2] = {"start": 1}
    frames[3][1] = frames[3][0] - 60
    path = tmp_path / "frames"
    path.write_text(json.dumps(frames, indent=1, ensure_ascii=False), encoding="utf-8")
    result = shop.run("import", "watson", str(path))
    assert result.exit_code == 1
    assert f"{path}:13: 'yesterday' is not a time in Unix seconds" in result.stderr
    assert f"{path}:24: a frame is [start, stop, project, id, tags, updated_at]" in result.stderr
    assert f"{path}:27: the frame stops before it starts" in result.stderr
    assert "imported 3 session(s) from 3 frame(s)" in result.stderr


def test_a_frames_file_that_is_not_json(shop: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "frames"
    path.write_text('[\n [1709284500, 1709287200, "acme", "x", []],\n oops\n]\n', encoding="utf-8")
    result = shop.run("import", "watson", str(path))
    assert result.exit_code == 1
    assert f"{path}:3: not JSON: Expecting value" in result.stderr
    assert "imported 1 session(s)" in result.stderr
    empty = tmp_path / "state"
    empty.write_text('{"project": "acme", "start": 1709284500}', encoding="utf-8")
    shop.refused("import", "watson", str(empty), match=r"line 1: not a Watson frames file")


# --- Timewarrior ---------------------------------------------------------------------------


def test_timewarrior_intervals_become_sessions(shop: Ledger) -> None:
    shop.ok("customer", "add", "MUELLER-BAECKEREI", "--name", "Bäckerei Müller")
    result = shop.run("import", "timewarrior", str(TIMEW))
    assert result.exit_code == 1  # the fortbildung interval names no customer
    assert "unmapped: fortbildung (1 interval(s), 2024-03.data:3): no tag names a customer" in result.stderr
    assert "imported 5 session(s) from 6 interval(s) into 5 month file(s); 1 unmapped" in result.stderr
    assert "1 session(s) have a start but no end (the file has none)" in result.stderr
    (acme,) = shop.records("acme", "2024-03")
    assert spans([acme]) == [("2024-03-01T09:15:00+01:00", "2024-03-01T10:15:00+01:00")]
    assert acme["tags"] == ["two words"] and acme["source"] == "timewarrior:20240301T081500Z"
    # The first tag that names a customer decides it: "Müller Bäckerei" is the key mueller-baeckerei.
    (baker,) = shop.records("mueller-baeckerei", "2024-03")
    assert baker["tags"] == ["drucker"]
    (night,) = shop.records("beta", "2024-03")
    assert spans([night]) == [("2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+02:00")]
    assert night["note"] == "Server neu gestartet"  # the annotation
    # The interval that is still open: unfinished; its first tag names nobody, the second does.
    (still,) = [r for r in shop.records("acme", "2024-04") if r.get("unfinished")]
    assert still["start"].isoformat() == "2024-04-02T08:30:00+02:00" and still["tags"] == ["Server-Update"]
    # Filed by timew in 2024-04.data at 22:10 UTC on 31 March: 1 April in Berlin.
    (vor_ort,) = shop.records("beta", "2024-04")
    assert vor_ort["start"].isoformat() == "2024-04-01T00:10:00+02:00" and vor_ort["tags"] == ["vor-ort"]
    before = shop.snapshot()
    again = shop.run("import", "timewarrior", str(TIMEW))
    assert "imported 0 session(s)" in again.stderr and "5 already in the ledger or repeated" in again.stderr
    assert shop.snapshot() == before


@pytest.mark.parametrize("where", ["data", "data/2024-03.data"])
def test_the_data_folder_itself_or_one_file(shop: Ledger, where: str) -> None:
    result = shop.run("import", "timewarrior", str(TIMEW / where), "--customer", "intern", "--dry-run")
    assert result.exit_code == 0, result.stderr
    count = 6 if where == "data" else 4
    assert f"would add {count} session(s) from {count} interval(s)" in result.stderr


def test_bad_lines_in_a_data_file_name_the_file(shop: Ledger, tmp_path: Path) -> None:
    root = tmp_path / "tw"
    shutil.copytree(TIMEW, root)
    (root / "data" / "2024-05.data").write_text(
        "inc 20240502T080000Z - 20240502T083000Z # acme\n"
        "inc 2024-05-02 - 20240502T090000Z # acme\n"
        "\n"
        'inc 20240503T080000Z - 20240503T070000Z # acme "unclosed\n'
        "inc 20240503T080000Z - 20240503T070000Z # acme\n"
        "exc monday <8:00:00\n"
        "inc 20240504T080000Z - 20240504T080000Z # acme\n",
        encoding="utf-8",
    )
    result = shop.run("import", "timewarrior", str(root), "--customer", "intern")
    assert result.exit_code == 1
    bad = root / "data" / "2024-05.data"
    assert f"{bad}:2: '2024-05-02' is not a start time like 20240301T091500Z" in result.stderr
    assert f"{bad}:4: a quote is not closed" in result.stderr
    assert f"{bad}:5: the interval ends before it starts" in result.stderr
    assert f"{bad}:6: not a Timewarrior interval" in result.stderr
    assert "1 zero-length interval(s) ignored; 4 skipped" in result.stderr
    assert len(shop.records("acme", "2024-05")) == 1


def test_a_folder_without_data_files_is_refused(shop: Ledger, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    shop.refused("import", "timewarrior", str(tmp_path / "empty"), match=r"no Timewarrior data files \(YYYY-MM\.data\)")
    shop.refused("import", "timewarrior", str(tmp_path / "nowhere"), match=r"nowhere: no such file or folder")


def test_merging_time_entries_only_when_asked(shop: Ledger, tmp_path: Path) -> None:
    data = tmp_path / "tw" / "data"
    data.mkdir(parents=True)
    (data / "2024-03.data").write_text(
        "inc 20240301T080000Z - 20240301T090000Z # acme email\n"
        "inc 20240301T090000Z - 20240301T093000Z # acme telefon\n",
        encoding="utf-8",
    )
    shop.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[import]\nmerge_gap = "5m"\n')
    apart = shop.run("import", "timewarrior", str(tmp_path / "tw"), "--dry-run", "-f", "json")
    assert [d["lines"] for d in json.loads(apart.stdout)] == [[1], [2]]  # the ledger's gap is for connections
    joined = shop.run("import", "timewarrior", str(tmp_path / "tw"), "--dry-run", "-f", "json", "--merge-gap", "0")
    (one,) = json.loads(joined.stdout)
    assert one["lines"] == [1, 2] and one["tags"] == ["email", "telefon"] and one["file"].endswith("2024-03.data")

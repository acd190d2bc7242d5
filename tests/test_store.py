"""The ledger on disk: state across processes, concurrent writers, atomic writes, broken files, ids,
and the ledger-level commands `init` and `check`."""

from __future__ import annotations

import re
import subprocess
import textwrap
import tomllib
from pathlib import Path

import pytest

from conftest import SUPPORTER, Ledger, assert_one_error, console_script, snapshot
from sessionlog.store import write_atomic

# --- across processes ---------------------------------------------------------------------


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60
    )


def test_a_running_session_survives_across_processes(cli_env: dict[str, str], tmp_path: Path) -> None:
    started = _run(["start", "ACME", "--at", "05.03.2024 10:00", "--note", "Drucker"], cli_env)
    assert started.returncode == 0, started.stderr
    assert started.stdout == ""

    status = _run(["status"], {**cli_env, "SESSIONLOG_NOW": "2024-03-05T10:45:00+01:00"})
    assert status.returncode == 0, status.stderr
    assert "acme" in status.stdout and "running" in status.stdout and "0:45:00" in status.stdout

    stopped = _run(["stop", "--at", "05.03.2024 11:00"], cli_env)
    assert stopped.returncode == 0, stopped.stderr
    records = tomllib.loads((tmp_path / "ledger/customers/acme/2024-03.toml").read_text(encoding="utf-8"))
    [record] = records["session"]
    assert record["note"] == "Drucker"
    assert record["supporter"] == SUPPORTER
    assert list((tmp_path / "ledger" / "running").glob("*.toml")) == []


def test_concurrent_writers_lose_no_update(cli_env: dict[str, str], tmp_path: Path) -> None:
    writers = [
        subprocess.Popen(
            [
                console_script(),
                "add",
                "acme",
                "--new",
                "--start",
                f"01.03.2024 {8 + i:02d}:00",
                "--duration",
                "30m",
                "--note",
                f"Schreiber {i}",
            ],
            env=cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for i in range(8)
    ]
    outputs = [(w.communicate(timeout=60), w.returncode) for w in writers]
    for (_, err), code in outputs:
        assert code == 0, err
    ids = {out.strip() for (out, _), _ in outputs}
    assert len(ids) == 8

    path = tmp_path / "ledger/customers/acme/2024-03.toml"
    records = tomllib.loads(path.read_text(encoding="utf-8"))["session"]
    assert {r["id"] for r in records} == ids
    assert sorted(r["note"] for r in records) == [f"Schreiber {i}" for i in range(8)]
    assert list((tmp_path / "ledger").rglob("*.tmp")) == []


# --- atomic writes ----------------------------------------------------------------------------


def test_commands_leave_no_temporary_files_behind(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "90")
    sid = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00")
    ledger.ok("edit", sid, "--note", "neu")
    ledger.ok("start", "beta", "--at", "05.03.2024 10:00")
    ledger.ok("pause", "--at", "05.03.2024 10:10")
    ledger.ok("resume", "--at", "05.03.2024 10:20")
    ledger.ok("stop", "--at", "05.03.2024 10:30")
    ledger.ok("customer", "edit", "acme", "--rate", "95")
    ledger.ok("delete", sid, "--yes")
    leftovers = [p for p in ledger.root.rglob("*") if p.is_file() and (p.suffix == ".tmp" or ".tmp" in p.name)]
    assert leftovers == []


def test_write_atomic_replaces_whole_and_cleans_up_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.toml"
    write_atomic(target, "a = 1\n")
    write_atomic(target, "a = 2\n")
    assert target.read_text(encoding="utf-8") == "a = 2\n"
    # Replacing a folder fails: the error surfaces and no temp file is left in the folder.
    blocker = tmp_path / "sub" / "folder.toml"
    blocker.mkdir()
    with pytest.raises(OSError):
        write_atomic(blocker, "b = 1\n")
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["file.toml", "folder.toml"]


# --- a file that does not parse is never overwritten ---------------------------------------------

BROKEN = '[[session]]\nid = "abc12345"\nstart = 2024-03-01T10:00:00+01:00\nend = kaputt\n'
# The refusal that names the broken file and line; every write into BROKEN must end in it.
BROKEN_REFUSAL = r"2024-03\.toml:4: .*will not write to this file"


def test_no_command_writes_to_a_broken_month_file(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-03.toml", BROKEN)
    ledger.refused("add", "acme", "--start", "02.03.2024 10:00", "--duration", "1h", match=BROKEN_REFUSAL)
    # edit: a February record moved into the broken month
    feb = ledger.add("acme", "01.02.2024 10:00", "01.02.2024 11:00")
    ledger.refused("edit", feb, "--start", "02.03.2024 10:00", "--duration", "1h", match=BROKEN_REFUSAL)
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.refused("stop", "--at", "05.03.2024 11:00", match=BROKEN_REFUSAL)
    assert path.read_bytes() == BROKEN.encode()


def test_edit_or_delete_of_a_record_in_a_broken_file_names_the_file(ledger: Ledger) -> None:
    path = ledger.write("customers/acme/2024-03.toml", BROKEN)
    ledger.refused("edit", "abc12345", "--note", "x", match=BROKEN_REFUSAL)
    ledger.refused("delete", "abc12345", "--yes", match=BROKEN_REFUSAL)
    assert path.read_bytes() == BROKEN.encode()


def test_moving_a_record_into_a_broken_file_changes_neither_file(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "beta")
    sid = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00")
    ledger.write("customers/beta/2024-03.toml", BROKEN)
    line = ledger.refused("edit", sid, "--customer", "beta", match=BROKEN_REFUSAL)
    assert "beta" in line and "2024-03.toml:4:" in line
    assert [r["id"] for r in ledger.records("acme", "2024-03")] == [sid]


def test_a_broken_customer_file_is_not_overwritten(ledger: Ledger) -> None:
    text = 'name = "Maier\nrate = "90"\n'
    path = ledger.write("customers/acme/customer.toml", text)
    ledger.refused("customer", "edit", "acme", "--rate", "95", match=r"customer\.toml:1: .*will not write to this file")
    assert path.read_bytes() == text.encode()


# --- ids ------------------------------------------------------------------------------------------


def test_ids_are_unique_and_every_unique_prefix_finds_its_record(ledger: Ledger) -> None:
    ids = [ledger.add("acme", f"{day:02d}.03.2024 10:00", f"{day:02d}.03.2024 10:30") for day in range(1, 13)]
    assert len(set(ids)) == len(ids)
    for sid in ids:
        # The shortest prefix no other id shares.
        n = next(n for n in range(4, len(sid) + 1) if sum(other.startswith(sid[:n]) for other in ids) == 1)
        ledger.ok("edit", sid[:n], "--note", f"note {sid}")
    notes = {r["id"]: r["note"] for r in ledger.records("acme", "2024-03")}
    assert notes == {sid: f"note {sid}" for sid in ids}


def test_an_id_written_as_a_literal_string_is_found(ledger: Ledger) -> None:
    # 'single quotes' are as good as "double quotes" in TOML, and people write them by hand.
    ledger.write(
        "customers/acme/2024-03.toml",
        "[[session]]\nid = 'hand0003'\nstart = 2024-03-01T10:00:00+01:00\nend = 2024-03-01T11:00:00+01:00\n"
        "supporter = 'Klaus Hörner'\n",
    )
    assert [s["id"] for s in ledger.sessions()] == ["hand0003"]
    ledger.ok("edit", "hand", "--note", "gefunden")
    assert ledger.records("acme", "2024-03")[0]["note"] == "gefunden"


def test_prefix_is_case_insensitive(ledger: Ledger) -> None:
    sid = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:30")
    ledger.ok("edit", sid.upper(), "--note", "groß")
    assert ledger.records("acme", "2024-03")[0]["note"] == "groß"


# --- init and check -----------------------------------------------------------------------------


def test_init_writes_a_commented_settings_file(ledger: Ledger, tmp_path: Path) -> None:
    target = tmp_path / "neu"
    result = ledger.ok("init", str(target))
    assert result.stdout == ""
    text = (target / "sessionlog.toml").read_text(encoding="utf-8")
    settings = tomllib.loads(text)
    assert "timezone" in settings
    assert "billing" in settings
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 3
    # The new ledger works with what init wrote.
    ledger.ok("--ledger", str(target), "add", "acme", "--start", "01.03.2024 10:00", "--duration", "1h")


def test_init_uses_the_ledger_option(ledger: Ledger, tmp_path: Path) -> None:
    target = tmp_path / "anderes"
    ledger.ok("--ledger", str(target), "init")
    assert (target / "sessionlog.toml").is_file()


def test_init_twice_is_refused_and_keeps_the_file(ledger: Ledger, tmp_path: Path) -> None:
    target = tmp_path / "neu"
    ledger.ok("init", str(target))
    before = snapshot(target)
    result = ledger.run("init", str(target))
    assert_one_error(result, match=re.escape(f"{target / 'sessionlog.toml'} exists already"))
    assert snapshot(target) == before
    # The ledger fixture's own settings file is not overwritten either.
    ledger.refused("init", match=re.escape(f"{ledger.path('sessionlog.toml')} exists already"))


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ('timezone = "Mars/Olympus"\n', "unknown timezone 'Mars/Olympus'"),
        ("timezone = \n", r"sessionlog\.toml:1: .*will not write to this file"),
        ('[billing]\nrounding = "sideways"\n', r"sessionlog\.toml: billing\.rounding must be one of"),
    ],
    ids=["unknown-zone", "no-value", "bad-rounding"],
)
def test_broken_settings_refuse_every_command_without_a_traceback(ledger: Ledger, settings: str, match: str) -> None:
    ledger.write("sessionlog.toml", settings)
    line = ledger.refused("start", "acme", "--at", "05.03.2024 10:00", match=match)
    assert "sessionlog.toml" in line
    ledger.refused("add", "acme", "--start", "01.03.2024 10:00", "--duration", "1h", match=match)
    assert not ledger.path("customers").exists()


def test_check_on_a_clean_ledger_exits_0(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "90")
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:30")
    ledger.add("acme", "01.04.2024 10:00", "01.04.2024 10:30")
    result = ledger.ok("check")
    assert result.stdout == ""
    assert "2 session" in result.stderr


def test_check_reports_a_broken_file_as_path_line_message(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:30")
    path = ledger.write("customers/beta/2024-03.toml", BROKEN)
    before = ledger.snapshot()
    result = ledger.run("check")
    assert result.exit_code == 1
    [line] = [ln for ln in result.stdout.splitlines() if ": error: " in ln]
    assert line.startswith(f"{path}:4: error: does not parse as TOML")
    assert result.stderr.startswith("error:")
    assert ledger.snapshot() == before


def test_check_finds_a_record_filed_in_the_wrong_month(ledger: Ledger) -> None:
    path = ledger.write(
        "customers/acme/2024-04.toml",
        textwrap.dedent(
            """\
            # von Hand verschoben
            [[session]]
            id = "wrongmon"
            start = 2024-03-31T10:00:00+02:00
            end = 2024-03-31T11:00:00+02:00
            supporter = "Klaus Hörner"
            """
        ),
    )
    result = ledger.run("check")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}:2: ")
    assert "wrongmon" in line


def test_a_stop_interrupted_after_the_append_is_finished_without_a_duplicate(ledger: Ledger) -> None:
    # A crash between appending the record and removing the timer leaves both; stopping again
    # must drop the timer and keep exactly one record.
    ledger.ok("start", "acme", "--at", "01.03.2024 10:00")
    timer = ledger.path("running", "klaus-hoerner.toml")
    left_behind = timer.read_bytes()
    ledger.ok("stop", "--at", "01.03.2024 10:30")
    timer.write_bytes(left_behind)
    ledger.ok("stop", "--at", "01.03.2024 10:30")
    assert [r["end"].isoformat() for r in ledger.records("acme", "2024-03")] == ["2024-03-01T10:30:00+01:00"]
    assert not timer.exists()

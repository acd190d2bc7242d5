"""Paths, files and sharing: what a hand edit, a colleague or the file system can do to a ledger."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SUPPORTER, Ledger, console_script

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and links")


def timer(ledger: Ledger, customer_line: str) -> None:
    ledger.write(
        "running/klaus-hoerner.toml",
        f'[[session]]\nid = "tmr00001"\n{customer_line}start = 2024-03-05T10:00:00+01:00\nsupporter = "{SUPPORTER}"\n',
    )


@pytest.mark.parametrize(
    "customer_line",
    ['customer = "../../../escaped"\n', 'customer = "/tmp/absolute"\n', "", 'customer = "ACME"\n', "customer = 5\n"],
    ids=["relative path", "absolute path", "missing", "not lower case", "not text"],
)
def test_a_timer_files_customer_is_checked_like_a_typed_key(ledger: Ledger, customer_line: str) -> None:
    timer(ledger, customer_line)
    line = ledger.refused("stop", "--at", "05.03.2024 11:00", match="is not a customer key")
    assert "running/klaus-hoerner.toml:1" in line
    assert not list(ledger.tmp.rglob("escaped*")) and not (ledger.root / "customers").exists()
    assert ledger.run("check").exit_code == 1


def test_another_spelling_of_a_name_does_not_stop_someone_elses_timer(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00", "--new")
    for other in ("klaus hoerner", "Klaus_Hoerner", "KLAUS HÖRNER"):
        line = ledger.refused("stop", supporter=other, match=f"belongs to '{SUPPORTER}', not '{other}'")
        assert "exact name" in line
        ledger.refused("start", "beta", "--new", supporter=other, match="belongs to")
    ledger.ok("stop", "--at", "05.03.2024 10:30")


def test_a_broken_timer_of_another_technician_fails_only_commands_that_need_it(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new")
    ledger.write("running/someone-else.toml", "[[session]\n")
    ledger.ok("add", "acme", "--start", "02.03.2024 10:00", "--duration", "10m")
    assert "someone-else.toml" in ledger.ok("list", "2024-03").stderr
    assert "someone-else.toml" in ledger.ok("report", "2024-03").stderr
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.refused("status", "--all", match="someone-else.toml:1")


@posix_only
def test_writes_keep_the_files_mode_and_new_files_follow_the_umask(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new")
    path = ledger.month("acme", "2024-03")
    os.chmod(path, 0o664)  # a ledger shared with a group
    ledger.add("acme", "02.03.2024 10:00", "02.03.2024 11:00")
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
    old = os.umask(0o002)
    try:
        ledger.add("acme", "01.04.2024 10:00", "01.04.2024 11:00")
    finally:
        os.umask(old)
    assert stat.S_IMODE(ledger.month("acme", "2024-04").stat().st_mode) == 0o664


@posix_only
def test_nothing_is_written_through_a_symbolic_link(ledger: Ledger) -> None:
    outside = ledger.tmp / "elsewhere"
    outside.mkdir()
    (ledger.root / "customers").mkdir()
    os.symlink(outside, ledger.root / "customers" / "acme")
    ledger.refused("add", "acme", "--start", "01.03.2024 10:00", "--duration", "1h", match="symbolic link")
    assert list(outside.iterdir()) == []


def test_leftover_temp_files_are_listed_and_removed_by_the_next_write(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new")
    leftover = ledger.write("customers/acme/.2024-03.toml.k3f9qz_a.tmp", "half a file")
    mine = ledger.write("customers/acme/.notes.tmp", "a person's own file")
    check = ledger.ok("check")
    assert f"{leftover}: warning: a temporary file left by an interrupted write" in check.stdout
    ledger.add("acme", "02.03.2024 10:00", "02.03.2024 11:00")
    assert not leftover.exists()
    assert mine.exists()


@posix_only
def test_an_unwritable_ledger_says_so_at_once(tmp_path: Path, cli_env: dict[str, str]) -> None:
    """Not "busy" after 15 s. Root may write into a read-only folder, so under root the folder
    is made immutable instead (chattr +i), which stops root too."""
    root = tmp_path / "readonly-ledger"
    root.mkdir()
    (root / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(root)], check=True)
    else:
        os.chmod(root, 0o555)
    try:
        started = time.monotonic()
        done = subprocess.run(
            [console_script(), "add", "acme", "--start", "01.03.2024 10:00", "--duration", "1h", "--new"],
            env={**cli_env, "SESSIONLOG_LEDGER": str(root)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert time.monotonic() - started < 10
        assert done.returncode == 1, done.stderr
        assert done.stderr.splitlines() == [f"error: the ledger folder {root} is not writable"]
        assert sorted(p.name for p in root.iterdir()) == ["sessionlog.toml"]
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(root)], check=True)
        else:
            os.chmod(root, 0o755)


# --- future and inconsistent times (issue item 11) ----------------------------------------------


def test_timer_times_in_the_future_are_refused(ledger: Ledger) -> None:
    now = "2024-03-05T10:00:00+01:00"
    ledger.refused(
        "start", "acme", "--at", "18:00", "--new", now=now, match="the start 05.03.2024 18:00 is in the future"
    )
    ledger.ok("start", "acme", "--at", "10:04", "--new", now=now)  # a few minutes of clock skew are fine
    ledger.refused("pause", "--at", "+15h", now=now, match="the pause .* is in the future")
    ledger.refused("stop", "--at", "11:00", now=now, match="the stop time .* is in the future")
    ledger.ok("pause", now="2024-03-05T10:20:00+01:00")
    ledger.refused("resume", "--at", "12:00", now="2024-03-05T10:30:00+01:00", match="in the future")
    ledger.ok("resume", now="2024-03-05T10:30:00+01:00")
    ledger.ok("stop", now="2024-03-05T11:00:00+01:00")


PAUSED = """\
[[session]]
id = "paus0001"
start = 2024-03-05T10:00:00+01:00
end = 2024-03-05T11:00:00+01:00
pauses = [{ start = 2024-03-05T10:20:00+01:00, end = 2024-03-05T10:25:00+01:00 }]
supporter = "Klaus Hörner"
note = "mit Pause"
"""


def test_edit_duration_is_worked_time_on_a_paused_session(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", PAUSED)
    ledger.ok("edit", "paus", "--duration", "30m")
    [s] = ledger.sessions()
    assert s["duration_seconds"] == 30 * 60
    assert s["end"] == "2024-03-05T10:35:00+01:00"


def test_a_shorter_span_drops_the_pauses_outside_it_and_says_so(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", PAUSED)
    result = ledger.ok("edit", "paus", "--duration", "3m")
    assert "dropped pause 1 (05.03.2024 10:20-10:25): it lies outside the session" in result.stderr
    [s] = ledger.sessions()
    assert (s["end"], s["duration_seconds"]) == ("2024-03-05T10:03:00+01:00", 180)
    assert "pauses" not in ledger.records("acme", "2024-03")[0]


def test_stop_before_a_pause_drops_it_and_says_so(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "10:00", "--new", now="2024-03-05T10:00:00+01:00")
    ledger.ok("pause", now="2024-03-05T10:30:00+01:00")
    ledger.ok("resume", now="2024-03-05T10:40:00+01:00")
    result = ledger.ok("stop", "--at", "10:20", now="2024-03-05T11:00:00+01:00")
    assert "dropped pause 1" in result.stderr
    [s] = ledger.sessions()
    assert s["duration_seconds"] == 20 * 60


def test_a_stale_timer_is_warned_about_by_status_and_stop(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "04.03.2024 08:00", "--new", now="2024-03-04T08:00:00+01:00")
    status = ledger.ok("status", now="2024-03-04T20:00:00+01:00")
    assert "warning: the timer for acme ran from 04.03.2024 08:00, over 10 hours" in status.stderr
    assert "sessionlog stop --at WHEN" in status.stderr
    stop = ledger.ok("stop", now="2024-03-04T20:00:00+01:00")
    assert "over 10 hours" in stop.stderr and "--end WHEN" in stop.stderr


def test_add_and_stop_warn_about_an_overlap_but_record_it(ledger: Ledger) -> None:
    first = ledger.add("acme", "05.03.2024 09:00", "05.03.2024 10:00", "--new")
    added = ledger.ok("add", "beta", "--start", "05.03.2024 09:30", "--duration", "10m", "--new")
    assert f"overlaps {first} of acme (05.03.2024 09:00-10:00); that can be right" in added.stderr
    ledger.ok("start", "gamma", "--at", "05.03.2024 09:50", "--new")
    stopped = ledger.ok("stop", "--at", "05.03.2024 10:30")
    assert f"overlaps {first} of acme" in stopped.stderr
    assert len(ledger.sessions()) == 3
    other = ledger.ok("add", "acme", "--start", "05.03.2024 09:15", "--duration", "5m", supporter="Eva Schmidt")
    assert "overlaps" not in other.stderr  # another supporter's sessions are theirs

"""`check` reads one customer at a time, with a progress bar only on a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from conftest import NOW, Ledger, console_script
from sessionlog.app.checking import check_ledger
from sessionlog.app.context import Context
from sessionlog.store import Ledger as Store


def record(sid: str, day: int, hour: int = 10) -> str:
    return textwrap.dedent(
        f"""\
        [[session]]
        id = "{sid}"
        start = 2024-03-{day:02d}T{hour:02d}:00:00+01:00
        end = 2024-03-{day:02d}T{hour:02d}:30:00+01:00
        supporter = "Klaus Hörner"
        """
    )


def test_ids_used_twice_across_customers_are_reported_with_every_place_in_the_order_met(ledger: Ledger) -> None:
    a = ledger.write("customers/acme/2024-03.toml", record("dup1", 1) + "\n" + record("dup2", 2))
    b = ledger.write("customers/beta/2024-03.toml", record("dup2", 3) + "\n" + record("solo", 4))
    c = ledger.write("customers/gamma/2024-03.toml", record("dup1", 5))
    result = ledger.run("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    hint = "(keep one of them; a half-done move is finished by the next write)"
    assert [ln for ln in lines if "is used" in ln] == [
        f"{a}:1: error: id dup1 is used 2 times: {a}:1, {c}:1 {hint}",
        f"{a}:7: error: id dup2 is used 2 times: {a}:7, {b}:1 {hint}",
    ]


def test_overlaps_are_found_across_customers(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", record("aaaa1111", 1, 10))
    b = ledger.write("customers/beta/2024-03.toml", record("bbbb2222", 1, 10))
    result = ledger.ok("check")
    assert f"{b}:1: warning: session bbbb2222 of Klaus Hörner starts 01.03.2024 10:00, before session aaaa1111" in (
        result.stdout
    )


def test_the_app_reports_progress_per_customer(ledger: Ledger) -> None:
    for i, key in enumerate(("acme", "beta", "gamma")):
        ledger.write(f"customers/{key}/2024-03.toml", record(f"id{i}", i + 1))
    heard: list[tuple[int, int]] = []
    result = check_ledger(
        Context(Store(ledger.root), "Klaus Hörner", datetime.fromisoformat(NOW)), lambda *p: heard.append(p)
    )
    assert result.sessions == 3 and not result.errors  # (warnings: no rate set)
    assert heard == [(1, 3), (2, 3), (3, 3)]


def test_no_progress_bar_when_stderr_is_not_a_terminal(ledger: Ledger) -> None:
    ledger.write("customers/acme/customer.toml", 'name = "ACME"\nrate = "90.00"\n')
    ledger.write("customers/acme/2024-03.toml", record("abc", 1))
    result = ledger.ok("check")
    assert (result.stdout, result.stderr) == ("", "ledger ok: 1 session(s) checked\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_progress_bar_on_a_terminal_and_data_on_stdout_only(cli_env: dict[str, str], tmp_path: Path) -> None:
    import pty

    root = tmp_path / "ledger"
    for i in range(40):
        path = root / "customers" / f"k{i:02d}" / "2024-03.toml"
        path.parent.mkdir(parents=True)
        path.write_text(record(f"id{i:02d}", 1 + i % 28, 8 + i // 28), encoding="utf-8")
        (path.parent / "customer.toml").write_text('rate = "90.00"\n', encoding="utf-8")
    (root / "customers" / "k07" / "2024-04.toml").write_text("[[session]\n", encoding="utf-8")
    leader, follower = pty.openpty()
    env = {**cli_env, "TERM": "xterm", "COLUMNS": "100"}
    run = subprocess.Popen([console_script(), "check"], env=env, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        screen += chunk
    stdout, _ = run.communicate(timeout=60)
    os.close(leader)
    assert run.returncode == 1
    [line] = stdout.decode().splitlines()  # the problem, and nothing of the bar
    assert line.startswith(f"{root / 'customers' / 'k07' / '2024-04.toml'}:1: error: does not parse")
    text = screen.decode("utf-8", "replace")
    assert "checking" in text and "customers" in text  # the bar, drawn on stderr only
    assert "40/40" in text
    assert text.rstrip().endswith("error: 1 error(s), 0 warning(s) in 40 session(s)")

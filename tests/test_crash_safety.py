"""Killed at any step of any write, the ledger shows the state before or after, never half.

Real processes of the installed program are killed with SIGKILL at the named points of
store/faults.py (set through SESSIONLOG_TEST_FAULT, which only tests set); afterwards every
file parses, nothing is lost or doubled, `check` is clean or names the half-done move, and
the next write finishes it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from typer.testing import Result

from conftest import console_script
from harness import invoke

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def killed(env: dict[str, str], *args: str, fault: str) -> subprocess.CompletedProcess[str]:
    """The installed program, in a real process that the fault point kills."""
    return subprocess.run(
        [console_script(), *args],
        env={**env, "SESSIONLOG_TEST_FAULT": fault},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def run(env: dict[str, str], *args: str) -> Result:
    """Everything around the kill runs in-process: the same code, without a process start each."""
    return invoke(list(args), env=env)


def ok(env: dict[str, str], *args: str) -> str:
    done = run(env, *args)
    assert done.exit_code == 0, (args, done.stderr)
    return done.stdout


def ledger_root(env: dict[str, str]) -> Path:
    return Path(env["SESSIONLOG_LEDGER"])


def all_parse(root: Path) -> None:
    for path in root.rglob("*.toml"):
        with path.open("rb") as f:
            tomllib.load(f)  # raises on a half-written file


def ids_everywhere(root: Path) -> list[str]:
    """Every session id in every month file, as often as it stands there."""
    out = []
    for path in (root / "customers").rglob("????-??.toml"):
        with path.open("rb") as f:
            out += [r["id"] for r in tomllib.load(f).get("session", [])]
    return out


def check_findings(env: dict[str, str]) -> list[dict[str, object]]:
    done = run(env, "check", "--format", "json")
    findings: list[dict[str, object]] = json.loads(done.stdout)
    assert done.exit_code == (1 if any(f["severity"] == "error" for f in findings) else 0), done.stderr
    return findings


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.tmp")]


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    cli_env["SESSIONLOG_NOW"] = "2024-03-20T12:00:00+01:00"
    ok(cli_env, "customer", "add", "acme", "--rate", "60")
    ok(cli_env, "customer", "add", "beta", "--rate", "60")
    return cli_env


def seed(env: dict[str, str]) -> str:
    sid = ok(env, "add", "acme", "--start", "01.03.2024 10:00", "--duration", "1h", "--note", "eins").strip()
    ok(env, "add", "acme", "--start", "02.03.2024 10:00", "--duration", "1h", "--note", "zwei")
    return sid


WRITES = ["write:temp", "write:fsynced", "write:replaced"]


@pytest.mark.parametrize("fault", WRITES)
def test_a_killed_add_leaves_the_file_before_or_after(env: dict[str, str], fault: str) -> None:
    seed(env)
    root = ledger_root(env)
    before = (root / "customers/acme/2024-03.toml").read_bytes()
    assert (
        killed(env, "add", "acme", "--start", "03.03.2024 10:00", "--duration", "1h", fault=fault).returncode
        == -signal.SIGKILL
    )
    all_parse(root)
    after = (root / "customers/acme/2024-03.toml").read_bytes()
    assert after == before or after.startswith(before)
    assert len(ids_everywhere(root)) in (2, 3)
    assert not [f for f in check_findings(env) if f["severity"] == "error"]
    ok(env, "add", "acme", "--start", "04.03.2024 10:00", "--duration", "1h")  # the next write of that folder
    assert leftovers(root) == []


MOVE_FAULTS = ["move:journal", "write:temp@2", "write:fsynced@2", "move:target", "write:replaced@3", "move:source"]


@pytest.mark.parametrize("fault", MOVE_FAULTS)
def test_a_killed_move_is_finished_or_undone_by_the_next_write(env: dict[str, str], fault: str) -> None:
    sid = seed(env)
    root = ledger_root(env)
    assert killed(env, "edit", sid[:6], "--customer", "beta", fault=fault).returncode == -signal.SIGKILL
    all_parse(root)
    # Meanwhile, readers count the session once, wherever it is.
    listed = json.loads(run(env, "list", "2024-03", "--format", "json").stdout)
    assert [s["customer"] for s in listed if s["id"] == sid] in (["acme"], ["beta"])
    assert len(json.loads(ok(env, "report", "2024-03", "--format", "json"))) >= 1
    invoice = ok(env, "invoice", "2024-03", "--profile", "en")
    assert invoice.count(sid) == 1
    findings = check_findings(env)
    assert not [f for f in findings if f["severity"] == "error"], findings
    allowed = {f"a move of session {sid}", "a temporary file left by an interrupted write"}
    assert {str(f["message"]).split(" from ")[0] for f in findings} <= allowed
    ok(env, "add", "acme", "--start", "05.03.2024 10:00", "--duration", "1h")  # the next write finishes it
    ok(env, "add", "beta", "--start", "05.03.2024 11:00", "--duration", "1h")  # and cleans up its folder
    assert ids_everywhere(root).count(sid) == 1
    assert check_findings(env) == []
    assert not (root / ".sessionlog-move.toml").exists()


@pytest.mark.parametrize("fault", ["finalize:register", "write:temp@2", "write:replaced@2"])
def test_a_killed_finalize_issues_each_number_once(env: dict[str, str], fault: str) -> None:
    seed(env)
    ok(env, "add", "beta", "--start", "03.03.2024 10:00", "--duration", "1h")
    root = ledger_root(env)
    assert killed(env, "invoice", "2024-03", "--finalize", fault=fault).returncode == -signal.SIGKILL
    all_parse(root)
    ok(env, "invoice", "2024-03", "--finalize", "--profile", "en")
    numbers = [line.split(",")[0] for line in ok(env, "invoice", "2024-03", "--profile", "en").splitlines()[1:]]
    assert sorted(set(numbers)) == ["RE-2024-0001", "RE-2024-0002"]
    assert not [f for f in check_findings(env) if f["severity"] == "error"]


@pytest.mark.parametrize("fault", WRITES)
def test_a_killed_stop_records_the_session_at_most_once(env: dict[str, str], fault: str) -> None:
    ok(env, "start", "acme", "--at", "20.03.2024 10:00")
    root = ledger_root(env)
    assert killed(env, "stop", "--at", "20.03.2024 10:30", fault=fault).returncode == -signal.SIGKILL
    all_parse(root)
    again = run(env, "stop", "--at", "20.03.2024 10:30")
    assert again.exit_code in (0, 1)
    assert len(ids_everywhere(root)) == 1
    assert not (root / "running" / "klaus-hoerner.toml").exists()


def test_a_sigkill_loop_loses_and_doubles_nothing(env: dict[str, str]) -> None:
    """Seeded: add, edit, move, stop and finalize killed after a random delay, 40 times."""
    rng = random.Random(20240320)
    root = ledger_root(env)
    written: set[str] = set()  # ids a command reported as written
    for i in range(40):
        day = 1 + i % 27
        op = rng.choice(["add", "edit", "move", "timer", "finalize"])
        ids = sorted(set(ids_everywhere(root)))
        if op == "add" or not ids:
            args = ["add", rng.choice(["acme", "beta"]), "--start", f"{day:02d}.03.2024 09:00", "--duration", "20m"]
        elif op == "edit":
            args = ["edit", rng.choice(ids), "--note", f"Notiz {i}", "--force"]
        elif op == "move":
            args = ["edit", rng.choice(ids), "--customer", rng.choice(["acme", "beta"]), "--force"]
        elif op == "timer":
            run(env, "start", "acme", "--at", f"{day:02d}.03.2024 14:00")
            args = ["stop", "--at", f"{day:02d}.03.2024 14:30"]
        else:
            args = ["invoice", "2024-03", "--finalize", "--allow-zero"]
        proc = subprocess.Popen(
            [console_script(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        if proc.returncode == 0 and args[0] == "add":
            written.add(out.strip())
        all_parse(root)
    ok(env, "add", "acme", "--start", "28.03.2024 09:00", "--duration", "20m")  # finishes any half move
    ids = ids_everywhere(root)
    assert len(ids) == len(set(ids)), "a session stands twice"
    assert written <= set(ids), "a session reported as written is gone"
    assert not [f for f in check_findings(env) if f["severity"] == "error"]
    assert not (root / ".sessionlog-move.toml").exists()
    for folder in {p.parent for p in leftovers(root)}:
        assert folder not in {root / "customers" / "acme"}, "the last write of that folder left a temp file"
    assert os.listdir(root)

"""The installed program as a user runs it: real processes, real environment variables."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import SUPPORTER, console_script
from sessionlog import __version__


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8", timeout=60)


def test_version(cli_env: dict[str, str]) -> None:
    result = _run([console_script(), "--version"], cli_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sessionlog {__version__}"


def test_python_dash_m_help(cli_env: dict[str, str]) -> None:
    result = _run([sys.executable, "-m", "sessionlog", "--help"], cli_env)
    assert result.returncode == 0, result.stderr
    for command in ("start", "stop", "list", "customer"):
        assert command in result.stdout
    assert "Traceback" not in result.stderr


def test_start_stop_list_round_trip(cli_env: dict[str, str], tmp_path: Path) -> None:
    script = console_script()
    started = _run([script, "start", "ACME", "--at", "01.03.2024 10:22"], cli_env)
    assert started.returncode == 0, started.stderr
    assert started.stdout == ""
    assert "started acme" in started.stderr

    stopped = _run([script, "stop", "--at", "01.03.2024 10:34:22", "--note", "IE aktualisiert, Grüße"], cli_env)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == ""
    assert "stopped acme" in stopped.stderr

    listed = _run([script, "list", "2024-03", "--format", "json"], cli_env)
    assert listed.returncode == 0, listed.stderr
    [session] = json.loads(listed.stdout)
    assert session["customer"] == "acme"
    assert session["supporter"] == SUPPORTER
    assert session["note"] == "IE aktualisiert, Grüße"
    assert session["start"] == "2024-03-01T10:22:00+01:00"
    assert session["duration_seconds"] == 12 * 60 + 22
    assert (tmp_path / "ledger" / "customers" / "acme" / "2024-03.toml").is_file()


def test_bad_input_in_a_real_process_is_one_line_without_traceback(cli_env: dict[str, str]) -> None:
    result = _run([console_script(), "stop"], cli_env)
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error:")

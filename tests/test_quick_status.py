"""`sessionlog status` runs without Typer (cli/entry.py); it must say exactly what the full program says.

Each case runs the installed console script twice: `status` as it is (the quick path) and with
`--ledger DIR` before it, which only the full program takes. Both are real processes.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import console_script


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60
    )


def both(env: dict[str, str], *extra: str) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    quick = run(env, "status", *extra)
    full = run(env, "--ledger", env["SESSIONLOG_LEDGER"], "status", *extra)
    return quick, full


def start(env: dict[str, str], *args: str, supporter: str | None = None) -> None:
    e = {**env, "SESSIONLOG_SUPPORTER": supporter} if supporter else env
    result = run(e, *args)
    assert result.returncode == 0, result.stderr


def nothing(env: dict[str, str]) -> None:
    pass


def running(env: dict[str, str]) -> None:
    start(env, "start", "ACME", "--at", "01.03.2024 10:22", "--new")


def paused(env: dict[str, str]) -> None:
    running(env)
    start(env, "pause", "--at", "01.03.2024 11:00")


def two_supporters(env: dict[str, str]) -> None:
    running(env)
    start(env, "start", "Beta", "--at", "01.03.2024 09:00", "--new", supporter="Jana Weiß")


def broken_timer(env: dict[str, str]) -> None:
    running(env)
    [timer] = (Path(env["SESSIONLOG_LEDGER"]) / "running").glob("*.toml")
    timer.write_text("start = \n", encoding="utf-8")


def bad_language(env: dict[str, str]) -> None:
    settings = Path(env["SESSIONLOG_LEDGER"]) / "sessionlog.toml"
    settings.write_text(settings.read_text("utf-8") + 'language = "klingon"\n', encoding="utf-8")


CASES: dict[str, tuple[Callable[[dict[str, str]], None], dict[str, str], int]] = {
    "nothing running": (nothing, {}, 0),
    "a timer running": (running, {}, 0),
    "paused": (paused, {}, 0),
    "two supporters": (two_supporters, {}, 0),
    "stale, in German": (running, {"SESSIONLOG_LANGUAGE": "de"}, 0),
    "a broken timer file": (broken_timer, {}, 1),
    "a bad SESSIONLOG_NOW": (running, {"SESSIONLOG_NOW": "gestern"}, 1),
    "a bad language in the ledger": (bad_language, {"SESSIONLOG_LANGUAGE": ""}, 1),
    "a bad SESSIONLOG_LANGUAGE": (running, {"SESSIONLOG_LANGUAGE": "klingon"}, 2),
}


@pytest.mark.parametrize("extra", [(), ("--all",), ("-a",)], ids=["mine", "--all", "-a"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_quick_status_says_what_the_full_program_says(
    cli_env: dict[str, str], case: str, extra: tuple[str, ...]
) -> None:
    prepare, variables, code = CASES[case]
    env = {**cli_env, "SESSIONLOG_NOW": "2024-03-03T12:00:00+01:00", "COLUMNS": "60"}
    prepare(env)
    env.update(variables)
    quick, full = both(env, *extra)
    assert (quick.returncode, quick.stdout, quick.stderr) == (full.returncode, full.stdout, full.stderr)
    assert quick.returncode == code, quick.stderr
    if code:
        [line] = quick.stderr.splitlines()
        assert line.startswith(("error: ", "Fehler: ")), line
        assert "Traceback" not in quick.stderr


def test_what_the_quick_status_shows(cli_env: dict[str, str]) -> None:
    # Not only the same as the full program: the right thing.
    env = {**cli_env, "SESSIONLOG_NOW": "2024-03-01T12:00:00+01:00"}
    running(env)
    result = run(env, "status")
    assert result.returncode == 0
    assert result.stdout.startswith("acme  running since 01.03.2024 10:22, 1:38:00 worked  (")
    assert result.stderr == ""


def test_anything_else_goes_to_the_full_program(cli_env: dict[str, str]) -> None:
    # An option the quick path does not know is the full program's to refuse.
    result = run(cli_env, "status", "--everyone")
    assert result.returncode == 2
    assert "No such option: --everyone" in result.stderr

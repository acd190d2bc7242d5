"""The in-process harness shows what the installed program shows, although it builds the command once."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from conftest import Ledger, console_script
from harness import invoke
from sessionlog.cli.app import app


def test_a_usage_error_reads_as_from_the_installed_program(cli_env: dict[str, str]) -> None:
    real = subprocess.run(
        [console_script(), "add"], env=cli_env, capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    result = invoke(["add"], env={k: cli_env[k] for k in cli_env if k.startswith("SESSIONLOG_")})
    assert (result.exit_code, result.stdout, result.stderr) == (real.returncode, real.stdout, real.stderr)
    assert result.stderr == "error: Missing argument 'CUSTOMER'. (see: sessionlog add --help)\n"


def test_runs_of_the_one_command_do_not_leak_into_each_other(ledger: Ledger, tmp_path: Path) -> None:
    """Each run gets its own context, ledger and environment, as a fresh command tree would."""
    other = tmp_path / "other"
    ledger.ok("--ledger", str(other), "init")
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", supporter="Anna Schmidt")
    ledger.ok("--ledger", str(other), "add", "acme", "--start", "01.03.2024 12:00", "--end", "01.03.2024 13:00")
    # The --ledger of the run before and the supporter of the run before are gone.
    assert [s["supporter"] for s in ledger.sessions()] == ["Anna Schmidt"]
    assert [s["supporter"] for s in ledger.sessions("2024-03", env={"SESSIONLOG_LEDGER": str(other)})] == [
        "Klaus Hörner"
    ]


def test_the_same_as_typers_own_runner_but_for_the_program_name(ledger: Ledger) -> None:
    env = ledger.env()
    for args in (["--help"], ["customer", "add", "--help"], ["list", "2024-03", "--format", "xml"], ["stop"]):
        ours = invoke(args, env=env)
        typers = CliRunner().invoke(app, args, env=env, prog_name="sessionlog")
        assert (ours.exit_code, ours.stdout, ours.stderr) == (typers.exit_code, typers.stdout, typers.stderr)
        assert type(ours.exception) is type(typers.exception)

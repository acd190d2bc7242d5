"""Commands load lazily: the timer commands import only what they use."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sessionlog.cli.app import COMMANDS, app, load_command

# Modules the everyday timer commands must not pay for.
HEAVY = (
    "rich",
    "dateutil",
    "csv",
    "json",
    "sqlite3",
    "shlex",
    "jinja2",
    "babel",
    "sessionlog.billing",
    "sessionlog.reports",
    "sessionlog.render",
    "sessionlog.app.invoicing",
    "sessionlog.app.reporting",
    "sessionlog.app.listing",
    "sessionlog.app.checking",
    "sessionlog.app.importing",
    "sessionlog.app.sync",
    "sessionlog.cli.billing",
    "sessionlog.cli.listing",
    "sessionlog.cli.records",
    "sessionlog.cli.customer",
    "sessionlog.cli.admin",
    "sessionlog.cli.importing",
    "sessionlog.cli.statement",
    "sessionlog.cli.insights",
    "sessionlog.cli.sync",
)
# ... and what only writers need, which `status` never does; nor does it build the command line.
WRITING = ("tomli_w", "secrets", "filelock")
FRAMEWORK = ("typer", "sessionlog.cli.app", "sessionlog.cli.common")

PROBE = """
import sys
from sessionlog.cli.entry import main  # the console script's entry point
sys.argv = ["sessionlog", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
names = {names!r}
print("exit", code, "loaded", *[n for n in names if n in sys.modules])
"""


def imported(args: list[str], env: dict[str, str], names: tuple[str, ...]) -> list[str]:
    """Run sessionlog in a fresh interpreter and return which of `names` it imported."""
    code = PROBE.format(names=names)
    result = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60)
    last = result.stdout.strip().splitlines()[-1].split()
    assert last[:2] == ["exit", "0"], (args, result.stdout, result.stderr)
    return last[3:]


def test_status_start_and_stop_import_nothing_they_do_not_use(cli_env: dict[str, str]) -> None:
    customer = Path(cli_env["SESSIONLOG_LEDGER"]) / "customers" / "acme" / "customer.toml"
    customer.parent.mkdir(parents=True)
    customer.write_text('name = "ACME GmbH"\n', encoding="utf-8")
    assert imported(["status"], cli_env, HEAVY + WRITING + FRAMEWORK) == []
    assert imported(["start", "ACME", "--at", "01.03.2024 10:22"], cli_env, HEAVY) == []
    assert imported(["status"], cli_env, HEAVY + WRITING + FRAMEWORK) == []  # with a timer running
    assert imported(["status", "--all"], cli_env, HEAVY + WRITING + FRAMEWORK) == []
    # stop reads the month's other sessions (overlaps) through the derived cache, which is SQLite.
    stop = tuple(n for n in HEAVY if n != "sqlite3")
    assert imported(["stop", "--at", "01.03.2024 10:40", "--note", "Drucker"], cli_env, stop) == []


def test_the_probe_sees_imports(cli_env: dict[str, str]) -> None:
    # The same probe on a command that needs them: proves the check above can fail.
    assert imported(["list", "2024-03", "--format", "json"], cli_env, ("json", "sessionlog.render", "typer")) == [
        "json",
        "sessionlog.render",
        "typer",
    ]


def test_help_lists_every_command_with_its_help_line() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for name in COMMANDS:
        line = (load_command(name).help or "").strip().splitlines()[0]
        assert f"{name} {line[:30]}" in text, name


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_loads_by_its_name(name: str) -> None:
    assert load_command(name).name == name


def test_every_registered_command_is_in_the_table() -> None:
    # A command added to a module but not to COMMANDS would be unreachable.
    for module_name in set(COMMANDS.values()):
        module = importlib.import_module(f"sessionlog.cli.{module_name}")
        if isinstance(getattr(module, "app", None), typer.Typer):
            continue  # a group of its own, listed under its name
        holder = typer.Typer()
        module.register(holder)
        for info in holder.registered_commands:
            assert info.callback is not None
            name = info.name or typer.main.get_command_name(info.callback.__name__)
            assert COMMANDS.get(name) == module_name, name


def test_a_typo_still_gets_suggestions_and_one_error_line() -> None:
    result = CliRunner().invoke(app, ["stat"])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: No such command 'stat'. Did you mean 'start', 'status'")

"""Every command explains itself, and the README mentions every command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer import _click as click

from harness import COMMAND, invoke

README = Path(__file__).resolve().parent.parent / "README.md"


def _walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(command path, click command) for the root and every command below it, lazy ones loaded."""
    found = [(path, command)]
    if hasattr(command, "list_commands"):
        ctx = click.Context(command)
        for name in sorted(command.list_commands(ctx)):
            found += _walk(command.get_command(ctx, name), (*path, name))
    return found


COMMANDS = _walk(COMMAND)
SUBCOMMANDS = [(path, cmd) for path, cmd in COMMANDS if path]


def test_the_tree_has_the_commands_of_the_design() -> None:
    names = {" ".join(path) for path, _ in SUBCOMMANDS}
    expected = {
        "start", "stop", "pause", "resume", "cancel", "status", "add", "edit", "delete", "list",
        "customer", "customer add", "customer list", "customer show", "customer edit", "init", "check",
    }  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "sessionlog" for p, _ in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...], command: Any) -> None:
    assert command.get_short_help_str(limit=200).strip(), f"{' '.join(path) or 'sessionlog'} has no short help"
    result = invoke([*path, "--help"])
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout
    assert (command.help or "").strip().splitlines()[0] in " ".join(result.stdout.split())


@pytest.mark.parametrize("path", [p for p, _ in SUBCOMMANDS], ids=" ".join)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    assert README.is_file(), f"{README} is missing"
    text = README.read_text(encoding="utf-8")
    assert f"sessionlog {' '.join(path)}" in text or f"`{' '.join(path)}" in text, f"README lacks {' '.join(path)}"

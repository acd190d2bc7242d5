"""Every command explains itself, and the README mentions every command."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from typer import _click as click

from harness import COMMAND, invoke
from sessionlog.cli import helptext
from sessionlog.i18n import use as with_language
from sessionlog.periods import match_period

NOW = datetime(2024, 3, 5, 12, tzinfo=UTC)

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


IDS = [" ".join(p) or "sessionlog" for p, _ in COMMANDS]
# What a help page says in each language: its usage word and the first line of the command's help.
LANGUAGES = {"en": "Usage:", "de": "Aufruf:"}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_has_help(path: tuple[str, ...], command: Any, language: str) -> None:
    env = {"SESSIONLOG_LANGUAGE": language}
    assert command.get_short_help_str(limit=200).strip(), f"{' '.join(path) or 'sessionlog'} has no short help"
    result = invoke([*path, "--help"], env=env)
    assert result.exit_code == 0, result.stderr
    assert LANGUAGES[language] in result.stdout
    with_language(language)
    try:
        first = helptext.text(command.help) or ""
    finally:
        with_language("en")
    assert first.splitlines()[0] in " ".join(result.stdout.split())
    if language == "de":
        assert first != inspect.cleandoc(command.help or ""), "the German help is the English one"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_dash_h_is_help_everywhere(path: tuple[str, ...], command: Any) -> None:
    result = invoke([*path, "-h"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == invoke([*path, "--help"]).stdout


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_shows_an_example(path: tuple[str, ...], command: Any) -> None:
    for language, word in (("en", "Example"), ("de", "Beispiel")):
        page = invoke([*path, "--help"], env={"SESSIONLOG_LANGUAGE": language}).stdout
        assert word in page and "sessionlog" in page.split(word, 1)[1], f"{' '.join(path)} has no example ({language})"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_value_says_what_goes_there(path: tuple[str, ...], command: Any) -> None:
    """No `TEXT`, `<str>` or `INTEGER`: a metavar in capitals naming the thing, or the choices."""
    page = invoke([*path, "--help"]).stdout
    for vague in ("<str>", "TEXT", "INTEGER", "<int>", "FLOAT"):
        assert vague not in page, f"{' '.join(path)}: {vague!r} in\n{page}"
    for param in command.params:
        if getattr(param, "is_flag", False) or param.name in ("install_completion", "show_completion"):
            continue
        shown = param.make_metavar(typer.Context(command))
        assert shown.strip("[]<>") and (shown.strip("[]").isupper() or shown.startswith("<")), (param.name, shown)


def test_delete_force_says_what_it_allows() -> None:
    page = " ".join(invoke(["delete", "--help"]).stdout.split())
    assert "24 h" not in page
    assert "--force Allow deleting an invoiced record." in page


@pytest.mark.parametrize("command", ["list", "report"])
def test_the_period_help_names_every_period_word(command: str) -> None:
    page = " ".join(invoke([command, "--help"]).stdout.split()).replace("- ", "-")  # wrapped after a hyphen
    words = ("today", "yesterday", "this-week", "last-week", "this-month", "last-month", "this-year", "last-year")
    missing = [w for w in words if w not in page]
    assert not missing, f"{command} --help lacks {missing}"
    for word in words:
        assert match_period(word, NOW, UTC) is not None, f"{word} is not a period periods.py knows"


@pytest.mark.parametrize("path", [p for p, _ in SUBCOMMANDS], ids=" ".join)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    assert README.is_file(), f"{README} is missing"
    text = README.read_text(encoding="utf-8")
    assert f"sessionlog {' '.join(path)}" in text or f"`{' '.join(path)}" in text, f"README lacks {' '.join(path)}"

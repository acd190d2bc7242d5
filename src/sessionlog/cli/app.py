"""Wires the command modules into one program; no command logic lives here.

Commands load lazily: the tree knows each command's module and one-line help from COMMANDS,
and imports a module only when one of its commands runs (click's lazy-group pattern). So
`status` does not pay for the imports of `invoice` (billing, render, csv, json), and
`--help` lists every command without importing any of them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # Typer 0.28 ships its own click; pinned in pyproject.toml
from typer._click.utils import make_default_short_help

from sessionlog import __version__
from sessionlog.cli.common import Env, Group, new_app

# Every command in --help order: (module in sessionlog.cli, the first line of its help).
# tests/test_lazy.py checks each line against the command's own docstring.
COMMANDS: dict[str, tuple[str, str]] = {
    "start": ("timer", "Start your timer for a customer."),
    "stop": ("timer", "Stop your timer and record the session."),
    "pause": ("timer", "Pause the running session (for example while the customer's PC restarts)."),
    "resume": ("timer", "Continue a paused session."),
    "cancel": ("timer", "Throw your running session away without recording it."),
    "status": ("timer", "What is running, for how long, paused or not."),
    "add": ("records", "Record a finished session after the fact."),
    "edit": ("records", "Change a record by option; with no option, open it in $EDITOR."),
    "delete": ("records", "Remove a record (asks first unless --yes)."),
    "list": ("listing", "Sessions as a table, CSV or JSON."),
    "invoice": ("billing", "The month's billable sessions as CSV on stdout, ready for Excel or invoicing software."),
    "report": ("billing", "Totals per group: billable and free time, billed minutes and money."),
    "customer": ("customer", "The customer registry: names, rates, rounding, contracts, remote IDs."),
    "init": ("admin", "Write a commented sessionlog.toml with every setting and its default."),
    "check": ("admin", "Validate the whole ledger; print each problem as file:line: message."),
}


def load_command(name: str) -> click.Command:
    """Import the module of command `name` and build its click command."""
    module = importlib.import_module(f"sessionlog.cli.{COMMANDS[name][0]}")
    sub = getattr(module, "app", None)
    if isinstance(sub, typer.Typer):  # a group of its own, e.g. `customer`
        group = typer.main.get_group(sub)
        group.name = name
        return group
    holder = typer.Typer()
    module.register(holder)
    for info in holder.registered_commands:
        assert info.callback is not None
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == name:
            return typer.main.get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None)
    raise LookupError(f"sessionlog.cli.{COMMANDS[name][0]} does not register {name!r}")


class LazyCommands(MutableMapping[str, click.Command]):
    """The command table as click sees it: every name is listed, a command is built when looked up."""

    def __init__(self) -> None:
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self.loaded[name] = load_command(name)
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(COMMANDS), **self.loaded})

    def __len__(self) -> int:
        return len({**dict.fromkeys(COMMANDS), **self.loaded})


class LazyGroup(Group):
    """The root group: `Group`'s error handling, with commands loaded on demand."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        lazy = LazyCommands()
        lazy.loaded.update(self.commands)
        self.commands = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of --help, from the table: no command module is imported for it."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(n, self._short_help(n, limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, name: str, limit: int) -> str:
        if name in COMMANDS:
            return make_default_short_help(COMMANDS[name][1], limit)
        return self.commands[name].get_short_help_str(limit)  # added by hand, not in the table


app = new_app("sessionlog: a ledger of IT support sessions in plain TOML files, billed per customer.", cls=LazyGroup)


def _version(value: bool) -> None:
    if value:
        print(f"sessionlog {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    ledger: Annotated[
        Path | None,
        typer.Option(
            "--ledger",
            "-L",
            metavar="DIR",
            envvar="SESSIONLOG_LEDGER",
            help="The ledger folder (also $SESSIONLOG_LEDGER).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = Env(ledger)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)

"""Wires the command modules into one program; no command logic lives here.

Commands load lazily (click's lazy-group pattern): the root knows each command's module from
COMMANDS and imports it only when that command runs, so `status` does not pay for the imports
of `invoice`. `--help` and shell completion load them all, which is fine: nobody waits on them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # Typer 0.28 ships its own click; pinned in pyproject.toml

from sessionlog import __version__
from sessionlog.cli.common import Group, Typer, new_app
from sessionlog.cli.env import Env
from sessionlog.i18n import use

# Every command in --help order, and the module in sessionlog.cli that registers it.
COMMANDS: dict[str, str] = {
    "start": "timer",
    "stop": "timer",
    "pause": "timer",
    "resume": "timer",
    "cancel": "timer",
    "status": "timer",
    "add": "records",
    "edit": "records",
    "delete": "records",
    "list": "listing",
    "invoice": "billing",
    "report": "billing",
    "statement": "statement",
    "init": "admin",
    "check": "admin",
    "import": "importing",
    "search": "search",
    "insights": "insights",
    "tags": "tags",
    "sync": "sync",
    "resolve": "sync",
    "merge-driver": "sync",
    "customer": "customer",
}


def load_command(name: str) -> click.Command:
    """Import the module of command `name` and build its click command."""
    module = importlib.import_module(f"sessionlog.cli.{COMMANDS[name]}")
    sub = getattr(module, "app", None)
    if isinstance(sub, typer.Typer):  # a group of its own, e.g. `customer`
        group = typer.main.get_group(sub)
        group.name = name
        return group
    holder = Typer()  # commands of the class that translates their help when shown
    module.register(holder)
    for info in holder.registered_commands:
        assert info.callback is not None
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == name:
            return typer.main.get_command_from_info(info, pretty_exceptions_short=False, rich_markup_mode=None)
    raise LookupError(f"sessionlog.cli.{COMMANDS[name]} does not register {name!r}")


class LazyCommands(MutableMapping[str, click.Command]):
    """The command table as click sees it: every name listed, each command built when looked up."""

    def __init__(self, loaded: Mapping[str, click.Command]) -> None:
        self.loaded = dict(loaded)

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

    def _names(self) -> dict[str, None]:
        return {**dict.fromkeys(COMMANDS), **dict.fromkeys(self.loaded)}

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


class LazyGroup(Group):
    """The root group: `Group`'s error handling, with each command loaded when it is used."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


app = new_app(
    "sessionlog: a ledger of IT support sessions in plain TOML files, billed per customer.\n\n"
    'Example: sessionlog start ACME, later sessionlog stop --note "Drucker eingerichtet"',
    completion=True,
    cls=LazyGroup,
)


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
    use(ctx.obj.language()[0])


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)

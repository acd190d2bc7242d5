"""Wires the command modules into one program; no command logic lives here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sessionlog import __version__
from sessionlog.cli import admin, billing, customer, importing, listing, records, timer
from sessionlog.cli import insights as insights_cli
from sessionlog.cli import search as search_cli
from sessionlog.cli import statement as statement_cli
from sessionlog.cli import sync as sync_cli
from sessionlog.cli import tags as tags_cli
from sessionlog.cli.common import Env, new_app
from sessionlog.i18n import use

app = new_app(
    "sessionlog: a ledger of IT support sessions in plain TOML files, billed per customer.\n\n"
    'Example: sessionlog start ACME, later sessionlog stop --note "Drucker eingerichtet"',
    completion=True,
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


timer.register(app)
records.register(app)
listing.register(app)
billing.register(app)
statement_cli.register(app)
app.add_typer(customer.app, name="customer")
admin.register(app)
importing.register(app)
search_cli.register(app)
insights_cli.register(app)
tags_cli.register(app)
sync_cli.register(app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)

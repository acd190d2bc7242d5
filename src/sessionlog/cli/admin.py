"""`init` and `check`: setting up a ledger and validating all of it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sessionlog.app.checking import CheckResult, check_ledger
from sessionlog.app.context import Context
from sessionlog.app.setup import init as init_ledger
from sessionlog.cli.common import app_context, env, fail, say
from sessionlog.store import Ledger


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("check")(check)


def init(
    ctx: typer.Context,
    directory: Annotated[
        Path | None, typer.Argument(metavar="[DIR]", help="The ledger folder (default: the ledger).")
    ] = None,
) -> None:
    """Write a commented sessionlog.toml with every setting and its default."""
    ledger = Ledger(directory) if directory is not None else env(ctx).ledger
    say(f"wrote {init_ledger(ledger)}")


def check(ctx: typer.Context) -> None:
    """Validate the whole ledger; print each problem as file:line: message."""
    result = _checked(app_context(ctx))
    for p in result.problems:
        print(p)
    if result.problems:
        fail(f"{len(result.problems)} problem(s) found")
    say(f"ledger ok: {result.sessions} session(s) checked")


def _checked(c: Context) -> CheckResult:
    """check_ledger, with a progress bar (customers read) on stderr when that is a terminal."""
    if not sys.stderr.isatty():
        return check_ledger(c)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("customers"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("check", total=None)
        return check_ledger(c, lambda done, total: bar.update(task, completed=done, total=total))

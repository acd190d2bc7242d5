"""`init` and `check`: setting up a ledger and validating all of it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from sessionlog.app.checking import check_ledger
from sessionlog.app.setup import init as init_ledger
from sessionlog.cli.common import app_context, env, fail, say
from sessionlog.model import Severity
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
    result = check_ledger(app_context(ctx))
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    for p in result.problems:
        # Warnings (unfinished sessions) are shown but do not fail the check.
        print(p if p.severity is Severity.ERROR else f"{p.where}: warning: {replace(p, path=None)}".lstrip(": "))
    if errors:
        fail(f"{len(errors)} problem(s) found")
    unfinished = len(result.problems) - len(errors)
    say(f"ledger ok: {result.sessions} session(s) checked" + (f", {unfinished} unfinished" if unfinished else ""))

"""`init` and `check`: setting up a ledger and validating all of it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sessionlog.app.checking import check_ledger
from sessionlog.app.setup import init as init_ledger
from sessionlog.cli.common import FormatOpt, app_context, env, fail, say
from sessionlog.cli.output import emit
from sessionlog.model import Problem
from sessionlog.render import Format
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


def check(ctx: typer.Context, fmt: FormatOpt = Format.TABLE) -> None:
    """Validate the whole ledger; print each problem as file:line: error|warning: message."""
    result = check_ledger(app_context(ctx))
    if fmt is Format.JSON:
        emit(fmt, [], (), json_rows=[_as_json(p) for p in result.problems])
    else:
        for p in result.problems:
            where = f"{p.where}: " if p.where else ""
            print(f"{where}{p.severity}: {p.message}" + (f" ({p.hint})" if p.hint else ""))
    errors, warnings = len(result.errors), len(result.warnings)
    if errors:
        fail(f"{errors} error(s), {warnings} warning(s) in {result.sessions} session(s)")
    say(f"ledger ok: {result.sessions} session(s) checked" + (f", {warnings} warning(s)" if warnings else ""))


def _as_json(p: Problem) -> dict[str, object]:
    return {
        "severity": str(p.severity),
        "kind": str(p.kind),
        "path": p.path,
        "line": p.line,
        "message": p.message,
        "hint": p.hint or None,
    }

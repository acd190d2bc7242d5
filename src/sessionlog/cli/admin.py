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
    git: Annotated[bool, typer.Option("--git", help="Share the ledger through git: `sessionlog sync`.")] = False,
    remote: Annotated[
        str | None, typer.Option("--remote", metavar="URL", help="With --git: the team's git remote (origin).")
    ] = None,
) -> None:
    """Write a commented sessionlog.toml with every setting and its default."""
    ledger = Ledger(directory) if directory is not None else env(ctx).ledger
    if remote is not None and not git:
        fail("--remote goes with --git", 2)
    if git:
        from sessionlog.cli.sync import init_git

        init_git(ledger, remote, env(ctx).supporter)
        return
    say(f"wrote {init_ledger(ledger)}")


def check(
    ctx: typer.Context,
    fmt: FormatOpt = Format.TABLE,
    fix: Annotated[
        bool, typer.Option("--fix", help="First merge the conflict copies of file-sync services into their files.")
    ] = False,
) -> None:
    """Validate the whole ledger; print each problem as file:line: error|warning|conflict: message."""
    if fix:
        from sessionlog.cli.sync import fold_copies

        fold_copies(app_context(ctx))
    result = check_ledger(app_context(ctx))
    if fmt is Format.JSON:
        emit(fmt, [], (), json_rows=[_as_json(p) for p in result.problems])
    else:
        from sessionlog.cli.sync import show_problems

        show_problems(result.problems)
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

"""`init` and `check`: setting up a ledger and validating all of it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sessionlog.app.checking import CheckResult, check_ledger
from sessionlog.app.context import Context
from sessionlog.app.setup import init as init_ledger
from sessionlog.cli.common import FormatOpt, app_context, env, fail
from sessionlog.cli.env import Env, say
from sessionlog.cli.output import emit
from sessionlog.i18n import _, use
from sessionlog.i18n import resolve as resolve_language
from sessionlog.model import CsvProfileName, Problem
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
    language: Annotated[
        str | None,
        typer.Option("--language", metavar="LANG", help="The ledger's language: de, en (default: the locale's)."),
    ] = None,
    profile: Annotated[
        CsvProfileName | None, typer.Option("--profile", help="The CSV profile (default: the language's).")
    ] = None,
) -> None:
    """Write a commented sessionlog.toml with every setting and its default.

    The language and the CSV profile follow the locale unless --language or --profile say otherwise.

    Example: sessionlog init --language de
    """
    ledger = Ledger(directory) if directory is not None else env(ctx).ledger
    if remote is not None and not git:
        fail(_("--remote goes with --git"), 2)
    chosen, why = _language(env(ctx), language)
    use(chosen)  # init speaks the language it chose
    if profile is None:
        profile = CsvProfileName(chosen) if chosen in set(CsvProfileName) else CsvProfileName.EN
        profile_why = _("follows the language")
    else:
        profile_why = "--profile"
    if git:
        from sessionlog.cli.sync import init_git

        init_git(ledger, remote, env(ctx).supporter, chosen, profile)
    else:
        say(_("wrote {path}").format(path=init_ledger(ledger, chosen, profile)))
    say(
        _("language {language} (from {why}), CSV profile {profile} ({profile_why})").format(
            language=chosen, why=why, profile=profile, profile_why=profile_why
        )
    )


def _language(e: Env, given: str | None) -> tuple[str, str]:
    """(language, why) for a new ledger: --language, else what this user's runs speak (not a ledger's)."""
    try:
        if given is not None:
            return resolve_language(None, None, given=given)
        return resolve_language(e.user_config.get("language"), None)
    except ValueError as exc:
        fail(str(exc), 2)


def check(
    ctx: typer.Context,
    fmt: FormatOpt = Format.TABLE,
    fix: Annotated[
        bool, typer.Option("--fix", help="First merge the conflict copies of file-sync services into their files.")
    ] = False,
) -> None:
    """Validate the whole ledger; print each problem as file:line: error|warning|conflict: message.

    Example: sessionlog check --fix
    """
    if fix:
        from sessionlog.cli.sync import fold_copies

        fold_copies(app_context(ctx))
    result = _checked(app_context(ctx))
    if fmt is Format.JSON:
        emit(fmt, [], (), json_rows=[_as_json(p) for p in result.problems])
    else:
        from sessionlog.cli.sync import show_problems

        show_problems(result.problems)
    errors, warnings = len(result.errors), len(result.warnings)
    if errors:
        fail(
            _("{errors} error(s), {warnings} warning(s) in {sessions} session(s)").format(
                errors=errors, warnings=warnings, sessions=result.sessions
            )
        )
    ok = _("ledger ok: {sessions} session(s) checked").format(sessions=result.sessions)
    say(ok + (_(", {warnings} warning(s)").format(warnings=warnings) if warnings else ""))


# A ledger with fewer customers is checked before a bar could mean anything.
PROGRESS_FROM = 30


def _checked(c: Context) -> CheckResult:
    """check_ledger, with a progress bar (customers read) on stderr when that is a terminal."""
    if not sys.stderr.isatty():
        return check_ledger(c)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn(_("checking")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(_("customers")),
        TimeRemainingColumn(),
    )
    bar = Progress(*columns, console=Console(stderr=True), transient=True)
    tasks: list[TaskID] = []

    def update(done: int, total: int) -> None:
        if not tasks:
            if total < PROGRESS_FROM:
                return  # over before a bar could mean anything
            bar.start()
            tasks.append(bar.add_task("check", total=total))
        bar.update(tasks[0], completed=done, total=total)

    try:
        return check_ledger(c, update)
    finally:
        if tasks:
            bar.stop()


def _as_json(p: Problem) -> dict[str, object]:
    return {
        "severity": str(p.severity),
        "kind": str(p.kind),
        "path": p.path,
        "line": p.line,
        "message": p.message,
        "hint": p.hint or None,
    }

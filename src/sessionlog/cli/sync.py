"""`sync`, `resolve` and `merge-driver`: one ledger shared by a team through git."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sessionlog.app.context import Context
from sessionlog.cli.common import app_context, env, fail
from sessionlog.cli.env import say, warn, warn_line
from sessionlog.i18n import _
from sessionlog.model import CsvProfileName, Problem
from sessionlog.store import Ledger


class Side(StrEnum):
    OURS = "ours"
    THEIRS = "theirs"


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
    app.command("resolve")(resolve)
    app.command("merge-driver")(merge_driver)


def show_problems(problems: list[Problem]) -> None:
    """Each finding as `path:line: conflict|error: message (hint)`, on stdout like `check`."""
    from sessionlog.model import Kind, Severity

    for p in problems:
        if p.severity is Severity.WARNING:
            label = _("warning")
        else:
            label = _("conflict") if p.kind is Kind.MERGE_CONFLICT else _("error")
        where = f"{p.where}: " if p.where else ""
        print(f"{where}{label}: {p.message}" + (f" ({p.hint})" if p.hint else ""))


def sync(
    ctx: typer.Context,
    setup: Annotated[
        bool, typer.Option("--setup", help="Only prepare this clone: .gitattributes, .gitignore, the merge driver.")
    ] = False,
) -> None:
    """Commit your changes, merge your colleagues' record by record, and push.

    Example: sessionlog sync
    """
    from sessionlog.app import sync as workflow

    if setup:
        e = env(ctx)
        done = workflow.set_up(e.ledger, create=False, supporter=e.supporter)
        for path in done.files:
            say(_("wrote {path}").format(path=path))
        say(f"merge driver set up in {e.ledger.root / '.git' / 'config'}; `sessionlog sync` commits, merges and pushes")
        return
    result = workflow.sync(app_context(ctx))
    if result.set_up:
        say("set up the merge driver in .git/config (sessionlog sync --setup)")
    if result.merge_finished:
        say(_("committed the merge you settled"))
    for c in result.committed:
        say(_("committed {changes} ({sha})").format(changes=c.changes.counts(), sha=c.sha))
    if result.received:
        by = f" ({', '.join(result.authors)})" if result.authors else ""
        say(_("received {count} commit(s) from {remote}").format(count=result.received, remote=result.remote) + by)
    if result.conflicts:
        show_problems(result.conflicts)
        fail(
            f"the merge needs a person: {len(result.conflicts)} conflict(s) listed above; settle each with "
            "`sessionlog resolve ID --take ours|theirs` (or edit the file), then run `sessionlog sync` again"
        )
    if result.remote is None:
        say(_("no remote to sync with: the commit stays here (add one with: git remote add origin URL)"))
    elif result.offline is not None:
        warn_line(_("cannot reach {remote}: {reason}").format(remote=result.remote, reason=result.offline))
        say(_("your changes are committed here and go out with the next sync"))
    elif result.push_failed is not None:
        fail(
            _("cannot push to {remote}: {reason}; your changes are committed here").format(
                remote=result.remote, reason=result.push_failed
            )
        )
    elif result.pushed:
        say(_("pushed to {remote}/{branch}").format(remote=result.remote, branch=result.branch))
    else:
        say(_("up to date with {remote}/{branch}").format(remote=result.remote, branch=result.branch))


def resolve(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(metavar="ID", help="A session id (or 4+ characters of it), a customer key, or 'settings'.")
    ],
    take: Annotated[Side, typer.Option("--take", help="Which version to keep: ours (this computer) or theirs.")],
) -> None:
    """Settle a conflict a merge left: keep our version or theirs.

    Example: sessionlog resolve k3f9 --take theirs
    """
    from sessionlog.app.conflicts import resolve as workflow

    done = workflow(app_context(ctx), target, str(take))
    name = "the settings" if done.found.kind == "settings" else f"{done.found.kind} {done.found.label}"
    if done.deleted:
        say(f"resolved {name}: deleted, as {take} had it")
    else:
        say(f"resolved {name}: kept {take} ({', '.join(done.keys)})")
    if done.dropped:
        say(f"removed the other running timer ({done.dropped})")


def init_git(ledger: Ledger, remote: str | None, supporter: str, language: str, profile: CsvProfileName) -> None:
    """`init --git [--remote URL]`: what it did, line by line."""
    from sessionlog.app.setup import init_git as workflow

    written, done = workflow(ledger, remote, supporter, language, profile)
    if written is not None:
        say(_("wrote {path}").format(path=written))
    say(f"{'made' if done.created else 'kept'} {ledger.root} a git repository; merge driver set up in .git/config")
    for path in done.files:
        say(_("wrote {path}").format(path=path))
    if done.commit:
        say(f"committed the ledger ({done.commit})")
    if remote:
        say(f"remote origin: {remote}{' (changed)' if done.remote_changed else ''}; `sessionlog sync` pushes to it")


def fold_copies(c: Context) -> None:
    """`check --fix`: merge the sync services' conflict copies, saying what each brought."""
    from sessionlog.app.conflicts import fold_copies as workflow

    done = workflow(c)
    for f in done.folded:
        m = f.merged
        counts = f"{m.added} record(s) added, {m.changed} changed, {len(m.conflicts)} conflict(s)"
        say(f"merged {f.copy.path.name} into {f.copy.original}: {counts}; removed the copy")
        if f.elsewhere:
            say(f"  left out {', '.join(f.elsewhere)}: in another file by now")
    warn(done.left)


def merge_driver(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="%O: the common ancestor's version.")],
    ours: Annotated[Path, typer.Argument(metavar="OURS", help="%A: our version; the result is written here.")],
    theirs: Annotated[Path, typer.Argument(metavar="THEIRS", help="%B: their version.")],
    path: Annotated[str, typer.Argument(metavar="PATH", help="%P: the file's path in the ledger.")],
) -> None:
    """What git runs to merge a ledger file record by record (set up by init --git and sync --setup).

    Example (in .git/config): driver = sessionlog merge-driver %O %A %B %P
    """
    from sessionlog.cli.driver import run

    code = run(base, ours, theirs, path)
    if code:
        raise typer.Exit(code)

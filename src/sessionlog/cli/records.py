"""Finished records: add, edit, delete."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from typing import Annotated

import typer

from sessionlog.app import records
from sessionlog.app.context import Context
from sessionlog.app.fields import Details
from sessionlog.cli.common import (
    Billable,
    ChannelOpt,
    Contact,
    CustomerArg,
    Force,
    Free,
    Machine,
    NewCustomer,
    Note,
    Tags,
    Ticket,
    Yes,
    app_context,
    confirm,
    fail,
)
from sessionlog.cli.env import say, warn, warn_line
from sessionlog.cli.timer import created, found_by_remote_id
from sessionlog.i18n import _
from sessionlog.model import Correction, Session, SessionlogError, clock, format_duration
from sessionlog.store import read_text, remove, scratch_file

Start = Annotated[
    str | None, typer.Option("--start", "-s", metavar="WHEN", help="When it began: 01.03.2024 10:22, 14:30 …")
]
End = Annotated[str | None, typer.Option("--end", "-e", metavar="WHEN", help="When it ended.")]
Duration = Annotated[
    str | None, typer.Option("--duration", "-d", metavar="DURATION", help="How long: 12m, 1h30m, 1:15, 1,5h …")
]
SessionId = Annotated[str, typer.Argument(metavar="ID", help="The session id or a unique prefix.")]


def register(app: typer.Typer) -> None:
    for command in (add, edit, delete):
        app.command()(command)


def add(
    ctx: typer.Context,
    customer: CustomerArg,
    start: Start = None,
    end: End = None,
    duration: Duration = None,
    contact: Contact = None,
    machine: Machine = None,
    channel: ChannelOpt = None,
    ticket: Ticket = None,
    tag: Tags = None,
    note: Note = None,
    free: Free = None,
    force: Force = False,
    new: NewCustomer = False,
) -> None:
    """Record a finished session after the fact.

    Example: sessionlog add ACME --start "01.03.2024 10:22" --duration 12m --note "Drucker"
    """
    c = app_context(ctx)
    details = Details(contact, machine, channel, ticket, tuple(tag or ()), note, free)
    result = records.add(c, customer, start, end, duration, details, force=force, new=new)
    created(result.created)
    found_by_remote_id(result.found)
    s = result.session
    say(
        _("added {customer}: {duration} ({id})").format(
            customer=s.customer, duration=format_duration(s.net_duration()), id=s.id
        )
    )
    warn(result.warnings)
    print(s.id)


def edit(
    ctx: typer.Context,
    session_id: SessionId,
    customer: Annotated[
        str | None, typer.Option("--customer", metavar="KEY", help="Move it to another customer.")
    ] = None,
    start: Start = None,
    end: End = None,
    duration: Duration = None,
    supporter: Annotated[str | None, typer.Option("--supporter", metavar="NAME", help="Who worked.")] = None,
    contact: Contact = None,
    machine: Machine = None,
    channel: ChannelOpt = None,
    ticket: Ticket = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", metavar="TAG", help="Add a tag; repeat for more.")
    ] = None,
    untag: Annotated[
        list[str] | None, typer.Option("--untag", metavar="TAG", help="Remove a tag; repeat for more.")
    ] = None,
    no_tags: Annotated[
        bool, typer.Option("--no-tags", help="Remove every tag first (with --tag: replace the tags).")
    ] = False,
    note: Note = None,
    free: Free = None,
    billable: Billable = False,
    force: Force = False,
) -> None:
    """Change a record by option; with no option, open it in $EDITOR.

    Tags: --tag adds, --untag removes, --no-tags --tag a --tag b replaces them.

    Example: sessionlog edit k3f9 --duration 25m --note "Drucker neu eingerichtet"
    """
    c = app_context(ctx)
    changes = records.Changes(
        customer, start, end, duration, supporter, contact, machine, channel, ticket,
        () if no_tags else None, note, free, billable, tuple(tag or ()), tuple(untag or ()),
    )  # fmt: skip
    result = records.edit(c, session_id, changes, force=force)
    warn(result.warnings)
    if result.new is None:
        _edit_in_editor(c, result.old, force)
        return
    if result.old.running:
        say(_("changed the running session {id}").format(id=result.new.id))
        return
    for line in result.notes:
        say(line)
    _invoiced(result.old, result.correction)
    say(_("changed {id}").format(id=result.new.id))


def _invoiced(old: Session, correction: Correction | None) -> None:
    """What a forced change means for the invoice the session is on."""
    if not old.invoice:
        return
    if correction is not None:
        warn_line(
            _(
                "{id} is on invoice {invoice}, which stays as it was issued; "
                "the change is kept beside the invoice ({change})"
            ).format(id=old.id, invoice=old.invoice, change=correction.change)
        )
    else:
        warn_line(
            _("{id} was on invoice {invoice}, issued before the invoice register: its re-export changes").format(
                id=old.id, invoice=old.invoice
            )
        )


def _editor() -> list[str]:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        return ["notepad"] if sys.platform == "win32" else ["vi"]
    return shlex.split(command, posix=sys.platform != "win32")


def _edit_in_editor(c: Context, old: Session, force: bool) -> None:
    buffer = records.editor_text(c, old)
    while True:
        path = scratch_file(buffer, ".toml")
        try:
            try:
                result = subprocess.run([*_editor(), str(path)], check=False)
            except OSError as exc:
                fail(
                    _("cannot start the editor {editor!r}: {reason}; set $EDITOR").format(
                        editor=_editor()[0], reason=exc.strerror
                    )
                )
            if result.returncode != 0:
                fail(_("the editor exited with status {code}; nothing changed").format(code=result.returncode))
            edited = read_text(path) or ""
        finally:
            remove(path)
        if edited == buffer:
            say(_("no change"))
            return
        try:
            done = records.replace_from_text(c, old, edited, force=force)
        except SessionlogError as exc:
            if not sys.stdin.isatty():
                fail(f"{exc}; {_('nothing changed')}")
            say(f"{_('error')}: {exc}")
            if not confirm(_("Open the editor again?"), default=True):
                fail(_("nothing changed"))
            buffer = edited
            continue
        _invoiced(old, done.correction)
        say(_("changed {id}").format(id=old.id))
        return


def delete(
    ctx: typer.Context,
    session_id: SessionId,
    yes: Yes = False,
    force: Annotated[bool, typer.Option("--force", help="Allow deleting an invoiced record.")] = False,
) -> None:
    """Remove a record (asks first unless --yes).

    Example: sessionlog delete k3f9
    """
    c = app_context(ctx)
    s = records.deletable(c, session_id, force=force)
    length = _("unfinished") if s.unfinished else format_duration(s.net_duration())
    what = f"{s.id} {s.customer} {clock(s.start, c.tz)} {length} {s.note!r}"
    if not yes:
        if not sys.stdin.isatty():
            fail(_("delete {what}? add --yes to confirm without asking").format(what=what))
        if not confirm(_("Delete {what}?").format(what=what), default=False):
            fail(_("nothing deleted"))
    _invoiced(s, records.delete(c, s, force=force))
    say(_("deleted {what}").format(what=what))

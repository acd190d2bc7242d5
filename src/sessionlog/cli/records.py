"""Finished records: add, edit, delete."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Annotated

import typer

from sessionlog.cli.common import (
    Channel,
    Contact,
    Env,
    Force,
    Free,
    Machine,
    NewCustomer,
    Note,
    Tags,
    Ticket,
    Yes,
    env,
    fail,
    say,
)
from sessionlog.model import Session, SessionlogError, fixed, format_duration
from sessionlog.store import check, ensure_unlocked, read_text, remove, scratch_file

_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(:\d{2})?$")
Start = Annotated[str | None, typer.Option("--start", "-s", help="When it began: 01.03.2024 10:22, 14:30 …")]
End = Annotated[str | None, typer.Option("--end", "-e", help="When it ended.")]
Duration = Annotated[str | None, typer.Option("--duration", "-d", help="How long: 12m, 1h30m, 1:15, 1,5h …")]


def register(app: typer.Typer) -> None:
    for command in (add, edit, delete):
        app.command()(command)


def _end(e: Env, start: datetime, end: str | None, duration: str | None) -> datetime:
    if end and duration:
        fail("give --end or --duration, not both", 2)
    if duration:
        # Real elapsed time: the same wall clock may be 1 h or 3 h later across a DST change.
        return fixed(start) + e.duration(duration)
    if end:
        if not _TIME_ONLY.match(end.strip()):
            return e.moment(end)
        # A bare time is on the start's day; one earlier than the start means after midnight.
        moment = e.moment(end, now=start)
        return moment if moment > start else e.moment(end, now=start + timedelta(days=1))
    fail("give --end or --duration", 2)


def add(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer key or alias.")],
    start: Start = None,
    end: End = None,
    duration: Duration = None,
    contact: Contact = None,
    machine: Machine = None,
    channel: Channel = None,
    ticket: Ticket = None,
    tag: Tags = None,
    note: Note = None,
    free: Free = None,
    force: Force = False,
    new: NewCustomer = False,
) -> None:
    """Record a finished session after the fact."""
    e = env(ctx)
    if start is None:
        fail("give --start (and --end or --duration)", 2)
    began = e.moment(start)
    ended = _end(e, began, end, duration)
    with e.ledger.locked():
        key, is_new = e.customer_key(customer, create=True, new=new)
        s = e.new_session(
            key, began, ended, contact=contact, machine=machine, channel=channel, ticket=ticket, tags=tag, note=note,
            free=free,
        )  # fmt: skip
        check(s, force)
        if is_new:
            e.create_customer(key, customer)
        saved = e.ledger.add(s, force=force)
    say(f"added {saved.customer}: {format_duration(saved.net_duration())} ({saved.id})")
    print(saved.id)


def edit(
    ctx: typer.Context,
    session_id: Annotated[str, typer.Argument(metavar="ID", help="The session id or a unique prefix.")],
    customer: Annotated[str | None, typer.Option("--customer", help="Move it to another customer.")] = None,
    start: Start = None,
    end: End = None,
    duration: Duration = None,
    supporter: Annotated[str | None, typer.Option("--supporter", help="Who worked.")] = None,
    contact: Contact = None,
    machine: Machine = None,
    channel: Channel = None,
    ticket: Ticket = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Replace the tags; repeat for more.")] = None,
    note: Note = None,
    free: Free = None,
    billable: Annotated[bool, typer.Option("--billable", help="Make it billable.")] = False,
    force: Force = False,
) -> None:
    """Change a record by option; with no option, open it in $EDITOR."""
    e = env(ctx)
    if free and billable:
        fail("--free and --billable contradict each other", 2)
    old = e.ledger.find(session_id)
    changes: dict[str, object] = {}
    if customer is not None:
        changes["customer"] = e.customer_key(customer, create=False)[0]
    if start is not None:
        changes["start"] = e.moment(start)
    if end is not None or duration is not None:
        changes["end"] = _end(e, changes.get("start", old.start), end, duration)  # type: ignore[arg-type]
    for name, value in (
        ("supporter", supporter),
        ("contact", contact),
        ("machine", machine),
        ("channel", channel),
        ("ticket", ticket),
        ("note", note),
    ):
        if value is not None:
            changes[name] = value
    if tag is not None:
        changes["tags"] = tuple(t for t in tag if t)
    if free:
        changes.update(billable=False, free_reason=free)
    elif billable:
        changes.update(billable=True, free_reason=None)
    if old.running:
        _edit_running(e, old, changes)
        return
    if not changes:
        _edit_in_editor(e, old, force)
        return
    new = e.ledger.update(old, old.evolve(**changes), force=force)
    if old.invoice:
        say(f"warning: {new.id} belongs to invoice {old.invoice}; the issued figures stay as they were billed")
    say(f"changed {new.id}")


def _edit_running(e: Env, old: Session, changes: dict[str, object]) -> None:
    if not changes:
        fail(f"{old.id} is running: change it by option, or stop it first")
    if "end" in changes or "supporter" in changes:
        fail(f"{old.id} is running: stop it to set its end; its supporter cannot change")
    new = old.evolve(**changes)
    check(new, force=True)
    e.ledger.timers.save(new)
    say(f"changed the running session {new.id}")


def _editor() -> list[str]:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        return ["notepad"] if sys.platform == "win32" else ["vi"]
    return shlex.split(command, posix=sys.platform != "win32")


def _edit_in_editor(e: Env, old: Session, force: bool) -> None:
    header = f"# Edit session {old.id}, save and close. Lines starting with # are ignored.\n"
    buffer = header + e.ledger.record_text(old) + "\n"
    while True:
        path = scratch_file(buffer, ".toml")
        try:
            try:
                result = subprocess.run([*_editor(), str(path)], check=False)
            except OSError as exc:
                fail(f"cannot start the editor {_editor()[0]!r}: {exc.strerror}; set $EDITOR")
            if result.returncode != 0:
                fail(f"the editor exited with status {result.returncode}; nothing changed")
            edited = read_text(path) or ""
        finally:
            remove(path)
        if edited == buffer:
            say("no change")
            return
        try:
            new = e.ledger.replace_from_text(old, edited, force=force)
        except SessionlogError as exc:
            if not sys.stdin.isatty():
                fail(f"{exc}; nothing changed")
            say(f"error: {exc}")
            if not typer.confirm("Open the editor again?", default=True, err=True):
                fail("nothing changed")
            buffer = edited
            continue
        say(f"changed {new.id}")
        return


def delete(
    ctx: typer.Context,
    session_id: Annotated[str, typer.Argument(metavar="ID", help="The session id or a unique prefix.")],
    yes: Yes = False,
    force: Force = False,
) -> None:
    """Remove a record (asks first unless --yes)."""
    e = env(ctx)
    s = e.ledger.find(session_id)
    if s.running:
        fail(f"{s.id} is running; use: sessionlog cancel")
    ensure_unlocked(s, force)
    when = s.start.astimezone(e.tz).strftime("%d.%m.%Y %H:%M")
    what = f"{s.id} {s.customer} {when} {format_duration(s.net_duration())} {s.note!r}"
    if not yes:
        if not sys.stdin.isatty():
            fail(f"delete {what}? add --yes to confirm without asking")
        if not typer.confirm(f"Delete {what}?", default=False, err=True):
            fail("nothing deleted")
    e.ledger.delete(s, force=force)
    if s.invoice:
        say(f"warning: {s.id} was on invoice {s.invoice}; re-exporting that month now gives a different statement")
    say(f"deleted {s.id}")

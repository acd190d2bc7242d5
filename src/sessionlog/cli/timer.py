"""The running timer: start, stop, pause, resume, cancel, status."""

from __future__ import annotations

from typing import Annotated

import typer

from sessionlog.app import customers, timer
from sessionlog.app.fields import Details
from sessionlog.cli.common import (
    At,
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
    app_context,
    say,
    warn,
)
from sessionlog.model import Customer, clock, format_duration


def register(app: typer.Typer) -> None:
    for command in (start, stop, pause, resume, cancel, status):
        app.command()(command)


def created(c: Customer | None) -> None:
    if c is not None:
        say(f"created customer {c.key} (fill in the details with: sessionlog customer edit {c.key} --name …)")


def found_by_remote_id(found: customers.Match | None) -> None:
    if found is not None:
        say(f"remote ID {found.remote_id} is customer {found.key} ({found.name})")


# `start` and `add` share these options; Typer needs each in the signature, `Details` gathers them.
def start(
    ctx: typer.Context,
    customer: CustomerArg,
    at: At = None,
    contact: Contact = None,
    machine: Machine = None,
    channel: ChannelOpt = None,
    ticket: Ticket = None,
    tag: Tags = None,
    note: Note = None,
    free: Free = None,
    switch: Annotated[bool, typer.Option("--switch", help="Stop the running session at the same instant.")] = False,
    new: NewCustomer = False,
) -> None:
    """Start your timer for a customer.

    Example: sessionlog start ACME --contact "Herr Maier"
    """
    c = app_context(ctx)
    details = Details(contact, machine, channel, ticket, tuple(tag or ()), note, free)
    result = timer.start(c, customer, at, details, switch=switch, new=new)
    created(result.created)
    found_by_remote_id(result.found)
    warn(result.warnings)
    if result.stopped is not None:
        done = result.stopped
        say(f"stopped {done.customer} after {format_duration(done.net_duration())} ({done.id})")
    s = result.session
    say(f"started {s.customer} at {clock(s.start, c.tz)} ({s.id})")


def stop(
    ctx: typer.Context,
    at: At = None,
    note: Note = None,
    free: Free = None,
    billable: Billable = False,
    tag: Tags = None,
    force: Force = False,
) -> None:
    """Stop your timer and record the session.

    Example: sessionlog stop --note "IE aktualisiert"
    """
    c = app_context(ctx)
    result = timer.stop(c, at, note=note, free=free, billable=billable, tags=tuple(tag or ()), force=force)
    for line in result.notes:
        say(line)
    done = result.session
    say(f"stopped {done.customer}: {format_duration(done.net_duration())} worked ({done.id})")
    warn(result.warnings)


def pause(ctx: typer.Context, at: At = None) -> None:
    """Pause the running session (for example while the customer's PC restarts)."""
    c = app_context(ctx)
    s = timer.pause(c, at)
    say(f"paused {s.customer} at {clock(s.pauses[-1].start, c.tz)}")


def resume(ctx: typer.Context, at: At = None) -> None:
    """Continue a paused session."""
    c = app_context(ctx)
    s = timer.resume(c, at)
    end = s.pauses[-1].end
    assert end is not None
    say(f"resumed {s.customer} at {clock(end, c.tz)}")


def cancel(ctx: typer.Context) -> None:
    """Throw your running session away without recording it."""
    c = app_context(ctx)
    s = timer.cancel(c)
    say(f"cancelled the session for {s.customer} started {clock(s.start, c.tz)} ({s.id})")


def status(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Every supporter's timer.")] = False,
) -> None:
    """What is running, for how long, paused or not."""
    import sys

    from sessionlog.cli.terminal import table_width

    c = app_context(ctx)
    states = timer.status(c, everyone=all_)
    if not states:
        say("nothing is running" + ("" if all_ else f" for {c.supporter}"))
        return
    width = table_width(sys.stdout)
    for st in states:
        s = st.session
        started, worked = clock(s.start, c.tz), f"{format_duration(st.worked)} worked"
        if s.paused:
            paused = clock(s.pauses[-1].start, c.tz)
            # The pause's day only where it differs from the start's.
            paused = paused[11:] if paused[:10] == started[:10] else paused
            state = [("  ", f"since {started}"), (", ", worked), (", ", f"paused since {paused}")]
        else:
            state = [("  ", f"running since {started}"), (", ", worked)]
        who = [("  ", s.supporter)] if all_ else []
        print("\n".join(_fill([("", s.customer), *state, ("  ", f"({s.id})"), *who], width)))
        warn([st.warning] if st.warning else [])


def _fill(pieces: list[tuple[str, str]], width: int) -> list[str]:
    """(separator, text) pieces on as few lines as `width` allows; a piece is never split."""
    lines = [pieces[0][1]]
    for sep, text in pieces[1:]:
        if len(lines[-1]) + len(sep) + len(text) <= width:
            lines[-1] += sep + text
        else:
            lines[-1] += sep.rstrip()
            lines.append("    " + text)
    return lines

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
)
from sessionlog.cli.env import say, warn
from sessionlog.cli.status import show_status
from sessionlog.i18n import _
from sessionlog.model import Customer, clock, format_duration


def register(app: typer.Typer) -> None:
    for command in (start, stop, pause, resume, cancel, status):
        app.command()(command)


def created(c: Customer | None) -> None:
    if c is not None:
        say(
            _("created customer {key} (fill in the details with: sessionlog customer edit {key} --name …)").format(
                key=c.key
            )
        )


def found_by_remote_id(found: customers.Match | None) -> None:
    if found is not None:
        say(
            _("remote ID {remote_id} is customer {key} ({name})").format(
                remote_id=found.remote_id, key=found.key, name=found.name
            )
        )


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
        say(
            _("stopped {customer} after {duration} ({id})").format(
                customer=done.customer, duration=format_duration(done.net_duration()), id=done.id
            )
        )
    s = result.session
    say(_("started {customer} at {time} ({id})").format(customer=s.customer, time=clock(s.start, c.tz), id=s.id))


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
    say(
        _("stopped {customer}: {duration} worked ({id})").format(
            customer=done.customer, duration=format_duration(done.net_duration()), id=done.id
        )
    )
    warn(result.warnings)


def pause(ctx: typer.Context, at: At = None) -> None:
    """Pause the running session (for example while the customer's PC restarts).

    Example: sessionlog pause --at 10:40
    """
    c = app_context(ctx)
    s = timer.pause(c, at)
    say(_("paused {customer} at {time}").format(customer=s.customer, time=clock(s.pauses[-1].start, c.tz)))


def resume(ctx: typer.Context, at: At = None) -> None:
    """Continue a paused session.

    Example: sessionlog resume
    """
    c = app_context(ctx)
    s = timer.resume(c, at)
    end = s.pauses[-1].end
    assert end is not None
    say(_("resumed {customer} at {time}").format(customer=s.customer, time=clock(end, c.tz)))


def cancel(ctx: typer.Context) -> None:
    """Throw your running session away without recording it.

    Example: sessionlog cancel
    """
    c = app_context(ctx)
    s = timer.cancel(c)
    say(
        _("cancelled the session for {customer} started {time} ({id})").format(
            customer=s.customer, time=clock(s.start, c.tz), id=s.id
        )
    )


def status(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Every supporter's timer.")] = False,
) -> None:
    """What is running, for how long, paused or not.

    Example: sessionlog status --all
    """
    show_status(app_context(ctx), everyone=all_)

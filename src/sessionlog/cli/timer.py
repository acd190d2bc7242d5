"""The running timer: start, stop, pause, resume, cancel, status."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from sessionlog.cli.common import (
    At,
    Channel,
    Contact,
    Force,
    Free,
    Machine,
    NewCustomer,
    Note,
    Tags,
    Ticket,
    env,
    fail,
    say,
)
from sessionlog.model import Pause, Session, SessionlogError, format_duration
from sessionlog.store import check


def register(app: typer.Typer) -> None:
    for command in (start, stop, pause, resume, cancel, status):
        app.command()(command)


def _clock(moment: datetime, ctx: typer.Context) -> str:
    return moment.astimezone(env(ctx).tz).strftime("%d.%m.%Y %H:%M")


def _running(ctx: typer.Context) -> Session:
    e = env(ctx)
    s = e.ledger.timers.of(e.supporter)
    if s is None:
        fail(f"nothing is running for {e.supporter} (start one with: sessionlog start CUSTOMER)")
    return s


def start(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer key or alias, e.g. ACME.")],
    at: At = None,
    contact: Contact = None,
    machine: Machine = None,
    channel: Channel = None,
    ticket: Ticket = None,
    tag: Tags = None,
    note: Note = None,
    free: Free = None,
    switch: Annotated[bool, typer.Option("--switch", help="Stop the running session at the same instant.")] = False,
    new: NewCustomer = False,
) -> None:
    """Start your timer for a customer."""
    e = env(ctx)
    ledger = e.ledger
    moment = e.moment(at)
    with ledger.locked():
        running = ledger.timers.of(e.supporter)
        if running is not None and not switch:
            fail(
                f"a session for {running.customer} is running since {_clock(running.start, ctx)} "
                f"({running.id}); stop it first, or use --switch to stop it and start this one"
            )
        key, is_new = e.customer_key(customer, create=True, new=new)
        session = e.new_session(
            key, moment, None, contact=contact, machine=machine, channel=channel, ticket=ticket, tags=tag, note=note,
            free=free,
        )  # fmt: skip
        check(session, force=True)
        if running is not None and moment <= running.start:
            fail(f"cannot switch at {_clock(moment, ctx)}: the running session started {_clock(running.start, ctx)}")
        if is_new:
            e.create_customer(key, customer)
        if running is not None:
            done = ledger.timers.finish(running, _close(running, moment))
            say(f"stopped {done.customer} after {format_duration(done.net_duration())} ({done.id})")
        saved = ledger.timers.save(session, new=True)
    say(f"started {saved.customer} at {_clock(saved.start, ctx)} ({saved.id})")


def _close(s: Session, moment: datetime) -> Session:
    """The session ended at `moment`, a pause still open closed there too."""
    pauses = s.pauses
    if s.paused:
        pauses = (*pauses[:-1], Pause(pauses[-1].start, moment))
    return s.evolve(end=moment, pauses=pauses)


def stop(
    ctx: typer.Context,
    at: At = None,
    note: Note = None,
    free: Free = None,
    billable: Annotated[bool, typer.Option("--billable", help="Make it billable after all.")] = False,
    tag: Tags = None,
    force: Force = False,
) -> None:
    """Stop your timer and record the session."""
    if free and billable:
        fail("--free and --billable contradict each other", 2)
    e = env(ctx)
    s = _running(ctx)
    moment = e.moment(at)
    if moment <= s.start:
        fail(f"the stop time {_clock(moment, ctx)} is not after the start {_clock(s.start, ctx)}")
    final = _close(s, moment)
    if note:
        final = final.evolve(note=f"{final.note}; {note}" if final.note else note)
    if tag:
        final = final.evolve(tags=tuple(dict.fromkeys((*final.tags, *tag))))
    if free:
        final = final.evolve(billable=False, free_reason=free)
    elif billable:
        final = final.evolve(billable=True, free_reason=None)
    done = e.ledger.timers.finish(s, final, force=force)
    say(f"stopped {done.customer}: {format_duration(done.net_duration())} worked ({done.id})")


def pause(ctx: typer.Context, at: At = None) -> None:
    """Pause the running session (for example while the customer's PC restarts)."""
    e = env(ctx)
    s = _running(ctx)
    if s.paused:
        fail(f"the session is paused already since {_clock(s.pauses[-1].start, ctx)}")
    moment = e.moment(at)
    last = s.pauses[-1].end if s.pauses else s.start
    if last is not None and moment < last:
        fail(f"the pause cannot start at {_clock(moment, ctx)}, before {_clock(last, ctx)}")
    e.ledger.timers.save(s.evolve(pauses=(*s.pauses, Pause(moment))))
    say(f"paused {s.customer} at {_clock(moment, ctx)}")


def resume(ctx: typer.Context, at: At = None) -> None:
    """Continue a paused session."""
    e = env(ctx)
    s = _running(ctx)
    if not s.paused:
        fail(f"the session for {s.customer} is not paused")
    moment = e.moment(at)
    began = s.pauses[-1].start
    if moment <= began:
        fail(f"resume at {_clock(moment, ctx)} must be after the pause began ({_clock(began, ctx)})")
    e.ledger.timers.save(s.evolve(pauses=(*s.pauses[:-1], Pause(began, moment))))
    say(f"resumed {s.customer} at {_clock(moment, ctx)}")


def cancel(ctx: typer.Context) -> None:
    """Throw your running session away without recording it."""
    e = env(ctx)
    s = _running(ctx)
    e.ledger.timers.drop(s)
    say(f"cancelled the session for {s.customer} started {_clock(s.start, ctx)} ({s.id})")


def status(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Every supporter's timer.")] = False,
) -> None:
    """What is running, for how long, paused or not."""
    e = env(ctx)
    now = e.now()
    if all_:
        sessions = e.ledger.timers.all()
    else:
        mine = e.ledger.timers.of(e.supporter)
        sessions = [mine] if mine else []
    if not sessions:
        say("nothing is running" + ("" if all_ else f" for {e.supporter}"))
        return
    for s in sorted(sessions, key=lambda s: s.start):
        try:
            worked = format_duration(s.net_duration(now))
        except ValueError as exc:
            raise SessionlogError(str(exc)) from None
        state = f"paused since {_clock(s.pauses[-1].start, ctx)}" if s.paused else "running"
        who = f"  {s.supporter}" if all_ else ""
        print(f"{s.customer}  {state}  {worked}  since {_clock(s.start, ctx)}  ({s.id}){who}")

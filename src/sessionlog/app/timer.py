"""The running timer: start, stop, pause, resume, cancel, status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sessionlog.app.context import Context
from sessionlog.app.fields import Details, billing_change, new_session, with_tags
from sessionlog.model import Customer, Kind, Pause, Session, SessionlogError, clock
from sessionlog.store import check


@dataclass(frozen=True)
class Started:
    session: Session
    stopped: Session | None = None  # the session `--switch` stopped
    created: Customer | None = None  # the customer `start` created


def running(ctx: Context) -> Session:
    """This supporter's running session; NOT_FOUND when nothing runs."""
    s = ctx.ledger.timers.of(ctx.supporter)
    if s is None:
        raise SessionlogError(
            f"nothing is running for {ctx.supporter} (start one with: sessionlog start CUSTOMER)", Kind.NOT_FOUND
        )
    return s


def close(s: Session, moment: datetime) -> Session:
    """The session ended at `moment`, a pause still open closed there too."""
    pauses = s.pauses
    if s.paused:
        pauses = (*pauses[:-1], Pause(pauses[-1].start, moment))
    return s.evolve(end=moment, pauses=pauses)


def start(ctx: Context, customer: str, at: str | None, details: Details, *, switch: bool, new: bool) -> Started:
    """Start the supporter's timer; `switch` stops a running one at the same instant."""
    from sessionlog.app import customers  # here: status, stop and the others never need it

    ledger = ctx.ledger
    tz = ctx.tz
    moment = ctx.moment(at)
    with ledger.locked():
        current = ledger.timers.of(ctx.supporter)
        if current is not None and not switch:
            raise SessionlogError(
                f"a session for {current.customer} is running since {clock(current.start, tz)} "
                f"({current.id}); stop it first, or use --switch to stop it and start this one",
                Kind.RUNNING,
            )
        key, is_new = customers.resolve(ledger, customer, create=True, new=new)
        session = new_session(ctx, key, moment, None, details)
        check(session, force=True)
        if current is not None and moment <= current.start:
            raise SessionlogError(
                f"cannot switch at {clock(moment, tz)}: the running session started {clock(current.start, tz)}"
            )
        created = customers.create(ledger, key, customer) if is_new else None
        stopped = ledger.timers.finish(current, close(current, moment)) if current is not None else None
        saved = ledger.timers.save(session, new=True)
    return Started(saved, stopped, created)


def stop(
    ctx: Context,
    at: str | None,
    *,
    note: str | None = None,
    free: str | None = None,
    billable: bool = False,
    tags: tuple[str, ...] = (),
    force: bool = False,
) -> Session:
    """Stop the timer and record the session; a note is added to the one given at start."""
    change = billing_change(free, billable)
    s = running(ctx)
    moment = ctx.moment(at)
    if moment <= s.start:
        raise SessionlogError(f"the stop time {clock(moment, ctx.tz)} is not after the start {clock(s.start, ctx.tz)}")
    final = with_tags(close(s, moment), tags)
    if note:
        final = final.evolve(note=f"{final.note}; {note}" if final.note else note)
    final = final.evolve(**change)
    return ctx.ledger.timers.finish(s, final, force=force)


def pause(ctx: Context, at: str | None) -> Session:
    """Pause the running session; the result's last pause is open."""
    s = running(ctx)
    tz = ctx.tz
    if s.paused:
        raise SessionlogError(f"the session is paused already since {clock(s.pauses[-1].start, tz)}", Kind.RUNNING)
    moment = ctx.moment(at)
    last = s.pauses[-1].end if s.pauses else s.start
    if last is not None and moment < last:
        raise SessionlogError(f"the pause cannot start at {clock(moment, tz)}, before {clock(last, tz)}")
    return ctx.ledger.timers.save(s.evolve(pauses=(*s.pauses, Pause(moment))))


def resume(ctx: Context, at: str | None) -> Session:
    """Continue a paused session."""
    s = running(ctx)
    tz = ctx.tz
    if not s.paused:
        raise SessionlogError(f"the session for {s.customer} is not paused", Kind.RUNNING)
    moment = ctx.moment(at)
    began = s.pauses[-1].start
    if moment <= began:
        raise SessionlogError(f"resume at {clock(moment, tz)} must be after the pause began ({clock(began, tz)})")
    return ctx.ledger.timers.save(s.evolve(pauses=(*s.pauses[:-1], Pause(began, moment))))


def cancel(ctx: Context) -> Session:
    """Throw the running session away; returns what was thrown away."""
    s = running(ctx)
    ctx.ledger.timers.drop(s)
    return s


@dataclass(frozen=True)
class TimerState:
    session: Session
    worked: timedelta  # net of pauses, up to now


def status(ctx: Context, *, everyone: bool) -> list[TimerState]:
    """The running sessions (this supporter's, or everyone's), oldest first."""
    timers = ctx.ledger.timers
    if everyone:
        sessions = timers.all()
    else:
        mine = timers.of(ctx.supporter)
        sessions = [mine] if mine else []
    return [TimerState(s, s.net_duration(ctx.now)) for s in sorted(sessions, key=lambda s: s.start)]

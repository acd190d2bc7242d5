"""The running timer: start, stop, pause, resume, cancel, status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from sessionlog.app.context import Context
from sessionlog.app.fields import (
    Details,
    billing_change,
    fit_pauses,
    new_session,
    not_in_future,
    overlap_warnings,
    overlapping,
    tag_hints,
    tags_in_use,
    with_tags,
)
from sessionlog.i18n import _
from sessionlog.model import Customer, Kind, Pause, Problem, Session, SessionlogError, Severity, clock
from sessionlog.store import check

if TYPE_CHECKING:
    from sessionlog.app import customers


@dataclass(frozen=True)
class Started:
    session: Session
    stopped: Session | None = None  # the session `--switch` stopped
    created: Customer | None = None  # the customer `start` created
    warnings: tuple[Problem, ...] = ()
    found: customers.Match | None = None  # how the customer was found, when by its remote ID


def running(ctx: Context) -> Session:
    """This supporter's running session; NOT_FOUND when nothing runs."""
    s = ctx.ledger.timers.of(ctx.supporter)
    if s is None:
        raise SessionlogError(
            _("nothing is running for {supporter} (start one with: sessionlog start CUSTOMER)").format(
                supporter=ctx.supporter
            ),
            Kind.NOT_FOUND,
        )
    return s


def close(s: Session, moment: datetime, tz: tzinfo) -> tuple[Session, list[str]]:
    """The session ended at `moment`: an open pause closed there, pauses after it dropped."""
    pauses, notes = fit_pauses(s.start, moment, s.pauses, tz)
    return s.evolve(end=moment, pauses=pauses), notes


@dataclass(frozen=True)
class Stopped:
    session: Session
    notes: tuple[str, ...] = ()  # what happened to pauses the stop time cut
    warnings: tuple[Problem, ...] = ()


def stale(ctx: Context, s: Session) -> Problem | None:
    """A warning when a timer has run longer than the ledger's stale_after_hours."""
    hours = ctx.ledger.settings.stale_after_hours
    end = s.end or ctx.now
    if end - s.start <= timedelta(hours=hours):
        return None
    return Problem(
        Kind.STALE,
        _("the timer for {customer} ran from {time}, over {hours} hours").format(
            customer=s.customer, time=clock(s.start, ctx.tz), hours=hours
        ),
        severity=Severity.WARNING,
        hint=_("if it was forgotten: sessionlog {which} WHEN").format(
            which="edit " + s.id + " --end" if s.end else "stop --at"
        ),
    )


def start(ctx: Context, customer: str, at: str | None, details: Details, *, switch: bool, new: bool) -> Started:
    """Start the supporter's timer; `switch` stops a running one at the same instant."""
    from sessionlog.app import customers  # only start needs the registry's matching

    ledger = ctx.ledger
    tz = ctx.tz
    moment = ctx.moment(at)
    not_in_future(moment, ctx.now, _("the start {time} is in the future (it is {now})"), tz)
    with ledger.locked():
        current = ledger.timers.of(ctx.supporter)
        if current is not None and not switch:
            raise SessionlogError(
                _(
                    "a session for {customer} is running since {time} ({id}); "
                    "stop it first, or use --switch to stop it and start this one"
                ).format(customer=current.customer, time=clock(current.start, tz), id=current.id),
                Kind.RUNNING,
            )
        found = customers.match(ledger, customer, create=True, new=new)
        key, is_new = found.key, found.new
        session = new_session(ctx, key, moment, None, details)
        check(session, force=True)
        if current is not None and moment <= current.start:
            raise SessionlogError(
                _("cannot switch at {time}: the running session started {start}").format(
                    time=clock(moment, tz), start=clock(current.start, tz)
                )
            )
        created = customers.create(ledger, key, customer) if is_new else None
        stopped = ledger.timers.finish(current, close(current, moment, tz)[0]) if current is not None else None
        saved = ledger.timers.save(session, new=True)
    warning = customers.rate_warning(ledger, created) if created is not None else None
    warnings = ((warning,) if warning else ()) + tag_hints(ctx, details.tags, tags_in_use(ctx, details.tags), saved.id)
    return Started(saved, stopped, created, warnings, found if found.remote_id else None)


def stop(
    ctx: Context,
    at: str | None,
    *,
    note: str | None = None,
    free: str | None = None,
    billable: bool = False,
    tags: tuple[str, ...] = (),
    force: bool = False,
) -> Stopped:
    """Stop the timer and record the session; a note is added to the one given at start."""
    change = billing_change(free, billable)
    moment = ctx.moment(at)
    not_in_future(moment, ctx.now, _("the stop time {time} is in the future (it is {now})"), ctx.tz)
    with ctx.ledger.locked():
        s = running(ctx)
        if moment <= s.start:
            raise SessionlogError(
                _("the stop time {time} is not after the start {start}").format(
                    time=clock(moment, ctx.tz), start=clock(s.start, ctx.tz)
                )
            )
        closed, notes = close(s, moment, ctx.tz)
        final = with_tags(closed, tags)
        if note:
            final = final.evolve(note=f"{final.note}; {note}" if final.note else note)
        final = final.evolve(**change)
        known = tags_in_use(ctx, tags)  # before the session is one of the tags' uses
        others = overlapping(ctx, final)
        done = ctx.ledger.timers.finish(s, final, force=force)
    warning = stale(ctx, done) if at is None else None
    warnings = ((warning,) if warning else ()) + tuple(overlap_warnings(ctx, done, others))
    warnings += tag_hints(ctx, tags, known, done.id)
    return Stopped(done, tuple(notes), warnings)


def pause(ctx: Context, at: str | None) -> Session:
    """Pause the running session; the result's last pause is open."""
    s = running(ctx)
    tz = ctx.tz
    if s.paused:
        raise SessionlogError(
            _("the session is paused already since {time}").format(time=clock(s.pauses[-1].start, tz)), Kind.RUNNING
        )
    moment = ctx.moment(at)
    not_in_future(moment, ctx.now, _("the pause {time} is in the future (it is {now})"), tz)
    last = s.pauses[-1].end if s.pauses else s.start
    if last is not None and moment < last:
        raise SessionlogError(
            _("the pause cannot start at {time}, before {last}").format(time=clock(moment, tz), last=clock(last, tz))
        )
    return ctx.ledger.timers.save(s.evolve(pauses=(*s.pauses, Pause(moment))))


def resume(ctx: Context, at: str | None) -> Session:
    """Continue a paused session."""
    s = running(ctx)
    tz = ctx.tz
    if not s.paused:
        raise SessionlogError(_("the session for {customer} is not paused").format(customer=s.customer), Kind.RUNNING)
    moment = ctx.moment(at)
    not_in_future(moment, ctx.now, _("the resume time {time} is in the future (it is {now})"), tz)
    began = s.pauses[-1].start
    if moment <= began:
        raise SessionlogError(
            _("resume at {time} must be after the pause began ({began})").format(
                time=clock(moment, tz), began=clock(began, tz)
            )
        )
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
    warning: Problem | None = None  # running for suspiciously long


def status(ctx: Context, *, everyone: bool) -> list[TimerState]:
    """The running sessions (this supporter's, or everyone's), oldest first."""
    timers = ctx.ledger.timers
    if everyone:
        sessions = timers.all()
    else:
        mine = timers.of(ctx.supporter)
        sessions = [mine] if mine else []
    return [TimerState(s, s.net_duration(ctx.now), stale(ctx, s)) for s in sorted(sessions, key=lambda s: s.start)]

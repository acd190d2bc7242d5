"""Record fields as `start`, `stop`, `add` and `edit` take them: each rule once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sessionlog.app.context import Context, contradiction
from sessionlog.i18n import _
from sessionlog.model import (
    MAX_SESSION,
    Channel,
    Kind,
    Pause,
    Problem,
    Session,
    SessionlogError,
    Severity,
    clock,
    month_key,
)

# A timer time a few minutes ahead is clock skew between machines; more is a typo.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Details:
    """What `start` and `add` record besides the times."""

    contact: str | None = None
    machine: str | None = None
    channel: Channel | None = None
    ticket: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    free: str | None = None  # the reason, when the session is not billable


def new_session(ctx: Context, key: str, start: datetime, end: datetime | None, d: Details) -> Session:
    """A new record of the current supporter; the store gives it an id."""
    return Session(
        id="",
        customer=key,
        start=start,
        end=end,
        supporter=ctx.supporter,
        contact=d.contact,
        machine=d.machine,
        channel=d.channel or Channel.REMOTE,
        note=d.note or "",
        billable=d.free is None,
        free_reason=d.free,
        tags=tuple(d.tags),
        ticket=d.ticket,
    )


def billing_change(free: str | None, billable: bool) -> dict[str, object]:
    """The fields `--free REASON` or `--billable` set; both at once is a usage error."""
    if free and billable:
        raise contradiction("--free", "--billable")
    if free:
        return {"billable": False, "free_reason": free}
    if billable:
        return {"billable": True, "free_reason": None}
    return {}


def tags_in_use(ctx: Context, tags: tuple[str, ...]) -> Counter[str] | None:
    """The tags used lately, read only when a command is given tags (for `tag_hints`)."""
    if not tags:
        return None
    from sessionlog.app.tags import recent  # here: start and stop without --tag stay light

    return recent(ctx)


def tag_hints(ctx: Context, tags: tuple[str, ...], known: Counter[str] | None, sid: str) -> tuple[Problem, ...]:
    """Warnings for the tags given that look like a typo of one in use (`Druker` for `drucker`)."""
    if not tags or known is None:
        return ()
    from sessionlog.app.tags import hints

    return tuple(hints(ctx, tags, known, sid))


def with_tags(s: Session, tags: tuple[str, ...]) -> Session:
    """`s` with `tags` added after its own, each once."""
    return s.evolve(tags=tuple(dict.fromkeys((*s.tags, *tags)))) if tags else s


def fit_pauses(
    start: datetime, end: datetime, pauses: tuple[Pause, ...], tz: tzinfo
) -> tuple[tuple[Pause, ...], list[str]]:
    """The pauses inside [start, end], cut at its edges, and a note for each that was changed.

    When a session is shortened (`stop --at` before a pause, `edit --duration 3m`), the
    pauses that fall outside it go, and the user is told which, instead of an error about a
    pause they never named.
    """
    kept: list[Pause] = []
    notes: list[str] = []
    for i, p in enumerate(pauses, 1):
        p_end = p.end if p.end is not None else end
        span = f"{clock(p.start, tz)}-{clock(p_end, tz)[-5:]}"
        if p_end <= start or p.start >= end:
            notes.append(f"dropped pause {i} ({span}): it lies outside the session")
            continue
        cut = Pause(max(p.start, start), min(p_end, end))
        if cut.end is not None and cut.end <= cut.start:
            continue
        if (cut.start, cut.end) != (p.start, p.end) and p.end is not None:
            notes.append(f"pause {i} ({span}) is cut to {clock(cut.start, tz)[-5:]}-{clock(cut.end or end, tz)[-5:]}")
        kept.append(cut)
    return tuple(kept), notes


def end_for_net(start: datetime, pauses: tuple[Pause, ...], net: timedelta) -> datetime:
    """The end at which a session from `start` has worked `net`, its pauses not counted."""
    end = start + net
    for p in sorted(pauses, key=lambda p: p.start):
        if p.start < end and p.end is not None:
            end += p.end - max(p.start, start)
    return end


def not_in_future(moment: datetime, now: datetime, message: str, tz: tzinfo) -> None:
    """Refuse a timer time later than now (a few minutes of clock skew aside).

    `message` is the whole sentence, translated, with the fields {time} and {now}.
    """
    if moment > now + FUTURE_TOLERANCE:
        raise SessionlogError(message.format(time=clock(moment, tz), now=clock(now, tz)))


def overlapping(ctx: Context, s: Session) -> list[Session]:
    """The supporter's other sessions that overlap `s`, oldest first.

    Workflows ask before they write `s`: the files are then as the derived cache knows them,
    so a large month is not parsed again just after the write changed it.
    """
    if s.end is None:
        return []
    # Sessions that can overlap start at most a day (the longest unforced session) earlier.
    months = sorted({month_key(s.start - MAX_SESSION, ctx.tz), month_key(s.start, ctx.tz), month_key(s.end, ctx.tz)})
    sessions, _ = ctx.ledger.sessions.load(months)
    return [
        o
        for o in sorted(sessions, key=lambda o: o.start)
        if o.id != s.id and o.supporter == s.supporter and o.end is not None and o.start < s.end and s.start < o.end
    ]


def overlap_warnings(ctx: Context, s: Session, others: list[Session]) -> list[Problem]:
    """Warnings for the `overlapping` sessions of `s` (which may be right)."""
    return [
        Problem(
            Kind.OVERLAP,
            _(
                "{id} overlaps {id2} of {customer} ({time}-{time2}); that can be right "
                "(an install runs while another call comes in)"
            ).format(
                id=s.id, id2=o.id, customer=o.customer, time=clock(o.start, ctx.tz), time2=clock(o.end, ctx.tz)[-5:]
            ),
            severity=Severity.WARNING,
        )
        for o in others
        if o.end is not None
    ]

"""Record fields as `start`, `stop`, `add` and `edit` take them: each rule once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sessionlog.app.context import Context, contradiction
from sessionlog.model import Channel, Session


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


def with_tags(s: Session, tags: tuple[str, ...]) -> Session:
    """`s` with `tags` added after its own, each once."""
    return s.evolve(tags=tuple(dict.fromkeys((*s.tags, *tags)))) if tags else s

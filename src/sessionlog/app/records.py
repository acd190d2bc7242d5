"""Finished records: add, edit (by option or as text), delete."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sessionlog.app import customers
from sessionlog.app.context import Context, duration
from sessionlog.app.fields import (
    Details,
    billing_change,
    end_for_net,
    fit_pauses,
    new_session,
    overlap_warnings,
    overlapping,
    tag_hints,
    tags_in_use,
)
from sessionlog.i18n import _
from sessionlog.model import Channel, Correction, Customer, Kind, Problem, Session, SessionlogError, fixed
from sessionlog.store import check, ensure_unlocked

_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(:\d{2})?$")


def end_of(ctx: Context, start: datetime, end: str | None, length: str | None) -> datetime:
    """The end from `--end` or `--duration`.

    A bare time ("01:30") is on the start's day, or the next day when it is earlier than the
    start: a session from 23:00 to 01:30 ran past midnight. A duration is real elapsed time,
    which across a DST change is not the wall-clock difference.
    """
    if end and length:
        raise SessionlogError(_("give --end or --duration, not both"), Kind.USAGE)
    if length:
        return fixed(start) + duration(length)
    if not end:
        raise SessionlogError(_("give --end or --duration"), Kind.USAGE)
    if not _TIME_ONLY.match(end.strip()):
        return ctx.moment(end)
    moment = ctx.moment(end, base=start)
    return moment if moment > start else ctx.moment(end, base=start + timedelta(days=1))


@dataclass(frozen=True)
class Added:
    session: Session
    created: Customer | None = None
    warnings: tuple[Problem, ...] = ()
    found: customers.Match | None = None  # how the customer was found, when by its remote ID


def add(
    ctx: Context,
    customer: str,
    start: str | None,
    end: str | None,
    length: str | None,
    details: Details,
    *,
    force: bool = False,
    new: bool = False,
) -> Added:
    """Record a finished session after the fact."""
    if start is None:
        raise SessionlogError(_("give --start (and --end or --duration)"), Kind.USAGE)
    began = ctx.moment(start)
    ended = end_of(ctx, began, end, length)
    ledger = ctx.ledger
    with ledger.locked():
        found = customers.match(ledger, customer, create=True, new=new)
        key, is_new = found.key, found.new
        s = new_session(ctx, key, began, ended, details)
        check(s, force)
        known = tags_in_use(ctx, details.tags)  # before the new session is one of the tags' uses
        others = overlapping(ctx, s)
        created = customers.create(ledger, key, customer) if is_new else None
        saved = ledger.sessions.add(s, force=force)
    warning = customers.rate_warning(ledger, created) if created is not None else None
    warnings = ((warning,) if warning else ()) + tuple(overlap_warnings(ctx, saved, others))
    warnings += tag_hints(ctx, details.tags, known, saved.id)
    return Added(saved, created, warnings, found if found.remote_id else None)


@dataclass(frozen=True)
class Changes:
    """`edit` options as given; None is "not given"."""

    customer: str | None = None
    start: str | None = None
    end: str | None = None
    length: str | None = None
    supporter: str | None = None
    contact: str | None = None
    machine: str | None = None
    channel: Channel | None = None
    ticket: str | None = None
    tags: tuple[str, ...] | None = None  # replaces the tags (`--no-tags`: ())
    note: str | None = None
    free: str | None = None
    billable: bool = False
    add_tags: tuple[str, ...] = ()  # `--tag`: added after the session's own (or the replacement)
    remove_tags: tuple[str, ...] = ()  # `--untag`: each must be there (case and umlauts folded)


def find(ctx: Context, prefix: str) -> Session:
    return ctx.ledger.find(prefix)


def _fields(ctx: Context, old: Session, ch: Changes, billing: dict[str, object]) -> dict[str, object]:
    """The record fields the changes set, each value read and checked."""
    out: dict[str, object] = dict(billing)
    if ch.customer is not None:
        out["customer"] = customers.resolve(ctx.ledger, ch.customer, create=False)[0]
    start = ctx.moment(ch.start) if ch.start is not None else old.start
    if ch.start is not None:
        out["start"] = start
    if ch.end is not None and ch.length is not None:
        end_of(ctx, start, ch.end, ch.length)  # refuses both at once
    if ch.length is not None:
        # --duration is worked time: the session's pauses come on top of it.
        out["end"] = end_for_net(start, old.pauses, duration(ch.length))
    elif ch.end is not None:
        out["end"] = end_of(ctx, start, ch.end, None)
    if "end" in out:
        out["unfinished"] = False  # an imported start gets its end
    for name in ("supporter", "contact", "machine", "channel", "ticket", "note"):
        value = getattr(ch, name)
        if value is not None:
            out[name] = value
    if ch.tags is not None or ch.add_tags or ch.remove_tags:
        from sessionlog.app.tags import edited_tags

        out["tags"] = edited_tags(old, ch.tags, ch.add_tags, ch.remove_tags)
    return out


@dataclass(frozen=True)
class Edited:
    old: Session
    new: Session | None  # None: nothing was given to change; open the record as text instead
    correction: Correction | None = None  # kept beside the issued invoice a forced change touched
    notes: tuple[str, ...] = ()  # pauses the new span dropped or cut
    warnings: tuple[Problem, ...] = ()  # tags given that look like a typo of one in use


def _described(old: Session, new: Session | None) -> str:
    """What a forced change did to an invoiced session, for the invoice register."""
    if new is None:
        return "deleted"
    if new.customer != old.customer:
        return f"moved to customer {new.customer}"
    names = ("start", "end", "pauses", "supporter", "contact", "machine", "channel", "note", "billable",
             "free_reason", "tags", "ticket")  # fmt: skip
    fields = [f for f in names if getattr(old, f) != getattr(new, f)]
    return "changed (" + ", ".join(fields) + ")" if fields else "rewritten"


def _correct(ctx: Context, old: Session, new: Session | None) -> Correction | None:
    """Keep a forced change of an invoiced session beside its invoice; None before the register."""
    if not old.invoice:
        return None
    invoices = ctx.ledger.invoices
    month = invoices.holding(old.invoice)
    if month is None:
        return None
    correction = Correction(old.invoice, old.id, ctx.now, _described(old, new))
    invoices.correct(month, correction)
    return correction


def edit(ctx: Context, prefix: str, ch: Changes, *, force: bool = False) -> Edited:
    """Change a record by its fields; a running one is changed in its timer file."""
    billing = billing_change(ch.free, ch.billable)
    ledger = ctx.ledger
    with ledger.locked():  # found and changed in one hold: each file is read once
        known = tags_in_use(ctx, ch.add_tags)
        done = _edit(ctx, find(ctx, prefix), ch, billing, force)
        return replace(done, warnings=tag_hints(ctx, ch.add_tags, known, done.old.id))


def _edit(ctx: Context, old: Session, ch: Changes, billing: dict[str, object], force: bool) -> Edited:
    fields = _fields(ctx, old, ch, billing)
    notes: list[str] = []
    end = fields.get("end", old.end)
    if old.pauses and isinstance(end, datetime) and ("start" in fields or "end" in fields):
        start = fields.get("start", old.start)
        assert isinstance(start, datetime)
        pauses, notes = fit_pauses(start, end, old.pauses, ctx.tz)
        fields["pauses"] = pauses
    ledger = ctx.ledger
    if old.running:
        if not fields:
            raise SessionlogError(
                _("{id} is running: change it by option, or stop it first").format(id=old.id), Kind.RUNNING
            )
        if "end" in fields or "supporter" in fields:
            raise SessionlogError(
                _("{id} is running: stop it to set its end; its supporter cannot change").format(id=old.id),
                Kind.RUNNING,
            )
        new = old.evolve(**fields)
        check(new, force=True)
        return Edited(old, ledger.timers.save(new))
    if not fields:
        return Edited(old, None)
    new = ledger.sessions.update(old, old.evolve(**fields), force=force)
    return Edited(old, new, _correct(ctx, old, new), tuple(notes))


def editor_text(ctx: Context, s: Session) -> str:
    """The record as it stands in its file, comments and all, with a header for the editor."""
    header = f"# Edit session {s.id}, save and close. Lines starting with # are ignored.\n"
    return header + ctx.ledger.sessions.record_text(s) + "\n"


def replace_from_text(ctx: Context, old: Session, text: str, *, force: bool = False) -> Edited:
    """Replace a record by the text a person edited; validated before anything is written."""
    with ctx.ledger.locked():
        new = ctx.ledger.sessions.replace_from_text(old, text, force=force)
        return Edited(old, new, _correct(ctx, old, new))


def deletable(ctx: Context, prefix: str, *, force: bool = False) -> Session:
    """The record `delete` would remove, refused when it is running or invoiced."""
    s = find(ctx, prefix)
    if s.running:
        raise SessionlogError(_("{id} is running; use: sessionlog cancel").format(id=s.id), Kind.RUNNING)
    ensure_unlocked(s, force)
    return s


def delete(ctx: Context, s: Session, *, force: bool = False) -> Correction | None:
    """Remove a record; a forced delete of an invoiced one is kept beside its invoice."""
    with ctx.ledger.locked():
        ctx.ledger.sessions.delete(s, force=force)
        return _correct(ctx, s, None)

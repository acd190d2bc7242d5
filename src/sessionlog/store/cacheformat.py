"""What a row of the derived cache holds: records and customers as plain tuples, and back.

Plain tuples of str, int, bool and None, because marshal (store/cache.py) stores nothing
else and reads them faster than any other format Python has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sessionlog.model import Billed, Customer, Origin, Pause, Rounding, Session

_D = TypeVar("_D")
# Classes whose instances keep their fields in __dict__ and nowhere else (no slots).
_RESTORABLE: dict[type[Any], bool] = {
    cls: "__slots__" not in vars(cls) and all(f.init for f in dataclasses.fields(cls)) for cls in (Session, Origin)
}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def record_of(s: Session) -> tuple[Any, ...]:
    b = s.billed
    return (
        s.id,
        s.origin.line if s.origin else 0,
        s.start.isoformat(),
        _iso(s.end),
        tuple((p.start.isoformat(), _iso(p.end)) for p in s.pauses),
        s.supporter,
        s.contact,
        s.machine,
        s.channel,
        s.note,
        s.billable,
        s.free_reason,
        s.tags,
        s.ticket,
        s.invoice,
        s.source,
        None
        if b is None
        else (b.billed_minutes, b.included_minutes, b.charged_minutes, str(b.rate), str(b.amount), b.currency),
    )


def session_of(rec: Sequence[Any], customer: str, path: str) -> Session:
    (sid, line, start, end, pauses, supporter, contact, machine, channel, note, billable, reason, tags, ticket,
     invoice, source, billed) = rec  # fmt: skip
    parse = datetime.fromisoformat
    values = {
        "id": sid,
        "customer": customer,
        "start": parse(start),
        "end": None if end is None else parse(end),
        "pauses": tuple(Pause(parse(a), None if b is None else parse(b)) for a, b in pauses),
        "supporter": supporter,
        "contact": contact,
        "machine": machine,
        "channel": channel,
        "note": note,
        "billable": billable,
        "free_reason": reason,
        "tags": tags,
        "ticket": ticket,
        "invoice": invoice,
        "source": source,
        "billed": None if billed is None else _billed(billed),
        "origin": _built(Origin, {"path": path, "line": line}),
    }
    return _built(Session, values)


def _built(cls: type[_D], values: dict[str, Any]) -> _D:
    """A frozen dataclass from values it held before, the way pickle restores one: without
    running __init__ again (which validated and normalized them then, at 5 µs a session)."""
    if not _RESTORABLE[cls]:
        return cls(**values)
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


def _billed(b: Sequence[Any]) -> Billed:
    minutes, included, charged, rate, amount, currency = b
    return Billed(minutes, included, charged, Decimal(rate), Decimal(amount), currency)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def customer_record(c: Customer) -> tuple[Any, ...]:
    return (
        c.name, _text(c.rate), c.increment, _text(c.rounding), c.minimum, c.included_minutes,
        _text(c.after_hours_factor), c.currency, c.remote_ids, c.aliases, c.contacts, c.machines,
    )  # fmt: skip


def customer_of(rec: Sequence[Any], key: str, path: str) -> Customer:
    name, rate, increment, rounding, minimum, included, factor, currency, remote_ids, aliases, contacts, machines = rec
    return Customer(
        key=key,
        name=name,
        rate=None if rate is None else Decimal(rate),
        increment=increment,
        rounding=None if rounding is None else Rounding(rounding),
        minimum=minimum,
        included_minutes=included,
        after_hours_factor=None if factor is None else Decimal(factor),
        currency=currency,
        remote_ids=remote_ids,
        aliases=aliases,
        contacts=contacts,
        machines=machines,
        origin=Origin(path, 1),
    )

"""What a row of the derived cache holds: records and customers as plain values, and back.

marshal (store/cache.py) stores only str, int, bool, None, lists and tuples, so every other
value is a tagged tuple: ("t", iso) for a datetime, ("d", text) for a Decimal, ("e", class,
value) for an enum, ("c", class, fields...) for one of the model's dataclasses. Plain tuples
travel as lists. The encoding follows the dataclasses' fields, so a field added to `Session`
or `Customer` is cached without a change here (tests/test_cache.py round-trips every field).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sessionlog import model

# The classes a row may hold, by name; anything else is not cached (ValueError).
_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (model.Session, model.Pause, model.Billed, model.Customer, model.Origin)
}
_ENUMS: dict[str, type[Enum]] = {cls.__name__: cls for cls in (model.Rounding, model.Channel)}
# Where a record was read is not stored: the cache is keyed by file, and `with_origin` adds it.
_FIELDS: dict[type[Any], tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls) if f.name != "origin") for cls in _CLASSES.values()
}
_ORIGIN = {cls: "origin" in {f.name for f in dataclasses.fields(cls)} for cls in _CLASSES.values()}


def encode(value: Any) -> Any:
    """`value` as marshal can store it; ValueError for a value of a type not listed above."""
    if isinstance(value, Enum):  # before str: a StrEnum is a str that marshal refuses
        if type(value).__name__ not in _ENUMS:
            raise ValueError(f"{type(value).__name__} is not cached")
        return ("e", type(value).__name__, value.value)
    if value is None or type(value) in (str, bool, int):
        return value
    if isinstance(value, tuple):
        return [encode(v) for v in value]
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("a naive datetime is never cached")
        return ("t", value.isoformat())
    if isinstance(value, Decimal):
        return ("d", str(value))
    cls = type(value)
    if cls in _FIELDS:
        return ("c", cls.__name__, *(encode(getattr(value, name)) for name in _FIELDS[cls]))
    raise ValueError(f"{cls.__name__} is not cached")


def decode(data: Any) -> Any:
    """The value `encode` was given."""
    if isinstance(data, list):
        return tuple(decode(v) for v in data)
    if not isinstance(data, tuple):
        return data
    tag = data[0]
    if tag == "t":
        return datetime.fromisoformat(data[1])
    if tag == "d":
        return Decimal(data[1])
    if tag == "e":
        return _ENUMS[data[1]](data[2])
    cls = _CLASSES[data[1]]
    values = dict(zip(_FIELDS[cls], (decode(v) for v in data[2:]), strict=True))
    return _built(cls, values)


def _built(cls: type[Any], values: dict[str, Any]) -> Any:
    """A frozen dataclass from values it held before, the way pickle restores one: without
    running __init__ again (which validated and normalized them when the file was read)."""
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    if _ORIGIN[cls]:
        obj.__dict__["origin"] = None
    return obj


def with_origin(obj: Any, path: str, line: int) -> Any:
    """`obj` (a decoded Session or Customer) read from `path` at `line`."""
    obj.__dict__["origin"] = model.Origin(path, line)
    return obj

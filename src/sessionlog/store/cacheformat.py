"""What a row of the derived cache holds: records and customers as plain tuples, and back.

marshal (store/cache.py) stores only str, int, bool, None and tuples, so each model class
becomes a tuple of its fields in order, each field converted by its annotated type: a
datetime or date as ISO text, a Decimal as its text, an enum as its value, a nested model
class as its own tuple. The converters are written from the dataclasses' fields when this
module loads, so a field added to `Session` or `Customer` is cached without a change here
(tests/test_cache.py round-trips every field), and a field of a type not known here stops
the import instead of being cached wrong.

Decoding restores each object the way pickle does, without running __init__ again: it
validated and normalized the values when the file was read, and at 100 000 records the
second run would cost more than reading the cache.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sessionlog.model as model

# Where a record was read is not stored: rows are kept by file, and `with_origin` adds it.
_SKIP = "origin"
_CLASSES = (model.Pause, model.Billed, model.Session, model.Customer)


def _parts(hint: Any) -> tuple[Any, bool]:
    """(the type, whether None is allowed) of an annotation like `X | None`."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return hint, False


def _converters(hint: Any, names: dict[type[Any], str]) -> tuple[str, str]:
    """Expressions (with `$` for the value) that encode and decode a field of type `hint`."""
    kind, optional = _parts(hint)
    if kind in (str, int, bool):
        enc, dec = "$", "$"
    elif kind is datetime:
        enc, dec = "$.isoformat()", "_datetime($)"
    elif kind is date:
        enc, dec = "$.isoformat()", "_date($)"
    elif kind is Decimal:
        enc, dec = "str($)", "_Decimal($)"
    elif isinstance(kind, type) and issubclass(kind, Enum):
        names.setdefault(kind, f"_{kind.__name__}")
        enc, dec = "$.value", f"{names[kind]}($)"
    elif kind in _CLASSES:
        enc, dec = f"_enc_{kind.__name__}($)", f"_dec_{kind.__name__}($)"
    elif typing.get_origin(kind) is tuple and typing.get_args(kind)[1:] == (Ellipsis,):
        item = typing.get_args(kind)[0]
        if item in (str, int):
            enc, dec = "tuple($)", "$"
        elif item in _CLASSES:
            enc, dec = f"tuple([_enc_{item.__name__}(x) for x in $])", f"tuple([_dec_{item.__name__}(x) for x in $])"
        else:
            raise TypeError(f"the cache has no converter for {hint}")
    else:
        raise TypeError(f"the cache has no converter for {hint}")
    if optional and enc != "$":
        enc, dec = f"(None if $ is None else {enc})", f"(None if $ is None else {dec})"
    return enc, dec


def _compile() -> dict[str, Callable[[Any], Any]]:
    """An encoder and a decoder per model class, as straight-line code."""
    names: dict[type[Any], str] = {}
    lines: list[str] = []
    for cls in _CLASSES:
        hints = typing.get_type_hints(cls)
        fields = [f.name for f in dataclasses.fields(cls) if f.name != _SKIP]
        pairs = [_converters(hints[f], names) for f in fields]
        encoded = ", ".join(enc.replace("$", f"o.{f}") for f, (enc, _) in zip(fields, pairs, strict=True))
        decoded = ", ".join(
            f"{f}={dec.replace('$', f'r[{i}]')}" for i, (f, (_, dec)) in enumerate(zip(fields, pairs, strict=True))
        )
        has_origin = any(f.name == _SKIP for f in dataclasses.fields(cls))
        lines += [
            f"def _enc_{cls.__name__}(o):",
            f"    return ({encoded},)",
            f"def _dec_{cls.__name__}(r):",
            f"    o = _new(_{cls.__name__})",
            f"    o.__dict__.update({decoded}{', origin=None' if has_origin else ''})",
            "    return o",
        ]
    scope: dict[str, Any] = {
        "_new": object.__new__,
        "_datetime": datetime.fromisoformat,
        "_date": date.fromisoformat,
        "_Decimal": Decimal,
        **{f"_{cls.__name__}": cls for cls in _CLASSES},
        **{name: enum for enum, name in names.items()},
    }
    exec("\n".join(lines), scope)
    return scope


_CODE = _compile()
encode_session: Callable[[model.Session], tuple[Any, ...]] = _CODE["_enc_Session"]
decode_session: Callable[[tuple[Any, ...]], model.Session] = _CODE["_dec_Session"]
encode_customer: Callable[[model.Customer], tuple[Any, ...]] = _CODE["_enc_Customer"]
decode_customer: Callable[[tuple[Any, ...]], model.Customer] = _CODE["_dec_Customer"]


def with_origin(obj: Any, path: str, line: int) -> Any:
    """`obj` (a decoded Session or Customer) as read from `path` at `line`."""
    obj.__dict__["origin"] = model.Origin(path, line)
    return obj

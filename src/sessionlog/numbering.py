"""Invoice numbers from the ledger's pattern, e.g. RE-{year}-{seq:04d}. Pure."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from sessionlog.model import SessionlogError

FIELDS = ("year", "month", "customer", "seq")


def _values(year: int, month: int, customer: str) -> dict[str, object]:
    return {"year": year, "month": f"{month:02d}", "customer": customer.upper()}


def check_pattern(pattern: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise SessionlogError(f"invoice pattern {pattern!r} is not valid: {exc}") from None
    unknown = names - set(FIELDS)
    if unknown or "seq" not in names:
        raise SessionlogError(f"invoice pattern {pattern!r} must use {{seq}} and only {', '.join(FIELDS)}")
    try:
        pattern.format(seq=1, **_values(2024, 1, "x"))
    except (ValueError, KeyError, IndexError) as exc:
        raise SessionlogError(f"invoice pattern {pattern!r} is not valid: {exc}") from None


def _matcher(pattern: str, year: int, month: int, customer: str) -> re.Pattern[str]:
    """A regex for the numbers this pattern gives in that context, capturing the sequence."""
    values = _values(year, month, customer)
    out = []
    for literal, name, spec, conv in string.Formatter().parse(pattern):
        out.append(re.escape(literal))
        if name == "seq":
            out.append(r"(\d+)")
        elif name is not None:
            field = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            out.append(re.escape(field.format(**values)))
    return re.compile("^" + "".join(out) + "$")


def next_number(pattern: str, used: Iterable[str], year: int, month: int, customer: str, first: int = 1) -> str:
    """The next free number: one past the highest sequence already used in this context."""
    check_pattern(pattern)
    matcher = _matcher(pattern, year, month, customer)
    seqs = [int(m.group(1)) for u in used if (m := matcher.match(u))]
    seq = max([first - 1, *seqs]) + 1
    return pattern.format(seq=seq, **_values(year, month, customer))

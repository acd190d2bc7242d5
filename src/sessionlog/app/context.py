"""What every workflow is given: the ledger, who is working, and what time it is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, SessionlogError, Severity, fixed
from sessionlog.store import Ledger


@dataclass(frozen=True)
class Context:
    ledger: Ledger
    supporter: str
    now: datetime  # aware; read once by the front end

    @property
    def tz(self) -> tzinfo:
        return self.ledger.tz

    def moment(self, text: str | None, *, base: datetime | None = None) -> datetime:
        """The time the user gave, or now; `base` moves what "14:30" or "-15m" are read against."""
        if text is None:
            return fixed(self.now.astimezone(self.tz))
        from sessionlog.timeparse import parse_moment

        return parse_moment(text, base or self.now, self.tz)


def duration(text: str) -> timedelta:
    from sessionlog.timeparse import parse_duration

    return parse_duration(text)


def contradiction(a: str, b: str) -> SessionlogError:
    return SessionlogError(_("{a} and {b} contradict each other").format(a=a, b=b), Kind.USAGE)


def warning(p: Problem, hint: str) -> Problem:
    """`p` as a finding that did not stop the command, with what was done about it."""
    return replace(p, severity=Severity.WARNING, hint=hint)

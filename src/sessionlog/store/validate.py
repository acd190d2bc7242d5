"""Validation the store applies before every write, and the error for unparsable files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sessionlog.model import Problem, Session, SessionlogError, validate_session
from sessionlog.store import tomltext


class FileBroken(SessionlogError):
    """A ledger file that does not parse; it is never written to."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.problem = Problem(str(path), line, message)
        super().__init__(f"{self.problem} (fix it by hand; sessionlog will not write to this file until it parses)")


def parse_file(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomltext.parse(text)
    except tomltext.TomlError as exc:
        raise FileBroken(path, exc.line, str(exc)) from None


def check(s: Session, force: bool = False) -> None:
    """Raise the first thing wrong with a record, as the store would before writing it."""
    errors = validate_session(s, force=force)
    if errors:
        raise SessionlogError(errors[0])


def ensure_unlocked(s: Session, force: bool) -> None:
    if s.invoice and not force:
        raise SessionlogError(f"session {s.id} is locked: it was invoiced as {s.invoice} (use --force to change it)")

"""Validation the store applies before every write, and parsing that names the broken file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sessionlog.i18n import _, said
from sessionlog.model import Kind, Session, SessionlogError, validate_session
from sessionlog.store import tomltext


def parse_file(path: Path, text: str) -> dict[str, Any]:
    """The file's TOML; SessionlogError of kind BROKEN_FILE with its line when it does not parse."""
    try:
        return tomltext.parse(text)
    except tomltext.TomlError as exc:
        message = _("does not parse as TOML: {reason}").format(reason=exc.problem.message)
        hint = _("fix it by hand; sessionlog will not write to this file until it parses")
        raise SessionlogError(message, Kind.BROKEN_FILE, path=path, line=exc.line, hint=hint) from None


def check(s: Session, force: bool = False) -> None:
    """Raise the first thing wrong with a record, as the store would before writing it."""
    errors = validate_session(s, force=force)
    if errors:
        raise SessionlogError(said(errors[0]), Kind.INVALID)


def ensure_unlocked(s: Session, force: bool) -> None:
    if s.invoice and not force:
        raise SessionlogError(
            _("session {id} is locked: it was invoiced as {invoice} (use --force to change it)").format(
                id=s.id, invoice=s.invoice
            ),
            Kind.LOCKED,
        )

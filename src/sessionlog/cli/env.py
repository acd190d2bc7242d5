"""One command run's surroundings without the command-line framework: which ledger, who is
working, the clock, the language, and the lines for the person at the terminal. `status` runs
on this alone (cli/entry.py), so nothing here may import Typer or Rich."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from sessionlog.app.context import Context
from sessionlog.i18n import _, from_locale, resolve, said
from sessionlog.model import MAX_YEAR, MIN_YEAR, Kind, Problem, SessionlogError
from sessionlog.store import Ledger


def language_before_the_ledger() -> str:
    try:
        return resolve()[0]
    except ValueError:
        return from_locale()[0]  # the root callback reports the bad setting


def own_environment() -> list[str]:
    return [f"{k}={v}" for k, v in os.environ.items() if k.startswith("SESSIONLOG_") or k in ("VISUAL", "EDITOR")]


def undecodable(texts: Sequence[str]) -> str | None:
    """A message for the first text with bytes that are not UTF-8 (a Latin-1 terminal typing 'ü').

    Python keeps such bytes as lone surrogates, which cannot be written to a UTF-8 file later;
    refusing before anything runs keeps a half-done command from leaving changes behind.
    """
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            try:  # bytes a terminal sent that are not UTF-8: show them as \xfc
                shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            except UnicodeEncodeError:  # any other lone surrogate
                shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
            return f"'{shown}' is not UTF-8 text; set the terminal (or the variable) to UTF-8"
    return None


def say(message: str) -> None:
    """A message for the person at the terminal; never data."""
    print(message, file=sys.stderr)


def warn(problems: Sequence[Problem]) -> None:
    for p in problems:
        warn_line(told(p))


def told(p: Problem) -> str:
    """A problem as one line in the reader's language, the pure layers' `Said` messages included."""
    return str(replace(p, message=said(p.message), hint=said(p.hint)))


def warn_line(message: str) -> None:
    say(f"{_('warning')}: {message}")


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped: an error is one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _user_config_file() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("sessionlog", appauthor=False)) / "config.toml"


@dataclass
class Env:
    """One command run: which ledger, who is working, and the one place that reads the clock."""

    ledger_arg: Path | None = None

    @cached_property
    def user_config(self) -> dict[str, Any]:
        from sessionlog.store import read_user_config

        if "SESSIONLOG_CONFIG" in os.environ:
            return read_user_config(Path(os.environ["SESSIONLOG_CONFIG"]))
        if self.ledger_arg is None and "SESSIONLOG_LEDGER" in os.environ and "SESSIONLOG_SUPPORTER" in os.environ:
            return {}  # everything is given; spare the lookup
        return read_user_config(_user_config_file())

    @cached_property
    def ledger(self) -> Ledger:
        if self.ledger_arg is not None:
            root = self.ledger_arg
        elif os.environ.get("SESSIONLOG_LEDGER"):
            root = Path(os.environ["SESSIONLOG_LEDGER"])
        elif isinstance(self.user_config.get("ledger"), str):
            root = Path(self.user_config["ledger"]).expanduser()
        else:
            from platformdirs import user_data_dir

            root = Path(user_data_dir("sessionlog", appauthor=False))
        return Ledger(root)

    @cached_property
    def supporter(self) -> str:
        name = os.environ.get("SESSIONLOG_SUPPORTER") or self.user_config.get("supporter")
        if not isinstance(name, str) or not name.strip():
            name = getpass.getuser()
        return name.strip()

    def now(self) -> datetime:
        """The current instant (aware); the workflows show it in the ledger's zone."""
        # SESSIONLOG_NOW pins the clock for reproducible scripts and the README's examples.
        pinned = os.environ.get("SESSIONLOG_NOW")
        if pinned:
            try:
                moment = datetime.fromisoformat(pinned)
            except ValueError:
                raise SessionlogError(f"SESSIONLOG_NOW={pinned!r} is not an ISO date-time with offset") from None
            if moment.utcoffset() is None:
                raise SessionlogError(f"SESSIONLOG_NOW={pinned!r} needs a UTC offset")
            if not MIN_YEAR <= moment.year <= MAX_YEAR:
                raise SessionlogError(f"SESSIONLOG_NOW={pinned!r}: the year is out of range ({MIN_YEAR}-{MAX_YEAR})")
            return moment
        return datetime.now(UTC).replace(microsecond=0)

    @cached_property
    def context(self) -> Context:
        """What the workflows are given; the clock is read once per command."""
        return Context(self.ledger, self.supporter, self.now())

    def language(self) -> tuple[str, str]:
        """(language, why): $SESSIONLOG_LANGUAGE, the user config, the ledger's settings, the locale."""
        try:
            ledger_language = self.ledger.settings.language
            user_language = self.user_config.get("language")
        except (SessionlogError, OSError):
            ledger_language = user_language = None  # the command itself reports a broken file
        try:
            return resolve(user_language, ledger_language)
        except ValueError as exc:
            raise SessionlogError(str(exc), Kind.USAGE) from None

"""Running timers: one file per supporter under running/, so a timer survives the terminal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sessionlog.model import Session, SessionlogError, slug
from sessionlog.store import codec, tomltext
from sessionlog.store.files import remove, write_atomic
from sessionlog.store.validate import check

if TYPE_CHECKING:
    from sessionlog.store.ledger import Ledger


class Timers:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.folder = ledger.root / "running"

    def file(self, supporter: str) -> Path:
        return self.folder / f"{slug(supporter)}.toml"

    def paths(self) -> list[Path]:
        try:
            return sorted(self.folder / e.name for e in os.scandir(self.folder) if e.name.endswith(".toml"))
        except FileNotFoundError:
            return []

    def _read(self, path: Path) -> list[Session]:
        sessions, problems = self.ledger.read_sessions(path, None)
        if problems:
            raise SessionlogError(f"{problems[0]} (fix or delete that file)")
        return sessions

    def of(self, supporter: str) -> Session | None:
        """The supporter's running session, if any."""
        sessions = self._read(self.file(supporter))
        return sessions[0] if sessions else None

    def all(self) -> list[Session]:
        return [s for path in self.paths() for s in self._read(path)]

    def _current(self, running: Session) -> None:
        current = self.of(running.supporter)
        if current is None or current.id != running.id:
            raise SessionlogError("the running session was changed meanwhile; try again")

    def save(self, s: Session, *, new: bool = False) -> Session:
        """Write the supporter's running session; `new` refuses if one is running already."""
        with self.ledger.locked():
            current = self.of(s.supporter)
            if new and current is not None:
                raise SessionlogError(f"a session for {current.customer} is running already ({current.id})")
            if not new:
                self._current(s)
            if not s.id:
                s = s.evolve(id=self.ledger.new_id())
            check(s, force=True)
            record = codec.session_to_dict(s, with_customer=True)
            write_atomic(self.file(s.supporter), tomltext.format_table(record, "[[session]]"))
        return s

    def finish(self, running: Session, final: Session, *, force: bool = False) -> Session:
        """Move the stopped session into its month file, then drop the timer."""
        with self.ledger.locked():
            self._current(running)
            # A crash after the append but before the removal must not record it twice.
            self.ledger.add(final, force=force, exist_ok=True)
            remove(self.file(running.supporter))
        return final

    def drop(self, running: Session) -> None:
        with self.ledger.locked():
            self._current(running)
            remove(self.file(running.supporter))

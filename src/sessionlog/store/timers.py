"""Running timers: one file per supporter under running/, so a timer survives the terminal."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, Session, SessionlogError
from sessionlog.store import codec, tomltext
from sessionlog.store.files import LedgerLock
from sessionlog.store.ids import new_id
from sessionlog.store.layout import Layout
from sessionlog.store.monthfile import read, write
from sessionlog.store.sessions import Sessions
from sessionlog.store.validate import check


class Timers:
    def __init__(self, layout: Layout, lock: LedgerLock, sessions: Sessions) -> None:
        self.layout = layout
        self.lock = lock
        self.sessions = sessions

    def _read(self, path: Path) -> list[Session]:
        sessions, problems = read(path, None, self.sessions.tz, lock=self.lock)
        if problems:
            raise SessionlogError(replace(problems[0], hint=_("fix or delete that file")))
        return sessions

    def of(self, supporter: str) -> Session | None:
        """The supporter's running session, if any.

        A supporter is their name exactly as given. Names that differ only in spelling
        ("Klaus Hörner", "klaus hoerner") share a timer file, so another spelling is refused
        while that file holds a timer: nobody stops someone else's timer by accident.
        """
        path = self.layout.timer_file(supporter)
        sessions = self._read(path)
        if sessions and sessions[0].supporter != supporter:
            raise SessionlogError(
                _("the timer in {path} belongs to {supporter!r}, not {supporter2!r}").format(
                    path=path, supporter=sessions[0].supporter, supporter2=supporter
                ),
                Kind.CONFLICT,
                hint=_("a supporter is the exact name in $SESSIONLOG_SUPPORTER or the user config"),
            )
        return sessions[0] if sessions else None

    def all(self) -> list[Session]:
        return [s for path in self.layout.timer_files() for s in self._read(path)]

    def readable(self) -> tuple[list[Session], list[Problem]]:
        """Every timer that can be read, and a Problem for each file that cannot.

        For commands that only show running sessions: another supporter's broken timer file
        must not stop them.
        """
        sessions: list[Session] = []
        problems: list[Problem] = []
        for path in self.layout.timer_files():
            found, bad = read(path, None, self.sessions.tz, lock=self.lock)
            sessions += found
            problems += [replace(p, hint=_("fix or delete that file")) for p in bad]
        return sessions, problems

    def ids(self) -> set[str]:
        """Ids of the timers that can be read (a broken timer file's id cannot be known)."""
        out: set[str] = set()
        for path in self.layout.timer_files():
            sessions, _ = read(path, None, self.sessions.tz, lock=self.lock)
            out |= {s.id for s in sessions}
        return out

    def find(self, prefix: str) -> list[Session]:
        return [s for s in self.all() if s.id.startswith(prefix)]

    def _current(self, running: Session) -> None:
        current = self.of(running.supporter)
        if current is None or current.id != running.id:
            raise SessionlogError(_("the running session was changed meanwhile; try again"), Kind.CONFLICT)

    def save(self, s: Session, *, new: bool = False) -> Session:
        """Write the supporter's running session; `new` refuses if one is running already."""
        with self.lock.held():
            current = self.of(s.supporter)
            if new and current is not None:
                raise SessionlogError(
                    _("a session for {customer} is running already ({id})").format(
                        customer=current.customer, id=current.id
                    ),
                    Kind.RUNNING,
                )
            if not new:
                self._current(s)
            if not s.id:
                s = s.evolve(id=new_id(self.ids() | self.sessions.fixed_taken()))
            check(s, force=True)
            record = codec.session_to_dict(s, with_customer=True)
            path = self.layout.timer_file(s.supporter)
            write(path, tomltext.verified_table(record, "session", str(path)), self.lock)
        return s

    def finish(self, running: Session, final: Session, *, force: bool = False) -> Session:
        """Move the stopped session into its month file, then drop the timer."""
        with self.lock.held():
            self._current(running)
            # A crash after the append but before the removal must not record it twice.
            self.sessions.add(final, force=force, exist_ok=True)
            write(self.layout.timer_file(running.supporter), "", self.lock)
        return final

    def drop(self, running: Session) -> None:
        with self.lock.held():
            self._current(running)
            write(self.layout.timer_file(running.supporter), "", self.lock)

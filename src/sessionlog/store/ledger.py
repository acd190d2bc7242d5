"""The ledger folder as one object that hands out its parts, each doing one job:

- `layout`: where files are; `lock`: the ledger-wide write lock;
- `settings` and `tz`: sessionlog.toml and the zone it names;
- `customers`: the registry; `sessions`: the month files; `timers`: running sessions.

The parts import each other only downward (layout < files < sessions < timers), never
this module, so there is no import cycle; this module wires them together.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sessionlog.model import Kind, Session, SessionlogError, Settings
from sessionlog.store.config import ledger_zone, load_settings
from sessionlog.store.customers import Customers
from sessionlog.store.files import LedgerLock, read_text, write_atomic
from sessionlog.store.layout import Layout
from sessionlog.store.sessions import Sessions
from sessionlog.store.timers import Timers

if TYPE_CHECKING:
    from sessionlog.store.cache import FileCache


class Ledger:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.layout = Layout(root)
        self.lock = LedgerLock(root)

    def locked(self) -> AbstractContextManager[None]:
        """Hold the ledger lock (re-entrant): `with ledger.locked(): ...`."""
        return self.lock.held()

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.layout.settings_file)

    @cached_property
    def tz(self) -> tzinfo:
        return ledger_zone(self.settings.timezone)

    @cached_property
    def cache(self) -> FileCache:
        """The derived cache of parsed files (store/cache.py); imported only by commands that read files."""
        from sessionlog.store.cache import FileCache

        return FileCache(self.root)

    @cached_property
    def customers(self) -> Customers:
        return Customers(self.layout, self.lock, cache=lambda: self.cache)

    @cached_property
    def sessions(self) -> Sessions:
        return Sessions(
            self.layout, self.lock, self.tz, running_ids=lambda: self.timers.ids(), cache=lambda: self.cache
        )

    @cached_property
    def timers(self) -> Timers:
        return Timers(self.layout, self.lock, self.sessions)

    def create_settings(self, text: str) -> Path:
        """Write a new sessionlog.toml; EXISTS when there is one (it is never overwritten)."""
        path = self.layout.settings_file
        with self.locked():
            if read_text(path) is not None:
                raise SessionlogError(f"{path} exists already; edit it by hand", Kind.EXISTS)
            write_atomic(path, text)
        return path

    def find(self, prefix: str) -> Session:
        """The one session, finished or running, whose id starts with `prefix`."""
        prefix = prefix.strip().lower()
        if not prefix:
            raise SessionlogError("give a session id or a unique prefix of it")
        hits = self.sessions.find(prefix) + self.timers.find(prefix)
        if not hits:
            raise SessionlogError(f"no session with id {prefix!r}", Kind.NOT_FOUND)
        if len({s.id for s in hits}) > 1:
            ids = ", ".join(sorted(s.id for s in hits)[:5])
            raise SessionlogError(f"id prefix {prefix!r} is ambiguous: {ids}; type more of it", Kind.AMBIGUOUS)
        return hits[0]

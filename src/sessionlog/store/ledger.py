"""The ledger folder as one object that hands out its parts, each doing one job:

- `layout`: where files are; `lock`: the ledger-wide write lock;
- `settings` and `tz`: sessionlog.toml and the zone it names;
- `customers`: the registry; `sessions`: the month files; `timers`: running sessions;
- `invoices`: the register of issued invoices.

The parts import each other only downward (layout < files < sessions < timers), never
this module, so there is no import cycle; this module wires them together.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sessionlog.i18n import _
from sessionlog.model import Kind, Session, SessionlogError, Settings
from sessionlog.store.config import ledger_zone, load_settings
from sessionlog.store.customers import Customers
from sessionlog.store.documents import Documents
from sessionlog.store.files import LedgerLock, read_text, write_atomic
from sessionlog.store.invoices import Invoices
from sessionlog.store.layout import Layout
from sessionlog.store.sessions import Sessions
from sessionlog.store.timers import Timers

MIN_PREFIX = 4  # characters of an id that `edit` and `delete` need, unless the whole id is shorter


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

    def forget(self) -> None:
        """Drop everything read so far: git changed the files underneath (a merge, a reset)."""
        for name in ("settings", "tz", "customers", "sessions", "invoices", "timers", "documents"):
            self.__dict__.pop(name, None)
        self.lock.memo.clear()

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

    def close(self) -> None:
        """Let go of the derived cache's database, if a command opened it."""
        if "cache" in self.__dict__:
            self.cache.close()

    @cached_property
    def customers(self) -> Customers:
        return Customers(self.layout, self.lock, cache=lambda: self.cache)

    @cached_property
    def sessions(self) -> Sessions:
        return Sessions(
            self.layout, self.lock, self.tz, running_ids=lambda: self.timers.ids(), cache=lambda: self.cache
        )

    @cached_property
    def invoices(self) -> Invoices:
        return Invoices(self.layout, self.lock, self.tz)

    @cached_property
    def timers(self) -> Timers:
        return Timers(self.layout, self.lock, self.sessions)

    @cached_property
    def documents(self) -> Documents:
        return Documents(self.layout)

    def create_settings(self, text: str) -> Path:
        """Write a new sessionlog.toml; EXISTS when there is one (it is never overwritten)."""
        path = self.layout.settings_file
        with self.locked():
            if read_text(path) is not None:
                raise SessionlogError(_("{path} exists already; edit it by hand").format(path=path), Kind.EXISTS)
            write_atomic(path, text)
        return path

    def find(self, prefix: str) -> Session:
        """The one session, finished or running, whose id starts with `prefix`."""
        prefix = prefix.strip().lower()
        if not prefix:
            raise SessionlogError(_("give a session id or a unique prefix of it"))
        hits = self.sessions.find(prefix) + self.timers.find(prefix)
        if len(prefix) < MIN_PREFIX:
            # `delete e` must not pick whatever happens to start with "e": only a whole id that short.
            hits = [s for s in hits if s.id == prefix]
            if not hits:
                raise SessionlogError(
                    _("give at least {MIN_PREFIX} characters of the id, not {prefix!r}").format(
                        MIN_PREFIX=MIN_PREFIX, prefix=prefix
                    ),
                    Kind.INPUT,
                )
        if not hits:
            raise SessionlogError(_("no session with id {prefix!r}").format(prefix=prefix), Kind.NOT_FOUND)
        if len({s.id for s in hits}) > 1:
            ids = ", ".join(sorted(s.id for s in hits)[:5])
            raise SessionlogError(
                _("id prefix {prefix!r} is ambiguous: {ids}; type more of it").format(prefix=prefix, ids=ids),
                Kind.AMBIGUOUS,
            )
        return hits[0]

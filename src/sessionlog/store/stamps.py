"""Which files a command reads, and what must stay the same for a cached copy to stay valid.

A file's stamp is its size, mtime_ns, inode and ctime_ns; a month file's cached figures
also depend on the ledger zone and its rules (`zone_id`). Paths are strings here, because
pathlib dominated the profile of a year's report (5 810 files).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, NamedTuple

from sessionlog.store.layout import is_month_name

if TYPE_CHECKING:
    from sessionlog.store.sessions import Sessions


def stamp(st: os.stat_result) -> str:
    """What must stay the same for an entry to stay valid."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{st.st_ctime_ns}"


def zone_id(tz: tzinfo) -> str | None:
    """The zone's name and the version of its rules; None when it has no name (then month
    files are not cached, because the months and local times stored depend on the zone)."""
    key = getattr(tz, "key", None)
    if not isinstance(key, str):
        return None
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        try:
            st = os.stat(os.path.join(folder, key))
        except (OSError, ValueError):
            continue
        return f"{key}@{st.st_size}:{st.st_mtime_ns}"
    try:
        import importlib

        tzdata = importlib.import_module("tzdata")  # the zone database where the system has none (Windows)
        return f"{key}@tzdata {tzdata.IANA_VERSION}"
    except (ImportError, AttributeError):
        return key


class Listed(NamedTuple):
    """A ledger file as listed: paths are strings, because pathlib dominated the profile."""

    key: str  # the customer
    name: str  # the file name, e.g. 2024-03.toml
    path: str  # as str(Path) would give it, for messages and origins
    stat: os.stat_result | None  # None: not a plain file, never cached

    @property
    def rel(self) -> str:
        """The cache's key of the file: the same on every platform and for every spelling of the root."""
        return f"{self.key}/{self.name}"


def month_files(ss: Sessions, months: Sequence[str] | None, customers: Iterable[str] | None) -> list[Listed]:
    """The month files `Layout.month_files` names, with their stats."""
    layout = ss.layout
    keys = list(customers) if customers is not None else layout.customer_keys()
    base = str(layout.customers_dir)
    out: list[Listed] = []
    for key in keys:
        folder = f"{base}{os.sep}{key}"
        for name in _month_names(folder) if months is None else [f"{m}.toml" for m in months]:
            path = f"{folder}{os.sep}{name}"
            st = stat_of(path)
            if st is not None or months is None:  # Layout.month_files lists only plain files by month
                out.append(Listed(key, name, path, st))
    return out


def _month_names(folder: str) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(folder) if is_month_name(e.name))
    except FileNotFoundError:
        return []


def stat_of(path: str) -> os.stat_result | None:
    """The stat of a plain file; None for anything else or nothing."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None

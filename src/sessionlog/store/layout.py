"""Where things are in a ledger folder: the one place that knows its file names."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessionlog.model import slug

SETTINGS_FILE = "sessionlog.toml"
CUSTOMER_FILE = "customer.toml"
CUSTOMERS_DIR = "customers"
RUNNING_DIR = "running"
_MONTH_FILE = re.compile(r"^\d{4}-\d{2}\.toml$")


def is_month_file(path: Path) -> bool:
    """Whether the name is a month file's, `YYYY-MM.toml`."""
    return is_month_name(path.name)


def is_month_name(name: str) -> bool:
    return bool(_MONTH_FILE.match(name))


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS_FILE

    @property
    def customers_dir(self) -> Path:
        return self.root / CUSTOMERS_DIR

    @property
    def running_dir(self) -> Path:
        return self.root / RUNNING_DIR

    def customer_dir(self, key: str) -> Path:
        return self.customers_dir / key

    def customer_file(self, key: str) -> Path:
        return self.customers_dir / key / CUSTOMER_FILE

    def month_file(self, key: str, month: str) -> Path:
        return self.customers_dir / key / f"{month}.toml"

    def timer_file(self, supporter: str) -> Path:
        return self.running_dir / f"{slug(supporter)}.toml"

    def customer_of(self, path: Path) -> str | None:
        """The customer key of a month file inside the ledger; None for any other file."""
        return path.parent.name if path.parent.parent == self.customers_dir else None

    def customer_keys(self) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.customers_dir) if e.is_dir())
        except FileNotFoundError:
            return []

    def month_files(self, months: Sequence[str] | None = None, customers: Iterable[str] | None = None) -> list[Path]:
        """Existing month files, for the given months (all when None) and customers (all when None)."""
        keys = list(customers) if customers is not None else self.customer_keys()
        out: list[Path] = []
        for key in keys:
            folder = self.customer_dir(key)
            if months is None:
                try:
                    names = sorted(e.name for e in os.scandir(folder) if _MONTH_FILE.match(e.name))
                except FileNotFoundError:
                    continue
                out += [folder / n for n in names]
            else:
                out += [p for m in months if (p := folder / f"{m}.toml").is_file()]
        return out

    def timer_files(self) -> list[Path]:
        try:
            return sorted(self.running_dir / e.name for e in os.scandir(self.running_dir) if e.name.endswith(".toml"))
        except FileNotFoundError:
            return []

"""Where things are in a ledger folder: the one place that knows its file names."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, SessionlogError, check_customer_key, slug
from sessionlog.store.copynames import copy_problem, original_name
from sessionlog.store.files import is_leftover

SETTINGS_FILE = "sessionlog.toml"
CUSTOMER_FILE = "customer.toml"
CUSTOMERS_DIR = "customers"
RUNNING_DIR = "running"
INVOICES_DIR = "invoices"
TEMPLATES_DIR = "templates"
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

    @property
    def invoices_dir(self) -> Path:
        return self.root / INVOICES_DIR

    def register_file(self, month: str) -> Path:
        """The invoices issued for a month: invoices/YYYY-MM.toml."""
        return self.invoices_dir / f"{month}.toml"

    def register_files(self) -> list[Path]:
        try:
            return sorted(
                self.invoices_dir / e.name for e in os.scandir(self.invoices_dir) if _MONTH_FILE.match(e.name)
            )
        except FileNotFoundError:
            return []

    @property
    def templates_dir(self) -> Path:
        return self.root / TEMPLATES_DIR

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

    def folder_problems(self) -> list[Problem]:
        """Customer folders that are no customer key, or that differ from another only in case.

        `customers/ACME/` beside `customers/acme/` would make two customers of one, each
        billed on its own, so both are errors until a person merges them.
        """
        problems: list[Problem] = []
        by_key: dict[str, list[str]] = {}
        for name in self.customer_keys():
            try:
                key = check_customer_key(name)
            except SessionlogError as exc:
                problems.append(Problem(Kind.INVALID, exc.problem.message, str(self.customer_dir(name))))
                continue
            by_key.setdefault(key, []).append(name)
            if key != name:
                problems.append(
                    Problem(
                        Kind.INVALID,
                        _("customer folder {name!r} is not a lower-case key").format(name=name),
                        str(self.customer_dir(name)),
                        hint=f"rename it to {key!r}" + (" and merge it into that folder" if key in by_key else ""),
                    )
                )
        for key, names in by_key.items():
            if len(names) > 1:
                listed = ", ".join(sorted(names))
                problems.append(
                    Problem(
                        Kind.DUPLICATE,
                        _("customer folders {listed} differ only in case").format(listed=listed),
                        str(self.customer_dir(key)),
                    )
                )
        return problems

    def stray_files(self, customers: Iterable[str] | None = None) -> list[Problem]:
        """TOML files in customer folders that are neither customer.toml nor named YYYY-MM.toml.

        Such a file may hold sessions (`2024-3.toml`, a conflict copy) that nothing would read.
        """
        problems: list[Problem] = []
        for key in list(customers) if customers is not None else self.customer_keys():
            try:
                names = sorted(e.name for e in os.scandir(self.customer_dir(key)) if e.name.lower().endswith(".toml"))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for name in names:
                if name == CUSTOMER_FILE or _MONTH_FILE.match(name):
                    continue  # the names files should have (the common case, first: 30 000 of them)
                copy_of = original_name(name, "customer")
                if copy_of is not None:
                    problems.append(copy_problem(copy_of, str(self.customer_dir(key) / name)))
                else:
                    problems.append(
                        Problem(
                            Kind.MISFILED,
                            _("not a month file: sessions are read only from files named YYYY-MM.toml"),
                            str(self.customer_dir(key) / name),
                            hint=_("move its records into the right month file, or delete it"),
                        )
                    )
        return problems

    def temp_files(self) -> list[Path]:
        """Temporary files an interrupted write left behind (`.NAME.*.tmp`)."""
        folders = [
            self.root,
            self.running_dir,
            self.invoices_dir,
            *(self.customer_dir(k) for k in self.customer_keys()),
        ]
        found: list[Path] = []
        for folder in folders:
            try:
                found += sorted(folder / e.name for e in os.scandir(folder) if is_leftover(e.name))
            except (FileNotFoundError, NotADirectoryError):
                continue
        return found

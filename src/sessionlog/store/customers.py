"""The customer registry: customers/KEY/customer.toml, read once per command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sessionlog.i18n import _
from sessionlog.model import Customer, Kind, Origin, Problem, SessionlogError, check_customer_key
from sessionlog.store import codec, marks, tomltext
from sessionlog.store.files import LedgerLock, read_text, write_atomic
from sessionlog.store.layout import Layout
from sessionlog.store.validate import parse_file

if TYPE_CHECKING:
    from sessionlog.store.cache import FileCache


class Customers:
    def __init__(self, layout: Layout, lock: LedgerLock, cache: Callable[[], FileCache] | None = None) -> None:
        self.layout = layout
        self.lock = lock
        self._all: tuple[dict[str, Customer], list[Problem]] | None = None
        self._cache = cache  # the derived cache of parsed files, made on first use; None: none

    def keys(self) -> list[str]:
        return self.layout.customer_keys()

    def exists(self, key: str) -> bool:
        return self.layout.customer_dir(key).is_dir()

    def file(self, key: str) -> Path:
        return self.layout.customer_file(key)

    def get(self, key: str) -> Customer | None:
        """The customer with this key, None if there is no folder for it."""
        if self._all is not None and key in self._all[0]:
            return self._all[0][key]
        return self._read(key)

    def _read(self, key: str) -> Customer | None:
        path = self.file(key)
        text = read_text(path)
        if text is None:
            return Customer(key) if path.parent.is_dir() else None
        raw = parse_file(path, text)
        if marks.CONFLICT in raw:
            raise SessionlogError(
                marks.conflict_problem(_("customer {key}").format(key=key), key, raw[marks.CONFLICT], str(path), None)
            )
        try:
            return codec.customer_from_dict(raw, key, Origin(str(path), 1))
        except codec.Invalid as exc:
            raise SessionlogError(str(exc), Kind.INVALID, path=path) from None

    def all(self) -> tuple[dict[str, Customer], list[Problem]]:
        """Every customer that can be read, and a Problem for each that cannot."""
        if self._all is None and self._cache is not None:
            self._all = self._cache().customers(self, self._read)
        if self._all is None:
            found: dict[str, Customer] = {}
            problems: list[Problem] = []
            for key in self.keys():
                try:
                    c = self._read(key)
                except SessionlogError as exc:
                    problems.append(exc.problem)
                else:
                    if c is not None:
                        found[key] = c
            self._all = (found, problems)
        return self._all

    def resolve(self, text: str) -> str | None:
        """The key a user means by `text`: the key itself or an alias, case-insensitive."""
        key = check_customer_key(text)
        if self.exists(key):
            return key
        for c in self.all()[0].values():
            if key in (a.lower() for a in c.aliases):
                return c.key
        return None

    def save(self, c: Customer, *, create: bool = False) -> None:
        path = self.file(c.key)
        with self.lock.held():
            if create and path.parent.is_dir():
                raise SessionlogError(_("customer {key} exists already").format(key=c.key), Kind.EXISTS)
            if not create and not path.parent.is_dir():
                raise SessionlogError(_("no customer {key}").format(key=c.key), Kind.NOT_FOUND)
            text = read_text(path) or ""
            doc = parse_file(path, text) if text.strip() else {}
            top = {k: v for k, v in doc.items() if not isinstance(v, dict)}
            merged = codec.merge_record(top, codec.customer_to_dict(c), codec.CUSTOMER_KEYS)
            write_atomic(path, tomltext.set_top_level(text, merged, str(path), doc=doc))
            self._all = None

"""The names file-sync services give conflict copies (see store/copies.py). Pure."""

from __future__ import annotations

import re
from collections.abc import Callable

from sessionlog.i18n import _
from sessionlog.model import Kind, Problem

CUSTOMER_FILE = "customer.toml"

_WORDS = re.compile(r"conflict|konflikt|conflit|conflitto", re.IGNORECASE)
_GOOGLE = re.compile(r"^ \(\d+\)$")
# OneDrive's "-COMPUTERNAME" is upper case, so a person's "2024-03-alt.toml" is not taken for one.
_ONEDRIVE = re.compile(r"^-(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]*$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_SLUG = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")
_STEMS: dict[str, Callable[[str], bool]] = {
    "customer": lambda stem: bool(_MONTH.match(stem)) or stem == "customer",
    "invoices": lambda stem: bool(_MONTH.match(stem)),
    "running": lambda stem: bool(_SLUG.match(stem)) and stem == stem.lower(),
    "root": lambda stem: stem == "sessionlog",
}


def _marked(rest: str) -> bool:
    """Whether what follows the file's own name is a sync service's mark."""
    return bool(rest[:1] in " ._(-" and _WORDS.search(rest)) or bool(_GOOGLE.match(rest) or _ONEDRIVE.match(rest))


def original_name(name: str, folder: str) -> str | None:
    """The file `name` is a sync service's conflict copy of, in a folder of that kind; else None.

    `folder` is "customer", "invoices", "running" or "root". The longest name that fits wins:
    `klaus-hoerner (conflicted copy).toml` is a copy of klaus-hoerner.toml, not of klaus.toml."""
    if not name.lower().endswith(".toml"):
        return None
    base = name[: -len(".toml")]
    valid = _STEMS[folder]
    for cut in sorted((i for i, c in enumerate(base) if c in " ._(-"), reverse=True):
        stem, rest = base[:cut], base[cut:]
        if valid(stem) and _marked(rest):
            return CUSTOMER_FILE if stem == "customer" else f"{stem}.toml"
    return None


def copy_problem(original: str, path: str) -> Problem:
    """The finding for a conflict copy: nothing reads its records until it is merged."""
    return Problem(
        Kind.MISFILED,
        _("a conflict copy of {original} made by a file-sync service: nothing reads its records").format(
            original=original
        ),
        path,
        hint=_("merge it into that file with `sessionlog check --fix`"),
    )

"""Files an import reads beyond the one it is given: Timewarrior's data folder, and the month
files that may hold a session of another ledger's export already."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sessionlog.i18n import _
from sessionlog.model import Kind, SessionlogError

_MONTH_FILE = re.compile(r"\d{4}-\d{2}\.data")


def timewarrior_files(path: Path) -> list[Path]:
    """The month files (YYYY-MM.data) of a Timewarrior data folder, oldest first: `path` is
    the folder (~/.timewarrior, whose data/ holds them), data/ itself, or one such file."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise SessionlogError(_("no such file or folder"), Kind.NOT_FOUND, path=path)
    folder = path / "data" if (path / "data").is_dir() else path
    try:
        found = sorted(p for p in folder.iterdir() if _MONTH_FILE.fullmatch(p.name) and p.is_file())
    except OSError as exc:
        raise SessionlogError(
            _("cannot be read: {value}").format(value=exc.strerror or exc), Kind.BROKEN_FILE, path=folder
        ) from None
    if not found:
        raise SessionlogError(
            _("no Timewarrior data files (YYYY-MM.data) in it"),
            Kind.NOT_FOUND,
            path=folder,
            hint=_("give the data folder, e.g. ~/.timewarrior or ~/.local/share/timewarrior"),
        )
    return found


def ids_held(paths: Iterable[Path], ids: set[str]) -> set[str]:
    """Which of `ids` the files in `paths` hold, as quoted text (a byte search, no parse)."""
    needles = {i: f'"{i}"'.encode() for i in ids}
    found: set[str] = set()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue  # a file that cannot be read is reported by whatever reads it for real
        found.update(i for i, needle in needles.items() if i not in found and needle in data)
        if len(found) == len(needles):
            break
    return found

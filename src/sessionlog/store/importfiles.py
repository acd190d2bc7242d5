"""Finding the files an import reads when it is given a folder (Timewarrior's data folder)."""

from __future__ import annotations

import re
from pathlib import Path

from sessionlog.model import Kind, SessionlogError

_MONTH_FILE = re.compile(r"\d{4}-\d{2}\.data")


def timewarrior_files(path: Path) -> list[Path]:
    """The month files (YYYY-MM.data) of a Timewarrior data folder, oldest first: `path` is
    the folder (~/.timewarrior, whose data/ holds them), data/ itself, or one such file."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise SessionlogError("no such file or folder", Kind.NOT_FOUND, path=path)
    folder = path / "data" if (path / "data").is_dir() else path
    try:
        found = sorted(p for p in folder.iterdir() if _MONTH_FILE.fullmatch(p.name) and p.is_file())
    except OSError as exc:
        raise SessionlogError(f"cannot be read: {exc.strerror or exc}", Kind.BROKEN_FILE, path=folder) from None
    if not found:
        raise SessionlogError(
            "no Timewarrior data files (YYYY-MM.data) in it",
            Kind.NOT_FOUND,
            path=folder,
            hint="give the data folder, e.g. ~/.timewarrior or ~/.local/share/timewarrior",
        )
    return found

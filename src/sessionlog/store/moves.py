"""Moving a record between files, crash-safe: a journal says what is being moved.

A move is four steps, each atomic: write the journal, append the record to its new file,
remove it from the old one, remove the journal. Killed at any point, the journal tells the
next writer what to do: if the new file has the record, the move happened and the old copy
goes; if not, it never happened and the journal goes. Readers use the same rule, so a
half-done move is never billed twice in the meantime.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, Severity
from sessionlog.store import faults, tomltext
from sessionlog.store.files import LedgerLock, read_text, remove, write_atomic
from sessionlog.store.layout import Layout

JOURNAL = ".sessionlog-move.toml"


@dataclass(frozen=True)
class Move:
    id: str
    source: Path
    target: Path


def _has(path: Path, sid: str) -> bool:
    text = read_text(path) or ""
    if f'"{sid}"' not in text:
        return False
    try:
        records = tomltext.parse(text).get("session", [])
    except tomltext.TomlError:
        return False
    return any(isinstance(r, dict) and r.get("id") == sid for r in records)


class Moves:
    def __init__(self, layout: Layout, lock: LedgerLock) -> None:
        self.layout = layout
        self.lock = lock
        self.path = layout.root / JOURNAL

    def pending(self) -> Move | None:
        text = read_text(self.path)
        if not text:
            return None
        try:
            raw = tomltext.parse(text)
            root = self.layout.root
            return Move(str(raw["id"]), root / str(raw["source"]), root / str(raw["target"]))
        except (tomltext.TomlError, KeyError):
            return None  # a journal that cannot be read was never completed: nothing was moved

    def begin(self, move: Move) -> None:
        root = self.layout.root
        record = {
            "id": move.id,
            "source": move.source.relative_to(root).as_posix(),
            "target": move.target.relative_to(root).as_posix(),
        }
        write_atomic(self.path, tomltext.format_table(record, None))
        faults.point("move:journal")

    def end(self) -> None:
        remove(self.path)

    def stale_copy(self) -> tuple[str, Path] | None:
        """The id and the old file of a half-done move whose new copy is written, for readers."""
        move = self.pending()
        if move is not None and _has(move.target, move.id):
            return move.id, move.source
        return None

    def problem(self) -> Problem | None:
        move = self.pending()
        if move is None:
            return None
        return Problem(
            Kind.DUPLICATE,
            _("a move of session {id} from {source} to {target} was interrupted").format(
                id=move.id, source=move.source, target=move.target
            ),
            str(self.path),
            severity=Severity.WARNING,
            hint=_("the next write finishes it"),
        )

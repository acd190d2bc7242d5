"""Conflict copies that file-sync services leave beside a ledger file, and merging them back.

When two computers change one file before Nextcloud, Dropbox, OneDrive, Syncthing or Google
Drive has passed the change on, the service keeps both: the file, and a copy under another
name that nothing in sessionlog reads. Those names follow each service's habit:

    2024-03 (conflicted copy 2024-03-05 101500).toml     Nextcloud, Dropbox
    2024-03 (Klaus's conflicted copy 2024-03-05).toml    Dropbox
    2024-03 (In Konflikt stehende Kopie von Klaus).toml  Dropbox in German
    2024-03.sync-conflict-20240305-101500-ABCDEFG.toml   Syncthing
    2024-03_conflict-20240305-101500.toml                ownCloud
    2024-03-DESKTOP-7QK3L2M.toml                         OneDrive (the computer's name)
    2024-03 (1).toml                                     Google Drive

A copy has no common ancestor to merge against, so it merges two-way: records only in one
file are kept, keys that differ are conflicts for a person (store/merge.py), and a record of
the copy that lives in another file by now (moved, or a timer stopped since) is left out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sessionlog.model import Problem
from sessionlog.store import tomltext
from sessionlog.store.copynames import copy_problem, original_name
from sessionlog.store.files import LedgerLock, read_text, remove
from sessionlog.store.layout import Layout
from sessionlog.store.marks import kind_of
from sessionlog.store.merge import Merged, Unmergeable, merge_texts
from sessionlog.store.monthfile import write


@dataclass(frozen=True)
class Copy:
    path: Path
    original: Path


def find(layout: Layout) -> list[Copy]:
    """Every conflict copy in the ledger, with the file it is a copy of."""
    places = [
        (layout.root, "root"),
        (layout.running_dir, "running"),
        (layout.invoices_dir, "invoices"),
        *((layout.customer_dir(k), "customer") for k in layout.customer_keys()),
    ]
    found = []
    for folder, kind in places:
        try:
            names = sorted(e.name for e in os.scandir(folder) if e.is_file() and e.name.lower().endswith(".toml"))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            original = original_name(name, kind)
            if original is not None:
                found.append(Copy(folder / name, folder / original))
    return found


def problem(copy: Copy) -> Problem:
    return copy_problem(copy.original.name, str(copy.path))


@dataclass(frozen=True)
class Folded:
    """A copy merged into its file: how many records it brought, and what needs a person."""

    copy: Copy
    merged: Merged
    elsewhere: tuple[str, ...] = ()  # ids of the copy already in another file, left out


def fold(copy: Copy, layout: Layout, lock: LedgerLock) -> Folded:
    """Merge the copy into its original under the lock, write that atomically, remove the copy.

    Unmergeable (a side does not parse) leaves both files as they are."""
    with lock.held():
        relative = copy.original.relative_to(layout.root).as_posix()
        ours = read_text(copy.original) or ""
        theirs = read_text(copy.path) or ""
        elsewhere: tuple[str, ...] = ()
        if kind_of(relative) in ("records", "timer"):
            theirs, elsewhere = _without_ids_elsewhere(theirs, copy, layout)
        merged = merge_texts("", ours, theirs, relative)
        write(copy.original, merged.text, lock)
        remove(copy.path)
    return Folded(copy, merged, elsewhere)


def _without_ids_elsewhere(text: str, copy: Copy, layout: Layout) -> tuple[str, tuple[str, ...]]:
    """The copy's text without the records that another file of the ledger holds by now."""
    try:
        doc = tomltext.parse(text) if text.strip() else {}
    except tomltext.TomlError as exc:
        raise Unmergeable(f"{copy.path} does not parse: {exc.problem.message}") from None
    records = doc.get("session", [])
    ids = [r.get("id") for r in records if isinstance(r, dict)] if isinstance(records, list) else []
    needles = {i: f'"{i}"'.encode() for i in ids if isinstance(i, str)}
    if not needles:
        return text, ()
    found: set[str] = set()
    for path in layout.month_files():
        if path == copy.original:
            continue
        data = path.read_bytes()
        hits = [i for i, needle in needles.items() if needle in data]
        if hits:
            try:
                held = tomltext.parse(data.decode("utf-8-sig")).get("session", [])
            except (tomltext.TomlError, UnicodeDecodeError):
                continue
            found |= {str(r.get("id")) for r in held if isinstance(r, dict)} & set(hits)
    for sid in sorted(found):
        current = tomltext.parse(text)
        index = next(i for i, r in enumerate(current["session"]) if r.get("id") == sid)
        text = tomltext.replace_record(text, index, None, str(copy.path), doc=current)
    return text, tuple(sorted(found))

"""The table `render.print_table` draws with Rich, written directly when it goes to a file or pipe.

Rich measures, wraps and styles every cell, at about 50 µs a cell: a year's report over 500
customers took 0.25 s to draw, and importing Rich takes another 40 ms. A table written to a
file or a pipe has no styles, and one that fits the width needs no wrapping, so its text is
simple to write. This module writes exactly Rich's characters for such tables (box
HEAVY_HEAD, one space of padding, the title centred above) and returns None for anything
else: a terminal, output forced to look like one, a table or title wider than the width,
text whose width on screen is not its length, or Windows (whose consoles and code pages
change the box characters). Then Rich draws it. tests/test_plaintable.py compares both on
generated tables.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TextIO


def _simple(text: str) -> bool:
    """One column on screen per character (printable, before the combining marks at U+0300), and
    no space at either end (which Rich trims before it aligns)."""
    return text.isprintable() and (text.isascii() or max(text) < "\u0300") and text == text.strip()


def plain_output(out: TextIO) -> bool:
    """Whether Rich would write plain text to `out`: not a terminal, nor told to act as one."""
    if sys.platform == "win32" or os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR"):
        return False
    try:
        if out.isatty():
            return False
    except (AttributeError, ValueError):
        pass
    encoding = (getattr(out, "encoding", None) or "utf-8").lower()
    return encoding.startswith("utf")


def plain_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[bool],
    width: int,
    *,
    title: str | None = None,
    footer: Sequence[str] | None = None,
) -> str | None:
    """The table as Rich draws it without styles, or None where only Rich knows how."""
    body = [*rows, footer] if footer is not None else list(rows)
    widths = [len(h) for h in header]
    for cells in (header, *body):
        for i, cell in enumerate(cells):
            if not _simple(cell):
                return None
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    total = 1 + sum(w + 3 for w in widths)
    if total > width or (title is not None and (len(title) > total or not _simple(title))):
        return None

    def line(cells: Sequence[str], edge: str) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return f"{edge} " + f" {edge} ".join(parts) + f" {edge}\n"

    def rule(left: str, fill: str, cross: str, end: str) -> str:
        return left + cross.join(fill * (w + 2) for w in widths) + end + "\n"

    out: list[str] = []
    if title is not None:
        excess = total - len(title)
        out.append(" " * (excess // 2) + title + " " * (excess - excess // 2) + "\n")
    out.append(rule("┏", "━", "┳", "┓"))
    out.append(line(header, "┃"))
    out.append(rule("┡", "━", "╇", "┩"))
    out += [line(cells, "│") for cells in rows]
    if footer is not None:
        if rows:
            out.append(rule("├", "─", "┼", "┤"))
        out.append(line(footer, "│"))
    out.append(rule("└", "─", "┴", "┘"))
    return "".join(out)

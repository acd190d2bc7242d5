"""The tables Rich would draw, written as plain text where nothing in them wraps.

Rich lays out each cell and line of a 500-row report in about a millisecond each; for a file
or pipe, where no colour or terminal width is involved, the same layout is a join. `write`
declines (returns False) whenever Rich would do more than pad cells: a cell or header wider
than its column, a line break, a tab or another control character, a character whose width
is not plain. tests/test_plaintable.py checks the output is byte for byte what Rich writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from sessionlog.fit import Layout
from sessionlog.render import Column

RULE = "\u2500"  # box.HORIZONTALS' line under the header and above the footer


def _plain(text: str) -> bool:
    """Printable text whose every character takes one cell, as Rich measures it, with no
    spaces at either end or in a row (which Rich's line fitting would trim)."""
    if text != text.strip(" ") or "  " in text:
        return False
    return (text.isascii() and text.isprintable()) or all(
        (" " <= ch < "\u0300" or ch in "\u20ac\u2013") and ch.isprintable() for ch in text
    )


def write(
    out: TextIO,
    columns: Sequence[Column],
    texts: Sequence[Sequence[str]],
    layout: Layout,
    *,
    title: str | None,
    footer: bool,
    gap: int,
) -> bool:
    """Write the table as Rich would (no edge, header rule, footer section); False: left to Rich."""
    shown = [(columns[i], i, w) for i, w in zip(layout.shown, layout.widths, strict=True)]
    headers = [c.header for c, _, _ in shown]
    cells = [[line[i] for _, i, _ in shown] for line in texts]
    for row in (headers, *cells):
        for text, (_, _, w) in zip(row, shown, strict=True):
            if len(text) > w or not _plain(text):
                return False
    if title and (len(title) > layout.width or not _plain(title)):
        return False
    sep = " " * gap

    def line(row: Sequence[str]) -> str:
        parts = [t.rjust(w) if c.align_right else t.ljust(w) for t, (c, _, w) in zip(row, shown, strict=True)]
        return sep.join(parts)

    rule = RULE * layout.width
    lines = [_centred(title, layout.width)] if title else []
    lines += [line(headers), rule]
    body = cells[:-1] if footer else cells
    lines += [line(r) for r in body]
    if footer:
        lines += [rule, line(cells[-1])] if body else [line(cells[-1])]  # Rich draws no rule under a rule
    out.write("\n".join(lines) + "\n")
    return True


def _centred(text: str, width: int) -> str:
    """Rich's centring of a title: the odd space goes to the right."""
    left = (width - len(text)) // 2
    return " " * left + text + " " * (width - len(text) - left)

"""Rows -> a Rich table for people: the one place tables are drawn."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TextIO

from sessionlog.cli import plaintable
from sessionlog.cli.terminal import PIPE_WIDTH, is_terminal, table_width  # PIPE_WIDTH lived here; still importable
from sessionlog.fit import Layout, fit
from sessionlog.i18n import _, heading
from sessionlog.render import Column, cell_text

__all__ = ["PIPE_WIDTH", "hint", "print_table"]
# Two spaces between columns, no vertical rules and nothing at the edges: at 80 columns each
# cell of a rule is a cell a note does not get.
GAP = 2


def hint(layout: Layout, width: int) -> str | None:
    """The line that says which columns a narrow table left out, or None when none."""
    if not layout.left_out:
        return None
    n = len(layout.left_out)
    names = ", ".join(c.header for c in layout.left_out)
    if n == 1:
        return _("hint: 1 column left out to fit {width} columns ({names}); --wide shows all").format(
            width=width, names=names
        )
    return _("hint: {n} columns left out to fit {width} columns ({names}); --wide shows all").format(
        n=n, width=width, names=names
    )


def print_table(
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[Column],
    out: TextIO,
    *,
    title: str | None = None,
    footer: Mapping[str, object] | None = None,
    wide: bool = False,
) -> str | None:
    """Draw the rows as a Rich table on `out`; `footer` is a bold totals row at the end.

    The table fits `table_width(out)` as `sessionlog.fit` lays it out, or with `wide` shows
    every column however wide; returns the hint naming the columns left out, if any.
    Cell text is never parsed as Rich markup, so a note like ``[bold]`` prints as written.
    Without rows the table still shows its headers; messages are the caller's business.
    """
    columns = [replace(c, title=heading(c.header)) for c in columns]  # the reader's language, also for widths
    texts = [[cell_text(row.get(c.key), c.kind, None) for c in columns] for row in rows]
    if footer is not None:
        texts.append([cell_text(footer.get(c.key), c.kind, None) for c in columns])
    limit = None if wide else table_width(out)
    layout = fit(columns, texts, limit, gap=GAP)
    total = footer is not None
    if is_terminal(out) or not plaintable.write(out, columns, texts, layout, title=title, footer=total, gap=GAP):
        draw_rich(out, columns, texts, layout, limit, title=title, footer=total)
    return hint(layout, limit) if limit is not None else None


def draw_rich(
    out: TextIO,
    columns: Sequence[Column],
    texts: Sequence[Sequence[str]],
    layout: Layout,
    limit: int | None,
    *,
    title: str | None,
    footer: bool,
) -> None:
    """The table through Rich: on a terminal, and wherever a cell wraps."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Never narrower than the layout: Rich would squeeze the columns the layout keeps whole.
    console = Console(
        file=out,
        width=max(layout.width, limit or 0, 1),
        markup=False,
        emoji=False,
        highlight=False,
    )
    table = Table(
        title=Text(title) if title else None,
        box=box.HORIZONTALS,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for i, w in zip(layout.shown, layout.widths, strict=True):
        c = columns[i]
        table.add_column(
            Text(c.header, no_wrap=False),
            justify="right" if c.align_right else "left",
            width=w,
            no_wrap=not c.wraps,
            overflow="fold" if c.wraps else "ellipsis",  # never reached: the width is the longest cell
        )
    for n, line in enumerate(texts):
        if footer and n == len(texts) - 1:
            table.add_section()
        table.add_row(*(Text(line[i]) for i in layout.shown), style="bold" if footer and n == len(texts) - 1 else None)
    console.print(table)

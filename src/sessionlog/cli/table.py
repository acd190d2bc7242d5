"""Rows -> a Rich table for people: the one place tables are drawn."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from sessionlog.i18n import heading
from sessionlog.render import Column, cell_text

# Width for tables written to a file or pipe: wide enough that nothing wraps needlessly.
PIPE_WIDTH = 200


def print_table(
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[Column],
    out: TextIO,
    *,
    title: str | None = None,
    footer: Mapping[str, object] | None = None,
) -> None:
    """Draw the rows as a Rich table on `out`; `footer` is a bold totals row at the end.

    Cell text is never parsed as Rich markup, so a note like ``[bold]`` prints as written.
    Without rows the table still shows its headers; messages are the caller's business.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    try:
        tty = out.isatty()
    except (AttributeError, ValueError):
        tty = False
    console = Console(
        file=out,
        width=None if tty else PIPE_WIDTH,
        markup=False,
        emoji=False,
        highlight=False,
    )
    table = Table(title=Text(title) if title else None)
    for c in columns:
        table.add_column(Text(heading(c.header)), justify="right" if c.align_right else "left")
    for row in rows:
        table.add_row(*(Text(cell_text(row.get(c.key), c.kind, None)) for c in columns))
    if footer is not None:
        table.add_section()
        table.add_row(*(Text(cell_text(footer.get(c.key), c.kind, None)) for c in columns), style="bold")
    console.print(table)

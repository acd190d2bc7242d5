"""How wide the output may be, and a Rich console for the pages people read (search hits,
insights), set up like the tables'. Light: `status` uses it without importing Rich."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

# Width for tables written to a file or pipe: wide enough that nothing wraps needlessly.
PIPE_WIDTH = 200


def is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def table_width(out: TextIO) -> int:
    """The width output must fit: COLUMNS where set, else the terminal's, else PIPE_WIDTH.

    COLUMNS counts for files and pipes too (as for `insights`), so `COLUMNS=80 sessionlog list
    > file` writes what an 80-column terminal shows.
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(out.fileno()).columns if is_terminal(out) else PIPE_WIDTH
    except (AttributeError, ValueError, OSError):
        return PIPE_WIDTH


def console(out: TextIO, *, width: int | None = None) -> Console:
    """A console on `out`: the terminal's width on a terminal, else `width` (default PIPE_WIDTH).

    Text is never read as Rich markup or emoji codes, so a note prints as written; Rich itself
    honours NO_COLOR (styles such as bold stay, colours go) and TERM=dumb.
    """
    from rich.console import Console

    tty = is_terminal(out)
    return Console(
        file=out,
        width=None if tty else (width or PIPE_WIDTH),
        markup=False,
        emoji=False,
        highlight=False,
    )

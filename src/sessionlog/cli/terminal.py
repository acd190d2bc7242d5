"""A Rich console for the pages people read (search hits, insights), set up like the tables'."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from sessionlog.cli.table import PIPE_WIDTH

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


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

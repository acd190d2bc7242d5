"""The one way commands put rows on stdout: a table for people, CSV or JSON for programs."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence

from sessionlog.cli.env import say
from sessionlog.cli.table import print_table
from sessionlog.i18n import current
from sessionlog.render import PROFILES, Column, Format, csv_profile, write_csv, write_json


def emit(
    fmt: Format,
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[Column],
    *,
    json_rows: Iterable[Mapping[str, object]] | None = None,
    profile: str | None = None,
    title: str | None = None,
    footer: Mapping[str, object] | None = None,
    wide: bool = False,
) -> None:
    """Write rows in the chosen format; JSON may carry richer rows than the table shows.

    A table fits the terminal unless `wide`; the columns it leaves out are named on stderr.
    CSV and JSON are written as the rows come: give a generator for many of them.
    Without a `profile` (none given, none in the ledger's settings) CSV follows the language.
    """
    if fmt is Format.TABLE:
        shown = rows if isinstance(rows, Sequence) else list(rows)
        left_out = print_table(shown, columns, sys.stdout, title=title, footer=footer, wide=wide)
        if left_out:
            say(left_out)
    elif fmt is Format.CSV:
        sys.stdout.flush()
        write_csv(rows, columns, csv_profile(profile or default_profile()), sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        write_json(json_rows if json_rows is not None else rows, sys.stdout)


def default_profile() -> str:
    """The CSV profile of the current language; English where it has none."""
    return current() if current() in PROFILES else "en"

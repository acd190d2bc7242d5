"""The one way commands put rows on stdout: a table for people, CSV or JSON for programs."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from sessionlog.cli.common import say
from sessionlog.cli.table import print_table
from sessionlog.render import Column, Format, csv_profile, write_csv, write_json


def emit(
    fmt: Format,
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[Column],
    *,
    json_rows: Sequence[Mapping[str, object]] | None = None,
    profile: str = "en",
    title: str | None = None,
    footer: Mapping[str, object] | None = None,
    wide: bool = False,
) -> None:
    """Write rows in the chosen format; JSON may carry richer rows than the table shows.

    A table fits the terminal unless `wide`; the columns it leaves out are named on stderr.
    """
    if fmt is Format.TABLE:
        left_out = print_table(rows, columns, sys.stdout, title=title, footer=footer, wide=wide)
        if left_out:
            say(left_out)
    elif fmt is Format.CSV:
        sys.stdout.flush()
        write_csv(rows, columns, csv_profile(profile), sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        write_json(json_rows if json_rows is not None else rows, sys.stdout)

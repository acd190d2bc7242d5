"""`search`: how did we fix this last time?"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from sessionlog.cli.common import CustomerOpt, FormatOpt, Profile, SkipBroken, app_context, finish_incomplete
from sessionlog.cli.env import say
from sessionlog.cli.listing import From, To, as_json
from sessionlog.cli.output import emit
from sessionlog.i18n import _
from sessionlog.render import Column, Format, cell_text

if TYPE_CHECKING:
    from sessionlog.app.search import Hit

# The table shows this many hits unless --limit says otherwise; CSV and JSON give all.
TABLE_LIMIT = 50

COLUMNS = (
    Column("id", "ID"),
    Column("date", "Datum", kind="date"),
    Column("customer", "Kunde"),
    Column("duration", "Dauer", kind="duration"),
    Column("supporter", "Techniker"),
    Column("machine", "Gerät"),
    Column("contact", "Ansprechpartner"),
    Column("ticket", "Ticket"),
    Column("tags", "Tags"),
    Column("note", "Notiz", wraps=True),
)
_UNBILLED = ("billed_minutes", "amount", "currency")
# Found words: bold and underlined stay visible where NO_COLOR takes the colour away.
HIGHLIGHT = "bold underline yellow"
# Below this width the table leaves out duration and supporter, so the note keeps its room.
WIDE = 120


def register(app: typer.Typer) -> None:
    app.command()(search)


def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="WORDS [PERIOD]",
            help='Words (all must be found) and "exact phrases"; a last word like 2024 or last-month is the period '
            "(default: all time).",
        ),
    ],
    from_: From = None,
    to: To = None,
    customer: CustomerOpt = None,
    machine: Annotated[
        str | None, typer.Option("--machine", "-m", metavar="NAME", help="Only machines whose name holds this.")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", metavar="TAG", help="Only with this tag.")] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
            help=f"At most N sessions, newest first (0: all; table default {TABLE_LIMIT}).",
        ),
    ] = None,
    fmt: FormatOpt = Format.TABLE,
    profile: Profile = None,
    skip_broken: SkipBroken = False,
) -> None:
    """Past sessions whose note, tags, ticket, contact or machine hold the words, newest first.

    Case and umlauts do not matter: drucker finds Drucker, mueller finds Müller.

    Example: sessionlog search drucker "papier klemmt" 2024 --customer ACME
    """
    from sessionlog.app import search as workflow
    from sessionlog.app.listing import select_period

    c = app_context(ctx)
    dated = from_ is not None or to is not None
    text, period = workflow.split_words(c, words, dated)
    if dated:
        period = select_period(c, None, from_, to)
    if limit is None and fmt is Format.TABLE:
        limit = TABLE_LIMIT
    found = workflow.search(
        c, text, period, customer=customer, machine=machine, tags=tag or (), limit=limit or None,
        skip_broken=skip_broken,
    )  # fmt: skip

    def row(hit: Hit) -> dict[str, object]:
        s = hit.session
        return {
            "id": s.id,
            "date": s.start.astimezone(c.tz),
            "customer": s.customer,
            "duration": None if s.end is None else s.net_duration(),
            "supporter": s.supporter,
            **hit.texts,
        }

    def data(hit: Hit) -> dict[str, object]:
        obj = as_json(hit.session, None)
        for key in _UNBILLED:  # in place: two copies of 46 000 objects cost 0.15 s
            del obj[key]
        obj["matches"] = {k: [list(span) for span in v] for k, v in hit.marks.items()}
        return obj

    # Each hit's session is decoded as it is written: all of five years' hits never stand in memory.
    if fmt is Format.TABLE:
        hits = list(found.hits)
        print_hits([row(hit) for hit in hits], hits)
    elif fmt is Format.JSON:
        emit(fmt, (), COLUMNS, json_rows=map(data, found.hits))
    else:
        emit(fmt, map(row, found.hits), COLUMNS, profile=profile or c.ledger.settings.csv_profile)
    if found.back_to is not None:
        say(
            f"the newest {len(found.hits)} match(es) shown, searched back to {found.back_to} "
            f"({found.searched} session(s)); --limit 0 searches all of {found.period.label}"
        )
    else:
        cut = len(found.hits) < found.total
        more = f"; the newest {len(found.hits)} shown (--limit 0 shows all)" if cut else ""
        say(
            _("{total} of {searched} session(s) match ({period})").format(
                total=found.total, searched=found.searched, period=found.period.label
            )
            + more
        )
    finish_incomplete(found.skipped)


def print_hits(rows: Sequence[Mapping[str, object]], hits: Sequence[Hit]) -> None:
    """The hits as a table with the found words highlighted (Text.stylize, never markup).

    Columns no hit fills are left out. On a terminal narrower than WIDE, the note's cell
    also carries machine, contact, ticket and tags on a second line, so the note keeps its
    room instead of every column being squeezed to a few letters.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from sessionlog.cli.terminal import console

    out = console(sys.stdout)
    narrow = out.width < WIDE
    inner = ("machine", "contact", "ticket", "tags")
    keep = [
        c
        for c in COLUMNS
        if c.key in ("id", "date", "customer", "note")
        or (not narrow and (c.key in ("duration", "supporter") or any(row.get(c.key) for row in rows)))
    ]
    table = Table(box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD)
    for c in keep:
        table.add_column(
            Text(c.header),
            justify="right" if c.align_right else "left",
            no_wrap=c.key in ("id", "date", "duration"),
            max_width=None if c.key == "note" else 24,
        )

    def marked(text: str, spans: Sequence[tuple[int, int]]) -> Text:
        cell = Text(text)
        for start, end in spans:
            cell.stylize(HIGHLIGHT, start, end)
        return cell

    for row, hit in zip(rows, hits, strict=True):
        cells = []
        for c in keep:
            cell = marked(cell_text(row.get(c.key), c.kind, None), hit.marks.get(c.key, ()))
            if narrow and c.key == "note":
                extra = [marked(hit.texts[k], hit.marks.get(k, ())) for k in inner if hit.texts[k]]
                if extra:
                    cell.append("\n" if cell.plain else "")
                    for n, part in enumerate(extra):
                        cell.append(" · " if n else "", style="dim")
                        cell.append_text(part)
            cells.append(cell)
        table.add_row(*cells)
    out.print(table)

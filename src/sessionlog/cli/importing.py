"""`import KIND FILE`: sessions from remote-tool logs, CSV files, RDP logons, Watson and Timewarrior."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sessionlog.cli.common import FormatOpt, Profile, app_context
from sessionlog.cli.env import say, warn
from sessionlog.cli.listing import as_json, billing_text
from sessionlog.cli.output import emit
from sessionlog.importers import UNITS, ImportKind
from sessionlog.model import Session
from sessionlog.render import Column, Format

if TYPE_CHECKING:
    from sessionlog.app.importing import ImportResult, ProgressFn

# Below this many lines an import is over before a progress bar could mean anything.
PROGRESS_FROM = 20_000
PROGRESS_FILES_FROM = 200  # month files to write

COLUMNS = (
    Column("customer", "Kunde"),
    Column("date", "Datum", kind="date"),
    Column("start", "Beginn", kind="time"),
    Column("end", "Ende", kind="time"),
    Column("duration", "Dauer", kind="duration"),
    Column("supporter", "Techniker"),
    Column("contact", "Ansprechpartner"),
    Column("machine", "Gerät"),
    Column("billing", "Abrechnung", kind="word"),
    Column("lines", "Zeilen", title="log lines"),
)


def register(app: typer.Typer) -> None:
    app.command("import")(import_log)


def import_log(
    ctx: typer.Context,
    kind: Annotated[
        ImportKind,
        typer.Argument(
            metavar="KIND",
            help="What wrote the file: teamviewer, teamviewer-api, anydesk, csv, rdp, watson, timewarrior.",
        ),
    ],
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="The log: Connections.txt, a CSV export, Watson's frames, Timewarrior's data folder …"
        ),
    ],
    customer: Annotated[
        str | None,
        typer.Option("--customer", "-c", metavar="KEY", help="The customer for connections that map to none."),
    ] = None,
    supporter: Annotated[
        str | None, typer.Option("--supporter", metavar="NAME", help="Who worked (default: by [import.supporters]).")
    ] = None,
    source_tz: Annotated[
        str | None,
        typer.Option(
            "--source-tz", metavar="ZONE", help="The zone the file's times are in (default UTC; csv: the ledger's)."
        ),
    ] = None,
    merge_gap: Annotated[
        str | None,
        typer.Option(
            "--merge-gap", metavar="DURATION", help="Merge connections to one partner at most this far apart, e.g. 2m."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be imported; write nothing.")] = False,
    map_name: Annotated[
        str | None,
        typer.Option("--map-name", metavar="NAME", help="csv: a column map: sessionlog, kimai or [import.csv.NAME]."),
    ] = None,
    map_fields: Annotated[
        list[str] | None,
        typer.Option("--map", metavar="FIELD=COLUMN", help='csv: which column holds a field, e.g. start="Start time".'),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option("--date-format", metavar="FORMAT", help="csv: how the file writes dates, e.g. %m/%d/%Y %I:%M %p."),
    ] = None,
    map_project: Annotated[
        list[str] | None,
        typer.Option(
            "--map-project", metavar="NAME=KEY", help="A project, tag or name in the file that means this customer."
        ),
    ] = None,
    users: Annotated[
        list[str] | None,
        typer.Option("--user", metavar="ACCOUNT", help="Only what this account of the tool did (rdp: DOMAIN\\name)."),
    ] = None,
    fmt: FormatOpt = Format.TABLE,
    profile: Profile = None,
) -> None:
    """Import sessions from a remote-support log, a CSV file, RDP logons, Watson or Timewarrior.

    Example: sessionlog import teamviewer Connections.txt --merge-gap 2m --dry-run
    """
    # Imported here: the import workflow and its parsers are not loaded for other commands.
    from sessionlog.app.importing import ImportOptions, import_file

    c = app_context(ctx)
    options = ImportOptions(
        customer,
        supporter,
        source_tz,
        merge_gap,
        dry_run,
        map_name=map_name,
        map_fields=tuple(map_fields or ()),
        date_format=date_format,
        map_project=tuple(map_project or ()),
        users=tuple(users or ()),
    )
    with _progress() as progress, _no_gc():
        result = import_file(c, kind, file, options, progress)
    for p in result.skipped:
        say(str(p))
    warn(result.warnings)
    _unmapped(result)
    if dry_run:
        # Only the rows the format shows: building 100 000 of the other kind too cost a second.
        if fmt is Format.JSON:
            rows = [
                {**_json(p.session), "lines": list(p.lines), **({"file": p.file} if p.file else {})}
                for p in result.planned
            ]
        else:
            rows = [_row(p.session, p.lines, c.tz, p.file) for p in result.planned]
        emit(fmt, rows, COLUMNS, profile=profile or c.ledger.settings.csv_profile)
    say(_summary(result))
    if result.unfinished:
        say(
            f"{result.unfinished} session(s) have a start but no end (the {_source(result)} has none): "
            "`sessionlog list` shows them as unfinished; give each its duration with "
            "sessionlog edit ID --duration 25m"
        )
    if not result.complete:
        raise typer.Exit(1)


def _source(result: ImportResult) -> str:
    return "log" if UNITS[result.kind] == "connection" else "file"


def _row(s: Session, lines: tuple[int, ...], tz: tzinfo, file: str = "") -> dict[str, object]:
    start = s.start.astimezone(tz)
    return {
        "customer": s.customer,
        "date": start,
        "start": start,
        "end": s.end.astimezone(tz) if s.end else None,
        "duration": None if s.end is None else s.net_duration(),
        "supporter": s.supporter,
        "contact": s.contact,
        "machine": s.machine,
        "billing": billing_text(s),
        "lines": f"{Path(file).name}:{_lines(lines)}" if file else _lines(lines),
    }


# A candidate has no id, invoice or billed figures yet: `list`'s JSON object without them.
_NOT_YET = frozenset({"id", "invoice", "billed_minutes", "amount", "currency"})


def _json(s: Session) -> dict[str, object]:
    return {k: v for k, v in as_json(s, None).items() if k not in _NOT_YET}


def _lines(lines: tuple[int, ...] | list[int], most: int = 5) -> str:
    shown = ", ".join(map(str, lines[:most]))
    return f"{shown}, … ({len(lines)} in all)" if len(lines) > most else shown


def _unmapped(result: ImportResult) -> None:
    unit = UNITS[result.kind]
    for u in result.unmapped:
        names = f"; {', '.join(repr(n) for n in u.names[:3])}" if u.names and u.names[0] != u.partner else ""
        if any(u.files):
            places = [f"{Path(f).name}:{n}" for f, n in zip(u.files, u.lines, strict=True)]
            where = ", ".join(places[:5]) + (f", … ({len(places)} in all)" if len(places) > 5 else "")
        else:
            where = f"line {u.lines[0]}" if u.count == 1 else f"lines {_lines(u.lines)}"
        say(f"unmapped: {u.partner} ({u.count} {unit}(s), {where}{names}): {u.reason}")
        say(f"  {u.hint}")
    if result.unmapped:
        say(
            "  (--remote-id and --alias replace the customer's list: repeat the ones it has; "
            f"or give every unmapped {unit} to one customer with --customer KEY)"
        )


def _summary(r: ImportResult) -> str:
    verb = "dry run: would add" if r.dry_run else "imported"
    unit = UNITS[r.kind]
    parts = [f"{verb} {len(r.planned)} session(s) from {r.connections} {unit}(s) into {r.files} month file(s)"]
    if r.merged:
        parts.append(f"{r.merged} {unit}(s) merged into another")
    if r.duplicates:
        parts.append(f"{r.duplicates} already in the ledger or repeated")
    parts += [f"{n} {what} ignored" for what, n in sorted(r.ignored.items())]
    if r.skipped:
        parts.append(f"{len(r.skipped)} skipped")
    if r.unmapped:
        parts.append(f"{sum(u.count for u in r.unmapped)} unmapped")
    text = "; ".join(parts)
    return f"{text}; nothing written" if r.dry_run else text


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cycle collection while an import builds 100 000 records that hold no cycles: the
    collector would walk them again and again (a fifth of the time of a large import).

    Afterwards what was built is frozen (gc.freeze: reference counts still free it), so that
    the collections while a dry run's rows are made do not walk it all again either.
    """
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()


@contextmanager
def _progress() -> Iterator[ProgressFn | None]:
    """A progress bar on stderr for large files, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, TaskID

    bar = Progress(console=Console(stderr=True), transient=True)
    tasks: dict[str, TaskID] = {}

    def update(stage: str, done: int, total: int) -> None:
        if not tasks:
            if total < (PROGRESS_FROM if stage == "reading" else PROGRESS_FILES_FROM):
                return  # over before a bar could mean anything
            bar.start()
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    try:
        yield update
    finally:
        if tasks:
            bar.stop()

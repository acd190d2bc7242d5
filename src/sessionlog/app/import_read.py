"""What `import KIND FILE` reads: the file (or Timewarrior's data folder) decoded and parsed,
and the options that belong to one kind checked against the kind given."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from sessionlog.app import customers
from sessionlog.app.context import Context
from sessionlog.i18n import _
from sessionlog.importers import UNITS, ImportKind, parser
from sessionlog.importers.base import Parsed, Progress, decode
from sessionlog.model import Kind, SessionlogError
from sessionlog.store.files import read_bytes

if TYPE_CHECKING:
    from sessionlog.app.importing import ImportOptions

# Kinds whose files name the customer in words --map-project can map (a project, a tag, a
# customer column, a computer).
NAMED_KINDS = frozenset({ImportKind.CSV, ImportKind.RDP, ImportKind.WATSON, ImportKind.TIMEWARRIOR})
# Kinds whose files say which account of the tool worked (--user).
USER_KINDS = frozenset({ImportKind.TEAMVIEWER, ImportKind.TEAMVIEWER_API, ImportKind.CSV, ImportKind.RDP})


def check(kind: ImportKind, options: ImportOptions) -> None:
    """Options given for another kind are a usage error, not silently ignored."""
    if kind is not ImportKind.CSV and (options.map_name or options.map_fields or options.date_format):
        raise SessionlogError(_("--map, --map-name and --date-format are for import csv"), Kind.USAGE)
    if kind not in NAMED_KINDS and options.map_project:
        raise SessionlogError(
            _("--map-project is for import {names}").format(names=", ".join(sorted(NAMED_KINDS))), Kind.USAGE
        )
    if kind not in USER_KINDS and options.users:
        raise SessionlogError(
            _("--user is for import {names}: {kind}'s files name no user").format(
                names=", ".join(sorted(USER_KINDS)), kind=kind
            ),
            Kind.USAGE,
        )


def pairs(given: tuple[str, ...], option: str, example: str) -> list[tuple[str, str]]:
    """NAME=VALUE option values as pairs."""
    out = []
    for text in given:
        name, eq, value = text.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise SessionlogError(
                _("{option} {text!r}: expected {example}").format(option=option, text=text, example=example), Kind.USAGE
            )
        out.append((name.strip(), value.strip()))
    return out


def project_map(ctx: Context, options: ImportOptions) -> dict[str, str]:
    """--map-project NAME=KEY as name -> the key of an existing customer."""
    out: dict[str, str] = {}
    for name, key in pairs(options.map_project, "--map-project", "NAME=CUSTOMER, e.g. --map-project acme-web=acme"):
        try:
            out[name] = customers.resolve(ctx.ledger, key, create=False)[0]
        except SessionlogError as exc:
            raise SessionlogError(
                _("--map-project {name}={key}: {message}").format(name=name, key=key, message=exc.problem.message),
                exc.problem.kind,
            ) from None
    return out


def zone(name: str, what: str) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SessionlogError(
            _("{what}: unknown time zone {name!r} (use an IANA name like Europe/Berlin)").format(what=what, name=name)
        ) from None


def read(
    ctx: Context,
    kind: ImportKind,
    path: Path,
    options: ImportOptions,
    source_tz: tzinfo | None,
    progress: Progress | None,
) -> Parsed:
    """The candidates in `path` as the parser of `kind` reads them; `source_tz` None is each
    kind's own default (UTC for logs, the ledger's zone for CSV files)."""
    if kind is ImportKind.CSV:
        parsed = _csv(ctx, path, options, source_tz, progress)
    elif kind is ImportKind.TIMEWARRIOR:
        parsed = _timewarrior(path, source_tz or UTC, progress)
    else:
        parsed = parser(kind)(decode(read_bytes(path)), source_tz or UTC, progress)
    return _only_users(parsed, options.users, kind)


def _csv(
    ctx: Context, path: Path, options: ImportOptions, source_tz: tzinfo | None, progress: Progress | None
) -> Parsed:
    from sessionlog.importers import csvfile, csvmap

    given = pairs(options.map_fields, "--map", 'FIELD=COLUMN, e.g. --map start="Start time"')
    if options.date_format:
        given.append(("date_format", options.date_format))
    ledger_maps = {name: dict(keys) for name, keys in ctx.ledger.settings.importing.csv_maps}
    cmap = csvmap.combine(options.map_name, ledger_maps, given)
    tz = source_tz or (zone(cmap.source_tz, f"source_tz of the map {cmap.name}") if cmap.source_tz else ctx.tz)
    text = decode(read_bytes(path))
    try:
        return csvfile.parse(text, cmap, tz, progress)
    except SessionlogError as exc:
        p = exc.problem
        raise SessionlogError(
            p.message, p.kind, path=str(path), hint=_("the column map is {value}").format(value=cmap.name or "--map")
        ) from None


def _timewarrior(path: Path, tz: tzinfo, progress: Progress | None) -> Parsed:
    """Every month file of the data folder, each candidate and problem with its file."""
    from sessionlog.store.importfiles import timewarrior_files

    files = timewarrior_files(path)
    texts = [decode(read_bytes(f)) for f in files]
    total = sum(t.count("\n") + 1 for t in texts)
    parse = parser(ImportKind.TIMEWARRIOR)
    out = Parsed()
    done = 0
    for f, text in zip(files, texts, strict=True):
        shown = str(f)
        found = parse(text, tz, _shifted(progress, done, total))
        done += text.count("\n") + 1
        out.candidates += [c._replace(file=shown) for c in found.candidates] if files != [path] else found.candidates
        out.problems += [replace(p, path=shown) for p in found.problems]
        for what, n in found.ignored.items():
            out.ignored[what] = out.ignored.get(what, 0) + n
    return out


def _shifted(progress: Progress | None, offset: int, total: int) -> Progress | None:
    """Progress through one file as progress through all of them."""
    if progress is None:
        return None
    return lambda done, _of: progress(offset + done, total)


def _only_users(parsed: Parsed, users: tuple[str, ...], kind: ImportKind) -> Parsed:
    """With --user: only what those accounts did (DOMAIN\\name or name alone)."""
    wanted = {u.strip().casefold() for u in users if u.strip()}
    if not wanted:
        return parsed
    kept = []
    for c in parsed.candidates:
        user = c.tool_user.casefold()
        if user in wanted or user.rpartition("\\")[2] in wanted:
            kept.append(c)
        else:
            parsed.ignore(f"{UNITS[kind]}(s) of other users")
    parsed.candidates = kept
    return parsed

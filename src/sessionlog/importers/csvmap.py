"""Column maps: which column of a CSV file holds which field of a session.

A map is a table of keys. A *field* names its column, or a list of columns of which the
first the file has is used (so one map reads a file with English or German headers);
headers compare without case and surrounding spaces. An *option* says how to read values.

    [import.csv.rustdesk]          # in sessionlog.toml
    start = "Start time"
    end = "End time"
    customer = "Remote ID"
    id = "Session ID"
    date_format = "%Y-%m-%d %H:%M:%S"

Two maps are built in: `sessionlog` (what `sessionlog list --format csv` writes, in either
profile) and `kimai` (a Kimai timesheet export). A map of the same name in sessionlog.toml
replaces a built-in one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from sessionlog.i18n import _
from sessionlog.importers.csvtime import UNITS
from sessionlog.model import Kind, SessionlogError, close_keys

FIELDS = (
    "id", "date", "start", "end", "duration", "customer", "supporter", "contact", "machine",
    "channel", "note", "billable", "free_reason", "tags", "ticket",
)  # fmt: skip
OPTIONS = (
    "date_format", "source_tz", "delimiter", "duration_unit", "free_reason_default",
    "tag_columns", "keep_ids",
)  # fmt: skip
_DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "\\t": "\t", "|": "|"}

Value = str | tuple[str, ...]

BUILT_IN: dict[str, dict[str, Value]] = {
    # `sessionlog list --format csv`: English headers (en) or German ones (de); amounts and
    # billed minutes are figures of the ledger that wrote them and are not read.
    "sessionlog": {
        "id": "id",
        "customer": ("customer", "Kunde"),
        "date": ("date", "Datum"),
        "start": ("start", "Beginn"),
        "end": ("end", "Ende"),
        "duration": ("duration", "Dauer"),
        "supporter": ("supporter", "Techniker"),
        "contact": ("contact", "Ansprechpartner"),
        "machine": ("machine", "Gerät"),
        "channel": ("channel", "Kanal"),
        "note": ("note", "Notiz"),
        "billable": ("billing", "Abrechnung"),
        "keep_ids": "true",
    },
    # A Kimai timesheet export: Date, From, To, Duration, User, Customer, Project, Activity,
    # Description, Billable, Tags (English, or Kimai's German headers, or Begin/End as Kimai 2
    # names From/To). Project and activity become tags; a decimal duration is hours.
    "kimai": {
        "date": ("Date", "Datum"),
        "start": ("From", "Begin", "Von", "Beginn"),
        "end": ("To", "End", "Bis", "Ende"),
        "duration": ("Duration", "Dauer"),
        "supporter": ("User", "Benutzer", "Username", "Name"),
        "customer": ("Customer", "Kunde"),
        "note": ("Description", "Beschreibung"),
        "billable": ("Billable", "Abrechenbar"),
        "tags": ("Tags", "Schlagworte"),
        "tag_columns": ("Project", "Projekt", "Activity", "Tätigkeit"),
        "duration_unit": "hours",
    },
}
# Built-in maps read whatever of their columns a file has: Kimai's templates leave some out.
_REQUIRED_IN_BUILT_IN = frozenset({"date", "start"})


@dataclass(frozen=True)
class ColumnMap:
    name: str  # "" for a map given only with --map
    columns: Mapping[str, tuple[str, ...]]  # field -> the column names to try, in order
    optional: frozenset[str] = frozenset()  # fields whose column a file may lack
    date_format: str | None = None
    source_tz: str | None = None
    delimiter: str | None = None  # None: sniffed from the header line
    duration_unit: str = "minutes"  # what a bare number in the duration column counts
    free_reason_default: str = "internal"  # for a row that is not billable and gives no reason
    tag_columns: tuple[str, ...] = ()  # columns whose values become tags too
    keep_ids: bool = False  # ids are sessionlog ids: keep them (source sessionlog:ID)
    given: tuple[str, ...] = field(default=(), compare=False)  # keys as given, for messages

    @property
    def prefix(self) -> str:
        """What the `source` of a row starts with."""
        return "sessionlog" if self.keep_ids else (self.name or "csv")


def _value(key: str, value: object, where: str) -> Value:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise SessionlogError(
        _('{where}: {key} must be a column name or a list of them, like "Start time"').format(where=where, key=key),
        Kind.INPUT,
    )


def _text(key: str, value: Value, where: str) -> str:
    if isinstance(value, tuple):
        raise SessionlogError(_("{where}: {key} is one value, not a list").format(where=where, key=key), Kind.INPUT)
    return value


def build(name: str, keys: Iterable[tuple[str, object]], where: str, *, built_in: bool = False) -> ColumnMap:
    """The map that `keys` describe; SessionlogError naming `where` for a wrong key or value."""
    raw: dict[str, Value] = {}
    for key, value in keys:
        k = key.strip().lower()
        if k not in FIELDS and k not in OPTIONS:
            near = close_keys(k, [*FIELDS, *OPTIONS])
            hint = _("; did you mean {near}?").format(near=near[0]) if near else ""
            raise SessionlogError(
                _("{where}: unknown key {key!r}{hint} (fields: {names}; options: {names2})").format(
                    where=where, key=key, hint=hint, names=", ".join(FIELDS), names2=", ".join(OPTIONS)
                ),
                Kind.INPUT,
            )
        raw[k] = _value(k, value, where)
    columns = {k: (v,) if isinstance(v, str) else v for k, v in raw.items() if k in FIELDS}
    if "start" not in columns and "date" not in columns:
        raise SessionlogError(
            _('{where}: the map names no start column (start = "…" or date = "…")').format(where=where), Kind.INPUT
        )
    options = {k: v for k, v in raw.items() if k in OPTIONS}
    unit = _text("duration_unit", options.get("duration_unit", "minutes"), where).lower()
    unit = {"h": "hours", "m": "minutes", "min": "minutes", "s": "seconds"}.get(unit, unit)
    if unit not in UNITS:
        raise SessionlogError(
            _("{where}: duration_unit is hours, minutes or seconds, not {unit!r}").format(where=where, unit=unit),
            Kind.INPUT,
        )
    delimiter = None
    if "delimiter" in options:
        given = _text("delimiter", options["delimiter"], where)
        if given.lower() not in _DELIMITERS:
            raise SessionlogError(
                _("{where}: delimiter is one of , ; tab |, not {given!r}").format(where=where, given=given), Kind.INPUT
            )
        delimiter = _DELIMITERS[given.lower()]
    date_format = _text("date_format", options["date_format"], where) if "date_format" in options else None
    if date_format is not None and "%" not in date_format:
        raise SessionlogError(
            _("{where}: date_format {date_format!r} has no % field, like %d/%m/%Y %H:%M").format(
                where=where, date_format=date_format
            ),
            Kind.INPUT,
        )
    keep = _text("keep_ids", options.get("keep_ids", "false"), where).lower()
    if keep not in ("true", "false"):
        raise SessionlogError(_("{where}: keep_ids is true or false").format(where=where), Kind.INPUT)
    tag_columns = options.get("tag_columns", ())
    return ColumnMap(
        name=name,
        columns=columns,
        optional=frozenset(columns) - _REQUIRED_IN_BUILT_IN if built_in else frozenset(),
        date_format=date_format,
        source_tz=_text("source_tz", options["source_tz"], where) if "source_tz" in options else None,
        delimiter=delimiter,
        duration_unit=unit,
        free_reason_default=_text("free_reason_default", options.get("free_reason_default", "internal"), where),
        tag_columns=(tag_columns,) if isinstance(tag_columns, str) else tag_columns,
        keep_ids=keep == "true",
        given=tuple(raw),
    )


def combine(
    name: str | None, ledger_maps: Mapping[str, Mapping[str, object]], given: Iterable[tuple[str, str]]
) -> ColumnMap:
    """The map to read with: `name` from the ledger or built in, with the --map keys over it."""
    extra = list(given)
    if name is None:
        if not extra:
            known = sorted({*BUILT_IN, *ledger_maps})
            raise SessionlogError(
                _(
                    "import csv needs a column map: --map-name NAME ({names}) or --map FIELD=COLUMN for each column, "
                    'e.g. --map start="Start time"'
                ).format(names=", ".join(known)),
                Kind.USAGE,
            )
        return build("", extra, "--map")
    key = name.strip().lower()
    if key in ledger_maps:
        base, where, built_in = dict(ledger_maps[key]), f"sessionlog.toml [import.csv.{key}]", False
    elif key in BUILT_IN:
        base, where, built_in = dict(BUILT_IN[key]), f"the built-in map {key}", True
    else:
        known = sorted({*BUILT_IN, *ledger_maps})
        raise SessionlogError(
            _(
                "--map-name: no column map {name!r} (maps: {names}; add your own as "
                "[import.csv.NAME] in sessionlog.toml)"
            ).format(name=name, names=", ".join(known)),
            Kind.INPUT,
        )
    for k, v in extra:
        base[k.strip().lower()] = v
    where = f"{where} with --map" if extra else where
    cmap = build(key, base.items(), where, built_in=built_in)
    if built_in and extra:
        # Columns the user names are meant to be there; the built-in map's own may be missing.
        named = {k.strip().lower() for k, _ in extra}
        cmap = replace(cmap, optional=cmap.optional - named)
    return cmap

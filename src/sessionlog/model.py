"""Domain records and pure helpers. Imports nothing from sessionlog."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

MAX_KEY_LENGTH = 64
# Years outside this range are typos, and the limits keep date arithmetic (next month, UTC
# conversion) far away from datetime.min/max.
MIN_YEAR = 1900
MAX_YEAR = 2999
# Sessions longer than this are almost always a forgotten timer.
MAX_SESSION = timedelta(hours=24)

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}
_KEY_CHARS = re.compile(r"^[\w.-]+$")
_E = TypeVar("_E", bound=StrEnum)


# --- choices: each rule's values live here once; option parsing and file reading use them ---


class Rounding(StrEnum):
    UP = "up"
    NEAREST = "nearest"
    DOWN = "down"


class Channel(StrEnum):
    REMOTE = "remote"
    PHONE = "phone"
    ONSITE = "onsite"


class Format(StrEnum):
    """How a command writes its rows: a table for people, CSV or JSON for programs."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class CsvProfileName(StrEnum):
    DE = "de"
    EN = "en"


ROUNDING_MODES = tuple(Rounding)
CHANNELS = tuple(Channel)
CSV_PROFILES = tuple(CsvProfileName)


def choice(kind: type[_E], value: object, name: str) -> _E:
    """`value` as a member of the enum `kind`; SessionlogError naming `name` and the choices."""
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass
    raise SessionlogError(f"{name} must be one of {', '.join(kind)}, not {value!r}")


def parse_decimal(value: object, name: str) -> Decimal:
    """A finite decimal from user or file input: 95, "95.00" or "95,00"; never a float."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise SessionlogError(f'{name} must be a decimal number in quotes, like "95.00"')
    try:
        d = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise SessionlogError(f"{name} {value!r} is not a number") from None
    if not d.is_finite():
        raise SessionlogError(f"{name} {value!r} is not a number")
    return d


@dataclass(frozen=True)
class Bound:
    """The values a number may take: between `low` and `high`, with at most `places` decimals."""

    low: Decimal
    high: Decimal
    places: int  # 0: a whole number
    unit: str = ""

    def check(self, value: object, name: str) -> None:
        whole = self.places == 0
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or not Decimal(value).is_finite():
            raise SessionlogError(f"{name} must be a {'whole' if whole else 'decimal'} number, not {value!r}")
        number = Decimal(value)
        unit = f" {self.unit}" if self.unit else ""
        if not self.low <= number <= self.high:
            raise SessionlogError(f"{name} must be from {self.low} to {self.high}{unit}, not {_plain(number)}")
        if number != number.quantize(Decimal(1).scaleb(-self.places)):
            what = "a whole number" if whole else f"at most {self.places} decimal places"
            raise SessionlogError(f"{name} must be {what}, not {_plain(number)}")


def _plain(number: Decimal) -> str:
    return format(number, "f") if abs(number.adjusted()) < 30 else str(number)


# Every number a user gives, bounded: a typo must not bill 10^24 EUR or crash every invoice.
BOUNDS = {
    "rate": Bound(Decimal(0), Decimal(10000), 2, "per hour"),
    "after_hours_factor": Bound(Decimal(0), Decimal(10), 4),
    "increment": Bound(Decimal(1), Decimal(1440), 0, "minutes"),
    "minimum": Bound(Decimal(0), Decimal(1440), 0, "minutes"),
    "included_minutes": Bound(Decimal(0), Decimal(44640), 0, "minutes"),
    "invoice_first": Bound(Decimal(1), Decimal(10**9), 0),
    "stale_after_hours": Bound(Decimal(1), Decimal(24 * 31), 0, "hours"),
}


# --- problems: typed, so code decides by kind and never by a message's text -----------------


class Kind(StrEnum):
    """What a problem is about."""

    INPUT = "input"  # a value the user gave is not acceptable
    USAGE = "usage"  # options that contradict each other or are missing (exit 2)
    BROKEN_FILE = "broken-file"  # a file that does not parse, or is not UTF-8 text
    INVALID = "invalid"  # a record, customer or setting with a wrong field
    MISFILED = "misfiled"  # a record in a file where it does not belong
    DUPLICATE = "duplicate"  # an id used more than once
    OVERLAP = "overlap"  # sessions of one supporter at the same time
    LOCKED = "locked"  # an invoiced record, changed without --force
    NOT_FOUND = "not-found"
    AMBIGUOUS = "ambiguous"  # an id prefix or a name that fits several
    EXISTS = "exists"
    CONFLICT = "conflict"  # changed by someone else since it was read
    BUSY = "busy"  # another process holds the ledger lock
    UNSAFE_WRITE = "unsafe-write"  # a rewrite that could not be proven right
    RUNNING = "running"  # a running timer in the way, or still running
    LATE = "late"  # a session after its month was invoiced
    STALE = "stale"  # a timer running for too long
    ZERO_RATE = "zero-rate"  # billable work at a rate of 0.00
    CORRECTED = "corrected"  # a session of an issued invoice changed afterwards
    UNFINISHED = "unfinished"  # an imported session with a start but no end yet
    MERGE_CONFLICT = "merge-conflict"  # a record both sides of a merge changed: a person decides


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong: its kind, where (file and line, when a file is the cause) and what.

    `hint` says how to fix it. Loading returns these as data instead of raising.
    """

    kind: Kind
    message: str
    path: str | None = None
    line: int | None = None
    severity: Severity = Severity.ERROR
    hint: str = ""

    @property
    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.path is not None else self.message
        return f"{text} ({self.hint})" if self.hint else text


class SessionlogError(Exception):
    """A problem that stops a workflow; the CLI prints it as one line and exits non-zero."""

    def __init__(
        self,
        message: str | Problem,
        kind: Kind = Kind.INPUT,
        *,
        path: object | None = None,
        line: int | None = None,
        hint: str = "",
    ) -> None:
        if isinstance(message, Problem):
            self.problem = message
        else:
            where = None if path is None else str(path)
            self.problem = Problem(kind, message, where, line, hint=hint)
        super().__init__(str(self.problem))

    @property
    def kind(self) -> Kind:
        return self.problem.kind


@dataclass(frozen=True)
class Origin:
    """Where a record was read from, for `file:line` messages."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def fixed(moment: datetime) -> datetime:
    """The same instant with a fixed UTC offset.

    Python subtracts two datetimes that share a ZoneInfo as wall-clock times, which is
    wrong across a DST change; with fixed offsets arithmetic is always exact.
    """
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a datetime without UTC offset")
    zone = _FIXED.get(offset)
    if zone is None:
        zone = _FIXED[offset] = timezone(offset)
    out = moment.astimezone(zone)
    return out.replace(microsecond=0) if out.microsecond else out


# One zone object per offset: an import makes 200 000 fixed times of the same two.
_FIXED: dict[timedelta, timezone] = {}


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", fixed(self.start))
        if self.end is not None:
            object.__setattr__(self, "end", fixed(self.end))


@dataclass(frozen=True)
class Billed:
    """Figures frozen into a record when its month is finalized."""

    billed_minutes: int
    included_minutes: int
    charged_minutes: int
    rate: Decimal
    amount: Decimal
    currency: str
    date: date | None = None  # the day the invoice was issued; absent in records finalized before it was kept


@dataclass(frozen=True)
class Session:
    id: str
    customer: str
    start: datetime
    end: datetime | None = None
    pauses: tuple[Pause, ...] = ()
    supporter: str = ""
    contact: str | None = None
    machine: str | None = None
    channel: str = "remote"
    note: str = ""
    billable: bool = True
    free_reason: str | None = None
    tags: tuple[str, ...] = ()
    ticket: str | None = None
    invoice: str | None = None
    source: str | None = None
    billed: Billed | None = None
    # A start without an end (an AnyDesk log has no end times) waiting for its duration;
    # it is filed in its month, not running, and not billed until it has an end.
    unfinished: bool = False
    origin: Origin | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", fixed(self.start))
        if self.end is not None:
            object.__setattr__(self, "end", fixed(self.end))

    @property
    def running(self) -> bool:
        return self.end is None and not self.unfinished

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    def net_duration(self, until: datetime | None = None) -> timedelta:
        """Worked time, pauses excluded; `until` closes a running session or pause."""
        end = self.end or until
        if end is None:
            raise ValueError("a running session needs `until`")
        total = end - self.start
        for p in self.pauses:
            total -= (p.end or end) - p.start
        return total

    def evolve(self, **changes: Any) -> Session:
        return replace(self, **changes)

    @classmethod
    def built(
        cls,
        id: str,
        customer: str,
        start: datetime,
        end: datetime | None = None,
        *,
        supporter: str = "",
        contact: str | None = None,
        machine: str | None = None,
        channel: str = "remote",
        note: str = "",
        billable: bool = True,
        free_reason: str | None = None,
        tags: tuple[str, ...] = (),
        ticket: str | None = None,
        source: str | None = None,
        unfinished: bool = False,
    ) -> Session:
        """Session(...) of a new record without pauses, for an import that makes 100 000: the
        same object without the frozen dataclass's `__setattr__` per field (2.5 -> 1.3 µs)."""
        # A copy of a blank session's attributes: it shares their keys with every session, as
        # the attributes __init__ sets do (288 bytes instead of the 464 of a dict of its own).
        d = _blank().copy()
        d["id"] = id
        d["customer"] = customer
        d["start"] = fixed(start)
        d["end"] = None if end is None else fixed(end)
        d["supporter"] = supporter
        d["contact"] = contact
        d["machine"] = machine
        d["channel"] = channel
        d["note"] = note
        d["billable"] = billable
        d["free_reason"] = free_reason
        d["tags"] = tags
        d["ticket"] = ticket
        d["source"] = source
        d["unfinished"] = unfinished
        s = object.__new__(cls)
        object.__setattr__(s, "__dict__", d)
        return s


@dataclass(frozen=True)
class IssuedInvoice:
    """An invoice as finalize issued it: what it printed, frozen for good."""

    number: str
    month: str  # 'YYYY-MM', the month it bills
    customer: str
    customer_name: str
    issued: datetime
    sessions: tuple[Session, ...]  # each as billed: with `invoice` and `billed` set
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Correction:
    """A forced change to a session of an issued invoice, kept beside the invoice."""

    invoice: str
    session: str
    at: datetime
    change: str
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Customer:
    key: str
    name: str = ""
    rate: Decimal | None = None
    increment: int | None = None
    rounding: Rounding | None = None
    minimum: int | None = None
    included_minutes: int | None = None
    after_hours_factor: Decimal | None = None
    currency: str | None = None
    remote_ids: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    machines: tuple[str, ...] = ()
    address: str | None = None  # postal address for statements, lines separated by newlines
    customer_number: str | None = None
    origin: Origin | None = field(default=None, compare=False)

    @property
    def display_name(self) -> str:
        return self.name or self.key


@dataclass(frozen=True)
class BusinessHours:
    days: frozenset[int] = frozenset(range(5))  # Monday = 0
    start: time = time(8, 0)
    end: time = time(18, 0)


@dataclass(frozen=True)
class Company:
    """The shop's letterhead for statements ([company] in sessionlog.toml); every field optional."""

    name: str = ""
    address: str = ""  # lines separated by newlines
    phone: str = ""
    email: str = ""
    website: str = ""
    vat_id: str = ""
    tax_number: str = ""
    bank: str = ""
    iban: str = ""
    bic: str = ""
    logo: str = ""  # an image file, relative to the ledger folder
    small_business_note: str = ""  # replaces the default small-business VAT note


@dataclass(frozen=True)
class ImportSettings:
    """`[import]` in sessionlog.toml: how imported connections become sessions."""

    merge_gap: timedelta = timedelta(0)
    supporters: tuple[tuple[str, str], ...] = ()  # (user name in a tool's log, supporter)
    billing_states: tuple[tuple[str, str], ...] = ()  # (billing_state, "billable" or a free reason)
    # [import.csv.NAME] column maps, as written: (name, ((key, column or columns), ...));
    # `import csv` checks their keys, so a typo in one map breaks no other command.
    csv_maps: tuple[tuple[str, tuple[tuple[str, str | tuple[str, ...]], ...]], ...] = ()


@dataclass(frozen=True)
class Settings:
    timezone: str | None = None  # None: the machine's zone
    currency: str = "EUR"
    rate: Decimal = Decimal("0")
    increment: int = 1
    rounding: Rounding = Rounding.UP
    minimum: int = 0
    included_minutes: int = 0
    after_hours_factor: Decimal = Decimal("1")
    business_hours: BusinessHours = BusinessHours()
    csv_profile: CsvProfileName | None = None  # None: the language's profile
    language: str | None = None  # None: the user's or the locale's
    invoice_pattern: str = "RE-{year}-{seq:04d}"
    invoice_first: int = 1
    stale_after_hours: int = 10  # a timer running longer was most likely forgotten
    vat_rate: Decimal | None = None  # percent; None: statements show no VAT
    small_business: bool = False  # no VAT charged by law; statements say so
    company: Company = Company()
    importing: ImportSettings = ImportSettings()


@functools.cache
def _blank() -> dict[str, Any]:
    """The attributes of a session with every field at its default (id, customer and start aside)."""
    return vars(Session("", "", datetime(2000, 1, 1, tzinfo=UTC)))


class Said(str):
    """A message in English that keeps its template and values apart, so that a layer that
    knows the reader's language can say it there (`i18n.said`); as a str it is the English."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Said:
        self = super().__new__(cls, template.format(**values))
        self.template = template
        self.values = values
        return self


def _usual_and_right(s: Session, force: bool) -> bool:
    """Whether a record without pauses passes every check below, found in a few tests (an
    import checks 100 000 records twice); False sends it through all of them."""
    start, end = s.start, s.end
    if end is None or s.pauses or s.unfinished or not s.supporter or s.channel not in CHANNELS:
        return False
    a, b = start.utcoffset(), end.utcoffset()
    return bool(
        a is not None
        and b is not None
        and not (a.seconds % 60 or a.microseconds or b.seconds % 60 or b.microseconds)
        and (not s.free_reason if s.billable else s.free_reason)
        and start < end
        and (force or end - start <= MAX_SESSION)
    )


def validate_session(s: Session, *, force: bool = False) -> list[Said]:
    """Everything wrong with a record, as messages; empty when it may be written."""
    if _usual_and_right(s, force):
        return []
    errors: list[Said] = []
    times = [("start", s.start), ("end", s.end)] + [("pauses", t) for p in s.pauses for t in (p.start, p.end)]
    for name, value in times:
        offset = value.utcoffset() if value is not None else timedelta(0)
        if offset is None:
            errors.append(Said("{name} has no UTC offset", name=name))
        elif offset.seconds % 60 or offset.microseconds:  # not whole minutes (a day is 1 440 of them)
            # Local mean time before a zone adopted standard time (Amsterdam until 1937: +00:19:32).
            errors.append(
                Said(
                    "{name} {time} has a UTC offset with seconds, which TOML cannot store",
                    name=name,
                    time=f"{value:%Y-%m-%d %H:%M}",
                )
            )
    if errors:
        return errors
    if s.end is not None and s.end <= s.start:
        errors.append(Said("end must be after start"))
    if s.unfinished and (s.end is not None or s.paused):
        errors.append(Said("an unfinished session has no end and no open pause; drop `unfinished` when it gets an end"))
    if s.channel not in CHANNELS:
        errors.append(
            Said("channel must be one of {channels}, not {value}", channels=", ".join(CHANNELS), value=repr(s.channel))
        )
    if not s.billable and not s.free_reason:
        errors.append(Said("a free session needs a reason (free_reason)"))
    if s.billable and s.free_reason:
        errors.append(Said("a billable session has no free_reason"))
    if not s.supporter:
        errors.append(Said("supporter is missing"))
    last = s.start
    for i, p in enumerate(s.pauses, 1):
        if p.start < last:
            errors.append(Said("pause {n} starts before the session or the previous pause", n=i))
        if p.end is None:
            if i != len(s.pauses) or s.end is not None:
                errors.append(Said("pause {n} has no end", n=i))
            last = p.start
            continue
        if p.end <= p.start:
            errors.append(Said("pause {n} must end after it starts", n=i))
        if s.end is not None and p.end > s.end:
            errors.append(Said("pause {n} ends after the session", n=i))
        last = p.end
    if not errors and s.end is not None:
        net = s.net_duration()
        if net <= timedelta(0):
            errors.append(Said("the session has no worked time left after its pauses"))
        elif net > MAX_SESSION and not force:
            errors.append(
                Said(
                    "the session lasts {duration}, over 24 hours (use --force if that is right)",
                    duration=format_duration(net),
                )
            )
    return errors


def check_customer_key(text: str) -> str:
    """The normalized customer key, or SessionlogError if it is unsafe as a folder name."""
    key = unicodedata.normalize("NFC", text.strip()).lower()
    if not key:
        raise SessionlogError(Said("customer key is empty"))
    if len(key) > MAX_KEY_LENGTH:
        raise SessionlogError(Said("customer key is longer than {n} characters", n=MAX_KEY_LENGTH))
    if any(unicodedata.category(c)[0] == "C" for c in key):
        raise SessionlogError(Said("customer key contains control characters"))
    if not _KEY_CHARS.match(key) or key.startswith(".") or key.endswith("."):
        raise SessionlogError(
            Said("customer key {key} must be letters, digits, '-', '_' or '.' (not at either end)", key=repr(text))
        )
    if key.split(".")[0] in _WINDOWS_RESERVED:
        raise SessionlogError(Said("customer key {key} is a reserved device name on Windows", key=repr(text)))
    return key


_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slug(text: str) -> str:
    """A portable file name stem for a person's name: 'Klaus Hörner' -> 'klaus-hoerner'.

    Accents are dropped, other scripts kept ('Иван Петров' -> 'иван-петров'); both are
    fine in file names on Linux and Windows.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    out = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", plain).lower()).strip("-")[:MAX_KEY_LENGTH]
    if not out:
        return "supporter"
    return f"{out}-" if out.split(".")[0] in _WINDOWS_RESERVED else out


def close_keys(key: str, known: list[str]) -> list[str]:
    """Known keys a typo away from `key`, closest first."""
    return [k for k in difflib.get_close_matches(key, known, n=3, cutoff=0.75) if k != key]


def clock(moment: datetime, tz: tzinfo) -> str:
    """'01.03.2024 10:22': a moment as people read it in messages."""
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def month_key(moment: datetime, tz: tzinfo) -> str:
    """The ledger month ('2024-03') a session starting at `moment` belongs to."""
    return moment.astimezone(tz).strftime("%Y-%m")


def format_duration(d: timedelta) -> str:
    """'1:02:03' style, hours not capped at 24."""
    total = int(d.total_seconds())
    sign = "-" if total < 0 else ""
    h, rest = divmod(abs(total), 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}"

"""What every importer shares: the candidate session, decoding a log's bytes, splitting lines.

Importers are pure: text in, candidates and problems (with line numbers) out. They read no
files, no ledger and no clock, so the workflow in `app.importing` decides everything else.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from sessionlog.model import Kind, Problem

# Called now and then with (lines read, lines in all), so a front end can show progress.
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 5000


class Candidate(NamedTuple):
    """One connection read from a log, before it is mapped to a customer and a supporter.

    Immutable like a frozen dataclass, but built four times faster: a log has 100 000 of them.
    """

    line: int  # where it is in the file, 1-based
    start: datetime  # aware
    end: datetime | None  # None: the log has no end time (the session is unfinished)
    source: str  # the key that makes re-importing it a no-op, e.g. "teamviewer:{guid}"
    partner_id: str = ""  # digits only; "" when the log has none
    partner_name: str = ""  # display name, device name or alias
    group_name: str = ""  # a group in the tool (TeamViewer API)
    tool_user: str = ""  # the user name the tool logged; "" when unknown
    supporter: str = ""  # a person's name the log gives for who worked (TeamViewer API username)
    contact: str | None = None
    machine: str | None = None
    channel: str = "remote"
    connection_type: str = ""  # RemoteControl, FileTransfer, … as the tool calls it
    note: str = ""
    billing_state: str | None = None  # raw, as the tool wrote it
    # Time trackers and CSV files say more (issue 10); the remote-tool logs leave these empty.
    customer_names: tuple[str, ...] = ()  # what the file calls the customer, tried in order (key, name, alias)
    tags: tuple[str, ...] = ()
    ticket: str | None = None
    billable: bool | None = None  # None: by billing_state and [import.billing_states]
    free_reason: str | None = None  # when billable is False
    record_id: str = ""  # the id to keep (a session from another ledger's export)
    file: str = ""  # the file it is in, when an import reads several

    @property
    def names(self) -> tuple[str, ...]:
        """The names that may match a customer's aliases, most specific first."""
        return tuple(n for n in (self.partner_name, self.group_name) if n)


@dataclass
class Parsed:
    """What an importer found: candidates, bad lines, and counts of rows that are no sessions."""

    candidates: list[Candidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # Kind.INVALID with the line; no path yet
    ignored: dict[str, int] = field(default_factory=dict)  # e.g. {"rejected connections": 3}

    def bad(self, line: int, message: str) -> None:
        self.problems.append(Problem(Kind.INVALID, message, line=line))

    def ignore(self, what: str) -> None:
        self.ignored[what] = self.ignored.get(what, 0) + 1


def decode(data: bytes) -> str:
    """A log's text: a BOM decides; else UTF-16 without BOM (NUL bytes), UTF-8, then cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    sample = data[:4096]
    if len(sample) >= 2 and sample.count(0) * 4 >= len(sample):
        # ASCII text in UTF-16 has a NUL in every other byte; which half says the byte order.
        odd = sample[1::2].count(0)
        return data.decode("utf-16-le" if odd >= sample[0::2].count(0) else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 reads them as control characters.
        return data.decode("latin-1")


def numbered_lines(text: str, progress: Progress | None = None) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) for each line that is not blank; CRLF or LF."""
    lines = text.split("\n")
    total = len(lines)
    for number, line in enumerate(lines, 1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number, total)
        if line.endswith("\r"):
            line = line[:-1]
        if line.strip():
            yield number, line
    if progress is not None:
        progress(total, total)


_NON_DIGITS = re.compile(r"\D")


def digits(text: str) -> str:
    """A remote ID as it is compared: digits only ('d565 955 529' -> '565955529')."""
    return _NON_DIGITS.sub("", text)


def utc_key(moment: datetime, *, seconds: bool = True) -> str:
    """A compact UTC time for a source key, e.g. 20240301T092200Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ" if seconds else "%Y%m%dT%H%MZ")

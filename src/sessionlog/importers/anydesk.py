"""AnyDesk's connection_trace.txt: one accepted or rejected connection per line.

    Incoming    2024-03-01, 09:22    Passwd    buero-pc@ad    565955529

Columns padded with spaces: direction, `YYYY-MM-DD, HH:MM` (UTC), authentication (User,
Passwd, Token or REJECTED), the remote alias and the remote ID; with no alias the ID
appears twice. The file has no end times, so every accepted connection becomes an
unfinished session that needs a duration.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from sessionlog.i18n import _
from sessionlog.importers.base import Candidate, Parsed, Progress, digits, numbered_lines, utc_key

_LINE = re.compile(r"\s*(\w+)\s+(\d{4})-(\d{1,2})-(\d{1,2}),?\s+(\d{1,2}):(\d{2})\s+(\S+)\s+(.*?)\s*")
# The alias (which may hold spaces) and the ID at the end, written plain or in groups of three.
_TAIL = re.compile(r"(?:(.*?)\s+)?(\d{1,3}(?: \d{3})+|\d+)")
LAYOUT = "direction, YYYY-MM-DD, HH:MM, authentication, alias, ID"


def parse(text: str, source_tz: tzinfo = UTC, progress: Progress | None = None) -> Parsed:
    """The connections in an AnyDesk trace; REJECTED rows are counted, not sessions."""
    out = Parsed()
    first = True
    for number, line in numbered_lines(text, progress):
        m = _LINE.fullmatch(line)
        if m is None:
            if first and line.split()[0].lower() == "direction":
                first = False
                continue  # the header AnyDesk's help shows
            out.bad(number, _("not an AnyDesk connection: expected {LAYOUT}").format(LAYOUT=LAYOUT))
            continue
        first = False
        _direction, year, month, day, hour, minute, auth, rest = m.groups()
        if auth.upper() == "REJECTED":
            out.ignore("rejected connection(s)")
            continue
        tail = _TAIL.fullmatch(rest)
        if tail is None:
            out.bad(number, _("no remote ID at the end of the line (found {rest!r})").format(rest=rest))
            continue
        remote = digits(tail.group(2))
        alias = (tail.group(1) or "").strip()
        if digits(alias) == remote and not alias.strip("0123456789 "):
            alias = ""  # the ID twice: there is no alias
        try:
            start = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=source_tz)
        except ValueError:
            out.bad(
                number,
                _("{year}-{month}-{day}, {hour}:{minute} is not a date and time").format(
                    year=year, month=month, day=day, hour=hour, minute=minute
                ),
            )
            continue
        out.candidates.append(
            Candidate(
                line=number,
                start=start,
                end=None,
                source=f"anydesk:{remote}:{utc_key(start, seconds=False)}",
                partner_id=remote,
                partner_name=alias,
                machine=alias or remote,
            )
        )
    return out

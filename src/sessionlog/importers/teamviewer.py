"""TeamViewer's local connection logs: Connections.txt (outgoing) and Connections_incoming.txt.

One connection per line, tab-separated (or padded with runs of spaces by some tools):

    outgoing:  partner ID, start, end, local user, type[, session GUID]
    incoming:  partner ID, display name, start, end, local user, type[, session GUID]

Times are `dd-mm-yyyy HH:MM:SS` in UTC. Older versions write no GUID, and a file can mix
rows with and without one; which layout a row has is told by where its first time is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from sessionlog.i18n import _
from sessionlog.importers.base import Candidate, Parsed, Progress, digits, numbered_lines, utc_key

_TIME = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4}) (\d{1,2}):(\d{2}):(\d{2})")
_PADDED_TIME = re.compile(r"\d\d-\d\d-\d{4} \d\d:\d\d:\d\d")
_GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?")
_PARTNER = re.compile(r"[A-Za-z]?[\d -]*\d")
_PADDING = re.compile(r" {2,}")
# The spelling TeamViewer uses, whatever case a version wrote ("Filetransfer").
_TYPES = {t.lower(): t for t in ("RemoteControl", "FileTransfer", "RemoteSupport", "VPN", "Meeting", "Presentation")}
LAYOUT = "partner ID, [display name,] start, end, user, type[, GUID]"
# The usual outgoing line, read by this one pattern: tabs, a partner ID of digits, zero-padded
# times, a user and a type without blanks at their ends, a GUID in braces or none. Any other
# line (and one this finds wrong: a bad date, an end not after its start) takes the general way.
_T = r"([0-9]{2})-([0-9]{2})-([0-9]{4}) ([0-9]{2}:[0-9]{2}:[0-9]{2})"
_USUAL = re.compile(
    rf"([0-9]+)\t{_T}\t{_T}\t(\S(?:[^\t]*\S)?)\t(\S(?:[^\t]*\S)?)"
    r"(?:\t\{([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\})?\t*"
)


def _moment(text: str, tz: tzinfo) -> datetime | None:
    if _PADDED_TIME.fullmatch(text):
        # The usual zero-padded form, read by the C parser (a 100 000-line log has 200 000).
        try:
            return datetime.fromisoformat(f"{text[6:10]}-{text[3:5]}-{text[:2]}T{text[11:]}").replace(tzinfo=tz)
        except ValueError:
            return None
    m = _TIME.fullmatch(text)
    if m is None:
        return None
    day, month, year, hour, minute, second = map(int, m.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _is_time(text: str) -> bool:
    return bool(_PADDED_TIME.fullmatch(text) or _TIME.fullmatch(text))


def _fields(line: str) -> list[str]:
    """The columns: split at tabs, or at runs of two or more spaces where there is no tab."""
    parts = line.split("\t") if "\t" in line else _PADDING.split(line.strip())
    fields = [p.strip() for p in parts] if " " in line else parts
    while fields and not fields[-1]:
        fields.pop()  # a trailing tab, or an empty GUID column
    return fields


def parse(text: str, source_tz: tzinfo = UTC, progress: Progress | None = None) -> Parsed:
    """The connections in a TeamViewer log; bad lines become problems with their number."""
    out = Parsed()
    usual = _USUAL.fullmatch
    utc = source_tz is UTC
    # As an ISO time with its offset: datetime's C parser, and UTC's own object, in one call.
    suffix = "+00:00" if utc else ""
    iso = datetime.fromisoformat
    found = out.candidates
    for number, line in numbered_lines(text, progress):
        m = usual(line)
        if m is not None:
            partner, d1, m1, y1, t1, d2, m2, y2, t2, user, kind, guid = m.groups()
            try:
                begin = iso(f"{y1}-{m1}-{d1}T{t1}{suffix}")
                finish = iso(f"{y2}-{m2}-{d2}T{t2}{suffix}")
                fits = finish > begin
            except ValueError:
                fits = False  # said by the general way
            if fits:
                if not utc:
                    begin = begin.replace(tzinfo=source_tz)
                    finish = finish.replace(tzinfo=source_tz)
                if guid is not None:
                    source = f"teamviewer:{{{guid.lower()}}}"
                elif utc:  # utc_key's text, from the digits read
                    key = f"{y1}{m1}{d1}T{t1[:2]}{t1[3:5]}{t1[6:]}Z-{y2}{m2}{d2}T{t2[:2]}{t2[3:5]}{t2[6:]}Z"
                    source = f"teamviewer:{partner}:{key}"
                else:
                    source = f"teamviewer:{partner}:{utc_key(begin)}-{utc_key(finish)}"
                found.append(
                    Candidate(
                        number,
                        begin,
                        finish,
                        source,
                        partner,
                        tool_user="" if user.lower() == "<unknown>" else user,
                        machine=partner,
                        connection_type=_TYPES.get(kind.lower(), kind),
                    )
                )
                continue
        fields = _fields(line)
        if len(fields) >= 5 and _is_time(fields[1]):
            name = ""
            rest = fields[1:]
        elif len(fields) >= 6 and _is_time(fields[2]):
            name = fields[1]
            rest = fields[2:]
        else:
            out.bad(number, _("not a TeamViewer connection: expected {LAYOUT}, tab-separated").format(LAYOUT=LAYOUT))
            continue
        if len(rest) > 5:
            out.bad(number, _("{count} columns, expected {LAYOUT}").format(count=len(fields), LAYOUT=LAYOUT))
            continue
        start_text, end_text, user, kind = rest[:4]
        guid = rest[4] if len(rest) == 5 else ""
        partner = fields[0]
        if not _PARTNER.fullmatch(partner):
            out.bad(number, _("the partner ID {partner!r} is not a number").format(partner=partner))
            continue
        start = _moment(start_text, source_tz)
        end = _moment(end_text, source_tz)
        if start is None or end is None:
            bad = start_text if start is None else end_text
            out.bad(number, _("{bad!r} is not a time like 01-03-2024 09:22:00 (dd-mm-yyyy HH:MM:SS)").format(bad=bad))
            continue
        if end < start:
            out.bad(
                number,
                _("the connection ends ({end_text}) before it starts ({start_text})").format(
                    end_text=end_text, start_text=start_text
                ),
            )
            continue
        if end == start:
            out.ignore("zero-length connection(s)")
            continue
        m = _GUID.fullmatch(guid) if guid else None
        if guid and m is None:
            out.bad(
                number,
                _("{guid!r} is not a session GUID like {{6460e19e-0c6f-4f5a-9a1b-2f3c4d5e6f70}}").format(guid=guid),
            )
            continue
        partner_id = partner if partner.isdigit() else digits(partner)
        if m is not None:
            source = f"teamviewer:{{{m.group(1).lower()}}}"
        else:
            source = f"teamviewer:{partner_id}:{utc_key(start)}-{utc_key(end)}"
        out.candidates.append(
            Candidate(
                line=number,
                start=start,
                end=end,
                source=source,
                partner_id=partner_id,
                partner_name=name,
                tool_user="" if user.lower() == "<unknown>" else user,
                contact=name or None,
                machine=partner_id,
                connection_type=_TYPES.get(kind.lower(), kind),
            )
        )
    return out

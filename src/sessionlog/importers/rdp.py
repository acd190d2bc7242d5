"""Remote Desktop logons from the LocalSessionManager log, as wevtutil exports them:

    wevtutil qe "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational" /f:xml

writes one `<Event>` element after another with no root element around them:

    <Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>
      <Provider Name='Microsoft-Windows-TerminalServices-LocalSessionManager' .../>
      <EventID>21</EventID> ... <TimeCreated SystemTime='2024-03-01T09:15:02.1234567Z'/>
      <EventRecordID>1520</EventRecordID> ... <Computer>SRV-MAIER</Computer> ...</System>
      <UserData><EventXML xmlns='Event_NS'><User>MAIER\\admin</User><SessionID>2</SessionID>
      <Address>192.168.10.20</Address></EventXML></UserData></Event>

Event 21 (logon) and 25 (reconnect) open a session, 23 (logoff) and 24 (disconnect) close
it; they are paired by computer, SessionID and User. A logon whose close is not in the file
is an unfinished session. `Address` LOCAL is someone at the console, not a remote session.

The file comes from a customer's machine, so each event is parsed on its own by defusedxml
(no DTDs, no entities): a broken event is a problem with its line, the rest still counts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from sessionlog.i18n import _
from sessionlog.importers.base import Candidate, Parsed, Progress, utc_key

PROVIDER = "Microsoft-Windows-TerminalServices-LocalSessionManager"
OPENS = frozenset({"21", "25"})  # logon, reconnect
CLOSES = frozenset({"23", "24"})  # logoff, disconnect
_START = re.compile(r"<Event[\s>/]")
_EVENT_ID = re.compile(r"<EventID(?:\s[^>]*)?>\s*(\d+)\s*</EventID>")
_END = "</Event>"


class _Event(NamedTuple):
    line: int
    record: int
    time: datetime
    id: str
    computer: str
    user: str
    session: str
    address: str


def _local(tag: str) -> str:
    """A tag without its namespace: '{Event_NS}User' -> 'User'."""
    return tag.rpartition("}")[2]


def _children(element: Element | None) -> dict[str, Element]:
    return {} if element is None else {_local(c.tag): c for c in element}


def _text(element: Element | None) -> str:
    return "" if element is None or element.text is None else element.text.strip()


def _chunks(text: str) -> list[tuple[int, str]]:
    """Each `<Event>…</Event>` in the text with the line it starts on."""
    starts = [m.start() for m in _START.finditer(text)]
    out: list[tuple[int, str]] = []
    line, at = 1, 0
    for i, start in enumerate(starts):
        line += text.count("\n", at, start)
        at = start
        chunk = text[start : starts[i + 1] if i + 1 < len(starts) else len(text)]
        end = chunk.rfind(_END)
        out.append((line, chunk[: end + len(_END)] if end >= 0 else chunk.rstrip()))
    return out


def _event(line: int, chunk: str, tz: tzinfo, out: Parsed) -> _Event | None:
    """One event's fields, or None (with a problem or a count) when it is not one we pair."""
    m = _EVENT_ID.search(chunk)
    if m is not None and m.group(1) not in OPENS | CLOSES:
        # Shell starts, arbitration and the like are half the log: not worth an XML parse.
        out.ignore("other event(s)")
        return None
    try:
        root = fromstring(chunk, forbid_dtd=True)
    except ParseError as exc:
        row, _column = exc.position
        out.bad(line + row - 1, _("not a well-formed event: {msg}").format(msg=exc.msg))
        return None
    except DefusedXmlException as exc:
        out.bad(line, _("refused: {exc} (an event export has no DTD or entities)").format(exc=exc))
        return None
    system = _children(_children(root).get("System"))
    provider = system.get("Provider")
    if provider is not None and provider.get("Name", PROVIDER) != PROVIDER:
        out.ignore("event(s) of other logs")
        return None
    event_id = _text(system.get("EventID"))
    if event_id not in OPENS | CLOSES:
        out.ignore("other event(s)")
        return None
    record = _text(system.get("EventRecordID"))
    what = f"event {event_id}" + (f" (record {record})" if record else "")
    created = system.get("TimeCreated")
    stamp = "" if created is None else created.get("SystemTime", "")
    try:
        moment = datetime.fromisoformat(stamp.strip())
    except ValueError:
        out.bad(
            line, _("{what}: TimeCreated/@SystemTime {stamp!r} is not an ISO 8601 time").format(what=what, stamp=stamp)
        )
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    user_data = _children(root).get("UserData")
    data = _children(None if user_data is None else next(iter(user_data), None))
    session, user = _text(data.get("SessionID")), _text(data.get("User"))
    if not session or not user:
        out.bad(line, _("{what}: no SessionID or User in UserData/EventXML").format(what=what))
        return None
    computer = _text(system.get("Computer"))
    number = int(record) if record.isdigit() else 0
    return _Event(line, number, moment, event_id, computer, user, session, _text(data.get("Address")))


def parse(text: str, source_tz: tzinfo = UTC, progress: Progress | None = None) -> Parsed:
    """The remote sessions in an export: opens paired with closes; open ones unfinished."""
    out = Parsed()
    chunks = _chunks(text)
    if not chunks:
        out.bad(1, _("no <Event> element: expected the XML of wevtutil qe … /f:xml"))
        return out
    events: list[_Event] = []
    for done, (line, chunk) in enumerate(chunks, 1):
        if progress is not None and done % 5000 == 0:
            progress(done, len(chunks))
        event = _event(line, chunk, source_tz, out)
        if event is not None:
            events.append(event)
    if progress is not None:
        progress(len(chunks), len(chunks))
    # wevtutil writes oldest first, or newest first with /rd:true.
    events.sort(key=lambda e: (e.time, e.record, e.line))
    opened: dict[tuple[str, str, str], _Event] = {}
    known: set[tuple[str, str, str]] = set()  # sessions whose opening the file has
    for e in events:
        key = (e.computer.casefold(), e.session, e.user.casefold())
        if e.id in OPENS:
            known.add(key)
            if e.address.upper() == "LOCAL":
                out.ignore("local logon(s) at the console")
            elif key not in opened:
                opened[key] = e
            elif e.id == "21":
                # A second logon with no close between: the first one's end is not in the file.
                out.candidates.append(_candidate(opened[key], None))
                opened[key] = e
            # A reconnect to a session that is open (from another client) goes on as it was.
            continue
        start = opened.pop(key, None)
        if start is None:
            # Logoff after disconnect closes nothing new; a close of a session the file does
            # not open began before the export did.
            if key not in known:
                known.add(key)
                out.ignore("session(s) that began before the file")
        elif e.time <= start.time:
            out.ignore("zero-length logon(s)")
        else:
            out.candidates.append(_candidate(start, e.time))
    out.candidates += [_candidate(e, None) for e in opened.values()]
    out.candidates.sort(key=lambda c: c.line)
    return out


def _candidate(e: _Event, end: datetime | None) -> Candidate:
    domain, _, _account = e.user.rpartition("\\")
    short = e.computer.split(".")[0]
    # A local account's "domain" is the computer itself: no second name for the customer.
    group = domain if domain and domain.casefold() != short.casefold() else ""
    return Candidate(
        line=e.line,
        start=e.time,
        end=end,
        source=f"rdp:{e.address or '-'}->{e.computer}:{e.session}:{utc_key(e.time)}",
        partner_name=e.computer,
        group_name=group,
        tool_user=e.user,
        machine=e.computer or None,
        connection_type="RDP",
        customer_names=tuple(dict.fromkeys(n for n in (e.computer, short) if n)),
    )

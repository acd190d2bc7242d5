"""A saved report of TeamViewer's Web API, `GET /api/v1/reports/connections`.

Each response holds `records[]` and chains to the next page through `next_offset`; a saved
file may hold one response, a JSON array of responses, or one response per line (JSON
lines). Times are ISO 8601 in UTC (`2024-03-01T09:22:00Z`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from sessionlog.i18n import _
from sessionlog.importers.base import Candidate, Parsed, Progress, digits, numbered_lines, utc_key

_ID_KEY = re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _pages(text: str, out: Parsed) -> list[tuple[Any, int | None]]:
    """The responses (or bare records) in the file, each with its line when it has one."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as whole:
        rows = list(numbered_lines(text))
        if len(rows) < 2:
            out.bad(whole.lineno, _("not JSON: {msg}").format(msg=whole.msg))
            return []
        pages: list[tuple[Any, int | None]] = []
        for number, line in rows:  # JSON lines: one response per line
            try:
                pages.append((json.loads(line), number))
            except json.JSONDecodeError as exc:
                out.bad(number, _("not JSON: {msg}").format(msg=exc.msg))
        if not pages:  # no line is JSON either: report where the document broke
            out.problems.clear()
            out.bad(whole.lineno, _("not JSON: {msg}").format(msg=whole.msg))
        return pages
    return [(page, None) for page in doc] if isinstance(doc, list) else [(doc, None)]


def _records(page: Any) -> list[Any] | None:
    if isinstance(page, dict) and isinstance(page.get("records"), list):
        return list(page["records"])
    if isinstance(page, dict) and "start_date" in page:
        return [page]  # a bare record, as in an array of records
    return None


def _line_of_ids(text: str) -> dict[str, int]:
    """The line of each record's `"id": "…"`, found in one pass (json keeps no positions)."""
    found: dict[str, int] = {}
    line, at = 1, 0
    for m in _ID_KEY.finditer(text):
        line += text.count("\n", at, m.start())
        at = m.start()
        found.setdefault(m.group(1), line)
    return found


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def _moment(value: Any, tz: tzinfo) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def parse(text: str, source_tz: tzinfo = UTC, progress: Progress | None = None) -> Parsed:
    """The connections in a saved report; a record without a usable time is a problem."""
    out = Parsed()
    pages = _pages(text, out)
    lines: dict[str, int] | None = None
    total = sum(len(r) for page, _ in pages if (r := _records(page)) is not None)
    done = 0
    for page_number, (page, page_line) in enumerate(pages, 1):
        records = _records(page)
        if records is None:
            out.bad(
                page_line or 1,
                _("page {page_number} is not a connections report: it has no records").format(page_number=page_number),
            )
            continue
        for record in records:
            done += 1
            if progress is not None and done % 5000 == 0:
                progress(done, total)
            if page_line is not None:
                line = page_line
            else:
                if lines is None:
                    lines = _line_of_ids(text)
                line = lines.get(_text(record, "id"), 1) if isinstance(record, dict) else 1
            _record(record, line, source_tz, out)
    if progress is not None:
        progress(total, total)
    return out


def _record(record: Any, line: int, tz: tzinfo, out: Parsed) -> None:
    if not isinstance(record, dict):
        out.bad(line, _("a record is not a JSON object"))
        return
    rid = _text(record, "id")
    what = f"record {rid}" if rid else "a record"
    start = _moment(record.get("start_date"), tz)
    if start is None:
        out.bad(
            line,
            _("{what}: start_date {value!r} is not an ISO 8601 time").format(what=what, value=record.get("start_date")),
        )
        return
    if record.get("end_date") in (None, ""):
        out.bad(line, _("{what}: no end_date (the connection was still open); import a later report").format(what=what))
        return
    end = _moment(record.get("end_date"), tz)
    if end is None:
        out.bad(
            line,
            _("{what}: end_date {value!r} is not an ISO 8601 time").format(what=what, value=record.get("end_date")),
        )
        return
    if end < start:
        out.bad(line, _("{what}: end_date is before start_date").format(what=what))
        return
    if end == start:
        out.ignore("zero-length connection(s)")
        return
    device = digits(_text(record, "deviceid"))
    source = f"teamviewer-api:{rid}" if rid else f"teamviewer-api:{device}:{utc_key(start)}-{utc_key(end)}"
    state = record.get("billing_state")
    kind = record.get("support_session_type")
    out.candidates.append(
        Candidate(
            line=line,
            start=start,
            end=end,
            source=source,
            partner_id=device,
            partner_name=_text(record, "devicename"),
            group_name=_text(record, "groupname"),
            tool_user=_text(record, "username"),
            supporter=_text(record, "username"),
            machine=_text(record, "devicename") or device or None,
            connection_type=kind.strip() if isinstance(kind, str) else "",
            note=_text(record, "notes"),
            billing_state=None if state is None else str(state),
        )
    )

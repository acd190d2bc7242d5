"""Watson's `frames` file: a JSON array with one array per frame,

    [start, stop, project, id, tags, updated_at]

start, stop and updated_at in Unix seconds, the id a hex UUID, tags a list of text (older
versions write no updated_at). Watson keeps the running frame elsewhere (its `state` file),
so every frame here is finished. The project says whose work it was; the app finds the
customer by it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from sessionlog.i18n import _
from sessionlog.importers.base import Candidate, Parsed, Progress, utc_key

_SPACE = re.compile(r"\s*")
LAYOUT = "[start, stop, project, id, tags, updated_at]"


def _frames(text: str, out: Parsed) -> list[tuple[int, Any]]:
    """Each element of the top-level array with the line it starts on (json keeps no lines)."""
    decoder = json.JSONDecoder()
    pos = _SPACE.match(text).end()  # type: ignore[union-attr]  # \s* always matches
    if not text.startswith("[", pos):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            out.bad(exc.lineno, _("not JSON: {msg}").format(msg=exc.msg))
            return []
        out.bad(
            text.count("\n", 0, pos) + 1,
            _("not a Watson frames file: expected an array of {LAYOUT}").format(LAYOUT=LAYOUT),
        )
        return []
    pos += 1
    frames: list[tuple[int, Any]] = []
    line, at = 1, 0
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if text.startswith("]", pos):
            return frames
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            out.bad(exc.lineno, _("not JSON: {msg}").format(msg=exc.msg))
            return frames
        line += text.count("\n", at, pos)
        at = pos
        frames.append((line, value))
        pos = _SPACE.match(text, end).end()  # type: ignore[union-attr]
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith("]", pos):
            out.bad(text.count("\n", 0, pos) + 1, _("not JSON: expected ',' or ']' after a frame"))
            return frames


def _moment(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse(text: str, source_tz: tzinfo = UTC, progress: Progress | None = None) -> Parsed:
    """The frames; one that is not [start, stop, project, id, …] is a problem with its line."""
    out = Parsed()
    frames = _frames(text, out)
    for done, (line, frame) in enumerate(frames, 1):
        if progress is not None and done % 5000 == 0:
            progress(done, len(frames))
        _frame(line, frame, out)
    if progress is not None:
        progress(len(frames), len(frames))
    return out


def _frame(line: int, frame: Any, out: Parsed) -> None:
    if not isinstance(frame, list) or len(frame) < 4:
        out.bad(line, _("a frame is {LAYOUT}").format(LAYOUT=LAYOUT))
        return
    start, stop, project, frame_id = frame[:4]
    tags = frame[4] if len(frame) > 4 else []
    begin, end = _moment(start), _moment(stop)
    if begin is None or end is None:
        bad = start if begin is None else stop
        out.bad(line, _("{bad!r} is not a time in Unix seconds").format(bad=bad))
        return
    if not isinstance(project, str) or not isinstance(frame_id, str):
        out.bad(line, _("the project and the id are text in {LAYOUT}").format(LAYOUT=LAYOUT))
        return
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        out.bad(line, _("the tags are a list of text"))
        return
    if end < begin:
        out.bad(line, _("the frame stops before it starts"))
        return
    if end == begin:
        out.ignore("zero-length frame(s)")
        return
    project = project.strip()
    key = frame_id.strip() or f"{project}:{utc_key(begin)}"
    out.candidates.append(
        Candidate(
            line=line,
            start=begin,
            end=end,
            source=f"watson:{key}",
            partner_name=project,
            customer_names=(project,) if project else (),
            # The project stays a tag unless it is the customer's own name (the app drops it then).
            tags=tuple(dict.fromkeys(t.strip() for t in (project, *tags) if t.strip())),
        )
    )

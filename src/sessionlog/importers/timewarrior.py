"""One of Timewarrior's data files, `data/YYYY-MM.data`: one interval per line,

    inc 20240301T091500Z - 20240301T101500Z # acme "two words" # "the annotation"

times in UTC; tags after the first `#`, quoted (with `\\"` for a quote) when they hold a
space or one of `"-+/()<^!=~_%`; an annotation after a second `#`. An interval with no end
(`inc 20240301T091500Z # acme`) is the one still being tracked. Reading the data folder,
file by file, is the app's job; this reads one file's text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from sessionlog.i18n import _
from sessionlog.importers.base import Candidate, Parsed, Progress, numbered_lines, utc_key

_MOMENT = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(Z?)")
LAYOUT = "inc START [- END] [# TAGS] [# ANNOTATION], times like 20240301T091500Z"


def tokens(line: str) -> list[tuple[str, bool]] | None:
    """The words of a line as (text, quoted); None when a quote is not closed."""
    out: list[tuple[str, bool]] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "\"'":
            word: list[str] = []
            i += 1
            while i < n and line[i] != ch:
                if line[i] == "\\" and i + 1 < n:
                    i += 1
                word.append(line[i])
                i += 1
            if i >= n:
                return None
            out.append(("".join(word), True))
            i += 1
            continue
        j = i
        while j < n and not line[j].isspace():
            j += 1
        out.append((line[i:j], False))
        i = j
    return out


def _moment(text: str, tz: tzinfo) -> datetime | None:
    m = _MOMENT.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC if m.group(7) else tz)
    except ValueError:
        return None


def parse(text: str, source_tz: tzinfo = UTC, progress: Progress | None = None) -> Parsed:
    """The intervals in one data file; a line that is not one is a problem with its number."""
    out = Parsed()
    for number, line in numbered_lines(text, progress):
        words = tokens(line)
        if words is None:
            out.bad(number, _("a quote is not closed"))
            continue
        if not words or words[0] != ("inc", False):
            out.bad(number, _("not a Timewarrior interval: expected {LAYOUT}").format(LAYOUT=LAYOUT))
            continue
        start = _moment(words[1][0], source_tz) if len(words) > 1 and not words[1][1] else None
        if start is None:
            found = words[1][0] if len(words) > 1 else ""
            out.bad(number, _("{found!r} is not a start time like 20240301T091500Z").format(found=found))
            continue
        rest = words[2:]
        end = None
        if rest and rest[0] == ("-", False):
            end = _moment(rest[1][0], source_tz) if len(rest) > 1 and not rest[1][1] else None
            if end is None:
                found = rest[1][0] if len(rest) > 1 else ""
                out.bad(number, _("{found!r} is not an end time like 20240301T101500Z").format(found=found))
                continue
            rest = rest[2:]
        if rest and rest[0] != ("#", False):
            out.bad(
                number,
                _("{rest!r} where the tags should begin with '#': expected {LAYOUT}").format(
                    rest=rest[0][0], LAYOUT=LAYOUT
                ),
            )
            continue
        tags: list[str] = []
        annotation: list[str] = []
        into = tags
        for word in rest[1:]:
            if word == ("#", False) and into is tags:
                into = annotation
            else:
                into.append(word[0])
        if end is not None and end < start:
            out.bad(number, _("the interval ends before it starts"))
            continue
        if end == start:
            out.ignore("zero-length interval(s)")
            continue
        kept = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
        out.candidates.append(
            Candidate(
                line=number,
                start=start,
                end=end,
                source=f"timewarrior:{utc_key(start)}",
                customer_names=kept,
                tags=kept,
                note=" ".join(annotation).strip(),
            )
        )
    return out

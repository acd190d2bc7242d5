"""The generated sessions as Watson frames and Timewarrior data, for side-by-side timing.

Each peer gets the same sessions as the sessionlog ledger (generate.sessions): the customer
is Watson's project and a Timewarrior tag; the session's tag is a tag in both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from generate import Params, sessions

from sessionlog.model import Session


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def write_watson(folder: Path, items: Iterable[Session], running: tuple[str, datetime] | None) -> None:
    """WATSON_DIR: `frames` (a JSON list of [start, stop, project, id, tags, updated_at]) and `state`."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = []
    for s in items:
        assert s.end is not None
        stop = int(s.end.timestamp())
        frames.append([int(s.start.timestamp()), stop, s.customer, f"{s.id:0>32}", list(s.tags), stop])
    frames.sort(key=lambda f: f[0])
    (folder / "frames").write_text(json.dumps(frames), "utf-8")
    state = {"project": running[0], "start": int(running[1].timestamp()), "tags": []} if running else {}
    (folder / "state").write_text(json.dumps(state), "utf-8")
    (folder / "config").write_text("", "utf-8")


def _tag(text: str) -> str:
    return text if text.replace("-", "").isalnum() else json.dumps(text)


def write_timew(folder: Path, items: Iterable[Session]) -> None:
    """TIMEWARRIORDB: timewarrior.cfg and data/YYYY-MM.data, one `inc` line per interval."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    (folder / "timewarrior.cfg").write_text("verbose = off\n", "utf-8")
    months: dict[str, list[tuple[datetime, str]]] = {}
    tags: set[str] = set()
    for s in items:
        assert s.end is not None
        names = [s.customer, *s.tags]
        tags.update(names)
        line = f"inc {_stamp(s.start)} - {_stamp(s.end)} # {' '.join(_tag(t) for t in names)}\n"
        months.setdefault(s.start.astimezone(UTC).strftime("%Y-%m"), []).append((s.start, line))
    for old in data.glob("*.data"):
        old.unlink()
    for month, lines in months.items():
        lines.sort(key=lambda t: t[0])
        (data / f"{month}.data").write_text("".join(line for _, line in lines), "utf-8")
    # The tag index Timewarrior would otherwise rebuild (and announce) on its first run.
    index = {t: {"count": 1} for t in sorted(tags)}
    (data / "tags.data").write_text(json.dumps(index, indent=2), "utf-8")


def write_peers(folder: Path, p: Params, running: tuple[str, datetime] | None = None) -> None:
    """Watson's folder at folder/watson, Timewarrior's at folder/timew."""
    items = list(sessions(p))
    write_watson(folder / "watson", items, running)
    write_timew(folder / "timew", items)

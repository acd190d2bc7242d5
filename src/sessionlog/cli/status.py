"""What `status` shows, without the command-line framework: cli/entry.py runs `sessionlog
status` on this alone, and the Typer command calls the same function."""

from __future__ import annotations

import sys

from sessionlog.app import timer
from sessionlog.app.context import Context
from sessionlog.cli.env import say, warn
from sessionlog.cli.terminal import table_width
from sessionlog.i18n import _
from sessionlog.model import clock, format_duration


def show_status(c: Context, *, everyone: bool) -> None:
    """Each running timer (the supporter's, or `everyone`'s) on stdout, warnings on stderr."""
    states = timer.status(c, everyone=everyone)
    if not states:
        whose = _("nothing is running for {supporter}").format(supporter=c.supporter)
        say(_("nothing is running") if everyone else whose)
        return
    width = table_width(sys.stdout)
    for st in states:
        s = st.session
        started = clock(s.start, c.tz)
        worked = _("{duration} worked").format(duration=format_duration(st.worked))
        if s.paused:
            paused = clock(s.pauses[-1].start, c.tz)
            # The pause's day only where it differs from the start's.
            paused = paused[11:] if paused[:10] == started[:10] else paused
            state = [
                ("  ", _("since {time}").format(time=started)),
                (", ", worked),
                (", ", _("paused since {time}").format(time=paused)),
            ]
        else:
            state = [("  ", _("running since {time}").format(time=started)), (", ", worked)]
        who = [("  ", s.supporter)] if everyone else []
        print("\n".join(_fill([("", s.customer), *state, ("  ", f"({s.id})"), *who], width)))
        warn([st.warning] if st.warning else [])


def _fill(pieces: list[tuple[str, str]], width: int) -> list[str]:
    """(separator, text) pieces on as few lines as `width` allows; a piece is never split."""
    lines = [pieces[0][1]]
    for sep, text in pieces[1:]:
        if len(lines[-1]) + len(sep) + len(text) <= width:
            lines[-1] += sep + text
        else:
            lines[-1] += sep.rstrip()
            lines.append("    " + text)
    return lines

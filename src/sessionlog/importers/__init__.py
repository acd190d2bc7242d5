"""One module per tool: a log's text in, candidate sessions and problems out.

`ImportKind` names the kinds `sessionlog import KIND` takes and `parser` finds each one's
parser; a new tool adds a module, a member and a line in `_MODULES`. The parsers are
imported only when an import runs, so `start` and `status` do not pay for them. `csv` has no
entry there: it needs a column map as well (`sessionlog.importers.csvfile`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sessionlog.importers.base import Parsed, Progress

__all__ = ["DESCRIPTIONS", "TIME_ENTRIES", "UNITS", "ImportKind", "Parser", "parser"]


class ImportKind(StrEnum):
    TEAMVIEWER = "teamviewer"
    TEAMVIEWER_API = "teamviewer-api"
    ANYDESK = "anydesk"
    CSV = "csv"
    RDP = "rdp"
    WATSON = "watson"
    TIMEWARRIOR = "timewarrior"


Parser = Callable[[str, tzinfo, "Progress | None"], "Parsed"]

_MODULES: dict[ImportKind, str] = {
    ImportKind.TEAMVIEWER: "teamviewer",
    ImportKind.TEAMVIEWER_API: "teamviewer_api",
    ImportKind.ANYDESK: "anydesk",
    ImportKind.RDP: "rdp",
    ImportKind.WATSON: "watson",
    ImportKind.TIMEWARRIOR: "timewarrior",
}

# What each kind reads, for messages and --help.
DESCRIPTIONS: dict[ImportKind, str] = {
    ImportKind.TEAMVIEWER: "a TeamViewer connection log (Connections.txt, Connections_incoming.txt)",
    ImportKind.TEAMVIEWER_API: "a TeamViewer Web API connections report (JSON)",
    ImportKind.ANYDESK: "an AnyDesk connection trace (connection_trace.txt)",
    ImportKind.CSV: "a CSV file with a header line",
    ImportKind.RDP: "Remote Desktop logons exported with wevtutil (XML)",
    ImportKind.WATSON: "Watson's frames file (JSON)",
    ImportKind.TIMEWARRIOR: "Timewarrior's data files (data/YYYY-MM.data)",
}

# What one item of each kind is called in messages: "12 connection(s)".
UNITS: dict[ImportKind, str] = {
    ImportKind.TEAMVIEWER: "connection",
    ImportKind.TEAMVIEWER_API: "connection",
    ImportKind.ANYDESK: "connection",
    ImportKind.CSV: "row",
    ImportKind.RDP: "logon",
    ImportKind.WATSON: "frame",
    ImportKind.TIMEWARRIOR: "interval",
}

# Entries someone recorded on purpose: they merge only when --merge-gap asks for it, unlike
# the connections of a remote tool, which a file transfer or a reconnect splits.
TIME_ENTRIES = frozenset({ImportKind.CSV, ImportKind.WATSON, ImportKind.TIMEWARRIOR})


def parser(kind: ImportKind) -> Parser:
    """The parse function of the module for `kind` (every kind but csv)."""
    parse: Parser = import_module(f"sessionlog.importers.{_MODULES[kind]}").parse
    return parse

"""One module per remote-support tool: a log's text in, candidate sessions and problems out.

`PARSERS` maps each kind `sessionlog import KIND` takes to its parser; a new tool adds a
module and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from enum import StrEnum

from sessionlog.importers import anydesk, teamviewer, teamviewer_api
from sessionlog.importers.base import Candidate, Parsed, Progress, decode

__all__ = ["PARSERS", "Candidate", "ImportKind", "Parsed", "Progress", "decode"]


class ImportKind(StrEnum):
    TEAMVIEWER = "teamviewer"
    TEAMVIEWER_API = "teamviewer-api"
    ANYDESK = "anydesk"


Parser = Callable[[str, tzinfo, Progress | None], Parsed]

PARSERS: dict[ImportKind, Parser] = {
    ImportKind.TEAMVIEWER: teamviewer.parse,
    ImportKind.TEAMVIEWER_API: teamviewer_api.parse,
    ImportKind.ANYDESK: anydesk.parse,
}

# What each kind reads, for messages and --help.
DESCRIPTIONS: dict[ImportKind, str] = {
    ImportKind.TEAMVIEWER: "a TeamViewer connection log (Connections.txt, Connections_incoming.txt)",
    ImportKind.TEAMVIEWER_API: "a TeamViewer Web API connections report (JSON)",
    ImportKind.ANYDESK: "an AnyDesk connection trace (connection_trace.txt)",
}

"""One module per remote-support tool: a log's text in, candidate sessions and problems out.

`ImportKind` names the kinds `sessionlog import KIND` takes and `parser` finds each one's
parser; a new tool adds a module, a member and a line in `_MODULES`. The parsers are
imported only when an import runs, so `start` and `status` do not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sessionlog.importers.base import Parsed, Progress

__all__ = ["DESCRIPTIONS", "ImportKind", "Parser", "parser"]


class ImportKind(StrEnum):
    TEAMVIEWER = "teamviewer"
    TEAMVIEWER_API = "teamviewer-api"
    ANYDESK = "anydesk"


Parser = Callable[[str, tzinfo, "Progress | None"], "Parsed"]

_MODULES: dict[ImportKind, str] = {
    ImportKind.TEAMVIEWER: "teamviewer",
    ImportKind.TEAMVIEWER_API: "teamviewer_api",
    ImportKind.ANYDESK: "anydesk",
}

# What each kind reads, for messages and --help.
DESCRIPTIONS: dict[ImportKind, str] = {
    ImportKind.TEAMVIEWER: "a TeamViewer connection log (Connections.txt, Connections_incoming.txt)",
    ImportKind.TEAMVIEWER_API: "a TeamViewer Web API connections report (JSON)",
    ImportKind.ANYDESK: "an AnyDesk connection trace (connection_trace.txt)",
}


def parser(kind: ImportKind) -> Parser:
    """The parse function of the module for `kind`."""
    parse: Parser = import_module(f"sessionlog.importers.{_MODULES[kind]}").parse
    return parse

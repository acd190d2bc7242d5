"""Named points in every write where tests make the process die, to prove crash safety.

`SESSIONLOG_TEST_FAULT=write:fsynced` (a comma-separated list) kills the process with
SIGKILL when it reaches that point: no cleanup, no `finally`, as a power cut or `kill -9`
would; `write:fsynced@2` the second time it gets there. Nothing but the tests sets the
variable; unset, a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "write:temp",  # the temporary file is written, not yet flushed to disk
    "write:fsynced",  # the temporary file is on disk, not yet renamed over the file
    "write:replaced",  # the file is replaced, its folder not yet flushed
    "move:journal",  # a move is announced in the journal, nothing else written
    "move:target",  # the record is in its new file and still in the old one
    "move:source",  # the record is gone from the old file, the journal not yet removed
    "finalize:register",  # the invoice numbers are registered, no record stamped yet
)


_reached: dict[str, int] = {}


def point(name: str) -> None:
    spec = os.environ.get("SESSIONLOG_TEST_FAULT")
    if not spec:
        return
    _reached[name] = _reached.get(name, 0) + 1
    for fault in spec.split(","):
        wanted, _, nth = fault.partition("@")
        if wanted == name and _reached[name] == int(nth or 1):
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))

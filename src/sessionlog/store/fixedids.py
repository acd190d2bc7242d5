"""Fixed session ids for tests and the README's tour: `SESSIONLOG_TEST_IDS=SEED`.

Never for real ledgers: there ids are random, so that ledgers that never met do not give out
the same one. With a seed, a new id is the first of the seed's sequence that the ledger does
not hold, so the same commands on the same ledger give the same ids, and no id twice.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Iterator

from sessionlog.store.layout import Layout

VAR = "SESSIONLOG_TEST_IDS"
_ID_LINE = re.compile(r'^id\s*=\s*"([^"\n]+)"', re.MULTILINE)

# Ids given out before the ledger was read (imports draw one per connection); see `Sessions.add_many`.
drawn: set[str] = set()


def seed() -> str | None:
    """The seed in `$SESSIONLOG_TEST_IDS`, or None: ids are then random, as they must be."""
    return os.environ.get(VAR) or None


def sequence(seed: str, alphabet: str, length: int) -> Iterator[str]:
    """A seed's ids in order, the same on every machine and in every run."""
    for n in itertools.count():
        digest = hashlib.sha256(f"{seed}:{n}".encode()).digest()
        yield "".join([alphabet[b % len(alphabet)] for b in digest[:length]])


def ledger_ids(layout: Layout) -> set[str]:
    """Every id in the ledger's month files, found by a plain text scan (a test ledger is small)."""
    found: set[str] = set()
    for path in layout.month_files():
        try:
            found.update(_ID_LINE.findall(path.read_bytes().decode("utf-8", "replace")))
        except OSError:
            continue
    return found

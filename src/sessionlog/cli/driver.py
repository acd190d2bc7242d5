"""`sessionlog merge-driver`, kept free of the command-line framework: git starts it once per
file it merges, so `python -m sessionlog merge-driver` comes here without building every command."""

from __future__ import annotations

import sys
from pathlib import Path


def run(base: Path, ours: Path, theirs: Path, path: str) -> int:
    """Merge one ledger file for git; 0 when clean, 1 when git must mark it as conflicted."""
    from sessionlog.app.conflicts import merge_driver
    from sessionlog.model import SessionlogError

    try:
        done = merge_driver(base, ours, theirs, path)
    except SessionlogError as exc:
        print(f"sessionlog: {path}: {exc}", file=sys.stderr)
        return 1
    if done.fallback is not None:
        print(f"sessionlog: {path}: merged line by line by git ({done.fallback})", file=sys.stderr)
    for c in done.conflicts:
        print(f"sessionlog: {path}:{c.line or 1}: conflict: {c.label} ({', '.join(c.keys)})", file=sys.stderr)
    return 0 if done.clean else 1


def main(argv: list[str]) -> int | None:
    """The fast path for `merge-driver BASE OURS THEIRS PATH`; None for anything else."""
    if len(argv) != 5 or argv[0] != "merge-driver" or any(a.startswith("-") for a in argv[1:4]):
        return None
    return run(Path(argv[1]), Path(argv[2]), Path(argv[3]), argv[4])

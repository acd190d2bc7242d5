"""Reading, atomic writing and locking: the only file-system code in sessionlog."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sessionlog.model import Kind, SessionlogError

LOCK_NAME = ".sessionlog.lock"
LOCK_TIMEOUT = 15.0


def read_text(path: Path) -> str | None:
    """The file as text (a BOM from Notepad is dropped), or None when it does not exist."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise SessionlogError("is a folder, expected a file", Kind.BROKEN_FILE, path=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SessionlogError(
            "not UTF-8 text; save the file as UTF-8", Kind.BROKEN_FILE, path=path, line=line
        ) from None


def write_atomic(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, os.replace: readers see the old or the new file."""
    import tempfile  # here, not at the top: commands that only read never need it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        _replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)
    _fsync_dir(path.parent)


def _replace(src: str, dst: Path) -> None:
    # Windows refuses to replace a file another process (a virus scanner, an editor) holds open
    # for a moment; retry briefly instead of failing the user's command.
    for attempt in range(20):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if sys.platform != "win32" or attempt == 19:
                raise
            time.sleep(0.05)


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return  # directories cannot be opened for fsync there; NTFS journals the rename
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class LedgerLock:
    """An exclusive lock on the whole ledger, across processes and platforms.

    Re-entrant within one process, so a workflow can hold it around several writes.
    """

    def __init__(self, root: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.root = root
        self.timeout = timeout
        self._depth = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        from filelock import FileLock, Timeout

        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / LOCK_NAME), timeout=self.timeout)
        try:
            lock.acquire()
        except Timeout:
            raise SessionlogError(
                f"the ledger {self.root} is busy: another sessionlog holds {LOCK_NAME}; try again", Kind.BUSY
            ) from None
        self._depth = 1
        try:
            yield
        finally:
            self._depth = 0
            lock.release()


def scratch_file(text: str, suffix: str) -> Path:
    """A private temp file for an editor to open; the caller removes it."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix="sessionlog-", suffix=suffix)
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode("utf-8"))
    return Path(name)

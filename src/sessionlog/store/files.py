"""Reading, atomic writing and locking: the only file-system code in sessionlog."""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sessionlog.i18n import _
from sessionlog.model import Kind, SessionlogError
from sessionlog.store import faults

LOCK_NAME = ".sessionlog.lock"
LOCK_TIMEOUT = 15.0


def read_text(path: Path) -> str | None:
    """The file as text (a BOM from Notepad is dropped), or None when it does not exist."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise SessionlogError(_("is a folder, expected a file"), Kind.BROKEN_FILE, path=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SessionlogError(
            _("not UTF-8 text; save the file as UTF-8"), Kind.BROKEN_FILE, path=path, line=line
        ) from None


def read_bytes(path: Path) -> bytes:
    """A file's bytes, as an import reads a log; NOT_FOUND or BROKEN_FILE when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SessionlogError(_("no such file"), Kind.NOT_FOUND, path=path) from None
    except IsADirectoryError:
        raise SessionlogError(_("is a folder, expected a file"), Kind.BROKEN_FILE, path=path) from None
    except OSError as exc:
        raise SessionlogError(
            _("cannot be read: {value}").format(value=exc.strerror or exc), Kind.BROKEN_FILE, path=path
        ) from None


def write_atomic(path: Path, text: str | bytes) -> None:
    """Temp file in the same folder, fsync, os.replace: readers see the old or the new file.

    Called under the ledger lock, so a temp file already in the folder was left by a killed
    write and is removed. The file keeps its mode (a group-shared ledger stays shared); a new
    file gets the mode the umask gives.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    folder = path.parent
    _refuse_links(path)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder)
    mode = _mode_for(path)
    import tempfile  # only writers need it

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            faults.point("write:temp")
            f.flush()
            os.fsync(f.fileno())
        faults.point("write:fsynced")
        with suppress(OSError):  # not every file system keeps modes (FAT, some shares)
            os.chmod(tmp, mode)
        _replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    faults.point("write:replaced")
    _fsync_dir(folder)


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


_LEFTOVER = re.compile(r"^\..+\.toml\.[a-z0-9_]+\.tmp$")


def is_leftover(name: str) -> bool:
    """Whether `name` is the temp file of one of our TOML writes (`.2024-03.toml.k3f9qz.tmp`)."""
    return bool(_LEFTOVER.match(name))


def _remove_leftovers(folder: Path) -> None:
    with suppress(OSError):
        for entry in os.scandir(folder):
            if is_leftover(entry.name) and entry.is_file(follow_symlinks=False):
                with suppress(OSError):
                    os.unlink(entry.path)


def _refuse_links(path: Path) -> None:
    """Never write through a symbolic link: it could point anywhere, outside the ledger too."""
    if path.is_symlink() or path.parent.is_symlink():
        raise SessionlogError(
            _("is a symbolic link; sessionlog does not write through links"),
            Kind.UNSAFE_WRITE,
            path=path if path.is_symlink() else path.parent,
            hint=_("replace the link by the folder or file itself"),
        )


# From this many files on, `write_many` syncs the file system once instead of each file.
SYNC_FROM = 16


def write_many(texts: Mapping[Path, str]) -> None:
    """Write several files, each as `write_atomic` does: a crash leaves each old or new, never
    half. For many files on Linux one sync(2) before and one after the renames replaces an
    fsync per file and folder (an import of a year writes thousands of month files)."""
    if len(texts) < SYNC_FROM or sys.platform != "linux":
        for path, text in texts.items():
            write_atomic(path, text)
        return
    temps: list[tuple[str, Path]] = []
    done = 0
    cleaned: set[Path] = set()
    try:
        for path, text in texts.items():
            if path.parent not in cleaned:  # each folder once: an import writes 12 files into each
                _refuse_links(path)
                path.parent.mkdir(parents=True, exist_ok=True)
                _remove_leftovers(path.parent)
                cleaned.add(path.parent)
            elif path.is_symlink():
                _refuse_links(path)
            mode = _mode_for(path)
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
            with suppress(OSError):
                os.chmod(tmp, mode)
        faults.point("write:temp")
        os.sync()  # every new text is on disk before any file is replaced by it
        faults.point("write:fsynced")
        for tmp, path in temps:
            _replace(tmp, path)
            done += 1
        faults.point("write:replaced")
        os.sync()  # and the renames
    finally:
        for tmp, _ in temps[done:]:
            with suppress(OSError):
                os.unlink(tmp)


def remove(path: Path) -> None:
    _refuse_links(path)
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
        # Files parsed while the lock is held: nobody else writes then, so each is parsed once
        # per hold. Writers drop their file's entry; releasing the lock forgets them all.
        self.memo: dict[Path, Any] = {}

    @property
    def is_held(self) -> bool:
        return self._depth > 0

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
        if not os.access(self.root, os.W_OK):
            # filelock would wait out its timeout and blame another process.
            raise SessionlogError(_("the ledger folder {root} is not writable").format(root=self.root), Kind.INPUT)
        lock = FileLock(str(self.root / LOCK_NAME), timeout=self.timeout)
        try:
            lock.acquire()
        except Timeout:
            raise SessionlogError(
                _("the ledger {root} is busy: another sessionlog holds {LOCK_NAME}; try again").format(
                    root=self.root, LOCK_NAME=LOCK_NAME
                ),
                Kind.BUSY,
            ) from None
        self._depth = 1
        self.memo.clear()
        try:
            yield
        finally:
            self._depth = 0
            self.memo.clear()
            lock.release()


def scratch_file(text: str, suffix: str) -> Path:
    """A private temp file for an editor to open; the caller removes it."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix="sessionlog-", suffix=suffix)
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode("utf-8"))
    return Path(name)

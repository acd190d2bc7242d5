"""The ledger as a git repository: the `git` command itself, run as a subprocess.

Running the real `git` (not a library) means the user's SSH keys, credential helpers, proxies
and host aliases work exactly as they do for `git pull` and `git push`. Paths travel with -z so
names with umlauts or spaces arrive intact; what decides anything is exit codes and porcelain
output, never git's (possibly translated) messages, which are only passed on to the user.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sessionlog.i18n import _
from sessionlog.model import Kind, SessionlogError, slug
from sessionlog.store.files import read_text, write_atomic

DRIVER = "sessionlog"  # the merge driver's name in .gitattributes and .git/config
SYNC_LOCK = ".sessionlog-sync.lock"
# Ledger files are never renamed: git must not guess renames of files or folders in a merge.
NO_RENAMES = ("merge.renames=false", "merge.directoryRenames=false")
SYNC_LOCK_TIMEOUT = 120.0  # another sync of this clone may be pushing over a slow line

# Which files merge record by record, and which never travel. Paths are the ledger's layout.
ATTRIBUTES = (
    "/sessionlog.toml merge=sessionlog",
    "/customers/**/*.toml merge=sessionlog",
    "/running/*.toml merge=sessionlog",
    "/invoices/*.toml merge=sessionlog",
    # One line ending everywhere: the same bytes on Windows and Linux, so merges compare records.
    "*.toml text eol=lf",
)
IGNORED = (
    "/.sessionlog.lock",
    "/" + SYNC_LOCK,
    "/.sessionlog-move.toml",
    ".*.toml.*.tmp",
    "__pycache__/",
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
)


@dataclass(frozen=True)
class Pushed:
    ok: bool
    rejected: bool = False  # the remote took nothing: merge what is new there and push again
    message: str = ""  # git's own words when it failed
    busy: bool = False  # the remote refused the update itself (a push at the same instant, or a hook)


def git_available() -> bool:
    return shutil.which("git") is not None


def driver_command() -> str:
    """The command git runs for a merge: this very Python and sessionlog, whatever PATH holds."""
    python = Path(sys.executable).as_posix()
    return f"{shlex.quote(python)} -m sessionlog merge-driver %O %A %B %P"


def merge_waiting(root: Path) -> bool:
    """Whether a git merge in the ledger waits for a person (read from .git, no git needed)."""
    return (root / ".git" / "MERGE_HEAD").is_file()


def _reason(text: str) -> str:
    """git's reason in one line: its first message (ssh's or git's), without the `fatal:` label."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("hint:")]
    if not lines:
        return ""
    first = lines[0]
    for label in ("fatal: ", "error: "):
        first = first.removeprefix(label)
    return first


class Git:
    """The git repository whose work tree is the ledger folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._identity: list[str] | None = None
        self._config: dict[str, str] | None = None
        self._git_dir: Path | None = None

    # --- running git ------------------------------------------------------------------------

    def run(
        self, *args: str, check: bool = True, data: bytes | None = None, config: Sequence[str] = ()
    ) -> subprocess.CompletedProcess[bytes]:
        """`git ARGS` in the ledger folder; SessionlogError with git's last line when it fails."""
        if not git_available():
            raise SessionlogError(_("git is not installed (or not on PATH); sync needs it"), Kind.NOT_FOUND)
        env = {**os.environ, "GIT_MERGE_AUTOEDIT": "no"}
        command = ["git", *(c for kv in config for c in ("-c", kv)), *args]
        done = subprocess.run(command, cwd=self.root, input=data, capture_output=True, env=env, check=False)
        if check and done.returncode != 0:
            why = _reason(done.stderr.decode("utf-8", "replace")) or f"exit status {done.returncode}"
            raise SessionlogError(_("git {args} failed: {why}").format(args=args[0], why=why), Kind.INPUT)
        return done

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.decode("utf-8", "replace").strip()

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).returncode == 0

    # --- the repository ---------------------------------------------------------------------

    def is_ledger_repo(self) -> bool:
        """Whether the ledger folder is the top of a git work tree (not merely inside one)."""
        if not (self.root / ".git").exists() or not git_available():
            return False  # the ledger folder must be the work tree's top, so .git is right there
        done = self.run("rev-parse", "--show-toplevel", "--absolute-git-dir", check=False)
        lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
        if done.returncode != 0 or len(lines) != 2:
            return False
        self._git_dir = Path(lines[1])
        try:
            return os.path.samefile(lines[0], self.root)
        except OSError:
            return False

    @property
    def git_dir(self) -> Path:
        if self._git_dir is None:
            self._git_dir = Path(self.out("rev-parse", "--absolute-git-dir"))
        return self._git_dir

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.run("init", "-q")

    def config(self, key: str) -> str | None:
        """A git setting as git sees it here (system, global, local); read once, all of them."""
        if self._config is None:
            done = self.run("config", "--list", "-z", check=False)
            pairs = [e.split("\n", 1) for e in done.stdout.decode("utf-8", "replace").split("\0") if e]
            self._config = {p[0].lower(): p[1] if len(p) > 1 else "" for p in pairs}
        return self._config.get(key.lower())

    def set_config(self, key: str, value: str) -> None:
        self.run("config", "--local", key, value)
        self._config = None

    def driver_set_up(self) -> bool:
        return self.config(f"merge.{DRIVER}.driver") == driver_command()

    def set_up_driver(self) -> None:
        self.set_config(f"merge.{DRIVER}.name", "sessionlog: merge ledger files record by record")
        self.set_config(f"merge.{DRIVER}.driver", driver_command())
        for setting in NO_RENAMES:  # for a `git pull` by hand too
            self.set_config(*setting.split("=", 1))

    def write_settings_files(self) -> list[Path]:
        """.gitattributes and .gitignore with sessionlog's lines; the files that changed."""
        changed = []
        for name, lines, title in (
            (".gitattributes", ATTRIBUTES, "# sessionlog: ledger files merge record by record"),
            (".gitignore", IGNORED, "# sessionlog: locks, journals and temporary files stay on each computer"),
        ):
            path = self.root / name
            text = read_text(path) or ""
            have = {ln.strip() for ln in text.splitlines()}
            missing = [ln for ln in lines if ln not in have]
            if missing:
                head = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
                write_atomic(path, text + head + "\n".join([title, *missing]) + "\n")
                changed.append(path)
        return changed

    def branch(self) -> str | None:
        """The checked-out branch; None on a detached HEAD."""
        done = self.run("symbolic-ref", "-q", "--short", "HEAD", check=False)
        return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None

    def remote(self, branch: str) -> str | None:
        """The remote this branch syncs with: its configured one, else origin, else the only one."""
        configured = self.config(f"branch.{branch}.remote")
        if configured:
            return configured
        remotes = self.out("remote").split()
        if "origin" in remotes:
            return "origin"
        return remotes[0] if len(remotes) == 1 else None

    def remote_url(self, remote: str) -> str | None:
        return self.config(f"remote.{remote}.url")

    def set_remote(self, url: str, remote: str = "origin") -> bool:
        """Point `remote` at `url`; whether it existed with another URL before."""
        old = self.remote_url(remote)
        if old is None:
            self.run("remote", "add", remote, url)
            return False
        if old != url:
            self.run("remote", "set-url", remote, url)
            return True
        return False

    def rev(self, ref: str) -> str | None:
        done = self.run("rev-parse", "-q", "--verify", f"{ref}^{{commit}}", check=False)
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def merging(self) -> bool:
        return (self.git_dir / "MERGE_HEAD").is_file()

    def busy_with(self) -> str | None:
        """A git operation a person started and left unfinished (rebase, cherry-pick ...)."""
        git_dir = self.git_dir
        for name, what in (
            ("rebase-merge", "a rebase"),
            ("rebase-apply", "a rebase or am"),
            ("CHERRY_PICK_HEAD", "a cherry-pick"),
            ("REVERT_HEAD", "a revert"),
        ):
            if (git_dir / name).exists():
                return what
        return None

    # --- committing -------------------------------------------------------------------------

    def identity(self, supporter: str) -> list[str]:
        """`-c` settings naming the supporter where git knows nobody, so a commit never fails."""
        if self._identity is None:
            missing = []
            if not self.config("user.name"):
                missing.append(f"user.name={supporter}")
            if not self.config("user.email"):
                missing.append(f"user.email={slug(supporter) or 'sessionlog'}@sessionlog.invalid")
            self._identity = missing
        return self._identity

    def stage_all(self) -> None:
        self.run("add", "-A")

    def stage(self, paths: Sequence[str]) -> None:
        if paths:
            self.run("add", "-A", "--", *paths)

    def staged(self) -> list[tuple[str, str]]:
        """(status letter, path) of what is staged against HEAD (all of it before the first commit)."""
        if self.rev("HEAD") is None:
            names = self.run("ls-files", "-z").stdout.decode("utf-8").split("\0")
            return [("A", n) for n in names if n]
        raw = self.run("diff", "--cached", "--name-status", "--no-renames", "-z").stdout.decode("utf-8")
        fields = raw.split("\0")
        return [(fields[i], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]

    def commit(self, message: str, supporter: str, *, allow_empty: bool = False) -> str:
        args = ["commit", "-q", "--no-verify", "-F", "-"] + (["--allow-empty"] if allow_empty else [])
        self.run(*args, data=message.encode("utf-8"), config=self.identity(supporter))
        return self.out("rev-parse", "--short", "HEAD")

    def finish_merge(self, supporter: str) -> None:
        self.run("commit", "-q", "--no-verify", "--no-edit", config=self.identity(supporter))

    def blobs(self, specs: Sequence[str]) -> dict[str, str | None]:
        """The text of each `REV:path` (or `:N:path`); None where there is no such file."""
        if not specs:
            return {}
        data = self.run("cat-file", "--batch", data="".join(f"{s}\n" for s in specs).encode("utf-8")).stdout
        out: dict[str, str | None] = {}
        pos = 0
        for spec in specs:
            end = data.index(b"\n", pos)
            header = data[pos:end].split()
            pos = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                out[spec] = data[pos : pos + size].decode("utf-8-sig", "replace")
                pos += size + 1
            else:
                out[spec] = None
        return out

    # --- exchanging with the remote ---------------------------------------------------------

    def fetch(self, remote: str) -> str | None:
        """Fetch; None when it worked, else git's reason (offline, no such host, no access)."""
        done = self.run("fetch", "-q", "--no-write-fetch-head", remote, check=False)
        if done.returncode == 0:
            return None
        return _reason(done.stderr.decode("utf-8", "replace")) or f"git fetch: exit status {done.returncode}"

    def merge(self, ref: str, supporter: str, message: str) -> bool:
        """Merge `ref` with the ledger's driver and without rename guessing; False on conflicts."""
        # A month file one side emptied must not be taken for a "rename" of another month, nor a
        # folder that one side emptied (running/ after a stop) for one renamed into another.
        args = ("merge", "-q", "--no-edit", "--no-verify", "-X", "no-renames", "-m", message, ref)
        done = self.run(*args, check=False, config=[*NO_RENAMES, *self.identity(supporter)])
        if done.returncode != 0 and not self.unmerged():
            why = _reason(done.stderr.decode("utf-8", "replace") + done.stdout.decode("utf-8", "replace"))
            raise SessionlogError(_("git merge failed: {why}").format(why=why), Kind.CONFLICT)
        return done.returncode == 0

    def unmerged(self) -> dict[str, set[int]]:
        """Paths git could not merge, with the stages it holds of each (1 base, 2 ours, 3 theirs)."""
        out: dict[str, set[int]] = {}
        for entry in self.run("ls-files", "-u", "-z").stdout.decode("utf-8").split("\0"):
            if entry:
                info, path = entry.split("\t", 1)
                out.setdefault(path, set()).add(int(info.split()[2]))
        return out

    def merge_base(self, a: str, b: str) -> str | None:
        """The best common ancestor of two commits; None when their histories have none."""
        done = self.run("merge-base", a, b, check=False)
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def authors(self, since: str | None, until: str) -> list[str]:
        """The author of each commit in since..until (merges left out), newest first."""
        span = f"{since}..{until}" if since else until
        return self.out("log", "--no-merges", "--format=%an", span).splitlines()

    def push(self, remote: str, branch: str) -> Pushed:
        pushed = self._push(remote, branch)
        if pushed.busy:
            time.sleep(0.3)  # a colleague's push may hold the branch this very moment: once more
            pushed = self._push(remote, branch)
        return pushed

    def _push(self, remote: str, branch: str) -> Pushed:
        done = self.run("push", "--porcelain", "--no-verify", remote, f"HEAD:refs/heads/{branch}", check=False)
        report = done.stdout.decode("utf-8", "replace").splitlines()
        refs = [ln for ln in report if ln[:1] in "!= +*-" and "\t" in ln]
        if done.returncode == 0:
            return Pushed(True)
        refused = [ln.split("\t")[-1] for ln in refs if ln.startswith("!")]
        if refused:
            # The remote answered but took nothing: someone pushed first ([rejected]), or at the same
            # instant ([remote rejected] (cannot lock ref)), or a hook said no. The caller fetches and
            # tells these apart by whether the remote moved.
            busy = refused[0].startswith("[remote rejected]")  # porcelain status, not a translated message
            return Pushed(False, rejected=True, message=refused[0], busy=busy)
        why = _reason(done.stderr.decode("utf-8", "replace"))
        return Pushed(False, message=why or f"git push: exit status {done.returncode}")

    def track(self, branch: str, remote: str) -> None:
        """Remember where the branch syncs, as `git push -u` would."""
        if self.config(f"branch.{branch}.remote") is None:
            self.set_config(f"branch.{branch}.remote", remote)
            self.set_config(f"branch.{branch}.merge", f"refs/heads/{branch}")

    def reset_hard(self, rev: str) -> None:
        self.run("reset", "-q", "--hard", rev)

    def merge_file(self, ours: Path, base: Path, theirs: Path) -> int:
        """git's own line merge of three files into `ours`, with conflict markers; how many conflicts."""
        args = ("merge-file", "-L", "ours", "-L", "base", "-L", "theirs", str(ours), str(base), str(theirs))
        done = self.run(*args, check=False)
        if done.returncode < 0:
            raise SessionlogError(
                _("git merge-file failed: {reason}").format(reason=_reason(done.stderr.decode("utf-8", "replace")))
            )
        return done.returncode

    @contextmanager
    def sync_lock(self) -> Iterator[None]:
        """One sync at a time in this clone (the ledger lock is held only around local steps)."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.root / SYNC_LOCK), timeout=SYNC_LOCK_TIMEOUT)
        try:
            lock.acquire()
        except Timeout:
            raise SessionlogError(
                _("another sessionlog sync of this ledger is running; try again"), Kind.BUSY
            ) from None
        try:
            yield
        finally:
            lock.release()

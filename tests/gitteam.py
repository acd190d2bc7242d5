"""A team sharing one ledger through git, for the sync tests: a bare remote and one clone each.

Real `git` runs in a private HOME (no user or system config of the machine leaks in) with a
fixed committer; each technician's commits carry their supporter name, as `sync` sets it when
git knows nobody. The CLI runs in-process (tests/harness.py) on each clone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from conftest import SETTINGS, Ledger, assert_one_error, snapshot

NAMES = ("Klaus Hörner", "Anna Weber", "Jonas Berg", "Petra Schäfer", "Emre Yılmaz")  # noqa: RUF001 (a Turkish name)


def git_env(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A HOME and git config of the test's own; the committer fixed, authors left to sync."""
    if shutil.which("git") is None:
        pytest.fail("git is needed for the sync tests (.ci/run installs it)")
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    (home / ".gitconfig").write_text(
        "[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n[advice]\n\tdetachedHead = false\n", encoding="utf-8"
    )
    for name in list(os.environ):
        if name.startswith("GIT_") or name.startswith("SESSIONLOG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "sessionlog tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@sessionlog.invalid")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


class Clone:
    """One technician's clone of the team's ledger, and the CLI run as that technician."""

    def __init__(self, root: Path, tmp: Path, supporter: str) -> None:
        self.ledger = Ledger(root, tmp)
        self.root = root
        self.supporter = supporter

    def run(self, *args: str, **kwargs: Any) -> Result:
        kwargs.setdefault("supporter", self.supporter)
        return self.ledger.run(*args, **kwargs)

    def ok(self, *args: str, **kwargs: Any) -> Result:
        result = self.run(*args, **kwargs)
        assert result.exit_code == 0, (self.supporter, args, result.stdout, result.stderr)
        return result

    def refused(self, *args: str, match: str, code: int = 1, **kwargs: Any) -> str:
        before = self.files()
        result = self.run(*args, **kwargs)
        line = assert_one_error(result, code, match=match)
        assert self.files() == before, f"{args} changed the ledger"
        return line

    def add(self, customer: str, start: str, minutes: int = 30, *more: str, **kwargs: Any) -> str:
        result = self.ok("add", customer, "--start", start, "--duration", f"{minutes}m", *more, **kwargs)
        return result.stdout.strip()

    def sync(self, **kwargs: Any) -> Result:
        return self.ok("sync", **kwargs)

    def records(self, customer: str, month: str = "2024-03") -> dict[str, dict[str, Any]]:
        path = self.root / "customers" / customer / f"{month}.toml"
        if not path.exists():
            return {}
        with path.open("rb") as f:
            return {r["id"]: r for r in tomllib.load(f).get("session", [])}

    def files(self) -> dict[str, bytes]:
        """The ledger's files as they would be shared (not .git, not the locks)."""
        return {
            k: v
            for k, v in snapshot(self.root).items()
            if not k.startswith(".git/") and k not in (".git/", ".sessionlog-sync.lock")
        }

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def offline(self, tmp: Path) -> None:
        """Point origin somewhere that does not answer: a laptop at a customer's site."""
        self.git("remote", "set-url", "origin", str(tmp / "no-network" / "remote.git"))

    def online(self, remote: Path) -> None:
        self.git("remote", "set-url", "origin", str(remote))


class Team:
    def __init__(self, tmp: Path, clones: list[Clone], remote: Path) -> None:
        self.tmp = tmp
        self.clones = clones
        self.remote = remote

    def __getitem__(self, i: int) -> Clone:
        return self.clones[i]

    def sync_all(self, rounds: int = 2) -> None:
        for _ in range(rounds):
            for c in self.clones:
                c.sync()

    def assert_identical(self) -> None:
        first = self.clones[0].files()
        for c in self.clones[1:]:
            theirs = c.files()
            assert sorted(theirs) == sorted(first), (c.supporter, set(theirs) ^ set(first))
            assert theirs == first, c.supporter


def make_team(tmp: Path, monkeypatch: pytest.MonkeyPatch, size: int = 2, settings: str = SETTINGS) -> Team:
    """A bare remote, the first technician's ledger shared into it, and a clone for each other."""
    git_env(tmp, monkeypatch)
    remote = tmp / "remote.git"
    git(tmp, "init", "-q", "--bare", str(remote))
    first = tmp / "clone0"
    first.mkdir()
    (first / "sessionlog.toml").write_text(settings, encoding="utf-8")
    clones = [Clone(first, tmp, NAMES[0])]
    clones[0].ok("init", "--git", "--remote", str(remote))
    clones[0].sync()
    for i in range(1, size):
        root = tmp / f"clone{i}"
        git(tmp, "clone", "-q", str(remote), str(root))
        clone = Clone(root, tmp, NAMES[i])
        clone.ok("sync", "--setup")
        clones.append(clone)
    return Team(tmp, clones, remote)

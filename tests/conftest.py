"""Shared fixtures for the CLI and store tests: a ledger in tmp_path and a way to run the CLI on it.

Hypothesis runs under one of two settings profiles registered here:

- `dev` (50 examples per property), the default, to keep a local run quick;
- `ci` (300 examples per property), chosen when the environment variable CI is `true` (any case),
  as CI sets it.

HYPOTHESIS_PROFILE=dev or HYPOTHESIS_PROFILE=ci picks one explicitly, over CI. Tests set no
`max_examples` of their own, so that the profile decides; `deadline=None` stays where a property
is slow enough per example to trip hypothesis's timing check.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import Result

from harness import invoke

settings.register_profile("dev", max_examples=50)
settings.register_profile("ci", max_examples=300)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)

# The tests read English messages unless a test asks for another language; the machine's locale
# must not decide (a German developer's LANG would otherwise turn every message German).
os.environ["SESSIONLOG_LANGUAGE"] = "en"

SUPPORTER = "Klaus Hörner"
# A Tuesday in March 2024, winter time in Berlin.
NOW = "2024-03-05T12:00:00+01:00"
SETTINGS = 'timezone = "Europe/Berlin"\n'


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file (path -> bytes) and folder (path/ -> b"") under `directory`, to prove nothing changed.

    The lock file is left out: it is how writers take turns, not ledger content.
    """
    out: dict[str, bytes] = {}
    for p in sorted(directory.rglob("*")):
        name = p.relative_to(directory).as_posix()
        if p.is_dir():
            out[name + "/"] = b""
        elif p.name != ".sessionlog.lock":
            out[name] = p.read_bytes()
    return out


def console_script() -> str:
    """The installed `sessionlog` entry point of the environment running the tests."""
    beside = Path(sys.executable).parent / "sessionlog"
    if beside.exists():
        return str(beside)
    found = shutil.which("sessionlog")
    assert found, "the sessionlog console script is not installed"
    return found


def assert_one_error(result: Result, code: int = 1, *, match: str) -> str:
    r"""A refused command: the exit code, exactly one 'error:' line on stderr, no traceback, no data.

    `match` says which refusal: a regular expression, found with `re.search` anywhere in the error
    line, as with `pytest.raises(match=...)`. Plain words work as they are; escape what a regex
    would read otherwise (write `r"2024-03\.toml:4:"`, `r"did you mean acme\?"`, or `re.escape(text)`).
    It must name the reason, so a pattern that would match a bare "error: " is refused.
    """
    assert not re.search(match, "error: "), f"match={match!r} must name the refusal, not only the error: prefix"
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert re.search(match, lines[0]), f"expected the refusal {match!r}, got: {lines[0]}"
    return lines[0]


@dataclass
class Ledger:
    """A ledger folder in tmp_path and the CLI pointed at it."""

    root: Path
    tmp: Path

    def env(self, *, supporter: str = SUPPORTER, now: str | None = NOW, **extra: str | None) -> dict[str, str | None]:
        return {
            "SESSIONLOG_LEDGER": str(self.root),
            "SESSIONLOG_SUPPORTER": supporter,
            "SESSIONLOG_NOW": now,
            # No user config of the machine running the tests may leak in.
            "SESSIONLOG_CONFIG": str(self.tmp / "no-user-config.toml"),
            # Each ledger's derived cache in its own folder, where tests can look at it.
            "SESSIONLOG_CACHE": str(self.tmp / "cache"),
            "VISUAL": None,
            **extra,
        }

    def run(
        self,
        *args: str,
        supporter: str = SUPPORTER,
        now: str | None = NOW,
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> Result:
        result = invoke(args, env={**self.env(supporter=supporter, now=now), **(env or {})}, input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a crash shows its traceback in the test report
        return result

    def ok(self, *args: str, **kwargs: Any) -> Result:
        """Run a command that must succeed."""
        result = self.run(*args, **kwargs)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def add(self, customer: str, start: str, end: str, *more: str, **kwargs: Any) -> str:
        """Record a finished session; returns its id (the only line `add` prints on stdout)."""
        result = self.ok("add", customer, "--start", start, "--end", end, *more, **kwargs)
        return result.stdout.strip()

    def json(self, *args: str, **kwargs: Any) -> Any:
        result = self.ok(*args, "--format", "json", **kwargs)
        return json.loads(result.stdout)

    def sessions(self, period: str = "2024-03", **kwargs: Any) -> list[dict[str, Any]]:
        return self.json("list", period, **kwargs)

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def month(self, customer: str, month: str) -> Path:
        return self.root / "customers" / customer / f"{month}.toml"

    def records(self, customer: str, month: str) -> list[dict[str, Any]]:
        """The [[session]] tables of a month file, read with tomllib (not with our own code)."""
        with self.month(customer, month).open("rb") as f:
            return list(tomllib.load(f).get("session", []))

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return path

    def snapshot(self) -> dict[str, bytes]:
        return snapshot(self.root)

    def refused(self, *args: str, match: str, code: int = 1, **kwargs: Any) -> str:
        """Run a command that must be refused without touching the ledger; returns the error line.

        `match` is the regular expression the error line must contain (`re.search`; see
        `assert_one_error`), so that a test of one refusal cannot pass on another.
        """
        before = self.snapshot()
        result = self.run(*args, **kwargs)
        line = assert_one_error(result, code, match=match)
        assert self.snapshot() == before, f"{args} changed the ledger"
        return line


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the store parses from now on, with its own reader or tomllib (the store's
    small parse memo emptied first)."""
    from sessionlog.store import tomltext as _tomltext

    seen: list[str] = []
    real = _tomltext._loads

    def counting(text: str) -> dict[str, object]:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(_tomltext, "_loads", counting)
    _tomltext._PARSED.clear()
    return seen


@pytest.fixture(autouse=True, scope="session")
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test writes to the user's cache folder: each run has one of its own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SESSIONLOG_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_outer_width() -> Iterator[None]:
    """Tables are as wide as on a pipe unless a test sets COLUMNS: an exported COLUMNS in the
    shell that runs the tests (pytest-xdist's workers set 80) must not change what they see."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("COLUMNS", raising=False)
        mp.delenv("LINES", raising=False)
        yield


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    names = ("SESSIONLOG_LEDGER", "SESSIONLOG_SUPPORTER", "SESSIONLOG_NOW", "SESSIONLOG_CONFIG", "SESSIONLOG_TEST_IDS")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "ledger"
    root.mkdir()
    (root / "sessionlog.toml").write_text(SETTINGS, encoding="utf-8")
    return Ledger(root, tmp_path)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a subprocess of the installed console script (for the few real-process tests)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONLOG_")}
    env.update(
        SESSIONLOG_LEDGER=str(tmp_path / "ledger"),
        SESSIONLOG_SUPPORTER=SUPPORTER,
        SESSIONLOG_CONFIG=str(tmp_path / "no-user-config.toml"),
        SESSIONLOG_CACHE=str(tmp_path / "cache"),
        SESSIONLOG_LANGUAGE="en",
        PYTHONIOENCODING="utf-8",
    )
    (tmp_path / "ledger").mkdir(exist_ok=True)
    (tmp_path / "ledger" / "sessionlog.toml").write_text(SETTINGS, encoding="utf-8")
    return env

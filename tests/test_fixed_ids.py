"""SESSIONLOG_TEST_IDS: fixed session ids for tests and the README's tour, never the same id twice."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest

from conftest import SETTINGS, Ledger
from sessionlog.store import ids

KIMAI = Path(__file__).resolve().parent.parent / "examples" / "import" / "kimai.csv"


def _second(ledger: Ledger, name: str) -> Ledger:
    """Another ledger beside the fixture's, set up the same way."""
    other = Ledger(ledger.tmp / name, ledger.tmp)
    other.root.mkdir()
    (other.root / "sessionlog.toml").write_text(SETTINGS, encoding="utf-8")
    return other


def _work(ledger: Ledger, seed: str | None) -> list[str]:
    """A day's worth of new records by every path that makes ids; their ids, oldest first."""
    env = {"SESSIONLOG_TEST_IDS": seed}
    ledger.ok("add", "acme", "--start", "2024-03-01 10:00", "--duration", "30m", "--new", env=env)
    # Another file: were ids checked against their own file only, this one would repeat the first.
    ledger.ok("add", "gamma", "--start", "2024-02-02 10:00", "--duration", "30m", "--new", env=env)
    ledger.ok("start", "acme", "--at", "2024-03-05 11:00", env=env)
    ledger.ok("stop", "--at", "2024-03-05 11:30", env=env)
    ledger.ok("import", "csv", str(KIMAI), "--map-name", "kimai", "--customer", "acme", env=env)
    return [s["id"] for s in sorted(ledger.sessions("2024"), key=lambda s: s["start"])]


def test_the_same_seed_gives_the_same_ids_in_another_ledger(ledger: Ledger) -> None:
    first = _work(ledger, "docs")
    again = _work(_second(ledger, "again"), "docs")
    assert len(first) == 7
    assert again == first


def test_fixed_ids_are_unique_across_files_commands_and_imports(ledger: Ledger) -> None:
    ids = _work(ledger, "docs")
    assert len(set(ids)) == len(ids) == 7, ids
    # Again on the same ledger (the import finds its rows there): three new ids past the seven.
    more = _work(ledger, "docs")
    assert len(set(more)) == len(more) == 10, more
    result = ledger.ok("check")
    assert "used twice" not in result.stdout + result.stderr


def test_another_seed_gives_other_ids(ledger: Ledger) -> None:
    docs = _work(ledger, "docs")
    tests = _work(_second(ledger, "tests"), "tests")
    assert not set(docs) & set(tests)


def test_without_the_variable_ids_are_random(ledger: Ledger) -> None:
    one = _work(ledger, None)
    two = _work(_second(ledger, "two"), None)
    seeded = _work(_second(ledger, "seeded"), "docs")
    assert not set(one) & set(two)
    assert not set(one) & set(seeded)


def test_random_ids_take_each_letter_by_a_bytes_low_five_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every letter of the alphabet equally likely: 256 bytes, each letter eight times."""
    monkeypatch.delenv("SESSIONLOG_TEST_IDS", raising=False)
    monkeypatch.setattr(ids, "_RANDOM", bytearray(range(256)))
    drawn = "".join(itertools.islice(ids.random_ids(), 32))
    assert drawn[:8] == "23456789"  # bytes 248 to 255, taken from the end of the pool
    assert Counter(drawn) == dict.fromkeys(ids.ID_ALPHABET, 8)

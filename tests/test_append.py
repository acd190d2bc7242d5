"""Appending to a month file the derived cache vouches for: only the new record is parsed."""

from __future__ import annotations

import os
import time
import tomllib
from pathlib import Path

import pytest

from conftest import SUPPORTER, Ledger
from sessionlog.store import tomltext

RECORDS = 300


def month_text(n: int = RECORDS) -> str:
    out = []
    for i in range(n):
        day, minute = 1 + i % 28, (i // 28) * 20
        out.append(
            f'[[session]]\nid = "r{i:07d}"\n'
            f"start = 2024-03-{day:02d}T{8 + minute // 60:02d}:{minute % 60:02d}:00+01:00\n"
            f'end = 2024-03-{day:02d}T{8 + minute // 60:02d}:{minute % 60 + 10:02d}:00+01:00\n'
            f'supporter = "{SUPPORTER}"\n'
            f'note = "Drucker {i}"\n'
        )
    return "\n".join(out)


def age(path: Path, seconds: float = 10) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.fixture
def big(ledger: Ledger) -> Path:
    ledger.add("acme", "01.02.2024 10:00", "01.02.2024 10:30", "--new")
    path = ledger.write("customers/acme/2024-03.toml", month_text())
    age(path)
    ledger.ok("list", "2024-03")  # fills the cache with the file as it is
    return path


def test_an_add_to_a_file_the_cache_vouches_for_parses_only_the_new_record(
    ledger: Ledger, big: Path, parses: list[str]
) -> None:
    before = big.read_text(encoding="utf-8")
    sid = ledger.add("acme", "30.03.2024 10:00", "30.03.2024 10:20", "--note", "Toner")
    after = big.read_text(encoding="utf-8")
    assert after.startswith(before) and after.count("[[session]]") == RECORDS + 1
    assert not any(text.count("[[session]]") > 1 for text in parses), "no parse of the whole file"
    records = tomllib.loads(after)["session"]
    assert records[-1]["id"] == sid and records[-1]["note"] == "Toner"
    assert len(ledger.sessions()) == RECORDS + 1


def test_the_fast_append_writes_what_the_full_path_writes(ledger: Ledger, big: Path) -> None:
    sid = ledger.add("acme", "30.03.2024 10:00", "30.03.2024 10:20", "--note", 'Zitat "x" \u2013 Hörner\\n')
    fast = big.read_text(encoding="utf-8")
    new = tomllib.loads(fast)["session"][-1]
    slow = tomltext.append_record(month_text(), new, str(big))
    assert fast == slow
    assert new["id"] == sid


def test_an_overlap_is_still_found_without_parsing_the_file(ledger: Ledger, big: Path, parses: list[str]) -> None:
    result = ledger.ok("add", "acme", "--start", "01.03.2024 08:05", "--end", "01.03.2024 08:15")
    assert "overlaps r0000000" in result.stderr
    assert not any(text.count("[[session]]") > 1 for text in parses)


def test_a_file_changed_by_hand_after_it_was_cached_is_parsed_and_checked(ledger: Ledger, big: Path) -> None:
    big.write_text(big.read_text(encoding="utf-8") + "\n[[session]\n", encoding="utf-8")  # broken by hand
    before = ledger.snapshot()
    ledger.refused("add", "acme", "--start", "30.03.2024 10:00", "--end", "30.03.2024 10:20", match="does not parse")
    assert ledger.snapshot() == before


def test_a_duplicate_id_is_refused_from_the_cached_ids(ledger: Ledger, big: Path) -> None:
    # A record id the cache lists is taken: a new one never reuses it (ids come from the cache's index).
    sid = ledger.add("acme", "30.03.2024 10:00", "30.03.2024 10:20")
    assert sid not in {f"r{i:07d}" for i in range(RECORDS)}
    assert len({s["id"] for s in ledger.sessions()}) == RECORDS + 1


def test_an_inline_array_of_sessions_takes_the_full_path(ledger: Ledger) -> None:
    ledger.add("acme", "01.02.2024 10:00", "01.02.2024 10:30", "--new")
    text = (
        'session = [{id = "inline01", start = 2024-03-04T10:00:00+01:00, end = 2024-03-04T10:30:00+01:00, '
        f'supporter = "{SUPPORTER}"}}]\n'
    )
    path = ledger.write("customers/acme/2024-03.toml", text)
    age(path)
    ledger.ok("list", "2024-03")
    assert tomltext.append_trusted(text, {"id": "x"}, str(path)) is None
    before = ledger.snapshot()
    # The full path finds that a [[session]] header cannot extend this array, and writes nothing.
    ledger.refused("add", "acme", "--start", "05.03.2024 10:00", "--end", "05.03.2024 10:20", match="cannot rewrite")
    assert ledger.snapshot() == before

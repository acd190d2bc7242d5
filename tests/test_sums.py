"""Kept sums: a report adds up what each whole month file added before, and never a stale sum."""

from __future__ import annotations

import marshal
import sqlite3
from typing import Any

import pytest

from conftest import Ledger
from sessionlog.store.cache import crc
from test_cache import age, cache_file, report, uncached


@pytest.fixture
def march(ledger: Ledger) -> Ledger:
    ledger.add("ACME", "04.03.2024 10:00", "04.03.2024 10:30", "--tag", "drucker")
    ledger.add("ACME", "05.03.2024 09:00", "05.03.2024 09:45", "--free", "warranty")
    ledger.add("BETA", "06.03.2024 14:00", "06.03.2024 15:00", "--new")
    ledger.ok("customer", "edit", "acme", "--rate", "90")
    age(ledger)
    report(ledger)  # reads the files: their entries are in the cache now
    return ledger


def kept(ledger: Ledger) -> dict[tuple[str, str], Any]:
    with sqlite3.connect(cache_file(ledger)) as db:
        rows = db.execute("SELECT path, grouping, data FROM sums").fetchall()
    return {(path, grouping): marshal.loads(data) for path, grouping, data in rows}


def tamper(ledger: Ledger, path: str, grouping: str, change: Any, *, fix_crc: bool) -> None:
    """Change a kept sum; with `fix_crc` so that its CRC still fits (as if it were stale)."""
    with sqlite3.connect(cache_file(ledger)) as db:
        head, rules, data = db.execute(
            "SELECT head, rules, data FROM sums WHERE path = ? AND grouping = ?", (path, grouping)
        ).fetchone()
        new = marshal.dumps(change(marshal.loads(data)))
        check = crc(path, f"{head}|{grouping}|{rules}", new) if fix_crc else 0
        db.execute("UPDATE sums SET data = ?, crc = ? WHERE path = ? AND grouping = ?", (new, check, path, grouping))


def more_net(sums: Any) -> Any:
    """The same sums with 1000 s more net time in the first row."""
    customer, month, ids, rows, totals, running = sums
    group, currency, n, net, *rest = rows[0]
    return (customer, month, ids, ((group, currency, n, net + 1000, *rest), *rows[1:]), totals, running)


def test_a_report_keeps_what_each_file_adds_and_the_next_adds_that_up(march: Ledger) -> None:
    first = report(march)
    assert {key for key in kept(march)} >= {("acme/2024-03.toml", "customer"), ("beta/2024-03.toml", "customer")}
    assert report(march) == first == uncached(march, "report", "2024-03")
    report(march, "--by", "tag")
    assert ("acme/2024-03.toml", "tag") in kept(march)
    assert report(march, "--by", "tag") == uncached(march, "report", "2024-03", "--by", "tag")
    # The kept sums are what the second report used: changed consistently, they show.
    tamper(march, "acme/2024-03.toml", "customer", more_net, fix_crc=True)
    assert report(march)[0]["net_seconds"] == first[0]["net_seconds"] + 1000


def test_a_damaged_kept_sum_is_never_used(march: Ledger) -> None:
    first = report(march)
    tamper(march, "acme/2024-03.toml", "customer", more_net, fix_crc=False)
    assert report(march) == first


def test_new_rules_are_not_added_up_from_sums_kept_under_the_old(march: Ledger) -> None:
    first = report(march)
    tamper(march, "acme/2024-03.toml", "customer", more_net, fix_crc=True)  # stale, if it were used
    path = march.path("customers", "acme", "customer.toml")
    path.write_text(path.read_text(encoding="utf-8").replace("90.00", "60.00"), encoding="utf-8")
    age(march)
    after = report(march)
    assert after == uncached(march, "report", "2024-03")
    assert after[0]["net_seconds"] == first[0]["net_seconds"]
    assert after[0]["amount"] == "30.00"  # 30 min at 60.00


def test_new_business_hours_are_not_added_up_from_sums_kept_under_the_old(march: Ledger) -> None:
    report(march)
    tamper(march, "acme/2024-03.toml", "customer", more_net, fix_crc=True)
    march.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[business_hours]\nstart = "10:30"\n')
    assert report(march) == uncached(march, "report", "2024-03")


def test_a_changed_file_is_not_added_up_from_its_old_sums(march: Ledger) -> None:
    report(march)
    tamper(march, "beta/2024-03.toml", "customer", more_net, fix_crc=True)
    march.add("BETA", "07.03.2024 10:00", "07.03.2024 10:10")
    age(march)
    for _ in range(2):  # the second time the file's new entry is in the cache, next to the old sums
        got = report(march)
        assert got == uncached(march, "report", "2024-03")
        assert got[1]["sessions"] == 2


def test_periods_that_cut_a_month_bill_its_sessions_one_by_one(march: Ledger) -> None:
    report(march)
    tamper(march, "acme/2024-03.toml", "customer", more_net, fix_crc=True)
    week = march.json("report", "2024-W10")  # 4 to 10 March: part of the month only
    assert week == uncached(march, "report", "2024-W10")
    assert week[0]["net_seconds"] == 75 * 60

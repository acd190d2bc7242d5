"""The derived cache of parsed files: never wrong, whatever happens to the files or to the cache."""

from __future__ import annotations

import gc
import json
import marshal
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import FrozenInstanceError, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Ledger, console_script
from sessionlog.model import Billed, Channel, Customer, Origin, Pause, Rounding, Session
from sessionlog.store.cache import RACY_NS, location
from sessionlog.store.cacheformat import decode_customer, decode_session, encode_customer, encode_session, with_origin

OLD = 10  # seconds: files written this long ago are old enough to be cached (RACY_NS is 2 s)


def age(ledger: Ledger, seconds: float = OLD) -> None:
    """Date every file of the ledger back, as if written a while ago: only then is it cached."""
    past = time.time() - seconds
    for p in ledger.root.rglob("*.toml"):
        os.utime(p, (past, past))


def cache_file(ledger: Ledger) -> Path:
    [path] = (ledger.tmp / "cache").glob("*.sqlite3")
    return path


def rows(ledger: Ledger) -> dict[str, str]:
    """path -> head of every entry in the cache."""
    with sqlite3.connect(cache_file(ledger)) as db:
        return dict(db.execute("SELECT path, head FROM files").fetchall())


def report(ledger: Ledger, *args: str) -> list[dict[str, Any]]:
    data = ledger.json("report", "2024-03", *args)
    assert isinstance(data, list)
    return data


def uncached(ledger: Ledger, *args: str) -> Any:
    """The same command with the cache turned off: what the files say."""
    return ledger.json(*args, env={"SESSIONLOG_CACHE": "off"})


@pytest.fixture
def march(ledger: Ledger) -> Ledger:
    ledger.add("ACME", "04.03.2024 10:00", "04.03.2024 10:30", "--note", "Drucker")
    ledger.add("ACME", "05.03.2024 09:00", "05.03.2024 09:45")
    ledger.add("BETA", "06.03.2024 14:00", "06.03.2024 15:00", "--new")
    ledger.ok("customer", "edit", "acme", "--rate", "90")
    age(ledger)
    return ledger


def test_the_cache_lives_outside_the_ledger_and_is_filled_by_reading(march: Ledger) -> None:
    before = march.snapshot()
    first = report(march)
    path = cache_file(march)
    assert march.root not in path.parents
    assert path.name.startswith("ledger-")
    assert set(rows(march)) == {"acme/2024-03.toml", "beta/2024-03.toml", "acme/customer.toml", "beta/customer.toml"}
    assert report(march) == first == uncached(march, "report", "2024-03")
    assert march.snapshot() == before, "reading through the cache never writes to the ledger"


def test_off_turns_the_cache_off(march: Ledger) -> None:
    for p in (march.tmp / "cache").glob("*"):
        p.unlink()
    march.ok("report", "2024-03", env={"SESSIONLOG_CACHE": "off"})
    march.ok("list", "2024-03", env={"SESSIONLOG_CACHE": "off"})
    assert list((march.tmp / "cache").glob("*")) == []


def test_the_first_command_on_no_cache_at_all_fills_it(ledger: Ledger) -> None:
    ledger.write("customers/acme/customer.toml", 'name = "ACME"\n')
    record = 'id = "abcd1234"\nstart = 2024-03-04T10:00:00+01:00\nend = 2024-03-04T10:30:00+01:00\nsupporter = "K"\n'
    ledger.write("customers/acme/2024-03.toml", "[[session]]\n" + record)
    age(ledger)
    assert not (ledger.tmp / "cache").exists()
    assert report(ledger)[0]["net_seconds"] == 1800
    assert set(rows(ledger)) == {"acme/2024-03.toml", "acme/customer.toml"}
    assert report(ledger)[0]["net_seconds"] == 1800


def test_without_the_variable_the_cache_is_in_the_users_cache_folder(
    march: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SESSIONLOG_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(march.tmp / "xdg"))  # platformdirs' folder on Linux
    path = location(march.root)
    assert path is not None
    assert march.tmp / "xdg" in path.parents or os.name != "posix"
    assert location(march.root / ".." / march.root.name) == path, "one cache per ledger, however it is spelled"


@pytest.mark.skipif(sys.platform == "win32", reason="st_ctime is the creation time on Windows (see store/cache.py)")
def test_a_hand_edit_of_the_same_size_in_the_same_second_is_seen(march: Ledger) -> None:
    assert report(march)[0]["net_seconds"] == 75 * 60
    path = march.month("acme", "2024-03")
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("T10:30:00+01:00", "T10:39:00+01:00")
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only ctime tells
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert report(march)[0]["net_seconds"] == 84 * 60


@pytest.mark.skipif(sys.platform == "win32", reason="st_ctime is the creation time on Windows (see store/cache.py)")
def test_a_customer_edited_by_hand_is_seen(march: Ledger) -> None:
    assert report(march)[0]["amount"] == "112.50"
    path = march.path("customers", "acme", "customer.toml")
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("90.00", "80.00"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert report(march)[0]["amount"] == "100.00"


def test_a_write_followed_by_a_read_in_the_same_second_is_seen(march: Ledger) -> None:
    report(march)
    march.add("ACME", "07.03.2024 10:00", "07.03.2024 10:10")
    assert report(march)[0]["sessions"] == 3
    sid = march.sessions()[0]["id"]
    march.ok("edit", sid, "--note", "geändert")
    assert march.sessions()[0]["note"] == "geändert"


def _forge(ledger: Ledger, path: Path, *, checked_ns: int) -> None:
    """Make the cache claim the file as it is now was read at `checked_ns`: a change that
    neither size, mtime, inode nor ctime shows (as on a file system with coarse timestamps)."""
    st = path.stat()
    rel = f"{path.parent.name}/{path.name}"
    with sqlite3.connect(cache_file(ledger)) as db:
        [(head,)] = db.execute("SELECT head FROM files WHERE path = ?", (rel,)).fetchall()
        zone = head.split("|", 2)[2]
        new = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{st.st_ctime_ns}|{checked_ns}|{zone}"
        for column in ("ids", "recs"):
            from sessionlog.store.cache import crc

            (data,) = db.execute(f"SELECT {column} FROM files WHERE path = ?", (rel,)).fetchone()
            db.execute(f"UPDATE files SET {column}_crc = ? WHERE path = ?", (crc(rel, new, data), rel))
        db.execute("UPDATE files SET head = ? WHERE path = ?", (new, rel))


def test_a_racily_clean_file_is_parsed_again(march: Ledger) -> None:
    report(march)
    path = march.month("acme", "2024-03")
    path.write_text(path.read_text(encoding="utf-8").replace("T10:30:00+01:00", "T10:39:00+01:00"), "utf-8")
    mtime = path.stat().st_mtime_ns
    # The entry now matches the changed file's stamp, but says it was read in the same tick as
    # the file was written: such an entry is never trusted.
    _forge(march, path, checked_ns=mtime + RACY_NS // 2)
    assert report(march)[0]["net_seconds"] == 84 * 60


def test_the_racy_rule_is_what_protects_here(march: Ledger) -> None:
    # The same forgery, but claiming the file was read long after it was written: the cache is
    # believed and shows the old figure. This is what the rule above prevents.
    report(march)
    path = march.month("acme", "2024-03")
    path.write_text(path.read_text(encoding="utf-8").replace("T10:30:00+01:00", "T10:39:00+01:00"), "utf-8")
    _forge(march, path, checked_ns=path.stat().st_mtime_ns + 3 * RACY_NS)
    assert report(march)[0]["net_seconds"] == 75 * 60


def current(ledger: Ledger) -> set[str]:
    """The entries that match their file as it is now (an older one may linger, unused)."""
    out = set()
    for rel, head in rows(ledger).items():
        st = (ledger.root / "customers" / rel).stat()
        if head.startswith(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{st.st_ctime_ns}|"):
            out.add(rel)
    return out


def test_a_fresh_file_is_not_cached_until_it_is_old_enough(march: Ledger) -> None:
    march.add("ACME", "07.03.2024 10:00", "07.03.2024 10:10")  # written just now
    report(march)
    assert "acme/2024-03.toml" not in current(march)
    assert "beta/2024-03.toml" in current(march)
    age(march)
    report(march)
    assert "acme/2024-03.toml" in current(march)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(os.urandom(4096)), id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 3]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.unlink(), id="deleted"),
    ],
)
def test_a_damaged_or_deleted_cache_gives_the_same_results_and_is_rebuilt(march: Ledger, damage: Any) -> None:
    expected = uncached(march, "list", "2024-03")
    assert march.sessions() == expected
    gc.collect()  # the commands above ran in this process: let go of their connections first
    path = cache_file(march)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    damage(path)
    assert march.sessions() == expected
    assert march.sessions() == expected
    assert "acme/2024-03.toml" in rows(march), "rebuilt"


def test_a_cache_of_another_version_is_rebuilt(march: Ledger) -> None:
    expected = report(march)
    with sqlite3.connect(cache_file(march)) as db:
        db.execute("UPDATE meta SET value = 'sessionlog 0.0' WHERE key = 'version'")
        db.execute("UPDATE files SET recs = X'00'")
    assert report(march) == expected
    with sqlite3.connect(cache_file(march)) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0] != "sessionlog 0.0"


@pytest.mark.parametrize("column", ["recs", "ids"])
def test_an_entry_that_does_not_match_its_crc_is_never_used(march: Ledger, column: str) -> None:
    expected = {"list": uncached(march, "list", "2024-03"), "report": uncached(march, "report", "2024-03")}
    report(march)
    march.sessions()
    with sqlite3.connect(cache_file(march)) as db:
        # well-formed, but not what its CRC was computed over: "no sessions"
        value = marshal.dumps(()) if column == "recs" else ""
        db.execute(f"UPDATE files SET {column} = ? WHERE path = 'acme/2024-03.toml'", (value,))
    assert march.sessions() == expected["list"]
    assert report(march) == expected["report"]


def test_a_broken_file_is_reported_every_time_and_never_cached_as_empty(march: Ledger) -> None:
    report(march)
    path = march.month("acme", "2024-03")
    path.write_text(path.read_text(encoding="utf-8") + "\n[[session]\n", encoding="utf-8")
    age(march)
    for _ in range(3):
        result = march.run("list", "2024-03", "--format", "json")
        assert result.exit_code == 1, "a list that leaves a file out says so by its exit code"
        assert "2024-03.toml:" in result.stderr and "does not parse" in result.stderr
        assert [s["customer"] for s in json.loads(result.stdout)] == ["beta"]
    assert "acme/2024-03.toml" not in rows(march)
    off = march.run("list", "2024-03", "--format", "json", env={"SESSIONLOG_CACHE": "off"})
    assert (off.exit_code, off.stdout, off.stderr) == (result.exit_code, result.stdout, result.stderr)


def test_an_invalid_record_comes_back_with_its_line(march: Ledger) -> None:
    report(march)
    path = march.month("acme", "2024-03")
    path.write_text(path.read_text(encoding="utf-8").replace('channel = "remote"', 'channel = "fax"', 1), "utf-8")
    age(march)
    first = march.refused("report", "2024-03", match=r"\.toml:\d+: .*channel must be one of")
    assert march.refused("report", "2024-03", match="channel") == first
    assert march.refused("report", "2024-03", match="channel", env={"SESSIONLOG_CACHE": "off"}) == first


def test_changing_the_ledger_zone_does_not_reuse_months_read_in_the_old_one(ledger: Ledger) -> None:
    ledger.write("sessionlog.toml", 'timezone = "UTC"\n')
    ledger.add("ACME", "2024-03-31T23:30:00+00:00", "2024-04-01T00:10:00+00:00", "--new")
    age(ledger)
    assert len(ledger.sessions()) == 1
    ledger.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n')
    result = ledger.run("list", "2024-03", "--format", "json")
    assert result.exit_code == 1
    assert "started in 2024-04" in result.stderr  # 01:30 in Berlin: misfiled in the March file
    assert json.loads(result.stdout) == []


def test_edit_and_delete_by_prefix_use_the_id_index_and_see_new_records(march: Ledger) -> None:
    march.ok("check")  # reads every file: the ids of all of them are in the cache now
    sid = march.sessions()[0]["id"]
    march.ok("edit", sid[:5], "--note", "neu")
    assert march.sessions()[0]["note"] == "neu"
    # A record added by hand to a cached file is found, as the file's stamp changed.
    path = march.month("beta", "2024-03")
    record = '\n[[session]]\nid = "zz9handx"\nstart = 2024-03-08T10:00:00+01:00\nend = 2024-03-08T10:20:00+01:00\n'
    path.write_text(path.read_text(encoding="utf-8") + record + 'supporter = "Klaus"\n', encoding="utf-8")
    march.ok("delete", "zz9h", "--yes")
    assert "zz9handx" not in path.read_text(encoding="utf-8")
    march.refused("delete", "zz9h", "--yes", match="no session")


def test_concurrent_processes_share_the_cache_without_harm(march: Ledger) -> None:
    expected = uncached(march, "report", "2024-03")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONLOG_")}
    env.update({k: v for k, v in march.env().items() if v is not None})
    cache = Path(env["SESSIONLOG_CACHE"])
    for round_ in range(3):
        if round_ == 1:
            for p in cache.glob("*"):
                p.unlink()
        runs = [
            subprocess.Popen(
                [console_script(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for args in [["report", "2024-03", "--format", "json"]] * 4 + [["check"], ["list", "2024-03"]]
        ]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0] * len(runs), [err for _, err in outputs]
        assert all(json.loads(out) == expected for out, _ in outputs[:4])


BERLIN = ZoneInfo("Europe/Berlin")
moments = st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1), timezones=st.sampled_from([UTC, BERLIN]))
texts = st.text(max_size=20)
maybe = st.none() | texts


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    start = draw(moments)
    end = draw(st.none() | st.just(start + timedelta(seconds=draw(st.integers(60, 86400)))))
    billed = draw(
        st.none()
        | st.builds(Billed, st.integers(0, 999), st.integers(0, 99), st.integers(0, 999), st.decimals(0, 500, places=2),
                    st.decimals(-100, 10_000, places=3), st.sampled_from(["EUR", "CHF"]), st.none() | st.dates())
    )  # fmt: skip
    return Session(
        id=draw(st.text("abcdefghkmnp23456789", min_size=8, max_size=8)),
        customer="acme",
        start=start,
        end=end,
        pauses=tuple(draw(st.lists(st.builds(Pause, st.just(start), st.none() | st.just(start)), max_size=2))),
        supporter=draw(texts),
        contact=draw(maybe),
        machine=draw(maybe),
        channel=draw(st.sampled_from([str(c) for c in Channel])),
        note=draw(texts),
        billable=draw(st.booleans()),
        free_reason=draw(maybe),
        tags=tuple(draw(st.lists(texts, max_size=3))),
        ticket=draw(maybe),
        invoice=draw(maybe),
        source=draw(maybe),
        billed=billed,
        unfinished=draw(st.booleans()),
    )


def _back(value: Session | Customer, line: int) -> object:
    if isinstance(value, Session):
        back: object = decode_session(marshal.loads(marshal.dumps(encode_session(value))))
    else:
        back = decode_customer(marshal.loads(marshal.dumps(encode_customer(value))))
    return with_origin(back, "/l/customers/acme/2024-03.toml", line)


@settings(max_examples=200, deadline=None)
@given(s=sessions(), line=st.integers(1, 10_000))
def test_a_record_comes_back_from_the_cache_as_it_was_read(s: Session, line: int) -> None:
    back = _back(s, line)
    assert isinstance(back, Session)
    assert back == s
    for name in (f.name for f in fields(Session) if f.name != "origin"):
        assert getattr(back, name) == getattr(s, name), name
        assert type(getattr(back, name)) is type(getattr(s, name)), name
    assert back.origin == Origin("/l/customers/acme/2024-03.toml", line)
    assert [t.utcoffset() for t in (back.start, back.end) if t] == [t.utcoffset() for t in (s.start, s.end) if t]
    with pytest.raises(FrozenInstanceError):
        back.note = "changed"  # type: ignore[misc]


def test_every_field_of_a_customer_comes_back() -> None:
    c = Customer(
        key="acme", name="ACME GmbH", rate=Decimal("90.00"), increment=15, rounding=Rounding.UP, minimum=15,
        included_minutes=60, after_hours_factor=Decimal("1.5"), currency="CHF", remote_ids=("123 456 789",),
        aliases=("acme-ag",), contacts=("Frau Maier",), machines=("PC-07",), address="Lechstraße 12\n86150 Augsburg",
        customer_number="K-1007",
    )  # fmt: skip
    back = _back(c, 1)
    assert back == c
    for f in fields(Customer):
        if f.name != "origin":
            assert getattr(back, f.name) == getattr(c, f.name), f.name
            assert type(getattr(back, f.name)) is type(getattr(c, f.name)), f.name


def test_a_value_of_the_wrong_type_is_not_cached_rather_than_guessed() -> None:
    s = Session("abcd1234", "acme", datetime(2024, 3, 1, 10, tzinfo=UTC), channel=Channel.PHONE)
    with pytest.raises(ValueError, match="unmarshallable"):
        marshal.dumps(encode_session(s))  # a StrEnum where files give a str: the file is parsed instead


def test_an_id_with_a_space_written_by_hand_is_found_through_the_index(march: Ledger) -> None:
    record = '[[session]]\nid = "hand made"\nstart = 2024-02-08T10:00:00+01:00\nend = 2024-02-08T10:20:00+01:00\n'
    march.write("customers/beta/2024-02.toml", record + 'supporter = "Klaus"\n')
    age(march)
    march.ok("check")
    assert "beta/2024-02.toml" in rows(march)
    march.ok("delete", "hand m", "--yes")
    assert not march.path("customers", "beta", "2024-02.toml").exists()  # its only record is gone

"""`search` scans the texts rows of the derived cache and decodes only its hits: it must find
exactly what reading every session finds (`gather` and `select`, the way search worked before),
whether the files are parsed, decoded from their cache rows, or scanned as texts rows."""

from __future__ import annotations

import marshal
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, SUPPORTER, Ledger
from insights_helpers import SETTINGS, record, write_sessions
from sessionlog.app import search as workflow
from sessionlog.app.context import Context
from sessionlog.app.listing import gather, refuse_or_skip
from sessionlog.periods import Period, parse_period, period_between
from sessionlog.store import Ledger as Store
from sessionlog.store.cache import location

TZ_NOW = datetime.fromisoformat(NOW)
WORDS = ["Drucker", "drücker", "DRUCKER", "Müller", "Mueller", "muller", "Straße", "Strasse", "Café", "cafe",
         "Papier", "klemmt", "Outlook", "Profil", "Netzwerkdrucker", "Büro", "buero", "Treiber", "0x8004"]  # fmt: skip
MONTHS = ["2023-01", "2023-06", "2023-12", "2024-01", "2024-02", "2024-03"]


def age(root: Path) -> None:
    """Date the files back, so that the cache may keep them (see RACY_NS)."""
    past = time.time() - 60
    for p in root.rglob("*.toml"):
        os.utime(p, (past, past))


note = st.lists(st.sampled_from(WORDS), min_size=0, max_size=5).map(" ".join)
optional = st.none() | st.sampled_from(["Herr Müller", "Frau Weiß", "PC-Büro", "Empfang-PC", "T-0042"])
session = st.fixed_dictionaries(
    {
        "customer": st.sampled_from(["acme", "beta", "gamma"]),
        "month": st.sampled_from(MONTHS),
        "day": st.integers(1, 28),
        "hour": st.sampled_from([9, 10, 14]),  # a few: sessions that start at the same moment
        "note": note,
        "tags": st.lists(st.sampled_from(["drucker", "Drucker", "mail", "netz werk", "büro"]), max_size=2, unique=True),
        "contact": optional,
        "machine": optional,
        "ticket": optional,
    }
)
query = st.lists(st.sampled_from([w.lower() for w in WORDS] + ['"papier klemmt"', '"drucker papier"']), min_size=1,
                 max_size=2).map(" ".join)  # fmt: skip


def write(root: Path, sessions: list[dict[str, Any]], doubled: bool, broken: bool) -> None:
    pairs = []
    for n, s in enumerate(sessions):
        start = f"{s['month']}-{s['day']:02d}T{s['hour']:02d}:00:00+01:00"
        end = f"{s['month']}-{s['day']:02d}T{s['hour']:02d}:30:00+01:00"
        sid = "twin0000" if doubled and n < 2 else f"s{n:07d}"
        text = record(sid, start, end, note=s["note"], tags=tuple(s["tags"]), contact=s["contact"],
                      machine=s["machine"], ticket=s["ticket"])  # fmt: skip
        pairs.append((s["customer"], text))
    write_sessions(Ledger(root, root.parent), pairs, SETTINGS)
    if broken:
        (root / "customers" / "acme").mkdir(parents=True, exist_ok=True)
        (root / "customers" / "acme" / "2023-06.toml").write_text("[[session]\nid = 1\n", encoding="utf-8")
    age(root)


def by_reading_everything(ctx: Context, text: str, period: Period, machine: str | None, tags: list[str]) -> Any:
    """What search found before it had texts rows: every session of the period's months read, then selected."""
    g = gather(ctx, period.months() if period.end - period.start < timedelta(days=3700) else None, None)
    skipped = refuse_or_skip(g.errors, True)
    pool = [s for s in g.sessions if s.start in period]
    hits = workflow.select(pool, workflow.parse_query(text), machine, tags)
    return [s.id for s in hits], hits, len(hits), len(pool), [(p.kind, p.message, p.path) for p in skipped]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sessions=st.lists(session, max_size=25),
    text=query,
    period=st.sampled_from(["all", "2024", "2023-06", "from-to"]),
    machine=st.none() | st.sampled_from(["pc", "büro", "empfang"]),
    tags=st.lists(st.sampled_from(["drucker", "DRÜCKER", "mail", "netz werk"]), max_size=1),
    limit=st.sampled_from([None, 1, 3]),
    doubled=st.booleans(),
    broken=st.booleans(),
    group=st.sampled_from([1, 2, workflow.GROUP_FILES]),
)
def test_the_texts_rows_find_what_reading_every_session_finds(
    sessions: list[dict[str, Any]],
    text: str,
    period: str,
    machine: str | None,
    tags: list[str],
    limit: int | None,
    doubled: bool,
    broken: bool,
    group: int,
) -> None:
    # Files read at a time: 1 and 2 put ids used twice and equal starts into different groups.
    with patch.object(workflow, "GROUP_FILES", group), tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ledger"
        root.mkdir()
        write(root, sessions, doubled and len(sessions) > 1, broken)
        ctx = Context(Store(root), SUPPORTER, TZ_NOW)
        if period == "all":
            span = period_between(None, None, ctx.now, ctx.tz)
        elif period == "from-to":
            span = period_between(
                datetime.fromisoformat("2023-06-10T00:00:00+02:00"),
                datetime.fromisoformat("2024-01-15T00:00:00+01:00"),
                ctx.now,
                ctx.tz,
            )  # fmt: skip
        else:
            span = parse_period(period, ctx.now, ctx.tz)
        ids, expected, total, searched, skipped = by_reading_everything(ctx, text, span, machine, tags)
        # Parsed (the cache is empty), decoded from the files rows, then scanned as texts rows.
        for run in ("parsed", "decoded", "texts rows"):
            ctx = Context(Store(root), SUPPORTER, TZ_NOW)
            found = workflow.search(ctx, text, span, machine=machine, tags=tags, skip_broken=True)
            hits = list(found.hits)
            assert [h.session.id for h in hits] == ids, run
            assert [h.session for h in hits] == expected, run
            assert [h.session.origin for h in hits] == [s.origin for s in expected], run
            assert (found.total, found.searched) == (total, searched), run
            assert [(p.kind, p.message, p.path) for p in found.skipped] == skipped, run
            if limit is not None:
                first = workflow.search(ctx, text, span, machine=machine, tags=tags, limit=limit, skip_broken=True)
                assert [h.session.id for h in first.hits] == ids[:limit], run
            ctx.ledger.close()
        with sqlite3.connect(str(location(root))) as db:
            cached = {p for (p,) in db.execute("SELECT path FROM texts")}
        clean = {f"{p.parent.name}/{p.name}" for p in root.glob("customers/*/20*.toml")} - (
            {"acme/2023-06.toml"} if broken else set()
        )
        assert cached == clean if period == "all" else cached <= clean, "every clean file read, no broken one"


def test_a_broken_file_refuses_the_search_however_it_was_read(ledger: Ledger) -> None:
    """The same refusal when the other files are parsed, decoded or scanned as texts rows."""
    write_sessions(ledger, [("acme", record("s1", "2024-03-04T10:00:00+01:00", "2024-03-04T10:30:00+01:00",
                                            note="Drucker"))])  # fmt: skip
    ledger.write("customers/beta/2024-02.toml", "[[session]\n")
    age(ledger.root)
    for _ in range(3):
        ledger.refused("search", "drucker", match=r"2024-02\.toml.*(does not parse|parse)")
        assert "1 of 1 session(s) match" in ledger.run("search", "drucker", "--skip-broken").stderr


def test_a_session_changed_by_hand_is_found_as_it_is_now(ledger: Ledger) -> None:
    write_sessions(ledger, [("acme", record("s1", "2024-03-04T10:00:00+01:00", "2024-03-04T10:30:00+01:00",
                                            note="Drucker getauscht"))])  # fmt: skip
    age(ledger.root)
    for _ in range(3):  # until the texts row is there
        assert [h["id"] for h in ledger.json("search", "drucker", "--format", "json")] == ["s1"]
    path = ledger.month("acme", "2024-03")
    path.write_text(path.read_text(encoding="utf-8").replace("Drucker getauscht", "Scanner getauscht"), "utf-8")
    assert ledger.json("search", "drucker", "--format", "json") == []
    assert [h["note"] for h in ledger.json("search", "scanner", "--format", "json")] == ["Scanner getauscht"]


def test_a_texts_row_that_does_not_match_its_crc_is_never_used(ledger: Ledger) -> None:
    write_sessions(ledger, [("acme", record("s1", "2024-03-04T10:00:00+01:00", "2024-03-04T10:30:00+01:00",
                                            note="Drucker getauscht"))])  # fmt: skip
    age(ledger.root)
    for _ in range(3):
        ledger.json("search", "drucker", "--format", "json")
    [cache] = (ledger.tmp / "cache").glob("*.sqlite3")
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM texts").fetchone()[0] == 1
        db.execute("UPDATE texts SET texts = ?", (marshal.dumps((0,)),))  # well-formed: "no sessions"
    assert [h["id"] for h in ledger.json("search", "drucker", "--format", "json")] == ["s1"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_many_hits_are_written_in_little_memory(tmp_path: Path, cli_env: dict[str, str], fmt: str) -> None:
    """Every hit of a big ledger as JSON or CSV: the hits are made as they are written, so the
    peak memory of the process hardly grows with their number (it was 400 MiB for 46 000)."""
    root = Path(cli_env["SESSIONLOG_LEDGER"])
    big = "Drucker getauscht, Treiber neu installiert, Testseite gedruckt " * 40  # 2.5 KB a note
    pairs = [
        ("acme", record(f"s{n:07d}", f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+01:00",
                        f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T10:30:00+01:00", note=big))
        for n in range(6000)
    ]  # fmt: skip
    write_sessions(Ledger(root, tmp_path), pairs, SETTINGS)
    age(root)
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    script = str(Path(sys.executable).parent / "sessionlog")
    peaks = []
    for _ in range(3):  # parsed, decoded, texts rows
        out = subprocess.run([sys.executable, "-c", probe, script, "search", "drucker", "-f", fmt],
                             env=cli_env, check=True, capture_output=True, text=True)  # fmt: skip
        peaks.append(int(out.stdout) / 1024)
    # 6 000 hits of 2.5 KB are 15 MB of text, 30 MB as str and JSON at once, and more as dicts.
    assert peaks[-1] < 75, peaks


def test_sessions_that_start_at_the_same_moment_come_in_the_order_read(ledger: Ledger) -> None:
    """Two hits of one start, the 4th and the 201st record of a file: the 4th first, as read.
    (Sorted from a set of positions, they came as the set's table held them: the 201st first.)"""
    start, end = "2024-03-04T10:00:00+01:00", "2024-03-04T10:30:00+01:00"
    records = [
        record(f"s{n:07d}", start if n in (3, 200) else f"2024-03-05T{8 + n % 10:02d}:00:00+01:00",
               end if n in (3, 200) else f"2024-03-05T{8 + n % 10:02d}:30:00+01:00",
               note="Drucker getauscht" if n in (3, 200) else "Kasse")
        for n in range(201)
    ]  # fmt: skip
    write_sessions(ledger, [("acme", r) for r in records])
    assert [h["id"] for h in ledger.json("search", "drucker", "--format", "json")] == ["s0000003", "s0000200"]

"""`Sessions.add_many`, the batch append an import writes with, on real files."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sessionlog.model import Kind, Session, SessionlogError
from sessionlog.store import Ledger

BERLIN = ZoneInfo("Europe/Berlin")


def session(customer: str, when: str, minutes: int | None = 30, **fields: object) -> Session:
    start = datetime.fromisoformat(when).replace(tzinfo=BERLIN)
    end = None if minutes is None else start + timedelta(minutes=minutes)
    return Session(id="", customer=customer, start=start, end=end, supporter="K", **fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Ledger:
    (tmp_path / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    return Ledger(tmp_path)


def records(path: Path) -> list[dict[str, object]]:
    with path.open("rb") as f:
        return list(tomllib.load(f)["session"])


def test_appends_to_several_files_in_order_with_new_ids(store: Ledger) -> None:
    march = store.layout.month_file("acme", "2024-03")
    march.parent.mkdir(parents=True)
    march.write_text(
        '# von Hand\n[[session]]\nid = "hand0001"\nstart = 2024-03-01T08:00:00+01:00\n'
        'end = 2024-03-01T08:10:00+01:00\nsupporter = "K"\nmeine_notiz = "bleibt"\n',
        encoding="utf-8",
    )
    batch = [
        session("acme", "2024-03-02 09:00"),
        session("acme", "2024-04-01 09:00", None, unfinished=True, source="anydesk:1:x"),
        session("acme", "2024-03-03 09:00", source="teamviewer:a teamviewer:b"),
    ]
    saved = store.sessions.add_many(batch)
    assert [s.start for s in saved] == [s.start for s in batch]
    assert len({s.id for s in saved}) == 3 and all(len(s.id) == 8 for s in saved)
    text = march.read_text(encoding="utf-8")
    assert text.startswith("# von Hand\n")
    assert [r["id"] for r in records(march)] == ["hand0001", saved[0].id, saved[2].id]
    assert records(march)[0]["meine_notiz"] == "bleibt"
    (april,) = records(store.layout.month_file("acme", "2024-04"))
    assert april["unfinished"] is True and "end" not in april
    loaded, problems = store.sessions.load()
    assert problems == []
    assert {s.id for s in loaded} == {"hand0001", *(s.id for s in saved)}


def test_a_broken_file_stops_the_batch_before_any_write(store: Ledger) -> None:
    good = store.layout.month_file("acme", "2024-03")
    broken = store.layout.month_file("beta", "2024-03")
    broken.parent.mkdir(parents=True)
    broken.write_text("[[session]\n", encoding="utf-8")
    with pytest.raises(SessionlogError) as caught:
        store.sessions.add_many([session("acme", "2024-03-02 09:00"), session("beta", "2024-03-02 10:00")])
    assert caught.value.kind is Kind.BROKEN_FILE
    assert not good.exists()
    assert broken.read_text(encoding="utf-8") == "[[session]\n"


def test_a_session_without_end_or_mark_is_refused(store: Ledger) -> None:
    with pytest.raises(SessionlogError) as caught:
        store.sessions.add_many([session("acme", "2024-03-02 09:00"), session("acme", "2024-03-02 10:00", None)])
    assert caught.value.kind is Kind.INVALID
    assert not store.layout.month_file("acme", "2024-03").exists()


def test_an_id_already_in_the_file_is_refused(store: Ledger) -> None:
    (first,) = store.sessions.add_many([session("acme", "2024-03-02 09:00")])
    with pytest.raises(SessionlogError) as caught:
        store.sessions.add_many([session("acme", "2024-03-05 09:00").evolve(id=first.id)])
    assert caught.value.kind is Kind.DUPLICATE


def test_a_failed_rename_leaves_every_file_whole_and_no_temp_files(
    store: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    batch = [session(f"k{i:02d}", "2024-03-02 09:00") for i in range(20)]  # 20 files: one sync
    real = os.replace
    calls: list[str] = []

    def flaky(src: str, dst: str | Path) -> None:
        calls.append(str(dst))
        if len(calls) == 5:
            raise OSError("disk unplugged")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError):
        store.sessions.add_many(batch)
    written = sorted(store.layout.customers_dir.rglob("*.toml"))
    assert len(written) == 4  # the files renamed before the failure, each complete
    assert all(len(records(p)) == 1 for p in written)
    assert list(store.layout.customers_dir.rglob("*.tmp")) == []

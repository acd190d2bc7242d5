"""Shared folders: the conflict copies sync services leave are named by `check` and merged
back record by record by `check --fix`."""

from __future__ import annotations

import tomllib

import pytest

from conftest import Ledger
from sessionlog.store.copynames import original_name

RECORD = """\
[[session]]
id = "{sid}"
start = 2024-03-0{day}T10:00:00+01:00
end = 2024-03-0{day}T11:00:00+01:00
supporter = "Klaus Hörner"
note = "{note}"
"""


def rec(sid: str, day: int = 1, note: str = "x") -> str:
    return RECORD.format(sid=sid, day=day, note=note)


@pytest.mark.parametrize(
    ("name", "folder", "original"),
    [
        ("2024-03 (conflicted copy 2024-03-05).toml", "customer", "2024-03.toml"),
        ("2024-03 (Klaus's conflicted copy 2024-03-05).toml", "customer", "2024-03.toml"),
        ("2024-03 (conflicted copy 2024-03-05 101500).toml", "customer", "2024-03.toml"),
        ("2024-03 (In Konflikt stehende Kopie von Klaus 2024-03-05).toml", "customer", "2024-03.toml"),
        ("2024-03 (Konflikt 2024-03-05).toml", "customer", "2024-03.toml"),
        ("2024-03.sync-conflict-20240305-101500-ABCDEFG.toml", "customer", "2024-03.toml"),
        ("2024-03_conflict-20240305-101500.toml", "customer", "2024-03.toml"),
        ("2024-03-DESKTOP-7QK3L2M.toml", "customer", "2024-03.toml"),
        ("2024-03 (1).toml", "customer", "2024-03.toml"),
        ("customer (conflicted copy 2024-03-05).toml", "customer", "customer.toml"),
        ("klaus-hoerner (conflicted copy 2024-03-05).toml", "running", "klaus-hoerner.toml"),
        ("klaus-hoerner-LAPTOP-KH.toml", "running", "klaus-hoerner.toml"),
        ("2024-03.sync-conflict-20240305-101500-ABCDEFG.toml", "invoices", "2024-03.toml"),
        ("sessionlog (conflicted copy 2024-03-05).toml", "root", "sessionlog.toml"),
        ("2024-03.toml", "customer", None),
        ("2024-3.toml", "customer", None),
        ("2024-03-15.toml", "customer", None),
        ("2024-03-alt.toml", "customer", None),
        ("2024-03 backup.toml", "customer", None),
        ("notes (conflicted copy).toml", "customer", None),
    ],
)
def test_the_names_sync_services_give_their_copies(name: str, folder: str, original: str | None) -> None:
    assert original_name(name, folder) == original


COPY = "customers/acme/2024-03 (conflicted copy 2024-03-05 101500).toml"


def test_check_names_a_copy_and_bills_refuse_the_month(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", rec("aaaa1111"))
    ledger.write(COPY, rec("aaaa1111") + "\n" + rec("bbbb2222", 2))
    result = ledger.run("check")
    assert result.exit_code == 1
    assert f"{ledger.path(COPY)}: error: a conflict copy of 2024-03.toml made by a file-sync service" in result.stdout
    assert "sessionlog check --fix" in result.stdout
    ledger.refused("invoice", "2024-03", match=r"conflicted copy 2024-03-05 101500\)\.toml: a conflict copy")


def test_check_finds_copies_of_timers_registers_and_settings(ledger: Ledger) -> None:
    ledger.write("running/klaus-hoerner.sync-conflict-20240305-101500-ABCDEFG.toml", "")
    ledger.write("invoices/2024-03 (conflicted copy 2024-03-05).toml", "")
    ledger.write("sessionlog-DESKTOP-7QK3L2M.toml", 'timezone = "Europe/Berlin"\n')
    out = ledger.run("check").stdout
    for original, copy in (
        ("klaus-hoerner.toml", "running/klaus-hoerner.sync-conflict-20240305-101500-ABCDEFG.toml"),
        ("2024-03.toml", "invoices/2024-03 (conflicted copy 2024-03-05).toml"),
        ("sessionlog.toml", "sessionlog-DESKTOP-7QK3L2M.toml"),
    ):
        assert f"{ledger.path(copy)}: error: a conflict copy of {original}" in out


def test_fix_merges_a_copy_record_by_record_and_removes_it(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", "# Maier GmbH\n" + rec("aaaa1111") + "\n" + rec("cccc3333", 3))
    ledger.write(COPY, rec("aaaa1111", note="changed on the laptop") + "\n" + rec("bbbb2222", 2))
    result = ledger.run("check", "--fix")
    assert result.stderr.splitlines()[0] == (
        f"merged {ledger.path(COPY).name} into {ledger.month('acme', '2024-03')}: "
        "1 record(s) added, 0 changed, 1 conflict(s); removed the copy"
    )
    assert not ledger.path(COPY).exists()
    text = ledger.month("acme", "2024-03").read_text(encoding="utf-8")
    assert text.startswith("# Maier GmbH\n")
    records = {r["id"]: r for r in tomllib.loads(text)["session"]}
    assert list(records) == ["aaaa1111", "cccc3333", "bbbb2222"]
    assert records["aaaa1111"]["conflict"] == {"note": {"ours": "x", "theirs": "changed on the laptop"}}
    assert result.exit_code == 1
    assert f"{ledger.month('acme', '2024-03')}:2: conflict: session aaaa1111 is in conflict" in result.stdout
    ledger.ok("resolve", "aaaa1111", "--take", "theirs")
    assert ledger.records("acme", "2024-03")[0]["note"] == "changed on the laptop"
    assert ledger.run("check").exit_code == 0


def test_fix_leaves_out_records_that_live_in_another_file_by_now(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", rec("aaaa1111"))
    ledger.write("customers/gamma/2024-03.toml", rec("mmmm0000", 4))  # moved to gamma since
    ledger.write(COPY, rec("aaaa1111") + "\n" + rec("mmmm0000", 4))
    result = ledger.ok("check", "--fix")
    assert "left out mmmm0000: in another file by now" in result.stderr
    assert [r["id"] for r in ledger.records("acme", "2024-03")] == ["aaaa1111"]


def test_a_stopped_timers_copy_does_not_come_back(ledger: Ledger) -> None:
    sid = ledger.add("acme", "2024-03-05 10:00", "2024-03-05 11:00", "--new")
    timer = rec(sid, 5).replace("end = 2024-03-05T11:00:00+01:00\n", 'customer = "acme"\n')
    ledger.write("running/klaus-hoerner (conflicted copy 2024-03-05).toml", timer)
    ledger.ok("check", "--fix")
    assert not ledger.path("running/klaus-hoerner.toml").exists()
    assert list(ledger.path("running").iterdir()) == []
    assert "nothing is running" in ledger.ok("status").stderr


def test_a_copy_that_does_not_parse_is_left_alone(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", rec("aaaa1111"))
    ledger.write(COPY, "[[session]\n")
    before = ledger.month("acme", "2024-03").read_bytes()
    result = ledger.run("check", "--fix")
    assert "warning: " in result.stderr and "cannot merge it into 2024-03.toml" in result.stderr
    assert ledger.path(COPY).exists() and ledger.month("acme", "2024-03").read_bytes() == before
    assert result.exit_code == 1


def test_register_copies_keep_every_invoice_and_show_a_number_issued_twice(ledger: Ledger) -> None:
    head = 'customer_name = "X"\nissued = 2024-04-02T09:00:00+02:00\ntotal = "90.00"\ncurrency = "EUR"\n'
    ledger.write("invoices/2024-03.toml", f'[[invoice]]\nnumber = "RE-2024-0001"\ncustomer = "acme"\n{head}')
    ledger.write(
        "invoices/2024-03 (conflicted copy 2024-03-05).toml",
        f'[[invoice]]\nnumber = "RE-2024-0001"\ncustomer = "gamma"\n{head}\n'
        f'[[invoice]]\nnumber = "RE-2024-0002"\ncustomer = "delta"\n{head}',
    )
    result = ledger.run("check", "--fix")
    register = tomllib.loads(ledger.path("invoices/2024-03.toml").read_text(encoding="utf-8"))
    assert [(i["number"], i["customer"]) for i in register["invoice"]] == [
        ("RE-2024-0001", "acme"),
        ("RE-2024-0001", "gamma"),
        ("RE-2024-0002", "delta"),
    ]
    assert "conflict: invoice RE-2024-0001 (gamma, 90.00 EUR) is in conflict: this invoice number was issued" in (
        result.stdout
    )
    assert result.exit_code == 1


def test_fix_with_nothing_to_fix_is_a_plain_check(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "90")
    ledger.add("acme", "2024-03-05 10:00", "2024-03-05 11:00")
    before = ledger.snapshot()
    result = ledger.ok("check", "--fix")
    assert result.stderr.strip() == "ledger ok: 1 session(s) checked"
    assert ledger.snapshot() == before

"""Issued invoices: numbers never repeat, re-exports never change, zero rates and late sessions are said."""

from __future__ import annotations

import shutil
import tomllib

import pytest

from conftest import Ledger
from sessionlog.store.sessions import Sessions


@pytest.fixture
def march(ledger: Ledger) -> dict[str, str]:
    ledger.ok("customer", "add", "acme", "--name", "Fa. Walter Maier GmbH", "--rate", "90", "--increment", "15")
    ledger.ok("customer", "add", "beta", "--name", "Beta KG", "--rate", "60")
    return {
        "s1": ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:20", "--note", "IE aktualisiert"),
        "s2": ledger.add("acme", "04.03.2024 09:00", "04.03.2024 10:00", "--note", "Drucker"),
        "s3": ledger.add("beta", "05.03.2024 09:00", "05.03.2024 09:30", "--note", "VPN"),
    }


def finalize(ledger: Ledger, month: str = "2024-03") -> str:
    return ledger.ok("invoice", month, "--finalize", "--profile", "en").stderr


def export(ledger: Ledger, month: str = "2024-03") -> bytes:
    return ledger.ok("invoice", month, "--profile", "en").stdout_bytes


def register(ledger: Ledger, month: str = "2024-03") -> dict[str, object]:
    return tomllib.loads(ledger.path("invoices", f"{month}.toml").read_text(encoding="utf-8"))


# --- item 5: a number once issued is never issued again --------------------------------------


def test_a_number_survives_the_deletion_of_its_sessions(ledger: Ledger, march: dict[str, str]) -> None:
    assert "RE-2024-0001: acme" in finalize(ledger)
    for sid in (march["s1"], march["s2"]):
        ledger.ok("delete", sid, "--yes", "--force")
    ledger.ok("delete", march["s3"], "--yes", "--force")
    ledger.add("acme", "12.03.2024 10:00", "12.03.2024 10:30")
    assert "RE-2024-0003: acme" in finalize(ledger)


def test_a_number_survives_moving_a_customer_folder_out(ledger: Ledger, march: dict[str, str]) -> None:
    finalize(ledger)  # RE-2024-0001 acme, RE-2024-0002 beta
    shutil.move(ledger.path("customers", "acme"), ledger.tmp / "acme-archive")
    shutil.move(ledger.path("customers", "beta"), ledger.tmp / "beta-archive")
    ledger.add("gamma", "12.03.2024 10:00", "12.03.2024 10:30", "--new")
    ledger.ok("customer", "edit", "gamma", "--rate", "50")
    assert "RE-2024-0003: gamma" in finalize(ledger)


def test_an_interrupted_finalize_is_finished_not_numbered_again(
    ledger: Ledger, march: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between the register and the stamps: the next finalize stamps the same numbers."""

    def crash(self: Sessions, *args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(Sessions, "update_many", crash)
        result = ledger.run("invoice", "2024-03", "--finalize")
        assert result.exit_code == 130
    assert not any("invoice" in r for r in ledger.records("acme", "2024-03"))
    assert [i["number"] for i in register(ledger)["invoice"]] == ["RE-2024-0001", "RE-2024-0002"]  # type: ignore[index]
    again = finalize(ledger)
    assert "nothing to finalize" in again
    assert {r["invoice"] for r in ledger.records("acme", "2024-03")} == {"RE-2024-0001"}
    assert {r["invoice"] for r in ledger.records("beta", "2024-03")} == {"RE-2024-0002"}


# --- item 6: an issued invoice reproduces byte for byte ---------------------------------------


def test_forced_changes_never_rewrite_an_issued_invoice(ledger: Ledger, march: dict[str, str]) -> None:
    finalize(ledger)
    issued = export(ledger)
    ledger.ok("edit", march["s2"], "--free", "goodwill", "--force")
    assert export(ledger) == issued
    ledger.ok("edit", march["s1"], "--start", "02.04.2024 10:00", "--end", "02.04.2024 10:20", "--force")
    assert export(ledger) == issued
    april = ledger.ok("invoice", "2024-04", "--profile", "en")
    assert march["s1"] not in april.stdout
    assert "stays on that invoice" in april.stderr
    ledger.ok("edit", march["s3"], "--customer", "acme", "--force")
    ledger.ok("customer", "edit", "acme", "--name", "Walter Maier AG")
    ledger.ok("delete", march["s2"], "--yes", "--force")
    assert export(ledger) == issued
    assert b"Fa. Walter Maier GmbH" in issued


def test_a_forced_change_is_kept_beside_the_invoice_and_shown(ledger: Ledger, march: dict[str, str]) -> None:
    finalize(ledger)
    changed = ledger.ok("edit", march["s2"], "--end", "04.03.2024 09:30", "--force")
    assert "stays as it was issued" in changed.stderr
    [correction] = register(ledger)["correction"]  # type: ignore[misc]
    assert correction["invoice"] == "RE-2024-0001"
    assert correction["session"] == march["s2"]
    assert correction["change"] == "changed (end)"
    again = ledger.ok("invoice", "2024-03", "--profile", "en")
    assert f"session {march['s2']} was changed (end)" in again.stderr


# --- item 3: no real invoice number for 0,00 -------------------------------------------------


def test_a_customer_made_by_start_without_a_rate_is_warned_about(ledger: Ledger) -> None:
    started = ledger.ok("start", "newco", "--at", "05.03.2024 10:00")
    assert "customer newco has no rate" in started.stderr
    assert "sessionlog customer edit newco --rate" in started.stderr
    added = ledger.ok("add", "other", "--start", "04.03.2024 10:00", "--duration", "10m", "--new")
    assert "customer other has no rate" in added.stderr


def test_zero_rate_is_warned_about_and_refused_at_finalize(ledger: Ledger) -> None:
    ledger.add("zero", "04.03.2024 10:00", "04.03.2024 11:00", "--new")
    shown = ledger.ok("invoice", "2024-03")
    assert "zero: billable sessions at a rate of 0.00" in shown.stderr
    ledger.refused("invoice", "2024-03", "--finalize", match="would be invoiced at a rate of 0.00")
    assert "--allow-zero" in ledger.refused("invoice", "2024-03", "--finalize", match="zero")
    assert "RE-2024-0001: zero" in ledger.ok("invoice", "2024-03", "--finalize", "--allow-zero").stderr
    check = ledger.run("check")
    assert check.exit_code == 0
    assert "no rate" not in check.stdout  # the invoiced sessions are frozen: nothing left to bill at 0.00


def test_check_lists_customers_at_rate_zero(ledger: Ledger) -> None:
    ledger.add("zero", "04.03.2024 10:00", "04.03.2024 11:00", "--new")
    check = ledger.run("check")
    assert check.exit_code == 0
    assert "warning: customer zero has 1 billable session(s) and no rate" in check.stdout


# --- item 7: late sessions of a customer without an invoice that month ------------------------


def test_late_sessions_of_a_customer_without_an_invoice_are_warned_about(ledger: Ledger, march: dict[str, str]) -> None:
    finalize(ledger)
    ledger.ok("customer", "add", "gamma", "--rate", "50")
    ledger.add("gamma", "20.03.2024 10:00", "20.03.2024 10:30")
    shown = ledger.ok("invoice", "2024-03")
    assert "gamma: 1 session(s) of 2024-03 came after 2024-03 was invoiced" in shown.stderr

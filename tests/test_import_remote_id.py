"""The remote ID is the customer everywhere: start, add and --customer take a TeamViewer or AnyDesk ID."""

from __future__ import annotations

import re

import pytest

from conftest import Ledger


@pytest.fixture
def acme(ledger: Ledger) -> Ledger:
    ledger.ok("customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH", "--remote-id", "565955529")
    ledger.ok("customer", "add", "BETA", "--name", "Beta GmbH", "--remote-id", "d 1234-567-890")
    return ledger


@pytest.mark.parametrize("typed", ["565955529", "565 955 529", "d565955529", " r 565 955 529 ", "565-955-529"])
def test_start_by_remote_id_says_which_customer(acme: Ledger, typed: str) -> None:
    result = acme.ok("start", typed, "--at", "05.03.2024 10:00")
    assert result.stderr.splitlines()[0] == "remote ID 565955529 is customer acme (Fa. Walter Maier GmbH)"
    assert "started acme at 05.03.2024 10:00" in result.stderr
    assert "acme  running" in acme.ok("status").stdout
    assert sorted(p.name for p in acme.path("customers").iterdir()) == ["acme", "beta"]  # nothing created


def test_a_stored_id_with_letter_and_dashes_matches_digits(acme: Ledger) -> None:
    result = acme.ok("add", "1234567890", "--start", "05.03.2024 09:00", "--duration", "10m")
    assert "remote ID 1234567890 is customer beta (Beta GmbH)" in result.stderr
    assert len(acme.records("beta", "2024-03")) == 1


def test_an_id_two_customers_claim_is_refused_with_both_names(acme: Ledger) -> None:
    acme.ok("customer", "add", "GAMMA", "--name", "Gamma e.K.", "--remote-id", "565955529")
    acme.refused(
        "start",
        "565955529",
        match=re.escape("remote ID 565955529 belongs to acme (Fa. Walter Maier GmbH) and gamma (Gamma e.K.)"),
    )


def test_an_unknown_id_creates_no_customer_unless_new(acme: Ledger) -> None:
    line = acme.refused("start", "999888777", match="no customer has the remote ID 999888777")
    assert "sessionlog customer edit KEY --remote-id 999888777, or use --new" in line
    result = acme.ok("start", "999888777", "--new")
    assert "created customer 999888777" in result.stderr


def test_customer_option_of_list_takes_a_remote_id(acme: Ledger) -> None:
    acme.add("ACME", "05.03.2024 09:00", "05.03.2024 09:30")
    acme.add("BETA", "05.03.2024 10:00", "05.03.2024 10:30")
    listed = acme.json("list", "2024-03", "--customer", "565 955 529")
    assert [s["customer"] for s in listed] == ["acme"]
    line = acme.refused("list", "2024-03", "--customer", "111222333", match="no customer has the remote ID 111222333")
    assert "--new" not in line


def test_a_key_made_of_digits_still_wins(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "123456789", "--name", "Kunde 123456789")
    ledger.ok("customer", "add", "OTHER", "--remote-id", "123456789")
    result = ledger.ok("start", "123456789")
    assert "remote ID" not in result.stderr
    assert "started 123456789" in result.stderr

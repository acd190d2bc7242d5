"""Bad input never crashes and never writes: the cases of the reliability issue, one by one."""

from __future__ import annotations

import pytest

from conftest import Ledger


@pytest.fixture
def acme(ledger: Ledger) -> Ledger:
    ledger.ok("customer", "add", "acme", "--rate", "90")
    return ledger


# --- item 4: unbounded numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "match"),
    [
        ("--after-hours-factor", "1e9999", "--after-hours-factor must be from 0 to 10, not 1E\\+9999"),
        ("--increment", "999999999999999999999999", "--increment must be from 1 to 1440 minutes"),
        ("--rate", "90.005", "--rate must be at most 2 decimal places, not 90.005"),
        ("--rate", "1e9999", "--rate must be from 0 to 10000 per hour"),
        ("--minimum", "100000", "--minimum must be from 0 to 1440 minutes"),
        ("--included-minutes", "99999999", "--included-minutes must be from 0 to 44640 minutes"),
    ],
)
def test_numbers_out_of_bounds_are_refused_before_they_are_stored(
    acme: Ledger, option: str, value: str, match: str
) -> None:
    acme.refused("customer", "edit", "acme", option, value, match=match)
    acme.refused("customer", "add", "beta", option, value, match=match)
    acme.add("acme", "01.03.2024 10:00", "01.03.2024 11:00")
    assert acme.ok("invoice", "2024-03").stdout  # every invoice still works


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["list", "--from", "-17600000h"], "the year 16 is out of range"),
        (["add", "acme", "--start", "01.03.2024 10:00", "--duration", "99999999h"], "longer than 31 days"),
        (["start", "acme", "--at", "-17600000h"], "out of range"),
        (["add", "acme", "--start", "01.01.0001 10:00", "--duration", "1h"], "out of range"),
    ],
)
def test_times_and_durations_are_bounded_on_every_path(acme: Ledger, args: list[str], match: str) -> None:
    acme.refused(*args, match=match)


def test_a_clock_at_year_one_is_refused(acme: Ledger) -> None:
    acme.refused("status", now="0001-01-01T00:00:00+00:00", match="SESSIONLOG_NOW=.*the year is out of range")


# --- item 8: nothing is written that does not parse again -----------------------------------------


def test_a_time_toml_cannot_store_is_refused_before_any_write(ledger: Ledger) -> None:
    """Amsterdam kept local mean time (+00:19:32) until 1937: such an offset is no TOML."""
    ledger.write("sessionlog.toml", 'timezone = "Europe/Amsterdam"\n')
    match = "start 1930-06-01 10:00 has a UTC offset with seconds, which TOML cannot store"
    ledger.refused("start", "acme", "--at", "01.06.1930 10:00", "--new", match=match)
    ledger.refused("add", "acme", "--start", "01.06.1930 10:00", "--duration", "1h", "--new", match=match)
    assert not (ledger.root / "customers").exists() and not (ledger.root / "running").exists()


# --- item 9: text that is not UTF-8 ---------------------------------------------------------------


def test_a_switch_with_a_note_that_is_not_utf8_changes_nothing(acme: Ledger) -> None:
    acme.ok("start", "acme", "--at", "05.03.2024 10:00")
    note = b"f\xfcr".decode("utf-8", "surrogateescape")  # a Latin-1 terminal typing "für"
    acme.refused("start", "beta", "--switch", "--new", "--note", note, match=r"'f\\xfcr' is not UTF-8 text")
    assert acme.ok("status").stdout.startswith("acme  running")


def test_a_customer_name_that_is_not_utf8_leaves_no_folder(acme: Ledger) -> None:
    name = b"M\xfcller".decode("utf-8", "surrogateescape")
    acme.refused("customer", "add", "zeta", "--name", name, match="is not UTF-8 text")
    assert not (acme.root / "customers" / "zeta").exists()


def test_a_supporter_variable_that_is_not_utf8_is_refused(acme: Ledger) -> None:
    bad = b"K\xf6rner".decode("utf-8", "surrogateescape")
    acme.refused("start", "acme", env={"SESSIONLOG_SUPPORTER": bad}, match="SESSIONLOG_SUPPORTER=.*is not UTF-8")

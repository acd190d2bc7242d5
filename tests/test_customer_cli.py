"""`customer add/list/show/edit`: the customer registry through the CLI."""

from __future__ import annotations

import json
import textwrap
import tomllib
from decimal import Decimal
from typing import Any

import pytest

from conftest import Ledger

FULL = [
    "--name", "Fa. Walter Maier GmbH", "--rate", "95,50", "--increment", "15", "--rounding", "nearest",
    "--minimum", "15", "--included-minutes", "120", "--after-hours-factor", "1,5",
    "--remote-id", "565955529", "--remote-id", "123456789", "--alias", "maier", "--alias", "WM",
    "--contact", "Herr Horst Maier", "--contact", "Frau Erika Maier",
]  # fmt: skip


def _customer_file(ledger: Ledger, key: str) -> dict[str, Any]:
    with ledger.path("customers", key, "customer.toml").open("rb") as f:
        return tomllib.load(f)


def test_add_with_every_option_writes_customer_toml(ledger: Ledger) -> None:
    result = ledger.ok("customer", "add", "ACME", *FULL)
    assert result.stdout == ""
    assert "added customer acme" in result.stderr
    raw = _customer_file(ledger, "acme")
    assert raw["name"] == "Fa. Walter Maier GmbH"
    assert Decimal(raw["rate"]) == Decimal("95.50")
    assert isinstance(raw["rate"], str)  # money stays exact: a string, never a float
    assert raw["increment"] == 15
    assert raw["rounding"] == "nearest"
    assert raw["minimum"] == 15
    assert raw["included_minutes"] == 120
    assert Decimal(raw["after_hours_factor"]) == Decimal("1.5")
    assert raw["remote_ids"] == ["565955529", "123456789"]
    assert raw["aliases"] == ["maier", "wm"]
    assert raw["contacts"] == ["Herr Horst Maier", "Frau Erika Maier"]


def test_show_json_reports_the_customer_and_the_rules_in_force(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME", *FULL)
    [shown] = ledger.json("customer", "show", "acme")
    assert shown["key"] == "acme"
    assert shown["name"] == "Fa. Walter Maier GmbH"
    assert Decimal(shown["rate"]) == Decimal("95.50")
    assert shown["increment"] == 15
    assert shown["rounding"] == "nearest"
    assert shown["aliases"] == ["maier", "wm"]
    assert shown["remote_ids"] == ["565955529", "123456789"]
    assert shown["contacts"] == ["Herr Horst Maier", "Frau Erika Maier"]
    # An alias finds the same customer.
    assert ledger.json("customer", "show", "MAIER") == [shown]


def test_show_uses_the_ledger_defaults_where_the_customer_has_none(ledger: Ledger) -> None:
    ledger.write(
        "sessionlog.toml",
        'timezone = "Europe/Berlin"\n[billing]\nrate = "80.00"\nincrement = 5\nrounding = "down"\n',
    )
    ledger.ok("customer", "add", "acme", "--increment", "15")
    [shown] = ledger.json("customer", "show", "acme")
    assert shown["rate"] is None
    assert Decimal(shown["effective"]["rate"]) == Decimal("80.00")
    assert shown["effective"]["increment"] == 15
    assert shown["effective"]["rounding"] == "down"
    table = ledger.ok("customer", "show", "acme")
    assert "80" in table.stdout and "ledger default" in table.stdout


def test_list_json_has_every_customer(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "95")
    ledger.ok("customer", "add", "beta", "--name", "Beta & Söhne KG")
    customers = {c["key"]: c for c in ledger.json("customer", "list")}
    assert set(customers) == {"acme", "beta"}
    assert Decimal(customers["acme"]["rate"]) == Decimal("95")
    assert customers["beta"]["name"] == "Beta & Söhne KG"
    assert customers["beta"]["rate"] is None


def test_list_of_an_empty_ledger_is_an_empty_json_array(ledger: Ledger) -> None:
    assert ledger.json("customer", "list") == []


def test_edit_changes_only_what_is_given(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME", *FULL)
    result = ledger.ok("customer", "edit", "acme", "--rate", "100", "--rounding", "up")
    assert result.stdout == ""
    raw = _customer_file(ledger, "acme")
    assert Decimal(raw["rate"]) == Decimal("100")
    assert raw["rounding"] == "up"
    assert raw["increment"] == 15
    assert raw["name"] == "Fa. Walter Maier GmbH"
    assert raw["aliases"] == ["maier", "wm"]


def test_edit_list_options_replace_the_list_and_empty_clears_a_number(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME", *FULL)
    ledger.ok("customer", "edit", "acme", "--remote-id", "999", "--rate", "")
    raw = _customer_file(ledger, "acme")
    assert raw["remote_ids"] == ["999"]
    assert "rate" not in raw


def test_edit_via_alias(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--alias", "maier")
    ledger.ok("customer", "edit", "Maier", "--name", "Walter Maier")
    assert _customer_file(ledger, "acme")["name"] == "Walter Maier"
    assert not ledger.path("customers", "maier").exists()


def test_edit_keeps_comments_and_unknown_keys(ledger: Ledger) -> None:
    hand = textwrap.dedent(
        """\
        # Stammdaten, bitte nicht löschen
        name = "Fa. Walter Maier GmbH"
        rate = "80.00"   # alter Satz bis 2023
        ustid = "DE123456789"
        increment = 15
        """
    )
    path = ledger.write("customers/acme/customer.toml", hand)
    ledger.ok("customer", "edit", "acme", "--rate", "95")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Stammdaten, bitte nicht löschen\n")
    assert 'ustid = "DE123456789"' in text
    assert 'name = "Fa. Walter Maier GmbH"' in text
    raw = tomllib.loads(text)
    assert Decimal(raw["rate"]) == Decimal("95")
    assert raw["ustid"] == "DE123456789"
    assert raw["increment"] == 15


@pytest.mark.parametrize(
    ("args", "match"),
    [
        pytest.param(args, match, id=" ".join(args))
        for args, match in [
            (["--rate", "abc"], "--rate 'abc' is not a number"),
            (["--rate", "-5"], "--rate must be from 0 to 10000 per hour, not -5"),
            (["--rounding", "sideways"], "--rounding must be one of up, nearest, down"),
            (["--increment", "0"], "--increment must be from 1 to 1440 minutes, not 0"),
            (["--increment", "2.5"], r"--increment must be a whole number, not 2\.5"),
            (["--minimum", "viel"], "--minimum 'viel' is not a number"),
            (["--included-minutes", "1,5"], r"--included-minutes must be a whole number, not 1\.5"),
            (["--after-hours-factor", "x"], "--after-hours-factor 'x' is not a number"),
            (["--alias", "a/b"], "'a/b' must be letters, digits"),
        ]
    ],
)
def test_bad_values_are_refused_by_add_and_edit(ledger: Ledger, args: list[str], match: str) -> None:
    ledger.refused("customer", "add", "acme", *args, match=match)
    assert not ledger.path("customers").exists()
    ledger.ok("customer", "add", "acme", "--rate", "90")
    ledger.refused("customer", "edit", "acme", *args, match=match)


def test_adding_an_existing_key_is_refused(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "90")
    line = ledger.refused("customer", "add", "ACME", "--rate", "10", match="customer acme exists already")
    assert "acme" in line
    assert Decimal(_customer_file(ledger, "acme")["rate"]) == Decimal("90")


def test_adding_a_key_that_is_an_alias_elsewhere_is_refused(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--alias", "maier")
    ledger.refused("customer", "add", "maier", match="customer maier exists already")


def test_an_alias_taken_by_another_customer_is_refused(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--alias", "maier")
    ledger.ok("customer", "add", "beta")
    line = ledger.refused("customer", "edit", "beta", "--alias", "maier", match="'maier' already means customer acme")
    assert "maier" in line
    ledger.refused("customer", "add", "gamma", "--alias", "acme", match="alias 'acme' already means customer acme")


@pytest.mark.parametrize(
    ("key", "match"),
    [
        pytest.param("..", r"customer key '\.\.' must be letters, digits", id=".."),
        pytest.param("a/b", "customer key 'a/b' must be letters, digits", id="a/b"),
        pytest.param("CON", "customer key 'CON' is a reserved device name", id="CON"),
        pytest.param("nul.txt", r"customer key 'nul\.txt' is a reserved device name", id="nul.txt"),
        pytest.param("a" * 65, "customer key is longer than 64 characters", id="a" * 65),
    ],
)
def test_unsafe_keys_are_refused(ledger: Ledger, key: str, match: str) -> None:
    ledger.refused("customer", "add", key, match=match)


def test_edit_or_show_of_an_unknown_customer_is_refused(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme")
    line = ledger.refused("customer", "edit", "acem", "--rate", "10", match="no customer 'acem'; did you mean")
    assert "acme" in line  # did you mean
    ledger.refused("customer", "show", "nobody", match="no customer 'nobody'")


def test_customer_list_warns_about_a_broken_customer_file(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "beta")
    broken = ledger.write("customers/acme/customer.toml", 'name = "unterminated\n')
    result = ledger.ok("customer", "list", "--format", "json")
    assert f"{broken}:1:" in result.stderr
    assert "warning" in result.stderr
    assert [c["key"] for c in json.loads(result.stdout)] == ["beta"]

"""The shipped example ledger: it checks clean, bills what its rules say, and stays untouched."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from typer.testing import Result

from billing_helpers import read_csv
from conftest import snapshot
from harness import invoke

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "ledger"


def run(*args: str) -> Result:
    env = {"SESSIONLOG_LEDGER": None, "SESSIONLOG_SUPPORTER": "Test", "SESSIONLOG_CONFIG": "/nonexistent.toml"}
    return invoke(["--ledger", str(EXAMPLES), *args], env=env)


def test_the_example_ledger_checks_clean() -> None:
    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert "ledger ok: 14 session(s)" in result.stderr


def test_the_march_invoice_of_the_examples_follows_the_rules() -> None:
    before = snapshot(EXAMPLES)
    result = run("invoice", "2024-03")
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf"), "the example ledger's default profile is de"
    rows = {r["Sitzung"]: r for r in read_csv(data, "de")}
    # maier, 15-minute increments, minimum 15: 12m22s - 2m pause = 10m22s -> 15 min x 95/60 = 23.75
    assert (rows["r8dnu4hx"]["Abgerechnete Minuten"], rows["r8dnu4hx"]["Betrag"]) == ("15", "23,75")
    # maier: 41 min -> 45 min x 95/60 = 71.25
    assert rows["c2gyk6mf"]["Betrag"] == "71,25"
    # schulz, 60 contract minutes: 37m30s -> 38 min, all included; then 48 min: 22 included, 26 x 85/60 = 36.83
    assert (rows["a9xw3krd"]["Inklusivminuten"], rows["a9xw3krd"]["Betrag"]) == ("38", "0,00")
    assert (rows["hu6tzn2q"]["Inklusivminuten"], rows["hu6tzn2q"]["Berechnete Minuten"]) == ("22", "26")
    assert rows["hu6tzn2q"]["Betrag"] == "36,83"
    # hoffmann, 5 minutes nearest at the ledger's 80.00: 7 min -> 5 min = 6.67
    assert rows["s6kxa3pg"]["Betrag"] == "6,67"
    # weber on a Saturday: 110 x 1.5 = 165.00 per hour, 45 min = 123.75
    assert (rows["n2vd8rhk"]["Stundensatz"], rows["n2vd8rhk"]["Betrag"]) == ("165,00", "123,75")
    # free sessions (warranty, goodwill) are not on the statement
    assert {"ve5bsj9w", "w3ecm8vy", "b7tq4mwe"}.isdisjoint(rows)
    total = sum(Decimal(r["Betrag"].replace(",", ".")) for r in rows.values())
    assert f"total {total} EUR" in result.stderr
    assert snapshot(EXAMPLES) == before, "reading the examples must not write to them"


def test_the_examples_have_what_the_readme_promises() -> None:
    keys = {p.name for p in (EXAMPLES / "customers").iterdir()}
    assert len(keys) in (3, 4)
    months = {p.stem for p in EXAMPLES.glob("customers/*/*.toml") if p.stem != "customer"}
    assert months == {"2024-02", "2024-03"}
    text = "".join(p.read_text("utf-8") for p in EXAMPLES.glob("customers/*/*.toml"))
    assert re.search(r"[äöüß]", text)
    assert 'free_reason = "warranty"' in text and 'free_reason = "goodwill"' in text
    assert "increment = 15" in text


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick)
    assert len(commands) == 2, commands
    assert "examples/" in commands[0]
    assert commands[1] in (ROOT / ".ci" / "run").read_text("utf-8")

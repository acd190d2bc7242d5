"""`check` finds what a person or a crash broke; hand-edited values never crash a command."""

from __future__ import annotations

import json

import pytest

from conftest import Ledger

RECORD = """\
[[session]]
id = "{sid}"
start = {start}
end = {end}
supporter = "Klaus Hörner"
note = "x"
"""


def record(
    sid: str = "rec00001", start: str = "2024-03-01T10:00:00+01:00", end: str = "2024-03-01T11:00:00+01:00"
) -> str:
    return RECORD.format(sid=sid, start=start, end=end)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (record(start="0001-03-01T10:00:00+01:00"), "start: the year 1 is out of range"),
        (record(end="9999-12-31T23:00:00-05:00"), "end: the year 9999 is out of range"),
        ("session = 5\n", "`session` must be a list of \\[\\[session\\]\\] tables"),
        (
            '[[session]]\nid = "r"\nstart = 2024-03-01\nend = 2024-03-01T11:00:00+01:00\nsupporter = "K"\n',
            "start must be a date-time with a UTC offset",
        ),
    ],
    ids=["year 1", "year 9999", "session = 5", "a date without time"],
)
def test_hand_edited_values_are_one_error_line_not_a_traceback(ledger: Ledger, text: str, match: str) -> None:
    ledger.write("customers/acme/2024-03.toml", text)
    for command in (
        ["list", "2024-03"],
        ["report", "2024-03"],
        ["invoice", "2024-03"],
        ["edit", "rec0", "--note", "y"],
    ):
        result = ledger.run(*command)
        assert result.exit_code == 1, (command, result.stderr)
        assert "Traceback" not in result.stderr
    ledger.refused("invoice", "2024-03", match=match)
    assert ledger.run("check").exit_code == 1


def findings(ledger: Ledger) -> list[dict[str, object]]:
    result = ledger.run("check", "--format", "json")
    data: list[dict[str, object]] = json.loads(result.stdout)
    assert result.exit_code == (1 if any(f["severity"] == "error" for f in data) else 0)
    return data


def test_check_json_has_kind_severity_path_line_and_message(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "60")
    path = ledger.write(
        "customers/acme/2024-03.toml",
        record() + "\n" + record(start="2024-03-02T10:00:00+01:00", end="2024-03-02T11:00:00+01:00"),
    )
    [f] = findings(ledger)
    assert f == {
        "severity": "error",
        "kind": "duplicate",
        "path": str(path),
        "line": 1,
        "message": f"id rec00001 is used 2 times: {path}:1, {path}:8",
        "hint": "keep one of them; a half-done move is finished by the next write",
    }


def test_check_warns_about_overlaps_and_long_sessions_and_exits_0(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "60")
    ledger.ok("customer", "add", "beta", "--rate", "60")
    ledger.add("acme", "04.03.2024 09:00", "04.03.2024 10:00")
    ledger.add("beta", "04.03.2024 09:30", "04.03.2024 09:45")
    ledger.add("acme", "05.03.2024 06:00", "05.03.2024 19:00")
    result = ledger.run("check")
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert any("warning: session" in ln and "that can be right (an install runs" in ln for ln in lines)
    assert any("lasts over 12 hours" in ln for ln in lines)
    assert "ledger ok: 3 session(s) checked, 2 warning(s)" in result.stderr


def test_check_finds_invoiced_figures_that_do_not_add_up(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "60")
    sid = ledger.add("acme", "04.03.2024 09:00", "04.03.2024 10:00")
    ledger.ok("invoice", "2024-03", "--finalize")
    path = ledger.month("acme", "2024-03")
    path.write_text(path.read_text("utf-8").replace('amount = "60.00"', 'amount = "6.00"'), "utf-8")
    [f] = findings(ledger)
    assert f["severity"] == "error"
    assert f"session {sid}: the figures of invoice RE-2024-0001 do not add up" in str(f["message"])


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ('[invoice]\npattern = "RE-{jahr}-{seq}"\n', "must use {seq} and only year, month, customer, seq"),
        ('[billing]\nrate = "1e9999"\n', "rate must be from 0 to 10000"),
        ('[billing]\nafter_hours_factor = "100"\n', "after_hours_factor must be from 0 to 10"),
        ("[billing]\nincrement = 0\n", "increment must be from 1 to 1440"),
    ],
)
def test_check_finds_settings_out_of_bounds(ledger: Ledger, settings: str, match: str) -> None:
    ledger.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n' + settings)
    [f] = findings(ledger)
    assert f["severity"] == "error"
    assert match in str(f["message"])
    assert str(f["path"]).endswith("sessionlog.toml")


def test_check_finds_customers_out_of_bounds(ledger: Ledger) -> None:
    ledger.write("customers/acme/customer.toml", 'name = "Acme"\nincrement = 999999999999999999999999\n')
    [f] = findings(ledger)
    assert "customer acme: increment must be from 1 to 1440 minutes" in str(f["message"])
    assert str(f["path"]).endswith("acme/customer.toml")

"""The workflows run without Typer, and problems are typed: what the application-layer issue found."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from conftest import NOW, SUPPORTER, Ledger
from sessionlog.app import invoicing, records, timer
from sessionlog.app.checking import check_ledger
from sessionlog.app.context import Context
from sessionlog.app.fields import Details
from sessionlog.model import Kind, SessionlogError, Severity
from sessionlog.store import Ledger as Store

BROKEN = """\
[[session]]
id = "abcd1234"
start = 2024-03-02T10:00:00+01:00
end = 2024-03-02T11:00:00+01:00
supporter = "K"
note = oops
"""


def context(root: Path, now: str = NOW) -> Context:
    return Context(Store(root), SUPPORTER, datetime.fromisoformat(now))


# --- defects the issue lists, each through the CLI as a user meets it ------------------------


@pytest.mark.parametrize("command", [["edit", "abcd", "--note", "x"], ["delete", "abcd", "--yes"]])
def test_edit_or_delete_of_a_record_in_a_broken_file_names_the_file_and_line(
    ledger: Ledger, command: list[str]
) -> None:
    ledger.write("customers/acme/2024-03.toml", BROKEN)
    line = ledger.refused(*command, match=r"2024-03\.toml:6: does not parse as TOML")
    assert "no session" not in line


def test_a_record_that_does_not_validate_is_named_not_reported_missing(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", BROKEN.replace("note = oops", 'note = "x"\nbillable = "yes"'))
    ledger.refused("edit", "abcd", "--note", "x", match=r"2024-03\.toml:1: session abcd1234: billable must be true")


def test_list_to_an_impossible_month_names_the_month(ledger: Ledger) -> None:
    line = ledger.refused("list", "--to", "2024-13", match="there is no month 13")
    assert "cannot read time" not in line


def test_a_customer_file_that_is_not_utf8_keeps_its_line(ledger: Ledger) -> None:
    path = ledger.path("customers", "acme", "customer.toml")
    path.parent.mkdir(parents=True)
    path.write_bytes('name = "Acme"\nnote = "M\xfcller"\n'.encode("latin-1"))
    result = ledger.run("check")
    assert result.exit_code == 1
    assert f"{path}:2: error: not UTF-8 text" in result.stdout


def test_a_choice_outside_its_values_is_one_line_and_exit_2(ledger: Ledger) -> None:
    line = ledger.refused("list", "--format", "xml", code=2, match="'xml' is not one of 'table', 'csv', 'json'")
    assert "list --help)" in line


def test_help_lists_the_values_of_every_choice(ledger: Ledger) -> None:
    assert "<table|csv|json>" in ledger.ok("list", "-h").stdout
    assert "<remote|phone|onsite>" in ledger.ok("start", "--help").stdout
    # --by takes one grouping or two (customer,tag) since issue 14
    assert "<customer|supporter|month|tag|channel|machine|contact|ticket|day|week|weekday|hour>[,…]" in (
        ledger.ok("report", "--help").stdout
    )
    assert "<de|en>" in ledger.ok("invoice", "--help").stdout


# --- the workflows, called as any front end would -------------------------------------------


def test_timer_workflow_without_the_cli(ledger: Ledger) -> None:
    ctx = context(ledger.root, "2024-03-05T10:00:00+01:00")
    started = timer.start(ctx, "ACME", None, Details(note="Drucker"), switch=False, new=False)
    assert started.created is not None and started.created.key == "acme"
    assert started.session.start == datetime.fromisoformat("2024-03-05T10:00:00+01:00")

    later = context(ledger.root, "2024-03-05T10:30:00+01:00")
    done = timer.stop(later, None, note="erledigt").session
    assert done.note == "Drucker; erledigt"
    assert ledger.records("acme", "2024-03")[0]["note"] == "Drucker; erledigt"
    with pytest.raises(SessionlogError) as err:
        timer.stop(later, None)
    assert err.value.kind is Kind.NOT_FOUND


def test_refusals_carry_their_kind(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "60")
    sid = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00")
    ctx = context(ledger.root)
    with pytest.raises(SessionlogError) as err:
        records.edit(ctx, "zzzz", records.Changes(note="x"))
    assert err.value.kind is Kind.NOT_FOUND
    ledger.ok("invoice", "2024-03", "--finalize")
    with pytest.raises(SessionlogError) as err:
        records.edit(ctx, sid, records.Changes(note="x"))
    assert err.value.kind is Kind.LOCKED
    with pytest.raises(SessionlogError) as err:
        records.edit(ctx, sid, records.Changes(free="goodwill", billable=True))
    assert err.value.kind is Kind.USAGE
    ledger.write("customers/acme/2024-02.toml", BROKEN.replace("2024-03", "2024-02"))
    with pytest.raises(SessionlogError) as err:
        records.edit(ctx, "abcd", records.Changes(note="x"))
    assert err.value.kind is Kind.BROKEN_FILE
    assert err.value.problem.line == 6
    assert err.value.problem.path == str(ledger.month("acme", "2024-02"))


def test_invoice_returns_warnings_as_typed_problems(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new")
    ledger.ok("start", "acme", "--at", "05.03.2024 09:00")
    ledger.write("customers/beta/2024-03.toml", BROKEN)
    with pytest.raises(SessionlogError) as err:
        invoicing.invoice(context(ledger.root), "2024-03")
    assert err.value.kind is Kind.BROKEN_FILE
    inv = invoicing.invoice(context(ledger.root), "2024-03", skip_broken=True)
    assert [p.kind for p in inv.warnings] == [Kind.RUNNING, Kind.ZERO_RATE]
    assert [p.kind for p in inv.skipped] == [Kind.BROKEN_FILE]
    assert all(p.severity is Severity.WARNING for p in inv.warnings + inv.skipped)
    assert [ln.session.customer for ln in inv.lines] == ["acme"]


def test_check_returns_problems_with_file_and_line(ledger: Ledger) -> None:
    ledger.write("customers/acme/2024-03.toml", BROKEN)
    result = check_ledger(context(ledger.root))
    [problem] = result.problems
    assert (problem.kind, problem.path, problem.line) == (Kind.BROKEN_FILE, str(ledger.month("acme", "2024-03")), 6)


def test_each_file_is_parsed_once_per_command(ledger: Ledger, parses: list[str]) -> None:
    """`add` and `edit` parse the month file as it was once; the only other parse verifies the new text,
    and reading the file again afterwards (for the overlap warning) reuses that parse."""
    from sessionlog.store import tomltext

    first = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new")
    ledger.add("acme", "02.03.2024 10:00", "02.03.2024 11:00")
    parsed = parses
    parsed.clear()
    tomltext._PARSED.clear()  # nothing left over from the commands above
    path = ledger.month("acme", "2024-03")
    before = path.read_text(encoding="utf-8")
    ledger.add("acme", "03.03.2024 10:00", "03.03.2024 11:00")
    assert parsed.count(before) == 1
    assert parsed.count(path.read_text(encoding="utf-8")) == 1  # the verification of what was written

    parsed.clear()
    tomltext._PARSED.clear()
    before = path.read_text(encoding="utf-8")
    ledger.ok("edit", first[:6], "--note", "geändert")
    assert parsed.count(before) == 1
    assert parsed.count(path.read_text(encoding="utf-8")) == 1

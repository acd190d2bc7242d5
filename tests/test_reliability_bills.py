"""No bill silently misses or doubles a session: each case the reliability issue reproduced."""

from __future__ import annotations

import pytest

from conftest import Ledger

GOOD = """\
[[session]]
id = "good0001"
start = 2024-03-01T10:00:00+01:00
end = 2024-03-01T11:00:00+01:00
supporter = "Klaus Hörner"
note = "Server"
"""


@pytest.fixture
def acme(ledger: Ledger) -> Ledger:
    ledger.ok("customer", "add", "acme", "--rate", "60")
    ledger.write("customers/acme/2024-03.toml", GOOD)
    return ledger


def _refused_everywhere(ledger: Ledger, match: str) -> None:
    """invoice, --finalize, report and report --format csv all refuse; list shows the rest and exits 1."""
    for command in (["invoice", "2024-03"], ["report", "2024-03"]):
        line = ledger.refused(*command, match=match)
        assert "--skip-broken" in line
    line = ledger.refused("invoice", "2024-03", "--finalize", match=match)
    assert "fix it before finalizing" in line and "--skip-broken" not in line
    listed = ledger.run("list", "2024-03", "--format", "json")
    assert listed.exit_code == 1
    assert "good0001" in listed.stdout


BAD_CASES = {
    "a record without end": (
        "customers/acme/2024-03.toml",
        GOOD + '\n[[session]]\nid = "noend001"\nstart = 2024-03-02T10:00:00+01:00\nsupporter = "K"\n',
        r"acme/2024-03\.toml:8: session noend001 has no end",
    ),
    "a [[sessions]] header": (
        "customers/acme/2024-03.toml",
        GOOD + '\n[[sessions]]\nid = "plural01"\nstart = 2024-03-02T10:00:00+01:00\n',
        r"acme/2024-03\.toml:8: unknown table \[sessions\]",
    ),
    "a [[Session]] header": (
        "customers/acme/2024-03.toml",
        GOOD + '\n[[Session]]\nid = "upper001"\nstart = 2024-03-02T10:00:00+01:00\n',
        r"acme/2024-03\.toml:8: unknown table \[Session\]",
    ),
    "a file named 2024-3.toml": (
        "customers/acme/2024-3.toml",
        GOOD.replace("good0001", "short001"),
        r"acme/2024-3\.toml: not a month file",
    ),
    "a conflict copy of a shared folder": (
        "customers/acme/2024-03 (conflicted copy 2024-03-05).toml",
        GOOD.replace("good0001", "copy0001"),
        r"conflicted copy 2024-03-05\)\.toml: a conflict copy of 2024-03\.toml made by a file-sync service",
    ),
    "an invalid record": (
        "customers/acme/2024-03.toml",
        GOOD + '\n[[session]]\nid = "badbill1"\nstart = 2024-03-02T10:00:00+01:00\n'
        'end = 2024-03-02T11:00:00+01:00\nsupporter = "K"\nbillable = "ja"\n',
        r"acme/2024-03\.toml:8: session badbill1: billable must be true or false",
    ),
    "a month file that does not parse": (
        "customers/beta/2024-03.toml",
        "[[session]\n",
        r"beta/2024-03\.toml:1: does not parse as TOML",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_what_cannot_be_read_refuses_the_bill(acme: Ledger, case: str) -> None:
    relative, text, match = BAD_CASES[case]
    acme.write(relative, text)
    _refused_everywhere(acme, match)
    check = acme.run("check")
    assert check.exit_code == 1
    assert any(relative.split("/")[-1] in line for line in check.stdout.splitlines()), check.stdout


def test_a_record_without_end_is_not_shown_as_running(acme: Ledger) -> None:
    acme.write(
        "customers/acme/2024-03.toml",
        GOOD + '\n[[session]]\nid = "noend001"\nstart = 2024-03-02T10:00:00+01:00\nsupporter = "K"\n',
    )
    listed = acme.run("list", "2024-03", "--format", "json")
    assert "noend001" not in listed.stdout
    assert "noend001 has no end" in listed.stderr


def test_a_folder_that_differs_only_in_case_refuses_the_bill(acme: Ledger) -> None:
    acme.write("customers/ACME/2024-03.toml", GOOD.replace("good0001", "upper002"))
    _refused_everywhere(acme, r"customer folder 'ACME' is not a lower-case key|differ only in case")
    check = acme.run("check")
    assert "customer folders ACME, acme differ only in case" in check.stdout


def test_an_id_in_two_files_is_never_billed_twice(acme: Ledger) -> None:
    """A hand copy, a git merge or a crash in the middle of a move leaves a record in two files."""
    acme.ok("customer", "add", "beta", "--rate", "60")
    acme.write("customers/beta/2024-03.toml", GOOD)
    _refused_everywhere(acme, r"id good0001 is used 2 times: .*acme/2024-03\.toml:1, .*beta/2024-03\.toml:1")
    skipped = acme.run("invoice", "2024-03", "--skip-broken", "--profile", "en")
    assert skipped.exit_code == 3
    assert "good0001" not in skipped.stdout.split("INCOMPLETE")[0]


def test_an_id_doubled_in_another_month_stops_finalize(acme: Ledger) -> None:
    """Finalize reads the whole year for its numbers, so it also sees a copy in another month."""
    acme.write("customers/acme/2024-02.toml", GOOD.replace("2024-03-01", "2024-02-01"))
    acme.refused("invoice", "2024-03", "--finalize", match="id good0001 is used 2 times")
    assert "invoice" not in acme.records("acme", "2024-03")[0]


def test_finalize_never_skips(acme: Ledger) -> None:
    acme.refused("invoice", "2024-03", "--finalize", "--skip-broken", code=2, match="--skip-broken cannot go with it")


def test_the_report_says_it_is_incomplete_where_the_reader_sees_it(acme: Ledger) -> None:
    acme.write("customers/beta/2024-03.toml", "[[session]\n")
    table = acme.run("report", "2024-03", "--skip-broken")
    assert table.exit_code == 3
    assert "INCOMPLETE" in table.stdout
    csv = acme.run("report", "2024-03", "--skip-broken", "--format", "csv")
    assert csv.exit_code == 3
    assert csv.stdout.strip().splitlines()[-1].startswith("INCOMPLETE: 1 problem(s)")


def test_another_technicians_broken_timer_does_not_stop_the_bill(acme: Ledger) -> None:
    acme.write("running/someone-else.toml", "[[session]\n")
    result = acme.ok("invoice", "2024-03", "--profile", "en")
    assert "good0001" in result.stdout
    assert "someone-else.toml:1" in result.stderr
    assert acme.ok("list", "2024-03").stdout

"""`report --by` machine, contact, ticket, day, week, weekday, hour, and two levels (--by customer,tag).

The ledger bills 60.00 an hour per started minute, so a minute is 1.00 and every amount below
is the billable minutes of its sessions.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from conftest import Ledger, console_script
from harness import table_cells
from insights_helpers import by_group, record, write_sessions

ROW_KEYS = {
    "group",
    "sessions",
    "net_seconds",
    "billable_seconds",
    "billed_minutes",
    "charged_minutes",
    "amount",
    "currency",
    "free_seconds",
}


def week(ledger: Ledger) -> Ledger:
    """Week 10 of 2024 (Monday 4 to Sunday 10 March), and Monday 11 March in week 11."""
    return write_sessions(
        ledger,
        [
            # Mon 09:00-09:30, 30 min = 1800 s, 30.00
            ("acme", record("a1", "2024-03-04T09:00:00+01:00", "2024-03-04T09:30:00+01:00", machine="PC-1",
                            contact="Herr Maier", tags=("drucker",), ticket="T-1")),
            # Mon 14:00-14:45, 45 min = 2700 s, 45.00
            ("acme", record("a2", "2024-03-04T14:00:00+01:00", "2024-03-04T14:45:00+01:00", machine="PC-1",
                            tags=("drucker", "netzwerk"), ticket="T-2")),
            # Wed 18:30-19:00, 30 min = 1800 s, free (goodwill)
            ("acme", record("a3", "2024-03-06T18:30:00+01:00", "2024-03-06T19:00:00+01:00", machine="PC-2",
                            contact="Frau Roth", free="goodwill")),
            # Tue 09:15-10:15, 60 min = 3600 s, 60.00
            ("beta", record("b1", "2024-03-05T09:15:00+01:00", "2024-03-05T10:15:00+01:00", contact="Frau Roth",
                            tags=("netzwerk",), ticket="T-1")),
            # Sat 10:00-10:20, 20 min = 1200 s, 20.00
            ("beta", record("b2", "2024-03-09T10:00:00+01:00", "2024-03-09T10:20:00+01:00", channel="phone",
                            tags=("drucker",))),
            # Mon 11 March (week 11) 09:00-09:10, 10 min = 600 s, 10.00
            ("acme", record("c1", "2024-03-11T09:00:00+01:00", "2024-03-11T09:10:00+01:00", machine="PC-1")),
        ],
    )  # fmt: skip


def report(ledger: Ledger, *args: str) -> list[dict[str, Any]]:
    result = ledger.ok("report", *args, "--format", "json")
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


FIGURES = ("sessions", "net_seconds", "billable_seconds", "amount", "free_seconds")


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (
            "day",
            {
                "2024-03-04": (2, 4500, 4500, "75.00", {}),  # a1 + a2: 30 + 45 min
                "2024-03-05": (1, 3600, 3600, "60.00", {}),  # b1
                "2024-03-06": (1, 1800, 0, "0.00", {"goodwill": 1800}),  # a3, free
                "2024-03-09": (1, 1200, 1200, "20.00", {}),  # b2
            },
        ),
        (
            "weekday",
            {
                "Mon": (2, 4500, 4500, "75.00", {}),
                "Tue": (1, 3600, 3600, "60.00", {}),
                "Wed": (1, 1800, 0, "0.00", {"goodwill": 1800}),
                "Sat": (1, 1200, 1200, "20.00", {}),
            },
        ),
        (
            "hour",
            {
                "09:00": (2, 5400, 5400, "90.00", {}),  # a1 at 09:00 and b1 at 09:15
                "10:00": (1, 1200, 1200, "20.00", {}),  # b2
                "14:00": (1, 2700, 2700, "45.00", {}),  # a2
                "18:00": (1, 1800, 0, "0.00", {"goodwill": 1800}),  # a3
            },
        ),
        (
            "machine",
            {
                "(no machine)": (2, 4800, 4800, "80.00", {}),  # b1, b2
                "PC-1": (2, 4500, 4500, "75.00", {}),  # a1, a2
                "PC-2": (1, 1800, 0, "0.00", {"goodwill": 1800}),  # a3
            },
        ),
        (
            "contact",
            {
                "(no contact)": (2, 3900, 3900, "65.00", {}),  # a2, b2
                "Frau Roth": (2, 5400, 3600, "60.00", {"goodwill": 1800}),  # a3 (acme), b1 (beta)
                "Herr Maier": (1, 1800, 1800, "30.00", {}),  # a1
            },
        ),
        (
            "ticket",
            {
                "(no ticket)": (2, 3000, 1200, "20.00", {"goodwill": 1800}),  # a3, b2
                "T-1": (2, 5400, 5400, "90.00", {}),  # a1, b1
                "T-2": (1, 2700, 2700, "45.00", {}),  # a2
            },
        ),
    ],
)
def test_one_level_groupings_over_a_week(ledger: Ledger, by: str, expected: dict[str, tuple[Any, ...]]) -> None:
    rows = report(week(ledger), "2024-W10", "--by", by)
    assert by_group(rows, *FIGURES) == expected
    assert [r["group"] for r in rows] == list(expected)  # in this order: weekdays Monday first
    for r in rows:
        assert set(r) == ROW_KEYS  # the published keys, nothing added for one level


def test_by_week_uses_iso_weeks(ledger: Ledger) -> None:
    rows = report(week(ledger), "2024-03", "--by", "week")
    # week 10: 1800 + 2700 + 1800 + 3600 + 1200 = 11100 s, 155.00; week 11: c1, 600 s, 10.00
    assert by_group(rows, "sessions", "net_seconds", "amount") == {
        "2024-W10": (5, 11100, "155.00"),
        "2024-W11": (1, 600, "10.00"),
    }


def test_the_existing_groupings_are_unchanged(ledger: Ledger) -> None:
    rows = report(week(ledger), "2024-W10", "--by", "customer")
    assert by_group(rows, *FIGURES) == {
        "acme": (3, 6300, 4500, "75.00", {"goodwill": 1800}),
        "beta": (2, 4800, 4800, "80.00", {}),
    }
    assert all(set(r) == ROW_KEYS for r in rows)


def test_by_day_over_a_week_reads_like_timew_summary(ledger: Ledger) -> None:
    result = week(ledger).ok("report", "2024-W10", "--by", "day")
    assert "week 2024-W10 by day" in result.stdout
    header, *rows = table_cells(result.stdout)
    assert header[:3] == ["group", "sessions", "net"]
    # one line per day with its ISO week and weekday, then the total of the week
    assert [r[:3] for r in rows] == [
        ["W10 2024-03-04 Mon", "2", "1:15:00"],
        ["W10 2024-03-05 Tue", "1", "1:00:00"],
        ["W10 2024-03-06 Wed", "1", "0:30:00"],
        ["W10 2024-03-09 Sat", "1", "0:20:00"],
        ["total", "5", "3:05:00"],
    ]
    assert rows[-1][header.index("amount")] == "155.00"
    assert rows[2][header.index("free (by reason)")] == "goodwill 0:30:00"


def test_two_levels_customer_then_tag(ledger: Ledger) -> None:
    rows = report(week(ledger), "2024-W10", "--by", "customer,tag")
    assert [r["group"] for r in rows] == ["acme", "beta"]
    acme, beta = rows
    # the first level is what --by customer gives, with the same keys and `groups` added
    assert set(acme) == ROW_KEYS | {"groups"}
    assert (acme["sessions"], acme["net_seconds"], acme["amount"]) == (3, 6300, "75.00")
    # a2 has two tags and counts under both; a3 has none
    assert by_group(acme["groups"], "sessions", "net_seconds", "amount", "free_seconds") == {
        "(untagged)": (1, 1800, "0.00", {"goodwill": 1800}),
        "drucker": (2, 4500, "75.00", {}),
        "netzwerk": (1, 2700, "45.00", {}),
    }
    assert by_group(beta["groups"], "sessions", "net_seconds", "amount") == {
        "drucker": (1, 1200, "20.00"),
        "netzwerk": (1, 3600, "60.00"),
    }
    assert all(set(g) == ROW_KEYS for g in acme["groups"] + beta["groups"])


def test_two_levels_add_up_unless_the_second_is_tag(ledger: Ledger) -> None:
    rows = report(week(ledger), "2024-W10", "--by", "day,customer")
    for row in rows:
        inner = row["groups"]
        assert sum(g["sessions"] for g in inner) == row["sessions"]
        assert sum(g["net_seconds"] for g in inner) == row["net_seconds"]
    assert {r["group"]: by_group(r["groups"], "sessions", "net_seconds") for r in rows} == {
        "2024-03-04": {"acme": (2, 4500)},
        "2024-03-05": {"beta": (1, 3600)},
        "2024-03-06": {"acme": (1, 1800)},
        "2024-03-09": {"beta": (1, 1200)},
    }


def test_two_levels_as_a_table_and_as_csv(ledger: Ledger) -> None:
    week(ledger)
    result = ledger.ok("report", "2024-W10", "--by", "day,customer")
    header, *rows = table_cells(result.stdout)
    assert header[:3] == ["day", "customer", "sessions"]
    assert [r[:3] for r in rows] == [
        ["W10 2024-03-04 Mon", "", "2"],
        ["", "acme", "2"],
        ["W10 2024-03-05 Tue", "", "1"],
        ["", "beta", "1"],
        ["W10 2024-03-06 Wed", "", "1"],
        ["", "acme", "1"],
        ["W10 2024-03-09 Sat", "", "1"],
        ["", "beta", "1"],
        ["total", "", "5"],
    ]
    csv = ledger.ok("report", "2024-W10", "--by", "customer,tag", "--format", "csv", "--profile", "en").stdout
    lines = csv.splitlines()
    assert lines[0].startswith("group,subgroup,sessions,net,")
    # CSV: the rows within only, each naming its group (a spreadsheet sums them up itself)
    assert [line.split(",")[:4] for line in lines[1:]] == [
        ["acme", "(untagged)", "1", "0:30:00"],
        ["acme", "drucker", "2", "1:15:00"],
        ["acme", "netzwerk", "1", "0:45:00"],
        ["beta", "drucker", "1", "0:20:00"],
        ["beta", "netzwerk", "1", "1:00:00"],
    ]


def test_report_help_lists_every_grouping(ledger: Ledger) -> None:
    help_text = ledger.ok("report", "--help").stdout
    assert "<customer|supporter|month|tag|channel|machine|contact|ticket|day|week|weekday|hour>[,…]" in help_text
    assert "--by customer,tag" in help_text


@pytest.mark.parametrize(
    ("by", "match"),
    [
        ("color", "'color' is not one of 'customer', 'supporter', 'month', 'tag', 'channel', 'machine'"),
        ("customer,colour", "'colour' is not one of 'customer'"),
        ("day,customer,tag", "give one grouping or two, like customer,tag"),
        ("tag,tag", "the two groupings must differ"),
        ("", "'' is not one of 'customer'"),
    ],
)
def test_bad_groupings_are_usage_errors(ledger: Ledger, by: str, match: str) -> None:
    week(ledger)
    line = ledger.refused("report", "2024-W10", "--by", by, code=2, match=match)
    assert "Invalid value for '--by'" in line


def test_the_shell_completes_both_groupings(cli_env: dict[str, str]) -> None:
    def complete(words: str, cword: int) -> list[str]:
        env = {**cli_env, "_SESSIONLOG_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        done = subprocess.run([console_script()], env=env, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.split()

    assert complete("sessionlog report --by we", 3) == ["week", "weekday"]
    assert complete("sessionlog report --by customer,t", 3) == ["customer,tag", "customer,ticket"]

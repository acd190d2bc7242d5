"""Tags made easy: --tag on start, stop, add and edit (--untag, --no-tags), `sessionlog tags` with
counts and likely typos, `tags --rename`, and the warning when a new tag looks like one in use."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from conftest import Ledger
from harness import table_cells
from insights_helpers import record, write_sessions
from sessionlog.model import SessionlogError

# NOW in conftest: Tuesday 05.03.2024 12:00 in Berlin. "The last three months" are January to March.
M = "+01:00"


def tagged(ledger: Ledger) -> Ledger:
    """drucker 3 times (2 customers), Druker once, netzwerk twice, backup once (in 2023), one untagged."""
    return write_sessions(
        ledger,
        [
            ("acme", record("a1", f"2024-03-01T09:00:00{M}", f"2024-03-01T09:30:00{M}", tags=("drucker", "netzwerk"))),
            ("acme", record("a2", f"2024-03-04T09:00:00{M}", f"2024-03-04T09:20:00{M}", tags=("drucker",))),
            ("beta", record("b1", f"2024-02-12T10:00:00{M}", f"2024-02-12T11:00:00{M}", tags=("drucker",))),
            ("beta", record("b2", f"2024-03-02T10:00:00{M}", f"2024-03-02T10:10:00{M}", tags=("Druker",))),
            ("beta", record("b3", f"2024-01-15T10:00:00{M}", f"2024-01-15T10:45:00{M}", tags=("netzwerk",))),
            ("beta", record("b4", f"2024-03-03T10:00:00{M}", f"2024-03-03T10:05:00{M}")),
            ("acme", record("o1", "2023-09-01T10:00:00+02:00", "2023-09-01T10:15:00+02:00", tags=("backup",))),
        ],
    )


def tag_rows(ledger: Ledger, *args: str) -> list[dict[str, Any]]:
    result = ledger.ok("tags", *args, "--format", "json")
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def tags_of(ledger: Ledger, sid: str, period: str = "2024-03") -> list[str]:
    found = [s for s in ledger.sessions(period) if s["id"] == sid]
    assert found, sid
    tags = found[0]["tags"]
    assert isinstance(tags, list)
    return tags


# --- sessionlog tags ------------------------------------------------------------------------------


def test_tags_in_use_with_counts(ledger: Ledger) -> None:
    rows = tag_rows(tagged(ledger))
    got = [(r["tag"], r["sessions"], r["net_seconds"], r["customers"], r["last"][:10]) for r in rows]
    assert got == [
        # a1 30 min, a2 20 min, b1 60 min = 6600 s; acme and beta
        ("drucker", 3, 6600, 2, "2024-03-04"),
        # a1 30 min, b3 45 min
        ("netzwerk", 2, 4500, 2, "2024-03-01"),
        ("backup", 1, 900, 1, "2023-09-01"),
        ("Druker", 1, 600, 1, "2024-03-02"),
    ]
    assert {r["tag"]: r["looks_like"] for r in rows} == {
        "drucker": [],
        "netzwerk": [],
        "backup": [],
        "Druker": ["drucker"],  # caught: a typo of the more used tag
    }


def test_tags_names_the_typos_on_stderr_with_the_fix(ledger: Ledger) -> None:
    result = tagged(ledger).ok("tags")
    assert result.stderr.splitlines() == [
        "4 tag(s) on 6 of 7 session(s) (all time); 1 without a tag",
        "hint: 'Druker' (1) looks like 'drucker' (3): sessionlog tags --rename Druker drucker",
    ]
    rows = table_cells(result.stdout)[1:]
    assert [row[0] for row in rows] == ["drucker", "netzwerk", "backup", "Druker"]
    assert rows[-1][-1] == "drucker"  # the "looks like" column


def test_tags_of_a_period_and_a_customer(ledger: Ledger) -> None:
    tagged(ledger)
    assert [(r["tag"], r["sessions"]) for r in tag_rows(ledger, "2024-03")] == [
        ("drucker", 2),
        ("Druker", 1),
        ("netzwerk", 1),
    ]
    # as often as each other: alphabetical, as folded (drucker before druker)
    assert [(r["tag"], r["sessions"]) for r in tag_rows(ledger, "--customer", "beta")] == [
        ("drucker", 1),
        ("Druker", 1),
        ("netzwerk", 1),
    ]
    # case and spelling variants are hinted too, and the more used spelling is the one suggested
    write_sessions(ledger, [("gamma", record("g1", f"2024-03-04T10:00:00{M}", f"2024-03-04T10:10:00{M}",
                                             tags=("Netzwerk",)))])  # fmt: skip
    result = ledger.ok("tags", "2024")
    assert "hint: 'Netzwerk' (1) differs only in case or spelling from 'netzwerk' (2)" in result.stderr


def test_tags_as_csv(ledger: Ledger) -> None:
    result = tagged(ledger).ok("tags", "--format", "csv", "--profile", "en")
    lines = result.stdout.splitlines()
    assert lines[0] == "tag,sessions,worked,customers,last,looks_like"
    assert lines[1] == "drucker,3,1:50:00,2,2024-03-04,"
    assert lines[-1] == "Druker,1,0:10:00,1,2024-03-02,drucker"


def test_no_tags_yet(ledger: Ledger) -> None:
    result = ledger.ok("tags", "--format", "json")
    assert json.loads(result.stdout) == []
    assert result.stderr == "0 tag(s) on 0 of 0 session(s) (all time); 0 without a tag\n"


# --- tags --rename -----------------------------------------------------------------------------------


def test_rename_a_tag_everywhere(ledger: Ledger) -> None:
    tagged(ledger)
    result = ledger.ok("tags", "--rename", "Druker", "drucker")
    assert result.stderr == "renamed the tag 'Druker' to 'drucker' in 1 session(s)\n"
    assert ledger.records("beta", "2024-03")[0]["tags"] == ["drucker"]
    assert [(r["tag"], r["sessions"]) for r in tag_rows(ledger)] == [("drucker", 4), ("netzwerk", 2), ("backup", 1)]
    # a session with both keeps one
    ledger.ok("tags", "--rename", "netzwerk", "drucker")
    assert ledger.records("acme", "2024-03")[0]["tags"] == ["drucker"]


def test_rename_leaves_invoiced_sessions(ledger: Ledger) -> None:
    write_sessions(
        ledger,
        [
            ("acme", record("a1", f"2024-02-01T09:00:00{M}", f"2024-02-01T09:30:00{M}", tags=("Druker",),
                            invoice="RE-2024-0001")),
            ("acme", record("a2", f"2024-03-04T09:00:00{M}", f"2024-03-04T09:20:00{M}", tags=("Druker",))),
        ],
    )  # fmt: skip
    invoiced_file = ledger.month("acme", "2024-02").read_bytes()
    result = ledger.ok("tags", "--rename", "Druker", "drucker")
    assert result.stderr.splitlines() == [
        "renamed the tag 'Druker' to 'drucker' in 1 session(s)",
        "warning: 1 invoiced session(s) keep 'Druker': a1 "
        "(change one with: sessionlog edit ID --untag Druker --tag drucker --force)",
    ]
    assert ledger.month("acme", "2024-02").read_bytes() == invoiced_file
    assert ledger.records("acme", "2024-03")[0]["tags"] == ["drucker"]


def test_rename_within_a_period_only(ledger: Ledger) -> None:
    tagged(ledger)
    ledger.ok("tags", "2024-03", "--rename", "drucker", "printer")
    assert tags_of(ledger, "a1") == ["printer", "netzwerk"]
    assert tags_of(ledger, "b1", "2024-02") == ["drucker"]


@pytest.mark.parametrize(
    ("args", "code", "match"),
    [
        (["--rename", "Fax", "fax"], 1, "no session of all time has the tag 'Fax'"),
        (["--rename", "drucker", "drucker"], 2, "'drucker' is the tag's name already"),
        (["--rename", "drucker", "  "], 2, "the new tag is empty"),
        (["--rename", "drucker"], 2, "requires 2 arguments"),
        (["--format", "xml"], 2, "'xml' is not one of"),
        (["--customer", "ZETA"], 1, "no customer 'zeta'"),
    ],
)
def test_tags_bad_input(ledger: Ledger, args: list[str], code: int, match: str) -> None:
    tagged(ledger).refused("tags", *args, code=code, match=match)


def test_a_broken_file_stops_a_rename(ledger: Ledger) -> None:
    tagged(ledger)
    broken = ledger.write("customers/beta/2024-04.toml", "[[session]\n")
    ledger.refused("tags", "--rename", "Druker", "drucker", match=re.escape(str(broken)))
    ledger.refused("tags", match=re.escape(str(broken)))
    result = ledger.run("tags", "--skip-broken", "--format", "json")
    assert result.exit_code == 3 and len(json.loads(result.stdout)) == 4


# --- --tag, --untag, --no-tags ---------------------------------------------------------------------


def test_start_and_stop_take_tags(ledger: Ledger) -> None:
    ledger.ok("start", "ACME", "--at", "09:00", "--tag", "drucker", "--tag", "netzwerk", "--new")
    ledger.ok("stop", "--at", "09:30", "--tag", "treiber", "--tag", "drucker")
    (s,) = ledger.sessions()
    assert s["tags"] == ["drucker", "netzwerk", "treiber"]


def test_edit_adds_removes_and_replaces_tags(ledger: Ledger) -> None:
    tagged(ledger)
    ledger.ok("edit", "a1", "--tag", "treiber")
    assert tags_of(ledger, "a1") == ["drucker", "netzwerk", "treiber"]
    ledger.ok("edit", "a1", "--tag", "treiber")  # there already: once
    assert tags_of(ledger, "a1") == ["drucker", "netzwerk", "treiber"]
    ledger.ok("edit", "a1", "--untag", "NETZWERK")  # case and umlauts fold as in search
    assert tags_of(ledger, "a1") == ["drucker", "treiber"]
    ledger.ok("edit", "a1", "--untag", "treiber", "--tag", "toner")
    assert tags_of(ledger, "a1") == ["drucker", "toner"]
    ledger.ok("edit", "a1", "--no-tags", "--tag", "mail", "--tag", "outlook")
    assert tags_of(ledger, "a1") == ["mail", "outlook"]
    ledger.ok("edit", "a1", "--no-tags")
    assert tags_of(ledger, "a1") == []
    assert "tags" not in ledger.records("acme", "2024-03")[0]


def test_edit_untag_of_a_tag_the_session_lacks_changes_nothing(ledger: Ledger) -> None:
    tagged(ledger)
    ledger.refused("edit", "a2", "--untag", "netzwerk", match=r"session a2 has no tag 'netzwerk' \(its tags: drucker\)")
    ledger.refused("edit", "a2", "--no-tags", "--untag", "drucker", match="session a2 has no tag 'drucker'")


def test_edit_tags_of_the_running_session(ledger: Ledger) -> None:
    ledger.ok("start", "ACME", "--at", "09:00", "--tag", "drucker", "--new")
    sid = ledger.json("list", "2024-03")[0]["id"]
    ledger.ok("edit", sid, "--tag", "toner", "--untag", "drucker")
    ledger.ok("stop", "--at", "09:30")
    assert ledger.sessions()[0]["tags"] == ["toner"]


def test_the_help_explains_the_tag_options(ledger: Ledger) -> None:
    text = " ".join(ledger.ok("edit", "--help").stdout.split())
    assert "--tag TAG Add a tag; repeat for more." in text
    assert "--untag TAG Remove a tag; repeat for more." in text
    assert "--no-tags Remove every tag first (with --tag: replace the tags)." in text


# --- the warning for a likely typo -------------------------------------------------------------------


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: tag")]


def test_add_warns_when_a_new_tag_looks_like_one_in_use(ledger: Ledger) -> None:
    tagged(ledger)
    result = ledger.ok("add", "ACME", "--start", "05.03.2024 10:00", "--duration", "10m", "--tag", "Drukcer")
    sid = result.stdout.strip()
    assert warnings(result.stderr) == [
        "warning: tag 'Drukcer' is new and looks like 'drucker', used 3 time(s) in the last 3 months "
        f"(if it is a typo: sessionlog edit {sid} --untag Drukcer --tag drucker)"
    ]
    assert tags_of(ledger, sid) == ["Drukcer"]  # a warning, not a refusal: it may be meant


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("drucker", None),  # in use
        ("Druker", None),  # in use as well (once): known, so no warning
        ("DRUCKER", "differs only in case or spelling from 'drucker'"),
        ("netzwrek", "is new and looks like 'netzwerk'"),
        ("netz", None),  # new, and not a typo of netzwerk
        ("backup", None),  # used last September only: not among the last three months, no suggestion
        ("backups", None),
    ],
)
def test_which_new_tags_are_taken_for_typos(ledger: Ledger, tag: str, expected: str | None) -> None:
    tagged(ledger)
    result = ledger.ok("start", "ACME", "--at", "11:00", "--tag", tag)
    found = warnings(result.stderr)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0], found


def test_stop_and_edit_warn_too(ledger: Ledger) -> None:
    tagged(ledger)
    ledger.ok("start", "ACME", "--at", "11:00")
    result = ledger.ok("stop", "--at", "11:30", "--tag", "Netzwerk")
    sid = re.search(r"\((\w+)\)", result.stderr.splitlines()[0])
    assert sid is not None
    assert warnings(result.stderr) == [
        "warning: tag 'Netzwerk' differs only in case or spelling from 'netzwerk', used 2 time(s) in the last 3 "
        f"months (if it is a typo: sessionlog edit {sid.group(1)} --untag Netzwerk --tag netzwerk)"
    ]
    result = ledger.ok("edit", "a2", "--tag", "druckr")
    assert warnings(result.stderr) == [
        "warning: tag 'druckr' is new and looks like 'drucker', used 3 time(s) in the last 3 months "
        "(if it is a typo: sessionlog edit a2 --untag druckr --tag drucker)"
    ]


# --- counted one customer at a time, as gather would count them -----------------------------------


def _as_gather_counts(ctx: Any, period: Any, skip_broken: bool) -> tuple[list[tuple[Any, ...]], int, int, list[str]]:
    """The counts worked out the way `tags` did before it read one customer at a time."""
    from sessionlog.app.listing import gather, refuse_or_skip

    g = gather(ctx, period.months(), None)
    skipped = refuse_or_skip(g.errors, skip_broken)
    here = [s for s in g.sessions if s.start in period]
    found: dict[str, list[Any]] = {}
    for s in here:
        for tag in dict.fromkeys(s.tags):
            found.setdefault(tag, []).append(s)
    rows = sorted(
        (tag, len(group), sum(int(s.net_duration().total_seconds()) for s in group if s.end is not None),
         len({s.customer for s in group}), max(s.start for s in group))
        for tag, group in found.items()
    )  # fmt: skip
    return rows, len(here), sum(1 for s in here if not s.tags), [str(p) for p in skipped]


def test_tags_count_what_gather_counts_with_doubled_ids_broken_files_and_strays(ledger: Ledger) -> None:
    from datetime import datetime

    from sessionlog.app.context import Context
    from sessionlog.app.tags import in_use
    from sessionlog.periods import match_period
    from sessionlog.store import Ledger as Store

    tagged(ledger)
    write_sessions(
        ledger,
        [
            # the same id under two customers: both copies are left out, and it is a problem
            ("gamma", record("a2", f"2024-03-05T09:00:00{M}", f"2024-03-05T09:20:00{M}", tags=("drucker",))),
            ("gamma", record("g1", f"2024-03-06T09:00:00{M}", f"2024-03-06T10:00:00{M}", tags=("mail", "mail"))),
            ("gamma", record("g2", f"2024-02-28T23:30:00{M}", f"2024-02-29T00:30:00{M}", tags=("mail",))),
        ],
    )
    ledger.write("customers/delta/2024-03.toml", "[[session]\n")  # does not parse
    ledger.write("customers/beta/notizen.toml", 'text = "x"\n')  # no month file
    ctx = Context(Store(ledger.root), "Klaus Hörner", datetime.fromisoformat("2024-03-20T12:00:00+01:00"))
    for text in ("2024-03", "2024-02", "2024"):
        period = match_period(text, ctx.now, ctx.tz)
        assert period is not None
        listed = in_use(ctx, period, skip_broken=True)
        rows = sorted((c.tag, c.sessions, c.seconds, c.customers, c.last) for c in listed.tags)
        got = (rows, listed.sessions, listed.untagged, [str(p) for p in listed.skipped])
        assert got == _as_gather_counts(ctx, period, skip_broken=True), text
    march = match_period("2024-03", ctx.now, ctx.tz)
    assert march is not None
    listed = in_use(ctx, march, skip_broken=True)
    assert {c.tag: c.sessions for c in listed.tags} == {"drucker": 1, "netzwerk": 1, "Druker": 1, "mail": 1}
    assert len(listed.skipped) == 3  # the broken file, the stray file, the doubled id
    with pytest.raises(SessionlogError):
        in_use(ctx, march)

"""The record-level three-way merge (store/merge.py): records by id, documents by key, the
invoice register by number; comments survive; what cannot be merged by record is refused."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionlog.store import tomltext
from sessionlog.store.marks import describe, problems_in, take_document, take_record
from sessionlog.store.merge import Unmergeable, merge_texts

MONTH = "customers/acme/2024-03.toml"


def rec(sid: str, note: str = "x", *extra: str, comment: str = "") -> str:
    lines = [
        "[[session]]",
        f'id = "{sid}"',
        "start = 2024-03-01T10:00:00+01:00",
        "end = 2024-03-01T11:00:00+01:00",
        'supporter = "Klaus Hörner"',
        f'note = "{note}"' + (f"  # {comment}" if comment else ""),
        *extra,
    ]
    return "\n".join(lines) + "\n"


def records(text: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in tomllib.loads(text).get("session", [])}


BASE = "# Fa. Maier, März 2024\n\n" + rec("aaaa1111") + "\n" + rec("bbbb2222")


def test_both_sides_add_records_and_every_comment_survives() -> None:
    ours = BASE + "\n# Klaus, Dienstag\n" + rec("cccc3333", "ours")
    theirs = BASE + "\n# Anna, Mittwoch\n" + rec("dddd4444", "theirs", comment="Rückruf")
    m = merge_texts(BASE, ours, theirs, MONTH)
    assert list(records(m.text)) == ["aaaa1111", "bbbb2222", "cccc3333", "dddd4444"]
    for comment in ("# Fa. Maier, März 2024", "# Klaus, Dienstag", "# Anna, Mittwoch", "# Rückruf"):
        assert comment in m.text
    assert m.conflicts == [] and m.added == 1


def test_a_record_only_theirs_changed_is_taken_as_they_wrote_it() -> None:
    theirs = BASE.replace('note = "x"', 'note = "neu"  # nach Rückfrage', 1)
    ours = BASE + "\n" + rec("cccc3333")
    m = merge_texts(BASE, ours, theirs, MONTH)
    assert records(m.text)["aaaa1111"]["note"] == "neu"
    assert 'note = "neu"  # nach Rückfrage' in m.text
    assert set(records(m.text)) == {"aaaa1111", "bbbb2222", "cccc3333"}


def test_changes_to_different_keys_are_both_kept_and_ours_comments_stay() -> None:
    ours = BASE.replace('note = "x"\n', 'note = "x"\nticket = "T-1"  # from the phone call\n', 1)
    theirs = BASE.replace('note = "x"\n', 'note = "Drucker"\n', 1)
    m = merge_texts(BASE, ours, theirs, MONTH)
    merged = records(m.text)["aaaa1111"]
    assert merged["note"] == "Drucker" and merged["ticket"] == "T-1"
    assert "# from the phone call" in m.text and m.conflicts == []


def test_the_same_key_changed_differently_is_a_conflict_that_stays_valid_toml() -> None:
    ours = BASE.replace('note = "x"', 'note = "ours"', 1)
    theirs = BASE.replace('note = "x"', 'note = "theirs"', 1)
    m = merge_texts(BASE, ours, theirs, MONTH)
    merged = records(m.text)["aaaa1111"]
    assert merged["note"] == "ours"
    assert merged["conflict"] == {"note": {"ours": "ours", "theirs": "theirs", "base": "x"}}
    assert [(c.label, c.keys, c.line) for c in m.conflicts] == [("aaaa1111", ("note",), 3)]
    assert m.text.splitlines()[2] == "[[session]]"
    assert "# Fa. Maier, März 2024" in m.text
    [problem] = problems_in(m.text, MONTH)
    assert (problem.kind, problem.line) == ("merge-conflict", 3)
    assert problem.message == 'session aaaa1111 is in conflict: note: ours "ours", theirs "theirs"'


def test_a_key_one_side_removed_and_the_other_changed_is_a_conflict() -> None:
    ours = BASE.replace('note = "x"\n', "", 1)
    theirs = BASE.replace('note = "x"', 'note = "y"', 1)
    m = merge_texts(BASE, ours, theirs, MONTH)
    assert "note" not in records(m.text)["aaaa1111"]
    assert records(m.text)["aaaa1111"]["conflict"]["note"] == {"theirs": "y", "base": "x"}
    assert describe(records(m.text)["aaaa1111"]["conflict"]) == 'note: ours has none, theirs "y"'


def test_deleted_on_one_side_unchanged_on_the_other_is_deleted() -> None:
    theirs = "# Fa. Maier, März 2024\n\n" + rec("bbbb2222")
    ours = BASE + "\n" + rec("cccc3333")
    m = merge_texts(BASE, ours, theirs, MONTH)
    assert list(records(m.text)) == ["bbbb2222", "cccc3333"] and m.removed == 1
    m = merge_texts(BASE, theirs, ours, MONTH)
    assert list(records(m.text)) == ["bbbb2222", "cccc3333"]


@pytest.mark.parametrize("deleter", ["ours", "theirs"])
def test_deleted_on_one_side_changed_on_the_other_is_a_conflict(deleter: str) -> None:
    deleted = "# Fa. Maier, März 2024\n\n" + rec("bbbb2222")
    changed = BASE.replace('note = "x"', 'note = "changed"', 1)
    ours, theirs = (deleted, changed) if deleter == "ours" else (changed, deleted)
    m = merge_texts(BASE, ours, theirs, MONTH)
    record = records(m.text)["aaaa1111"]
    assert record["note"] == "changed" and record["conflict"] == {"deleted": deleter}
    assert m.conflicts[0].keys == ("deleted",)
    assert take_record(record, deleter).record is None
    kept = take_record(record, "theirs" if deleter == "ours" else "ours").record
    assert kept is not None and "conflict" not in kept and kept["note"] == "changed"


def test_added_on_both_sides_without_a_base() -> None:
    same = merge_texts("", rec("aaaa1111"), rec("aaaa1111") + "\n" + rec("bbbb2222"), MONTH)
    assert list(records(same.text)) == ["aaaa1111", "bbbb2222"] and same.conflicts == []
    differ = merge_texts("", rec("aaaa1111", "a"), rec("aaaa1111", "b"), MONTH)
    assert records(differ.text)["aaaa1111"]["conflict"] == {"note": {"ours": "a", "theirs": "b"}}


@pytest.mark.parametrize(
    ("ours", "match"),
    [
        ("[[session]\nid = 1\n", "does not parse"),
        (rec("aaaa1111") + rec("aaaa1111"), "twice"),
        ('[[session]]\nnote = "no id"\n', "without id"),
        ("session = 5\n", "not a list of tables"),
    ],
    ids=["broken", "an id twice", "no id", "not records"],
)
def test_what_cannot_be_merged_by_record_is_refused(ours: str, match: str) -> None:
    with pytest.raises(Unmergeable, match=match):
        merge_texts(BASE, ours, BASE + "\n" + rec("dddd4444"), MONTH)
    with pytest.raises(Unmergeable, match=match):
        merge_texts(BASE, BASE + "\n" + rec("dddd4444"), ours, MONTH)


def test_keys_outside_the_records_changed_on_both_sides_are_refused() -> None:
    with pytest.raises(Unmergeable, match="keys outside the records"):
        merge_texts("x = 1\n\n" + BASE, "x = 2\n\n" + BASE, "x = 3\n\n" + BASE, MONTH)
    taken = merge_texts("x = 1\n\n" + BASE, "x = 1\n\n" + BASE + rec("cccc3333"), "x = 3\n\n" + BASE, MONTH)
    assert tomllib.loads(taken.text)["x"] == 3 and "cccc3333" in records(taken.text)


def test_windows_line_endings_stay() -> None:
    crlf = BASE.replace("\n", "\r\n")
    m = merge_texts(crlf, crlf + "\r\n" + rec("cccc3333").replace("\n", "\r\n"), crlf + "\r\n" + rec("dddd4444"), MONTH)
    assert "\r\n" in m.text and "\n" not in m.text.replace("\r\n", "")
    assert set(records(m.text)) == {"aaaa1111", "bbbb2222", "cccc3333", "dddd4444"}


def test_two_running_timers_of_one_supporter_are_a_conflict() -> None:
    path = "running/klaus-hoerner.toml"
    ours = rec("aaaa1111").replace("end = 2024-03-01T11:00:00+01:00\n", 'customer = "acme"\n')
    theirs = rec("bbbb2222").replace("end = 2024-03-01T11:00:00+01:00\n", 'customer = "gamma"\n')
    m = merge_texts("", ours, theirs, path)
    timers = records(m.text)
    assert "conflict" not in timers["aaaa1111"] and timers["bbbb2222"]["conflict"] == {"timer": "aaaa1111"}
    assert take_record(timers["bbbb2222"], "ours").record is None
    taken = take_record(timers["bbbb2222"], "theirs")
    assert taken.drop == "aaaa1111" and taken.record is not None and "conflict" not in taken.record


# --- documents --------------------------------------------------------------------------------------

CUSTOMER = """\
# Fa. Walter Maier GmbH, seit 2019
name = "Maier GmbH"
rate = "90.00"   # Stand 2024
remote_ids = ["111", "222"]
"""


def test_customer_files_merge_by_key_and_id_lists_as_sets() -> None:
    ours = CUSTOMER.replace('"90.00"', '"95.00"').replace('["111", "222"]', '["111", "222", "333"]')
    theirs = CUSTOMER.replace('name = "Maier GmbH"', 'name = "Walter Maier GmbH"').replace(
        '["111", "222"]', '["222", "444"]'
    )
    m = merge_texts(CUSTOMER, ours, theirs, "customers/acme/customer.toml")
    doc = tomllib.loads(m.text)
    assert doc == {"name": "Walter Maier GmbH", "rate": "95.00", "remote_ids": ["222", "333", "444"]}
    assert "# Fa. Walter Maier GmbH, seit 2019" in m.text and m.conflicts == []


def test_a_customer_conflict_is_marked_at_the_top_and_taken_by_key() -> None:
    ours = CUSTOMER.replace('"90.00"', '"95.00"')
    theirs = CUSTOMER.replace('"90.00"', '"100.00"')
    m = merge_texts(CUSTOMER, ours, theirs, "customers/acme/customer.toml")
    doc = tomllib.loads(m.text)
    assert doc["conflict"] == {"rate": {"ours": "95.00", "theirs": "100.00", "base": "90.00"}}
    assert [(c.label, c.keys) for c in m.conflicts] == [("acme", ("rate",))]
    new, keys = take_document(doc, "theirs")
    assert new["rate"] == "100.00" and "conflict" not in new and keys == ("rate",)


SETTINGS = """\
# sessionlog ledger settings
timezone = "Europe/Berlin"

[billing]
currency = "EUR"
rate = "90.00"           # per hour

[csv]
profile = "de"           # Excel in German
"""


def test_settings_merge_table_by_table_with_their_comments() -> None:
    ours = SETTINGS.replace('rate = "90.00"', 'rate = "95.00"')
    theirs = SETTINGS.replace('profile = "de"', 'profile = "en"') + '\n[invoice]\npattern = "R-{seq}"\n'
    m = merge_texts(SETTINGS, ours, theirs, "sessionlog.toml")
    doc = tomllib.loads(m.text)
    assert doc["billing"]["rate"] == "95.00" and doc["csv"]["profile"] == "en"
    assert doc["invoice"] == {"pattern": "R-{seq}"}
    for comment in ("# sessionlog ledger settings", "# per hour", "# Excel in German"):
        assert comment in m.text


def test_a_settings_conflict_names_the_dotted_key() -> None:
    ours = SETTINGS.replace('rate = "90.00"', 'rate = "95.00"')
    theirs = SETTINGS.replace('rate = "90.00"', 'rate = "80.00"')
    m = merge_texts(SETTINGS, ours, theirs, "sessionlog.toml")
    doc = tomllib.loads(m.text)
    assert doc["conflict"] == {"billing.rate": {"ours": "95.00", "theirs": "80.00", "base": "90.00"}}
    assert m.conflicts[0].label == "settings"
    assert take_document(doc, "theirs")[0]["billing"]["rate"] == "80.00"


# --- the invoice register ------------------------------------------------------------------------


def invoice(number: str, customer: str, *sessions: str) -> str:
    head = (
        f'[[invoice]]\nnumber = "{number}"\ncustomer = "{customer}"\ncustomer_name = "{customer.title()}"\n'
        f'issued = 2024-04-02T09:00:00+02:00\ntotal = "90.00"\ncurrency = "EUR"\n'
    )
    subs = "".join(
        f'\n[[invoice.session]]\nid = "{s}"\nstart = 2024-03-01T10:00:00+01:00\nsupporter = "K"\n' for s in sessions
    )
    return head + subs


REGISTER = "invoices/2024-03.toml"


def test_the_register_keeps_every_invoice_of_both_sides() -> None:
    base = invoice("RE-2024-0001", "acme", "aaaa1111")
    ours = base + "\n" + invoice("RE-2024-0002", "gamma", "bbbb2222")
    theirs = base + "\n" + invoice("RE-2024-0003", "delta", "cccc3333", "dddd4444")
    m = merge_texts(base, ours, theirs, REGISTER)
    doc = tomllib.loads(m.text)
    assert [i["number"] for i in doc["invoice"]] == ["RE-2024-0001", "RE-2024-0002", "RE-2024-0003"]
    assert [s["id"] for s in doc["invoice"][2]["session"]] == ["cccc3333", "dddd4444"]
    assert m.conflicts == []


def test_one_number_on_two_invoices_is_a_conflict_for_a_person() -> None:
    ours = invoice("RE-2024-0001", "acme", "aaaa1111")
    theirs = invoice("RE-2024-0001", "gamma", "bbbb2222")
    m = merge_texts("", ours, theirs, REGISTER)
    doc = tomllib.loads(m.text)
    assert [i["customer"] for i in doc["invoice"]] == ["acme", "gamma"]
    assert "conflict" not in doc["invoice"][0] and doc["invoice"][1]["conflict"]
    [problem] = problems_in(m.text, REGISTER)
    assert problem.line == m.text.splitlines().index("[[invoice]]", 1) + 1
    assert problem.message.startswith("invoice RE-2024-0001 (gamma, 90.00 EUR) is in conflict: ")
    assert "issued twice" in problem.message


# --- any records, any edits ----------------------------------------------------------------------

KEYS = ("note", "ticket", "machine")


@st.composite
def histories(
    draw: st.DrawFn,
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """A base of records and two sides that each add, delete and change records."""
    ids = [f"id{i:05d}" for i in range(draw(st.integers(0, 6)))]
    value = st.sampled_from(["a", "b", "c"])
    base = {i: {k: draw(value) for k in KEYS if draw(st.booleans())} for i in ids}

    def side(tag: str) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for i, r in base.items():
            action = draw(st.sampled_from(["keep", "keep", "change", "delete"]))
            if action == "keep":
                out[i] = dict(r)
            elif action == "change":
                out[i] = {**r, draw(st.sampled_from(KEYS)): draw(value)}
        for n in range(draw(st.integers(0, 2))):
            out[f"{tag}{n:04d}"] = {"note": draw(value)}
        return out

    return base, side("o"), side("t")


def as_text(rs: dict[str, dict[str, str]]) -> str:
    return "\n".join(tomltext.format_table({"id": i, **r}, "[[session]]") for i, r in rs.items())


@given(histories())
def test_any_history_merges_to_what_each_side_meant(h: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    base, ours, theirs = h
    m = merge_texts(as_text(base), as_text(ours), as_text(theirs), MONTH)
    got = records(m.text)
    conflicted = {c.label for c in m.conflicts}
    for i in {*base, *ours, *theirs}:
        b, o, t = base.get(i), ours.get(i), theirs.get(i)
        if o is None and t is None:
            assert i not in got
        elif b is None or (o is not None and t is not None):  # added, or on both sides
            assert i in got
            for k in {*(o or {}), *(t or {})}:
                ov, tv, bv = (o or {}).get(k), (t or {}).get(k), (b or {}).get(k)
                if ov != tv and ov != bv and tv != bv:
                    assert k in got[i]["conflict"], (i, k)
                else:
                    expect = tv if ov == bv else ov
                    assert got[i].get(k) == expect, (i, k)
        else:  # deleted on one side
            kept = o if o is not None else t
            if kept == b:
                assert i not in got
            else:
                assert i in conflicted and got[i]["conflict"]["deleted"] in ("ours", "theirs")
    assert conflicted == {i for i, r in got.items() if "conflict" in r}
    assert list(got)[: len([i for i in ours if i in got])] == [i for i in ours if i in got]  # ours' order first

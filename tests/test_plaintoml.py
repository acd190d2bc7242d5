"""The store's own TOML reader (store/plaintoml.py) reads what tomllib reads, or leaves the text to it.

Writes are verified by parsing the new text again and comparing it with the records meant
(a new month file of usual records is held to it by the tests of format_session here);
that parse now goes through plaintoml for the store's own shapes. These tests hold it to
tomllib: on the formatter's output for every record shape, and on texts made to sit on the
edge of what it takes. A formatter bug is still refused before anything is written.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from conftest import Ledger
from sessionlog.model import Billed, Pause, Session
from sessionlog.store import codec, plaintoml, tomltext


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down; date-times with the same offset."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, datetime):
        return a == b and a.utcoffset() == b.utcoffset() and a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return bool(a == b)


def agrees(text: str) -> dict[str, Any] | None:
    """plaintoml's document of `text`, after checking that tomllib reads exactly that (or refuses
    a text plaintoml leaves alone)."""
    ours = plaintoml.read(text)
    if ours is None:
        return None
    assert same(ours, tomllib.loads(text)), text
    return ours


# --- the formatter's output, every record shape ------------------------------------------------

# Umlauts, quotes, backslashes, newlines, tabs, control characters, the TOML comment sign.
texts = st.text(st.characters(codec="utf-8") | st.sampled_from('äöüÄÖÜß"\\\n\r\t\x00\x1f\x7f#=[],{}'), max_size=12)
zones = st.sampled_from([UTC, ZoneInfo("Europe/Berlin"), timezone(timedelta(hours=-5, minutes=-30))])
moments = st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=zones)
keys = st.text("abcdefghijklmnopqrstuvwxyz_-0123456789ÄäÖ. \"'", min_size=1, max_size=10)
scalars = (
    texts
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | moments
    | st.dates()
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
)
values = scalars | st.lists(texts, max_size=3) | st.lists(st.dictionaries(keys, scalars, max_size=3), max_size=2)
records = st.dictionaries(keys, values, max_size=8)


def as_toml(value: Any) -> Any:
    """What a value reads back as: a Decimal is written as its text, a zone's time as its offset."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime) and value.utcoffset() is not None:
        # As a fixed offset: Python never finds a time in a zone's repeated hour equal to one
        # in another zone (PEP 495), though both name the same instant.
        return value.replace(tzinfo=timezone(value.utcoffset()))
    if isinstance(value, list):
        return [as_toml(v) for v in value]
    if isinstance(value, dict):
        return {k: as_toml(v) for k, v in value.items()}
    return value


@given(st.lists(records, max_size=4), st.sampled_from(["\n", "\r\n"]))
@example([{"0": datetime(1991, 9, 29, 2, 0, tzinfo=ZoneInfo("Europe/Berlin"))}], "\n")  # the repeated hour
def test_what_the_formatter_writes_reads_back_as_tomllib_reads_it(recs: list[dict[str, Any]], nl: str) -> None:
    text = "".join(nl + tomltext.format_table(r, "[[session]]", nl) for r in recs)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        # An offset with seconds (Berlin before 1893) has no TOML form: the verification refuses it.
        assert plaintoml.read(text) is None
        with pytest.raises(tomltext.TomlError):
            tomltext._loads(text)
        return
    assert doc == ({"session": [as_toml(r) for r in recs]} if recs else {})
    assert same(tomltext._loads(text), doc)
    agrees(text)


def generic_table(record: dict[str, Any], nl: str) -> str:
    """format_table with every value written by format_value."""
    inline = tomltext._INLINE
    try:
        tomltext._INLINE = frozenset()
        return tomltext.format_table(record, "[[session]]", nl)
    finally:
        tomltext._INLINE = inline


@given(
    st.dictionaries(keys, values | st.datetimes() | st.lists(texts | st.booleans(), max_size=3), max_size=8),
    st.sampled_from(["\n", "\r\n"]),
)
@example({"start": datetime(2024, 3, 1, 10, 22, tzinfo=UTC), "tags": ["a", 'b"'], "billable": True}, "\r\n")
def test_format_table_writes_each_value_as_format_value_does(record: dict[str, Any], nl: str) -> None:
    """What format_table writes itself (plain strings, booleans, date-times, arrays of plain
    strings) is what format_value writes; a time without offset is refused by both."""
    try:
        expected = generic_table(record, nl)
    except ValueError:
        with pytest.raises(ValueError, match="without offset"):
            tomltext.format_table(record, "[[session]]", nl)
        return
    assert tomltext.format_table(record, "[[session]]", nl) == expected


plain_texts = st.text(st.characters(codec="utf-8", exclude_characters='"\\', exclude_categories=["Cc"]), max_size=8)
ODD = ("", "", "end", "pauses", "unfinished", "billed", "texts")
TEXT_FIELDS = (
    "id",
    "supporter",
    "contact",
    "machine",
    "channel",
    "note",
    "free_reason",
    "tags",
    "ticket",
    "invoice",
    "source",
)


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    """Usual records (plain texts, finished, no pauses, not billed), each optional field there
    or not, and records that are usual but for one thing."""
    odd = draw(st.sampled_from(ODD))  # one reason at most, so that each is seen alone
    # With "texts", one text field (or a tag) needs an escape: it alone sends the record away.
    unplain = draw(st.sampled_from(TEXT_FIELDS)) if odd == "texts" else ""

    def text(name: str) -> Any:
        return st.just('\\ " \n') if name == unplain else plain_texts

    def maybe(name: str) -> Any:
        return text(name) if name == unplain else st.none() | plain_texts

    start = draw(moments)
    pause = Pause(start + timedelta(minutes=1), start + timedelta(minutes=2))
    return Session(
        id=draw(text("id")),
        customer="acme",
        start=start,
        end=None if odd == "end" else start + timedelta(minutes=12),
        pauses=(pause,) if odd == "pauses" else (),
        supporter=draw(text("supporter")),
        contact=draw(maybe("contact")),
        machine=draw(maybe("machine")),
        channel=draw(text("channel") if unplain == "channel" else st.sampled_from(["remote", "phone"]) | plain_texts),
        note=draw(text("note")),
        billable=draw(st.booleans()),
        free_reason=draw(maybe("free_reason")),
        tags=(*draw(st.lists(plain_texts, max_size=2)), *([draw(text("tags"))] if unplain == "tags" else [])),
        ticket=draw(maybe("ticket")),
        invoice=draw(maybe("invoice")),
        source=draw(maybe("source")),
        billed=Billed(15, 0, 15, Decimal("95.00"), Decimal("23.75"), "EUR") if odd == "billed" else None,
        unfinished=odd == "unfinished",
    )


@settings(max_examples=500)  # the shapes of a record are many, and each example is cheap
@given(sessions(), st.sampled_from(["\n", "\r\n"]))
def test_format_session_writes_what_format_table_writes_of_the_record(s: Session, nl: str) -> None:
    """A usual record (finished, no pauses, not billed, every text plain) is made straight from
    its fields, as format_table writes its dict; any other is left to format_table."""
    made = tomltext.format_session(s, nl)
    plain = all(tomltext._PLAIN.fullmatch(v) for v in codec.session_to_dict(s).values() if isinstance(v, str))
    plain = plain and all(tomltext._PLAIN.fullmatch(t) for t in s.tags)
    usual = s.end is not None and not s.pauses and not s.unfinished and s.billed is None
    assert made == (generic_table(codec.session_to_dict(s), nl) if usual and plain else None)
    offset = s.start.utcoffset()
    if made is not None and offset is not None and offset % timedelta(minutes=1) == timedelta(0):  # TOML's
        # Read back in one match (CR LF is made LF first), as tomllib reads it, twice in a row.
        assert plaintoml._RECORD.fullmatch(made.replace("\r\n", "\n"))
        doc = agrees(made + nl + made + "extra = 1" + nl)
        assert doc is not None and doc["session"][1]["extra"] == 1


def test_format_session_knows_every_field_a_session_has() -> None:
    """A new month file of usual records is written from format_session's text without being
    parsed back (an import creates thousands), so a field added to Session must be written
    there too, or be one that sends the record to format_table; else it would be lost."""
    written = {"id", "start", "end", "supporter", "contact", "machine", "channel", "note", "billable"}
    written |= {"free_reason", "tags", "ticket", "invoice", "source"}
    refused = {"pauses", "billed", "unfinished"}  # any of these set: format_session gives None
    implied = {"customer", "origin"}  # the file's folder; where it was read from
    assert {f.name for f in fields(Session)} == written | refused | implied


@given(st.lists(sessions(), min_size=1, max_size=3))
def test_a_new_file_of_usual_records_is_the_text_append_records_makes(ss: list[Session]) -> None:
    """new_file_text skips the parse, not the layout: the text is append_records' on an empty file.
    (Offsets with seconds never get here: the store's validation refuses them first.)"""
    assume(all(s.start.utcoffset() % timedelta(minutes=1) == timedelta(0) for s in ss))
    nl = tomltext.newline_of("")  # a new file's, as add_many takes it
    made = [tomltext.format_session(s, nl) for s in ss]
    text = tomltext.new_file_text(made, nl)
    if None in made:
        assert text is None
    else:
        records = [codec.session_to_dict(s) for s in ss]
        assert text == tomltext.append_records("", records, "x.toml", formatted=made)


def test_a_new_month_file_reads_back_as_the_sessions_imported(ledger: Ledger, tmp_path: Path) -> None:
    """The unverified path end to end: what an import writes into a new file is what tomllib reads."""
    ledger.ok("customer", "add", "acme", "--name", "ACME", "--remote-id", "565955529")
    log = tmp_path / "Connections.txt"
    log.write_text(
        "565955529\t01-03-2024 10:00:00\t01-03-2024 10:20:00\tKlaus Hörner\tRemoteControl\t"
        "{6460E19E-0C6F-4F5A-9A1B-2F3C4D5E6F70}\n"
        "565955529\t31-03-2024 22:30:00\t31-03-2024 23:10:00\t<unknown>\tFiletransfer\t\n",
        encoding="utf-8",
    )
    ledger.ok("import", "teamviewer", str(log), "--supporter", "Klaus Hörner")
    march = tomllib.loads((ledger.root / "customers/acme/2024-03.toml").read_text(encoding="utf-8"))
    april = tomllib.loads((ledger.root / "customers/acme/2024-04.toml").read_text(encoding="utf-8"))
    assert [(r["start"].isoformat(), r["end"].isoformat(), r["tags"], r["source"]) for r in march["session"]] == [
        (
            "2024-03-01T11:00:00+01:00",
            "2024-03-01T11:20:00+01:00",
            ["remotecontrol"],
            "teamviewer:{6460e19e-0c6f-4f5a-9a1b-2f3c4d5e6f70}",
        )
    ]
    # 22:30 UTC on the last of March is 00:30 on the first of April in Berlin (summer time).
    assert [(r["start"].isoformat(), r["supporter"], r["tags"]) for r in april["session"]] == [
        ("2024-04-01T00:30:00+02:00", "Klaus Hörner", ["filetransfer"])
    ]
    assert ledger.records("acme", "2024-03") == march["session"]


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_a_text_that_needs_an_escape_leaves_the_record_to_format_table(name: str) -> None:
    start = datetime(2024, 3, 1, 10, tzinfo=UTC)
    usual = Session("k3f9", "acme", start, start + timedelta(minutes=5), supporter="Klaus", tags=("x",), ticket="T")
    assert tomltext.format_session(usual) == generic_table(codec.session_to_dict(usual), "\n")
    escaped = '"KH" \\ \n'
    s = usual.evolve(**{name: (*usual.tags, escaped) if name == "tags" else escaped})
    assert tomltext.format_session(s) is None


@given(st.lists(st.dictionaries(st.sampled_from(["id", "supporter", "note", "source"]), texts), max_size=3))
def test_plain_records_are_read_by_plaintoml_itself(recs: list[dict[str, str]]) -> None:
    """Where no value needs an escape, the text never goes to tomllib: that is the speed."""
    text = "\n".join(tomltext.format_table(r, "[[session]]") for r in recs)
    plain = all(tomltext._PLAIN.fullmatch(v) for r in recs for v in r.values())
    assert (agrees(text) is not None) == plain


# --- texts on the edge of what plaintoml takes ---------------------------------------------------

USUAL = (
    '[[session]]\nid = "a"\nstart = 2024-03-01T10:00:00+01:00\nend = 2024-03-01T10:10:00+01:00\n'
    'supporter = "K"\nchannel = "remote"\nnote = ""\nbillable = true\n'
)
PIECES = (
    "[[session]]",
    "[[a]]",
    "[session]",
    "[[ session ]]",
    "[[a.b]]",
    "session = 1",
    "a = 2",
    'id = "x"',
    'id = "y"',
    "n = 0",
    "n = -0",
    "n = 007",
    "n = +1",
    "n = 1_000",
    "n = 123456789012345678",
    "n = 1234567890123456789",
    "b = true",
    "b = True",
    "b = false",
    'note = "a # b"',
    'note = "x" # c',
    "# comment",
    "",
    " ",
    "\t",
    'k = ""',
    'k = "\\n"',
    "k = 'lit'",
    'k = "a\tb"',
    "k=1",
    "k  = 1",
    't = ["a", "b"]',
    "t = []",
    't = ["a","b"]',
    't = ["a", 1]',
    "t = [ ]",
    "p = [{ start = 1 }]",
    "d = 2024-03-01T10:00:00+01:00",
    "d = 2024-02-30T10:00:00+01:00",
    "d = 2024-13-01T10:00:00+01:00",
    "d = 2024-03-01T24:00:00+01:00",
    "d = 2024-03-01T10:00:60+01:00",
    "d = 2024-03-01T10:00:00+24:00",
    "d = 2024-03-01T10:00:00.123456-05:30",
    "d = 2024-03-01T10:00:00.123+01:00",
    "d = 2024-03-01T10:00:00Z",
    "d = 2024-03-01 10:00:00+01:00",
    "d = 2024-03-01T10:00:00",
    "d = 2024-03-01",
    "d = 0000-01-01T00:00:00+00:00",
    "d = 2024-03-01T10:00:00-00:00",
    '"quoted" = 1',
    "ä = 1",
    "a.b = 1",
    "a = 1\r",
    "\ufeffa = 1",
    # Whole records as format_session writes them, which plaintoml reads in one match.
    USUAL,
    USUAL.rstrip("\n"),
    USUAL + 'tags = ["a", "b"]\nsource = "t:1"\n',
    USUAL.replace("billable = true", 'contact = "C"\nmachine = "M"\nchannel = "phone"\nbillable = false')
    + 'free_reason = "warranty"\ntags = []\nticket = "T-1"\ninvoice = "RE-1"\nsource = "s"',
    USUAL.replace("2024-03-01T10:10", "2024-02-30T10:10"),
    USUAL.replace("true", "True"),
    USUAL.replace('note = ""', 'note = "\\n"'),
    USUAL.replace('note = ""\n', ""),
)
pieces = st.sampled_from(PIECES)


def _same_as_tomllib_or_left(text: str) -> None:
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert plaintoml.read(text) is None, f"tomllib refuses {text!r}"
        return
    ours = plaintoml.read(text)
    assert ours is None or same(ours, expected), text


@pytest.mark.parametrize("piece", PIECES)
def test_each_edge_alone_at_the_top_and_in_a_record(piece: str) -> None:
    _same_as_tomllib_or_left(piece)
    _same_as_tomllib_or_left(f"[[session]]\n{piece}\n")


@pytest.mark.parametrize("before", ["session = 1", "[session]", "[[a]]", 'id = "x"', "# c"])
def test_what_stands_before_a_whole_record_counts_as_it_does_line_by_line(before: str) -> None:
    for text in (f"{before}\n{USUAL}", f"{USUAL}{before}\n{USUAL}"):
        _same_as_tomllib_or_left(text)


@given(st.lists(pieces, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]))
def test_on_any_text_plaintoml_reads_what_tomllib_reads_or_leaves_it(lines: list[str], nl: str) -> None:
    _same_as_tomllib_or_left(nl.join(lines))


@given(st.text(st.characters(codec="utf-8") | st.sampled_from('"\\[]= \n\r\t-:T+0123456789'), max_size=40))
def test_on_random_text_too(text: str) -> None:
    _same_as_tomllib_or_left(text)


def test_a_month_file_of_the_store_is_read_without_tomllib() -> None:
    record = {
        "id": "k3f9qz2a",
        "start": datetime(2024, 3, 1, 10, 22, tzinfo=ZoneInfo("Europe/Berlin")),
        "end": datetime(2024, 3, 1, 10, 34, 22, 5, tzinfo=ZoneInfo("Europe/Berlin")),
        "supporter": "Klaus Hörner",
        "billable": False,
        "free_reason": "warranty",
        "tags": ["drucker", "größe"],
        "minutes": 12,
    }
    text = "\n".join(tomltext.format_table(r, "[[session]]") for r in (record, {**record, "tags": []}))
    assert agrees(text) == {"session": [record, {**record, "tags": []}]}


# --- a formatter bug is refused before anything is written --------------------------------------


def _unescaped(value: Any) -> str | None:
    return f'"{value}"' if isinstance(value, str) else None  # quotes and newlines go out raw


def _shifted(value: Any) -> str | None:
    return (value + timedelta(hours=1)).isoformat() if isinstance(value, datetime) else None


def _flipped(value: Any) -> str | None:
    return ("false" if value else "true") if isinstance(value, bool) else None


def _dropped_tag(value: Any) -> str | None:
    return "[" + ", ".join(f'"{v}"' for v in value[1:]) + "]" if isinstance(value, list) and value else None


@pytest.mark.parametrize("bug", [_unescaped, _shifted, _flipped, _dropped_tag])
def test_an_import_refuses_what_a_broken_formatter_writes_and_writes_nothing(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bug: Any
) -> None:
    ledger.ok("customer", "add", "acme", "--name", "ACME", "--remote-id", "565955529")
    log = tmp_path / "Connections.txt"
    guid = "{6460e19e-0c6f-4f5a-9a1b-2f3c4d5e6f7%d}"
    log.write_text(
        f"565955529\t01-03-2024 10:00:00\t01-03-2024 10:20:00\tKlaus Hörner\tRemoteControl\t{guid % 1}\n"
        f"565955529\t02-03-2024 11:00:00\t02-03-2024 11:30:00\tKlaus Hörner\tRemoteControl\t{guid % 2}\n",
        encoding="utf-8",
    )
    real = tomltext.format_value

    def broken(value: Any) -> str:
        wrong = bug(value)
        return real(value) if wrong is None else wrong

    monkeypatch.setattr(tomltext, "format_value", broken)
    monkeypatch.setattr(tomltext, "_INLINE", frozenset())  # every value through format_value
    monkeypatch.setattr(tomltext, "format_session", lambda s, nl: None)
    # A supporter's name with quotes: what an unescaping formatter would write raw.
    supporter = ("--supporter", 'Klaus "KH" Hörner')
    ledger.refused("import", "teamviewer", str(log), *supporter, match=r"cannot rewrite this file safely")
    assert not list(ledger.root.glob("customers/acme/20*.toml"))

    monkeypatch.setattr(tomltext, "format_value", real)
    ledger.ok("import", "teamviewer", str(log), *supporter)
    assert [r["supporter"] for r in ledger.records("acme", "2024-03")] == ['Klaus "KH" Hörner'] * 2


def test_the_dates_a_ledger_holds_elsewhere_are_left_to_tomllib() -> None:
    """Local dates (an invoice's day) are not among plaintoml's shapes: tomllib reads them."""
    text = tomltext.format_table({"issued": date(2024, 3, 31)}, "[[invoice]]")
    assert plaintoml.read(text) is None and tomltext.parse(text) == {"invoice": [{"issued": date(2024, 3, 31)}]}

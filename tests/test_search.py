"""`sessionlog search`: how did we fix this last time? Words and phrases in notes, tags, tickets,
contacts and machines, case and umlauts folded, newest first, highlighted."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Ledger, console_script
from insights_helpers import record, write_sessions
from sessionlog.textmatch import Corpus, Query, fold, fold_many, parse_query, spans

M_ = "+01:00"  # winter time; the summer months below are written with it too (valid ISO)
NOTE_S3 = "Netzwerkdrucker im Büro eingerichtet, Papier\nklemmt im Fach 2"


def shop(ledger: Ledger) -> Ledger:
    return write_sessions(
        ledger,
        [
            ("acme", record("s1", "2022-05-10T10:00:00+02:00", "2022-05-10T10:30:00+02:00",
                            note="Drucker getauscht, Treiber neu installiert", tags=("drucker",),
                            machine="PC-Buchhaltung", ticket="T-2022-0042")),
            ("acme", record("s2", "2023-11-20T09:00:00+01:00", "2023-11-20T09:20:00+01:00",
                            note="Outlook-Profil repariert", contact="Herr Horst Müller", tags=("mail",))),
            ("beta", record("s3", "2024-02-01T14:00:00+01:00", "2024-02-01T14:45:00+01:00", note=NOTE_S3,
                            contact="Frau Mueller", tags=("drucker", "netzwerk"))),
            ("beta", record("s4", "2024-03-04T08:30:00+01:00", "2024-03-04T08:50:00+01:00",
                            note="Papier nachgelegt, klemmt nicht mehr", machine="Empfang-PC")),
            ("gamma", record("s5", "2024-03-05T11:00:00+01:00", "2024-03-05T11:10:00+01:00",
                             note="Café-Kasse: Bondrucker [bold]offline[/bold]", tags=("Kasse",),
                             ticket="T-2024-0113")),
        ],
    )  # fmt: skip


def found(ledger: Ledger, *args: str) -> list[dict[str, Any]]:
    result = ledger.ok("search", *args, "--format", "json")
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def ids(ledger: Ledger, *args: str) -> list[str]:
    return [hit["id"] for hit in found(ledger, *args)]


# --- what is found ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # note (Drucker, Netzwerkdrucker, Bondrucker) and tag, newest first
        (["drucker"], ["s5", "s3", "s1"]),
        (["DRUCKER"], ["s5", "s3", "s1"]),
        # umlauts spelt out on either side: Müller and Mueller
        (["mueller"], ["s3", "s2"]),
        (["MÜLLER"], ["s3", "s2"]),
        (["müller"], ["s3", "s2"]),
        # without the dots only Müller: "Mueller" has an e where "muller" has none
        (["muller"], ["s2"]),
        # accents: Café; ß and Büro folded too
        (["cafe"], ["s5"]),
        (["buero"], ["s3"]),
        (["buro"], ["s3"]),
        # every word must be found, in any of the fields
        (["drucker", "treiber"], ["s1"]),
        (["drucker treiber"], ["s1"]),
        (["papier", "klemmt"], ["s4", "s3"]),
        (["drucker", "netzwerk"], ["s3"]),  # note and tag
        # a phrase must be found as it is, and a line break in the note is a space
        (['"papier klemmt"'], ["s3"]),
        (['"klemmt papier"'], []),
        # ticket, machine, contact
        (["T-2024-0113"], ["s5"]),
        (["t-2022"], ["s1"]),
        (["buchhaltung"], ["s1"]),
        (["horst"], ["s2"]),
        # text that looks like markup is text
        (["[bold]offline"], ["s5"]),
        (["nothing-like-this"], []),
    ],
)
def test_what_a_query_finds(ledger: Ledger, query: list[str], expected: list[str]) -> None:
    assert ids(shop(ledger), *query) == expected


def test_the_last_word_may_be_the_period(ledger: Ledger) -> None:
    shop(ledger)
    assert ids(ledger, "drucker", "2024") == ["s5", "s3"]
    assert ids(ledger, "drucker", "2022") == ["s1"]
    assert ids(ledger, "drucker", "treiber", "2024") == []
    # NOW is 05.03.2024: last-month is February
    assert ids(ledger, "drucker", "last-month") == ["s3"]
    # a word that names no period is a word
    assert ids(ledger, "papier", "fach") == ["s3"]
    # with --from/--to every word is a word: 2024 is then looked for in the text
    assert ids(ledger, "drucker", "--from", "01.01.2023", "--to", "31.12.2024") == ["s5", "s3"]
    assert ids(ledger, "mueller", "--from", "01.01.2023", "--to", "31.12.2023") == ["s2"]


def test_filters(ledger: Ledger) -> None:
    shop(ledger)
    assert ids(ledger, "drucker", "--customer", "BETA") == ["s3"]
    assert ids(ledger, "drucker", "--machine", "buchhaltung") == ["s1"]
    assert ids(ledger, "papier", "--machine", "EMPFANG") == ["s4"]
    assert ids(ledger, "drucker", "--tag", "netzwerk") == ["s3"]
    assert ids(ledger, "treiber", "--tag", "DRUCKER") == ["s1"]  # tags fold too
    assert ids(ledger, "drucker", "--tag", "druck") == []  # a tag is a whole tag
    assert ids(ledger, "drucker", "--tag", "drucker", "--tag", "netzwerk") == ["s3"]


def test_json_names_the_matches(ledger: Ledger) -> None:
    hits = found(shop(ledger), "mueller", "outlook")
    assert len(hits) == 1
    hit = hits[0]
    assert hit["id"] == "s2"
    assert (hit["customer"], hit["start"], hit["duration_seconds"]) == ("acme", "2023-11-20T09:00:00+01:00", 1200)
    assert hit["contact"] == "Herr Horst Müller"
    # "Müller" is characters 11 to 17 of the contact, "Outlook" 0 to 7 of the note
    assert hit["matches"] == {"note": [[0, 7]], "contact": [[11, 17]]}
    assert "amount" not in hit and "billed_minutes" not in hit  # a search bills nothing
    phrase = found(ledger, '"papier klemmt"')[0]
    start, end = phrase["matches"]["note"][0]
    assert NOTE_S3[start:end] == "Papier\nklemmt"


def test_csv(ledger: Ledger) -> None:
    result = shop(ledger).ok("search", "drucker", "--format", "csv", "--profile", "de")
    data = result.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert ";".join(rows[0]) == "ID;Datum;Kunde;Dauer;Techniker;Gerät;Ansprechpartner;Ticket;Tags;Notiz"
    assert [row[:3] + row[-2:] for row in rows[1:]] == [
        ["s5", "05.03.2024", "gamma", "Kasse", "Café-Kasse: Bondrucker [bold]offline[/bold]"],
        ["s3", "01.02.2024", "beta", "drucker, netzwerk", NOTE_S3],
        ["s1", "10.05.2022", "acme", "drucker", "Drucker getauscht, Treiber neu installiert"],
    ]


def test_the_table_and_the_count(ledger: Ledger) -> None:
    result = shop(ledger).ok("search", "mueller")
    assert result.stderr == "2 of 5 session(s) match (all time)\n"
    assert "Frau Mueller" in result.stdout and "Herr Horst Müller" in result.stdout
    assert result.stdout.index("s3") < result.stdout.index("s2")  # newest first
    # a note like [bold]…[/bold] is printed as written, never read as markup
    assert "[bold]offline[/bold]" in ledger.ok("search", "offline").stdout


def test_limit_shows_the_newest(ledger: Ledger) -> None:
    shop(ledger)
    result = ledger.ok("search", "drucker", "--limit", "1")
    assert "s5" in result.stdout and "s3" not in result.stdout
    assert result.stderr == "3 of 5 session(s) match (all time); the newest 1 shown (--limit 0 shows all)\n"
    assert ids(ledger, "drucker", "--limit", "2") == ["s5", "s3"]
    assert ids(ledger, "drucker", "--limit", "0") == ["s5", "s3", "s1"]


def test_nothing_found_is_no_error(ledger: Ledger) -> None:
    result = shop(ledger).ok("search", "zebra", "--format", "json")
    assert json.loads(result.stdout) == []
    assert result.stderr == "0 of 5 session(s) match (all time)\n"


# --- bad input and broken files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "match"),
    [
        (["search"], 2, "Missing argument"),
        (["search", '""'], 2, "give the words to search for"),
        (["search", "   "], 2, "give the words to search for"),
        (["search", "drucker", "--customer", "ZETA"], 1, "no customer 'zeta'"),
        (["search", "drucker", "--limit", "-1"], 1, "--limit must be 0"),
        (["search", "drucker", "--format", "xml"], 2, "'xml' is not one of"),
        (["search", "drucker", "--from", "31.12.2024", "--to", "01.01.2024"], 1, "the period is empty"),
    ],
)
def test_bad_input(ledger: Ledger, args: list[str], code: int, match: str) -> None:
    shop(ledger).refused(*args, code=code, match=match)


def test_a_broken_file_refuses_the_search_unless_skipped(ledger: Ledger) -> None:
    shop(ledger)
    broken = ledger.write("customers/acme/2024-01.toml", '[[session]]\nid = "x1"\nstart = nonsense\n')
    line = ledger.refused("search", "drucker", match=re.escape(f"{broken}:3"))
    assert "--skip-broken" in line
    result = ledger.run("search", "drucker", "--skip-broken", "--format", "json")
    assert result.exit_code == 3
    assert [hit["id"] for hit in json.loads(result.stdout)] == ["s5", "s3", "s1"]
    assert "INCOMPLETE" in result.stderr and str(broken) in result.stderr
    # a broken file of another customer does not matter to a search of one customer
    assert ids(ledger, "drucker", "--customer", "beta") == ["s3"]


# --- the highlight on a real terminal -----------------------------------------------------------

needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="util-linux `script` is missing")


def in_terminal(cli_env: dict[str, str], command: str, columns: int, **env: str) -> str:
    """Run `sessionlog COMMAND` under a pseudo-terminal of `columns` columns; what it shows."""
    line = f"stty cols {columns} rows 50; {console_script()} {command}"
    result = subprocess.run(
        ["script", "-qec", line, "/dev/null"],
        env={**cli_env, "TERM": "xterm-256color", **env},
        capture_output=True,
        timeout=60,
        check=True,
    )
    return result.stdout.decode("utf-8").replace("\r\n", "\n")


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@needs_script
def test_found_words_are_highlighted_on_a_terminal(tmp_path: Path, cli_env: dict[str, str]) -> None:
    shop(Ledger(tmp_path / "ledger", tmp_path))
    env = {k: v for k, v in cli_env.items() if k != "NO_COLOR"}
    shown = in_terminal(env, "search mueller", 80)
    # bold, underlined, yellow: exactly the found words, in the contact (Müller and Mueller)
    marked = re.findall(r"\x1b\[1;4;33m([^\x1b]*)\x1b\[0m", shown)
    assert sorted(marked) == ["Mueller", "Müller"]
    assert all(len(line) <= 80 for line in plain(shown).splitlines())
    # NO_COLOR: no colour, the words still stand out (bold, underlined)
    shown = in_terminal(env, "search mueller", 80, NO_COLOR="1")
    assert "33m" not in shown
    assert sorted(re.findall(r"\x1b\[1;4m([^\x1b]*)\x1b\[0m", shown)) == ["Mueller", "Müller"]
    # in a pipe: plain text, no escape codes at all
    piped = subprocess.run(
        [console_script(), "search", "mueller"], env=env, capture_output=True, check=True
    ).stdout.decode()
    assert "\x1b" not in piped and "Müller" in piped


@needs_script
def test_a_narrow_terminal_keeps_the_note_readable(tmp_path: Path, cli_env: dict[str, str]) -> None:
    shop(Ledger(tmp_path / "ledger", tmp_path))
    shown = plain(in_terminal(cli_env, "search drucker", 60))
    assert all(len(line) <= 60 for line in shown.splitlines())
    # the note wraps in its own column but is there in whole words; machine and tags go under it
    text = " ".join(shown.split())
    for words in ("Drucker getauscht, Treiber neu", "PC-Buchhaltung", "Bondrucker"):
        assert words in text, text


# --- the folding itself ---------------------------------------------------------------------------


def test_fold_spells_out_umlauts_and_drops_accents() -> None:
    assert fold("Müller") == ("mueller", "muller")
    assert fold("STRASSE") == fold("Straße") == ("strasse", "strasse")
    assert fold("Café  au\tlait\n") == ("cafe au lait ", "cafe au lait ")
    assert fold("Mu\u0308ller") == ("mueller", "muller")  # a decomposed ü (macOS file names)
    assert fold_many(["Ä", "b", "Ö\x00x"]) == [("ae", "a"), ("b", "b"), fold("Ö\x00x")]


def test_spans_point_into_the_text_as_shown() -> None:
    text = "Herr Müller: Drucker\n  Treiber"
    query = parse_query('mueller "drucker treiber"')
    assert [text[a:b] for a, b in spans(text, query)] == ["Müller", "Drucker\n  Treiber"]
    assert spans("Straße", parse_query("strasse")) == [(0, 6)]
    assert spans("abcabc", parse_query("bc ca")) == [(1, 6)]  # bc, ca, bc overlap: one span


letters = st.text(alphabet="abcdeäöüßéABCÄÖÜ ", min_size=1, max_size=40)


@given(text=letters, data=st.data())
def test_any_piece_of_a_text_finds_it(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    piece = text[start:end]
    query = parse_query(f'"{piece}"')
    if not query.terms:  # only spaces
        return
    assert query.matches(fold(text))
    marked = spans(text, query)
    assert marked and all(0 <= a < b <= len(text) for a, b in marked)
    # what is marked folds to the piece (a marked span may be longer where a piece starts mid-space)
    assert any(query.terms[0][0] in fold(text[a:b])[0] or query.terms[0][1] in fold(text[a:b])[1] for a, b in marked)


def test_a_query_is_words_and_phrases() -> None:
    assert parse_query('ÄRGER "Papier  klemmt" ärger').terms == (
        ("aerger", "arger"),
        ("papier klemmt", "papier klemmt"),
    )
    assert parse_query('"unclosed phrase').terms == (("unclosed phrase", "unclosed phrase"),)
    assert parse_query('"" \t ').terms == ()


# --- the regular expressions agree with the folding ------------------------------------------------

raw_text = st.text(alphabet="aeousßäöüÄÖÜéÉ xX\n\u0308\u0301", max_size=25)
query_text = st.text(alphabet="aeousßäöüÄÖÜéx ", min_size=1, max_size=6)


@given(texts=st.lists(raw_text, max_size=6), query=query_text)
def test_a_corpus_finds_what_folding_finds(texts: list[str], query: str) -> None:
    """Corpus looks for raw spellings with regular expressions; `Query.matches` on folded text is
    the definition. They must agree on every text, umlauts, ß, accents and stray marks included."""
    parsed = parse_query(query)
    corpus = Corpus(texts)
    for term in parsed.terms:
        expected = {i for i, text in enumerate(texts) if Query(query, (term,)).matches(fold(text))}
        assert corpus.having(term) == expected, (texts, term)


@pytest.mark.parametrize(
    ("text", "query", "found"),
    [
        ("sß", "sss", True),  # ß is ss wherever the run of s is split
        ("ßs", "sss", True),
        ("Mu\u0308ller", "mueller", True),  # a decomposed ü (composed first)
        ("x\u0308y", "xy", True),  # a mark no letter takes: folding drops it
        ("ǅ", "dz", True),  # one letter that folds to two
        ("Ωmega", "ωMEGA", True),  # outside the Latin tables: any case
        ("Drucker\x00", "drucker", True),  # a NUL inside a text does not split it
    ],
)
def test_corpus_corner_cases(text: str, query: str, found: bool) -> None:
    term = parse_query(query).terms[0]
    assert Query(query, (term,)).matches(fold(text)) is found
    assert (Corpus(["other", text]).having(term) == {1}) is found


def fourteen_months(ledger: Ledger) -> None:
    """A Drucker session of acme in each month from January 2023 to February 2024 (d00 to d13)."""
    months = [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01", "2024-02"]
    write_sessions(
        ledger,
        [("acme", record(f"d{i:02d}", f"{m}-10T10:00:00{M_}", f"{m}-10T10:30:00{M_}", note="Drucker")) for i, m in
         enumerate(months)],
    )  # fmt: skip


def test_with_a_limit_the_newest_months_are_read_first(ledger: Ledger) -> None:
    """Fourteen months with a Drucker session each: the newest hit is found in the first twelve
    months read, and a broken file further back is not read at all until --limit 0 asks for all."""
    fourteen_months(ledger)
    broken = ledger.write("customers/acme/2022-12.toml", "[[session]\n")
    result = ledger.ok("search", "drucker", "--limit", "1")
    assert "d13" in result.stdout and "d12" not in result.stdout
    assert result.stderr == (
        "the newest 1 match(es) shown, searched back to 2023-03 (12 session(s)); --limit 0 searches all of all time\n"
    )
    # the table shows 50 by default: everything is read, and the broken file refuses the search
    ledger.refused("search", "drucker", match=re.escape(str(broken)))
    ledger.refused("search", "drucker", "--limit", "0", match=re.escape(str(broken)))
    assert ids(ledger, "drucker", "--limit", "2") == ["d13", "d12"]


def test_a_problem_outside_the_months_is_told_once_however_many_years_are_read(ledger: Ledger) -> None:
    # With a limit, a search reads a year at a time; a file that is no month file is one problem.
    fourteen_months(ledger)
    stray = ledger.write("customers/acme/notizen.toml", 'text = "x"\n')
    result = ledger.run("search", "drucker", "--skip-broken")  # the table: 50 at most, a year at a time
    assert result.exit_code == 3, result.stderr
    assert result.stdout.count("Drucker") == 14
    warnings = [ln for ln in result.stderr.splitlines() if str(stray) in ln and not ln.startswith(("error", "Fehler"))]
    assert len(warnings) == 1, result.stderr
    assert "INCOMPLETE: 1 problem(s) left out" in result.stderr

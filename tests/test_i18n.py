"""A German interface: the language chosen, messages, help, tables and CSV values from the catalogs."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from conftest import Ledger, console_script
from harness import invoke
from sessionlog import i18n

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import catalog  # tools/catalog.py, the msgid collector

CATALOGS = sorted(catalog.LOCALE.glob("*/LC_MESSAGES/sessionlog.po"))
GERMAN = {"SESSIONLOG_LANGUAGE": "de"}
# No language setting anywhere: the locale variables decide.
LOCALE_ONLY = {"SESSIONLOG_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}


def _read(po: Path) -> object:
    with po.open("rb") as f:
        return read_po(f)


# The catalogs


def test_there_is_a_german_catalog() -> None:
    assert [p.parent.parent.name for p in CATALOGS] == ["de"]
    assert i18n.available() == ["de", "en"]


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_message_of_the_code_is_translated(po: Path) -> None:
    """Messages, help texts, headings and values in the code: each has a translation in every catalog."""
    keys, _ = catalog.collect()
    assert len(keys) > 200  # the collector finds the help texts, not only a few calls
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m.string for m in _read(po) if m.id}  # type: ignore[attr-defined]
    missing = sorted(f"{ctx or ''}|{msgid}" for ctx, msgid in keys if not translated.get((ctx, msgid)))
    assert not missing, f"{po.name} lacks translations (run tools/catalog.py, then translate): {missing[:10]}"
    unused = sorted(f"{ctx or ''}|{msgid}" for ctx, msgid in translated if (ctx, msgid) not in keys)
    assert not unused, f"{po.name} has messages the code no longer uses (run tools/catalog.py): {unused[:10]}"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalog_is_the_po_file(po: Path) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _read(po))  # type: ignore[arg-type]
    assert po.with_suffix(".mo").read_bytes() == compiled.getvalue(), "stale .mo: run tools/catalog.py"


def test_translations_keep_the_placeholders() -> None:
    for po in CATALOGS:
        for m in _read(po):  # type: ignore[attr-defined]
            if m.id and isinstance(m.id, str):
                assert sorted(_fields(m.id)) == sorted(_fields(m.string)), (m.id, m.string)


def _fields(text: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(text) if f]


# Which language


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT"}, "de"),
        ({"LC_ALL": "de_CH.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
        ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "German_Germany.1252"}, "de"),  # the name Windows' locale gives
    ],
)
def test_the_default_language_comes_from_the_locale(
    variables: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in i18n.LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert i18n.from_locale()[0] == expected


def test_lang_makes_the_messages_german(ledger: Ledger) -> None:
    german = ledger.ok("start", "acme", "--new", env={**LOCALE_ONLY, "LANG": "de_DE.UTF-8"})
    assert "acme gestartet um 05.03.2024 12:00" in german.stderr
    english = ledger.ok("stop", now="2024-03-05T12:30:00+01:00", env={**LOCALE_ONLY, "LANG": "C"})
    assert "stopped acme: 0:30:00 worked" in english.stderr


def test_the_ledgers_language_beats_the_locale_and_the_user_config_beats_the_ledger(ledger: Ledger) -> None:
    ledger.write("sessionlog.toml", 'timezone = "Europe/Berlin"\nlanguage = "de"\n')
    assert "läuft nichts" in ledger.ok("status", env={**LOCALE_ONLY, "LANG": "en_US.UTF-8"}).stderr
    config = ledger.tmp / "config.toml"
    config.write_text('language = "en"\n', encoding="utf-8")
    mine = ledger.ok("status", env={**LOCALE_ONLY, "SESSIONLOG_CONFIG": str(config)})
    assert "nothing is running" in mine.stderr


def test_a_language_without_a_catalog_is_refused(ledger: Ledger) -> None:
    ledger.refused("status", env={"SESSIONLOG_LANGUAGE": "fr"}, code=2, match=r"language 'fr'.*no catalog")
    ledger.write("sessionlog.toml", 'language = "xx"\n')
    ledger.refused("list", match=r"language must be one of de, en")


# What people read, in both languages


def test_a_message_in_both_languages(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:30", "--new")
    assert "1 session(s)" in ledger.ok("list", "2024-03").stderr
    assert "1 Sitzung(en)" in ledger.ok("list", "2024-03", env=GERMAN).stderr


def test_an_error_in_both_languages(ledger: Ledger) -> None:
    before = ledger.snapshot()
    english = ledger.run("stop")
    german = ledger.run("stop", env=GERMAN)
    assert english.exit_code == german.exit_code == 1
    assert english.stderr == "error: nothing is running for Klaus Hörner (start one with: sessionlog start CUSTOMER)\n"
    assert german.stderr == "Fehler: für Klaus Hörner läuft nichts (starten mit: sessionlog start KUNDE)\n"
    assert ledger.snapshot() == before


def test_table_headings_values_and_dates_in_both_languages(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "1234.56")
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--channel", "remote")
    ledger.add("acme", "02.03.2024 10:00", "02.03.2024 10:15", "--channel", "onsite", "--free", "warranty")
    english = ledger.ok("list", "2024-03").stdout
    german = ledger.ok("list", "2024-03", env=GERMAN).stdout
    for word in ("customer", "date", "remote", "onsite", "billable", "free: warranty", "1,234.56"):
        assert word in english
    for word in ("Kunde", "Datum", "Fernwartung", "vor Ort", "abrechenbar", "kostenlos: Garantie", "1.234,56"):
        assert word in german
    # Dates in the table as in messages, not ISO.
    assert "01.03.2024" in german and "01.03.2024" in english
    assert "2024-03-01" not in german + english


def test_csv_values_follow_the_profile_not_the_language(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new", "--channel", "phone", "--free", "goodwill")
    de = ledger.ok("list", "2024-03", "--format", "csv", "--profile", "de").stdout_bytes
    [row] = list(csv.DictReader(io.StringIO(de.decode("utf-8-sig")), delimiter=";"))
    assert (row["Kanal"], row["Abrechnung"]) == ("Telefon", "kostenlos: Kulanz")
    en = ledger.ok("list", "2024-03", "--format", "csv", "--profile", "en", env=GERMAN).stdout
    [row] = list(csv.DictReader(io.StringIO(en)))
    assert (row["channel"], row["billing"]) == ("phone", "free: goodwill")


def test_json_stays_english_in_german(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new", "--channel", "phone", "--free", "warranty")
    [s] = ledger.json("list", "2024-03", env=GERMAN)
    assert (s["channel"], s["free_reason"], s["billable"]) == ("phone", "warranty", False)


def test_a_german_free_reason_is_stored_in_english(ledger: Ledger) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new", "--free", "Garantie")
    [s] = ledger.sessions()
    assert s["free_reason"] == "warranty"


def test_money_in_messages_as_the_language_writes_it(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "1000")
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 12:00")
    assert "total 2,000.00 EUR" in ledger.ok("invoice", "2024-03").stderr
    assert "Summe 2.000,00 €" in ledger.ok("invoice", "2024-03", env=GERMAN).stderr


# The delete prompt: j/ja in German, y/yes always


def _delete_at_a_terminal(ledger: Ledger, sid: str, answer: str, language: str) -> subprocess.CompletedProcess[str]:
    """`delete ID` with its stdin a real terminal on which `answer` is typed, and nothing after it."""
    leader, follower = os.openpty()
    try:
        os.write(leader, (answer + "\n\x04").encode())  # then end of input: no second answer
        env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONLOG_")}
        env.update({k: v for k, v in ledger.env().items() if v is not None})
        env.update(SESSIONLOG_LANGUAGE=language, PYTHONIOENCODING="utf-8")
        return subprocess.run(
            [console_script(), "delete", sid],
            stdin=follower,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)


@pytest.mark.parametrize(
    ("answer", "language", "deleted"),
    [("j", "de", True), ("ja", "de", True), ("y", "de", True), ("n", "de", False), ("nein", "de", False),
     ("yes", "en", True), ("j", "en", False), ("", "en", False)],
)  # fmt: skip
def test_the_delete_prompt_takes_the_languages_yes(ledger: Ledger, answer: str, language: str, deleted: bool) -> None:
    sid = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--new")
    done = _delete_at_a_terminal(ledger, sid, answer, language)
    assert ("[j/N]" if language == "de" else "[y/N]") in done.stderr
    assert (done.returncode == 0) is deleted, done.stderr
    assert (ledger.sessions() == []) is deleted


# init: the language and the CSV profile it chose, and why


def test_init_in_a_german_locale_writes_a_german_ledger(tmp_path: Path) -> None:
    root = tmp_path / "neu"
    env = {**LOCALE_ONLY, "LANG": "de_DE.UTF-8", "SESSIONLOG_CONFIG": str(tmp_path / "none.toml")}
    result = invoke(["init", str(root)], env=env)
    assert result.exit_code == 0, result.stderr
    assert "Sprache de (aus LANG=de_DE.UTF-8), CSV-Profil de (folgt der Sprache)" in result.stderr
    settings = tomllib.loads((root / "sessionlog.toml").read_text(encoding="utf-8"))
    assert (settings["language"], settings["csv"]["profile"]) == ("de", "de")


def test_init_language_and_profile_options(tmp_path: Path) -> None:
    env = {**LOCALE_ONLY, "LANG": "C", "SESSIONLOG_CONFIG": str(tmp_path / "none.toml")}
    result = invoke(["init", str(tmp_path / "a"), "--language", "de"], env=env)
    assert "Sprache de (aus --language), CSV-Profil de (folgt der Sprache)" in result.stderr
    result = invoke(["init", str(tmp_path / "b"), "--language", "en", "--profile", "de"], env=env)
    assert "language en (from --language), CSV profile de (--profile)" in result.stderr
    settings = tomllib.loads((tmp_path / "b" / "sessionlog.toml").read_text(encoding="utf-8"))
    assert (settings["language"], settings["csv"]["profile"]) == ("en", "de")
    refused = invoke(["init", str(tmp_path / "c"), "--language", "fr"], env=env)
    assert refused.exit_code == 2 and "no catalog" in refused.stderr
    assert not (tmp_path / "c").exists()


def test_a_fresh_german_ledger_invoices_csv_german_excel_reads(tmp_path: Path) -> None:
    """The issue's case: init in a German locale, then `invoice 2024-03 > rechnung.csv`."""
    root = tmp_path / "ledger"
    env = {
        **LOCALE_ONLY,
        "LANG": "de_DE.UTF-8",
        "SESSIONLOG_LEDGER": str(root),
        "SESSIONLOG_SUPPORTER": "Klaus Hörner",
        "SESSIONLOG_CONFIG": str(tmp_path / "none.toml"),
    }
    assert invoke(["init"], env=env).exit_code == 0
    assert invoke(["customer", "add", "acme", "--rate", "90"], env=env).exit_code == 0
    assert invoke(["add", "acme", "--start", "01.03.2024 10:00", "--duration", "15m"], env=env).exit_code == 0
    data = invoke(["invoice", "2024-03"], env=env).stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    header, line = data.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("Rechnung;Kunde;") and "Techniker" in header
    assert ";22,50;" in line and "Klaus Hörner" in line


# Help in both languages


def test_help_in_german() -> None:
    result = invoke(["delete", "-h"], env=GERMAN)
    assert result.exit_code == 0
    for words in ("Aufruf: sessionlog delete", "Einen Eintrag löschen", "Argumente:", "Optionen:", "[erforderlich]"):
        assert words in result.stdout
    assert "Diese Hilfe zeigen und beenden." in result.stdout
    root = invoke(["-h"], env=GERMAN).stdout
    assert "Befehle:" in root and "Den eigenen Timer stoppen" in root


def test_help_is_english_again_after_a_german_run() -> None:
    """The commands are built once; a German help page must not stay in them."""
    invoke(["list", "--help"], env=GERMAN)
    result = invoke(["list", "--help"])
    assert "Sessions as a table" in result.stdout and "Sitzungen" not in result.stdout

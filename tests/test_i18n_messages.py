"""Every message below the CLI, check's lines, click's usage errors and report's free reasons in German."""

from __future__ import annotations

import re

from typer.testing import Result

from conftest import Ledger

GERMAN = {"SESSIONLOG_LANGUAGE": "de"}
ENGLISH = {"SESSIONLOG_LANGUAGE": "en"}


def _refused_in_both(ledger: Ledger, *args: str, code: int = 1) -> tuple[str, str]:
    """The one error line of a refused command in English and in German; the ledger is left as it was."""
    before = ledger.snapshot()
    lines = []
    for env in (ENGLISH, GERMAN):
        result = ledger.run(*args, env=env)
        assert result.exit_code == code, (env, result.stderr)
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr
        lines.append(result.stderr.rstrip("\n"))
    assert ledger.snapshot() == before
    return lines[0], lines[1]


def _customer(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--name", "ACME GmbH", "--rate", "90")


# Messages of app/, store/, timeparse, periods


def test_a_broken_month_file_during_invoice(ledger: Ledger) -> None:
    _customer(ledger)
    path = ledger.write("customers/acme/2024-03.toml", "[[session]\nbroken\n")
    english, german = _refused_in_both(ledger, "invoice", "2024-03")
    assert english.startswith(f"error: {path}:1: does not parse as TOML: ")
    assert english.endswith(
        "(fix it by hand; sessionlog will not write to this file until it parses; "
        "or give --skip-broken to leave it out and say so)"
    )
    assert german.startswith(f"Fehler: {path}:1: ist kein gültiges TOML: ")
    assert german.endswith(
        "(von Hand korrigieren; sessionlog schreibt nicht in diese Datei, bis sie lesbar ist; "
        "oder --skip-broken angeben, um sie wegzulassen und das zu sagen)"
    )


def test_an_unknown_period_word(ledger: Ledger) -> None:
    english, german = _refused_in_both(ledger, "list", "vorgestern")
    assert english.startswith("error: cannot read period 'vorgestern'; use e.g. 2024-03, 03.2024, 2024,")
    assert german.startswith("Fehler: kann den Zeitraum 'vorgestern' nicht lesen; z. B. 2024-03, 03.2024, 2024,")
    assert "heute, gestern" in german  # the German words the period parser takes


def test_a_time_in_the_future(ledger: Ledger) -> None:
    _customer(ledger)
    english, german = _refused_in_both(ledger, "start", "acme", "--at", "13:30")
    assert english == "error: the start 05.03.2024 13:30 is in the future (it is 05.03.2024 12:00)"
    assert german == "Fehler: der Start 05.03.2024 13:30 liegt in der Zukunft (jetzt ist es 05.03.2024 12:00)"


def test_an_overlap_warning_on_add(ledger: Ledger) -> None:
    _customer(ledger)
    first = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00")
    german = ledger.ok("add", "acme", "--start", "01.03.2024 10:30", "--end", "01.03.2024 11:30", env=GERMAN)
    second = german.stdout.strip()
    assert f"Warnung: {second} überschneidet sich mit {first} von acme (01.03.2024 10:00-11:00); das kann " in (
        german.stderr
    )
    english = ledger.ok("add", "acme", "--start", "01.03.2024 10:40", "--end", "01.03.2024 10:50", env=ENGLISH)
    assert f"warning: {english.stdout.strip()} overlaps {first} of acme (01.03.2024 10:00-11:00); that can " in (
        english.stderr
    )


def test_an_importers_complaint(ledger: Ledger) -> None:
    _customer(ledger)
    log = ledger.tmp / "connections.txt"
    log.write_text("this is no TeamViewer log\n", encoding="utf-8")
    for env, expected in ((ENGLISH, "not a TeamViewer connection"), (GERMAN, "keine TeamViewer-Verbindung")):
        result = ledger.run("import", "teamviewer", str(log), env=env)
        assert result.exit_code == 1 and expected in result.stderr, result.stderr


# check's lines


def _check(ledger: Ledger, env: dict[str, str]) -> Result:
    return ledger.run("check", env=env)


def test_checks_lines_and_summary(ledger: Ledger) -> None:
    _customer(ledger)
    first = ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00")
    second = ledger.add("acme", "01.03.2024 10:30", "01.03.2024 11:30")
    month = ledger.month("acme", "2024-03")
    german, english = _check(ledger, GERMAN), _check(ledger, ENGLISH)
    assert german.exit_code == english.exit_code == 0
    assert re.search(
        rf"^{re.escape(str(month))}:\d+: Warnung: Sitzung {second} von Klaus Hörner beginnt 01\.03\.2024 10:30, "
        rf"bevor Sitzung {first} endet",
        german.stdout,
        re.M,
    ), german.stdout
    assert re.search(
        rf"^{re.escape(str(month))}:\d+: warning: session {second} of Klaus Hörner starts", english.stdout, re.M
    )
    assert german.stderr == "Journal in Ordnung: 2 Sitzung(en) geprüft, 1 Warnung(en)\n"
    assert english.stderr == "ledger ok: 2 session(s) checked, 1 warning(s)\n"


def test_checks_error_and_conflict_labels(ledger: Ledger) -> None:
    _customer(ledger)
    broken = ledger.write("customers/acme/2024-02.toml", "[[session]\n")
    month = ledger.write(
        "customers/acme/2024-03.toml",
        '[[session]]\nid = "aaaa1111"\nstart = 2024-03-01T10:00:00+01:00\nend = 2024-03-01T11:00:00+01:00\n'
        'supporter = "Klaus Hörner"\nnote = "x"\nconflict = { note = { ours = "x", theirs = "y" } }\n',
    )
    german, english = _check(ledger, GERMAN), _check(ledger, ENGLISH)
    assert german.exit_code == english.exit_code == 1
    assert f"{broken}:1: Fehler: ist kein gültiges TOML: " in german.stdout
    assert f"{broken}:1: error: does not parse as TOML: " in english.stdout
    assert f"{month}:1: Konflikt: Sitzung aaaa1111 steht im Konflikt" in german.stdout
    assert f"{month}:1: conflict: session aaaa1111 is in conflict" in english.stdout
    assert german.stderr == "Fehler: 2 Fehler, 0 Warnung(en) in 0 Sitzung(en)\n"


# Click's usage errors


def test_a_missing_argument(ledger: Ledger) -> None:
    english, german = _refused_in_both(ledger, "add", code=2)
    assert english == "error: Missing argument 'CUSTOMER'. (see: sessionlog add --help)"
    assert german == "Fehler: Argument 'CUSTOMER' fehlt. (siehe: sessionlog add --help)"


def test_an_unknown_command_and_option(ledger: Ledger) -> None:
    english, german = _refused_in_both(ledger, "lst", code=2)
    assert english == "error: No such command 'lst'. Did you mean 'list'? (see: sessionlog --help)"
    assert german == "Fehler: Befehl 'lst' gibt es nicht. War 'list' gemeint? (siehe: sessionlog --help)"
    english, german = _refused_in_both(ledger, "zzzz", code=2)
    assert german == "Fehler: Befehl 'zzzz' gibt es nicht. (siehe: sessionlog --help)"
    english, german = _refused_in_both(ledger, "list", "--bogus", code=2)
    assert english == "error: No such option: --bogus (see: sessionlog list --help)"
    assert german == "Fehler: Diese Option gibt es nicht: --bogus (siehe: sessionlog list --help)"


def test_an_invalid_value(ledger: Ledger) -> None:
    english, german = _refused_in_both(ledger, "report", "--by", "nope", code=2)
    assert english.startswith("error: Invalid value for '--by': 'nope' is not one of 'customer'")
    assert german.startswith("Fehler: Ungültiger Wert für '--by': 'nope' ist keiner von 'customer', 'supporter'")
    english, german = _refused_in_both(ledger, "report", "--by", "tag,tag", code=2)
    assert (
        english
        == "error: Invalid value for '--by': 'tag,tag': the two groupings must differ (see: sessionlog report --help)"
    )
    assert german == (
        "Fehler: Ungültiger Wert für '--by': 'tag,tag': die beiden Gruppierungen müssen verschieden sein "
        "(siehe: sessionlog report --help)"
    )
    english, german = _refused_in_both(ledger, "list", "2024-03", "--format", "xml", code=2)
    assert english == (
        "error: Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'csv', 'json'. "
        "(see: sessionlog list --help)"
    )
    assert german == (
        "Fehler: Ungültiger Wert für '--format' / '-f': 'xml' ist keiner von 'table', 'csv', 'json'. "
        "(siehe: sessionlog list --help)"
    )


def test_extra_arguments(ledger: Ledger) -> None:
    english, german = _refused_in_both(ledger, "list", "2024-03", "März", "x\ty", code=2)
    assert english == "error: Got unexpected extra argument(s) (März x\\x09y) (see: sessionlog list --help)"
    assert german == "Fehler: Unerwartete zusätzliche Argumente (März x\\x09y) (siehe: sessionlog list --help)"


def test_a_bad_customer_key(ledger: Ledger) -> None:
    english, german = _refused_in_both(ledger, "customer", "add", "a/b")
    assert english == "error: customer key 'a/b' must be letters, digits, '-', '_' or '.' (not at either end)"
    assert german == (
        "Fehler: der Kundenschlüssel 'a/b' darf nur Buchstaben, Ziffern, '-', '_' oder '.' enthalten "
        "(nicht am Anfang oder Ende)"
    )
    english, german = _refused_in_both(ledger, "start", "con")
    assert german == "Fehler: der Kundenschlüssel 'con' ist unter Windows ein reservierter Gerätename"


# report's free reasons


def test_report_by_reason_in_the_readers_language(ledger: Ledger) -> None:
    _customer(ledger)
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00", "--free", "warranty")
    ledger.add("acme", "02.03.2024 10:00", "02.03.2024 10:30", "--free", "Kulanz")  # stored as goodwill
    ledger.add("acme", "03.03.2024 10:00", "03.03.2024 10:15", "--free", "Testlauf")  # a reason of the shop's own
    wide = {"COLUMNS": "200"}
    german = ledger.ok("report", "2024-03", env={**GERMAN, **wide}).stdout
    english = ledger.ok("report", "2024-03", env={**ENGLISH, **wide}).stdout
    assert "Testlauf 0:15:00, Kulanz 0:30:00, Garantie 1:00:00" in german
    assert "Testlauf 0:15:00, goodwill 0:30:00, warranty 1:00:00" in english
    # CSV follows its profile, not the language of the run.
    csv_en = ledger.ok("report", "2024-03", "--format", "csv", "--profile", "en", env=GERMAN).stdout
    csv_de = ledger.ok("report", "2024-03", "--format", "csv", "--profile", "de", env=ENGLISH).stdout
    assert "Testlauf 0:15:00, goodwill 0:30:00, warranty 1:00:00" in csv_en
    assert "Testlauf 0:15:00, Kulanz 0:30:00, Garantie 1:00:00" in csv_de


def test_a_record_the_store_would_not_write_is_refused_in_the_readers_language(ledger: Ledger) -> None:
    # The model's own checks (validate_session) keep their template apart for the layers above.
    _customer(ledger)
    english, german = _refused_in_both(
        ledger, "add", "acme", "--start", "01.03.2024 10:00", "--end", "01.03.2024 09:00"
    )
    assert english == "error: end must be after start"
    assert german == "Fehler: das Ende muss nach dem Beginn liegen"
    english, german = _refused_in_both(ledger, "add", "acme", "--start", "01.03.2024 10:00", "--duration", "30h")
    assert english == "error: the session lasts 30:00:00, over 24 hours (use --force if that is right)"
    assert german == "Fehler: die Sitzung dauert 30:00:00, über 24 Stunden (--force, wenn das stimmt)"


def test_check_names_a_hand_written_record_that_breaks_the_rules_in_german(ledger: Ledger) -> None:
    _customer(ledger)
    path = ledger.write(
        "customers/acme/2024-03.toml",
        '[[session]]\nid = "r1"\nstart = 2024-03-01T10:00:00+01:00\nend = 2024-03-01T11:00:00+01:00\n'
        'supporter = "K"\nnote = "x"\nbillable = false\n',
    )
    result = ledger.run("check", env=GERMAN)
    assert result.exit_code == 1
    assert f"{path}:1: Fehler: Sitzung r1: eine kostenlose Sitzung braucht einen Grund (free_reason)\n" == result.stdout

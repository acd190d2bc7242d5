"""`statement` and what people put in: notes and names as text, the ledger's own template, the
logo, the options, and every bad input as one error line with no file written."""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import Ledger
from statement_helpers import APRIL, SETTINGS, page, shop, statement

# --- what people typed is text ---------------------------------------------------------------------


HOSTILE = "<script>alert('x')</script> <b>fett</b> & Söhne äöüß Grüße 🙂🚀 </td></tr></table>"


def test_notes_names_and_addresses_are_escaped_never_markup(ledger: Ledger) -> None:
    shop(ledger)
    ledger.write(
        "customers/acme/customer.toml",
        'name = "Müller & <Söhne> \\"GmbH\\""\naddress = "<img src=x onerror=alert(1)>"\n',
    )
    text = ledger.month("acme", "2024-03").read_text("utf-8").replace('"IE aktualisiert"', repr_toml(HOSTILE))
    ledger.write("customers/acme/2024-03.toml", text)
    raw = statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"]
    shown = page(raw)
    assert shown.rows["acme0001"][1].startswith(" ".join(HOSTILE.split())), "the note reads exactly as typed"
    assert "<script>" not in raw and "<b>" not in raw and "<img src=x" not in raw
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in raw and "&amp; Söhne äöüß Grüße 🙂🚀" in raw
    assert 'Müller & <Söhne> "GmbH"' in shown.text
    assert "<img src=x onerror=alert(1)>" in shown.text
    # in the page header (CSS) the name is a CSS string: no quote or '<' can end it
    style = raw.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style and "\\22 GmbH\\22 " in style
    # nothing is loaded from anywhere and no script may run
    assert "default-src 'none'" in raw and "http" not in style


def repr_toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_a_2000_character_line_is_kept_whole_and_may_wrap(ledger: Ledger) -> None:
    shop(ledger)
    long = "Protokoll:" + "x" * 2000
    text = ledger.month("acme", "2024-03").read_text("utf-8").replace('"IE aktualisiert"', f'"{long}"')
    ledger.write("customers/acme/2024-03.toml", text)
    raw = statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"]
    assert page(raw).rows["acme0001"][1].startswith(long + " Klaus Hörner")
    # the note cell may break anywhere; its row may then break across printed pages
    assert "overflow-wrap: anywhere" in raw and 'class="long"' in raw


# --- the ledger's own template -----------------------------------------------------------------------


def test_a_ledger_template_replaces_the_shipped_one(ledger: Ledger) -> None:
    shop(ledger)
    ledger.write(
        "templates/statement.html",
        "<p>{{ customer.display_name }}: {{ statement.totals[0].amount|money(statement.totals[0].currency) }}"
        " {% for e in statement.entries %}[{{ e.note }} {{ e.start|day }}]{% endfor %}</p>",
    )
    ledger.write(
        "customers/acme/2024-03.toml",
        ledger.month("acme", "2024-03").read_text("utf-8").replace("IE aktualisiert", "<i>IE</i>"),
    )
    files = statement(ledger, "2024-03", "-c", "acme")
    assert files["2024-03-acme.html"] == (
        "<p>Fa. Walter Maier GmbH: 112,50\xa0€ [&lt;i&gt;IE&lt;/i&gt; 01.03.2024][Nachtwartung 31.03.2024]</p>"
    )


def test_a_ledger_template_may_extend_the_shipped_one_and_change_a_block(ledger: Ledger) -> None:
    shop(ledger)
    ledger.write(
        "templates/statement.html",
        '{% extends "sessionlog/statement.html" %}{% block footer %}<footer>Zahlbar in 14 Tagen.</footer>'
        "{% endblock %}",
    )
    shown = page(statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"])
    assert "Zahlbar in 14 Tagen." in shown.text and shown.rows["acme0001"][-1] == "22,50\xa0€"
    assert "IBAN" not in shown.text


@pytest.mark.parametrize(
    ("template", "where", "message"),
    [
        ("<p>\n{% for e in statement.entries %}\n{{ e.note }\n</p>", ":3:", "unexpected '}'"),
        ("<p>\n\n{{ statement.no_such_field }}</p>", ":3:", "no_such_field"),
        ("{{ ''.__class__.__mro__ }}", ":1:", "unsafe"),
        ('{% extends "statement.html" %}', "", "extends or includes itself"),
    ],
)
def test_a_broken_ledger_template_is_one_error_line_with_file_and_line(
    ledger: Ledger, template: str, where: str, message: str
) -> None:
    shop(ledger)
    path = ledger.write("templates/statement.html", template)
    line = ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "out"), match=re.escape(message))
    assert f"{path}{where}" in line, line
    assert not (ledger.tmp / "out").exists()


# --- options and output ------------------------------------------------------------------------------


def test_out_dash_writes_one_statement_to_stdout(ledger: Ledger) -> None:
    shop(ledger)
    result = ledger.ok("statement", "2024-03", "--customer", "gamma", "--out", "-", now=APRIL)
    assert result.stdout.startswith("<!DOCTYPE html>") and "Gamma e.K." in result.stdout
    assert "wrote" not in result.stderr
    line = ledger.refused("statement", "2024-03", "--out", "-", code=2, match="--out - writes one statement")
    assert "--customer" in line


def test_a_second_run_replaces_the_files_and_they_are_readable_by_others(ledger: Ledger) -> None:
    shop(ledger)
    first = statement(ledger, "2024-03", "-c", "acme")
    ledger.write(
        "customers/acme/2024-03.toml",
        ledger.month("acme", "2024-03").read_text("utf-8").replace("Nachtwartung", "Nachtwartung Server"),
    )
    second = statement(ledger, "2024-03", "-c", "acme")
    assert "Nachtwartung Server" in second["2024-03-acme.html"] != first["2024-03-acme.html"]
    assert [p.name for p in (ledger.tmp / "out").iterdir()] == ["2024-03-acme.html"], "no temp files left"
    if os.name == "posix":
        mode = (ledger.tmp / "out" / "2024-03-acme.html").stat().st_mode
        assert mode & stat.S_IRGRP, "a document to send is not a private file"


def test_a_month_without_sessions_writes_nothing_and_says_so(ledger: Ledger) -> None:
    shop(ledger)
    result = ledger.ok("statement", "2024-01", "--out", str(ledger.tmp / "out"), now=APRIL)
    assert "2024-01: no sessions, no statement written" in result.stderr
    assert not (ledger.tmp / "out").exists()
    # asked for by name, the customer gets a statement that says there was nothing
    shown = page(statement(ledger, "2024-01", "-c", "acme")["2024-01-acme.html"])
    assert "Keine Sitzungen in diesem Zeitraum." in shown.text and dict(shown.totals) == {"Summe": "0,00\xa0€"}


# The tests speak English (conftest); here the locale decides.
LOCALE = {"SESSIONLOG_LANGUAGE": None}


def test_english_where_the_ledger_and_system_are_not_german(ledger: Ledger) -> None:
    shop(ledger, SETTINGS.replace('profile = "de"', 'profile = "en"'))
    shown = page(
        statement(ledger, "2024-03", "-c", "gamma", env={**LOCALE, "LC_ALL": "C", "LANG": "en_US.UTF-8"})[
            "2024-03-gamma.html"
        ]
    )
    assert "Detailed statement March 2024" in shown.text and "Draft" in shown.text
    assert shown.rows["gamma002"][-1] == "€26.67" and shown.rows["gamma002"][0].startswith("5 Mar 2024")
    assert "Contract minutes included per month 60 min used 60 min left 0 min" in shown.text
    german = page(
        statement(ledger, "2024-03", "-c", "gamma", env={**LOCALE, "LC_ALL": None, "LANG": "de_DE.UTF-8"})[
            "2024-03-gamma.html"
        ]
    )
    assert "Einzelnachweis März 2024" in german.text
    chosen = page(
        statement(ledger, "2024-03", "-c", "gamma", "--language", "en", env={**LOCALE, "LANG": "de_DE.UTF-8"})[
            "2024-03-gamma.html"
        ]
    )
    assert "Detailed statement" in chosen.text


def test_customer_address_and_number_from_the_command_line(ledger: Ledger) -> None:
    shop(ledger)
    address = ["--address", "Am Markt 1", "--address", "86150 Augsburg"]
    ledger.ok("customer", "add", "kappa", "--name", "Kappa KG", *address, "--customer-number", "K-2002")
    assert "Kappa KG" in ledger.path("customers", "kappa", "customer.toml").read_text("utf-8")
    ledger.ok("add", "kappa", "--start", "2024-03-11 10:00", "--duration", "20m", "--note", "Mail", now=APRIL)
    shown = page(statement(ledger, "2024-03", "-c", "kappa")["2024-03-kappa.html"])
    assert "Kappa KG Am Markt 1 86150 Augsburg" in shown.text and "Kundennummer K-2002" in shown.text
    show = ledger.ok("customer", "show", "kappa").stdout
    assert "Am Markt 1, 86150 Augsburg" in show and "K-2002" in show
    ledger.ok("customer", "edit", "kappa", "--address", "", "--customer-number", "")
    with ledger.path("customers", "kappa", "customer.toml").open("rb") as f:
        data = tomllib.load(f)
    assert "address" not in data and "customer_number" not in data


# --- the logo ---------------------------------------------------------------------------------------------

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fe0def46b80000000049454e44ae426082"
)


def test_the_logo_is_embedded_so_the_file_stands_alone(ledger: Ledger) -> None:
    shop(ledger, SETTINGS + 'logo = "logo.png"\n')
    ledger.path("logo.png").write_bytes(PNG_1X1)
    raw = statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"]
    assert 'src="data:image/png;base64,iVBORw0KGgo' in raw


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read"), (b"GIF? no: text", "is not a PNG")])
def test_a_missing_or_wrong_logo_is_one_error_line(ledger: Ledger, content: bytes | None, message: str) -> None:
    shop(ledger, SETTINGS + 'logo = "logo.png"\n')
    if content is not None:
        ledger.path("logo.png").write_bytes(content)
    line = ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "out"), match=re.escape(message))
    assert "company.logo" in line
    assert not (ledger.tmp / "out").exists()


# --- bad input: one line, nothing written ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2024-03", "--customer", "acem"], "no customer 'acem'; did you mean acme?"),
        (["2024-13"], "2024-13"),
        (["März"], "März"),
        (["2024-03", "--format", "docx"], "docx"),
    ],
)
def test_bad_input_is_one_error_line_and_no_file(ledger: Ledger, args: list[str], message: str) -> None:
    shop(ledger)
    code = 2 if "--format" in args else 1
    ledger.refused("statement", *args, "--out", str(ledger.tmp / "out"), code=code, match=re.escape(message))
    assert not (ledger.tmp / "out").exists()


def test_a_month_file_that_does_not_parse_is_refused_not_left_out(ledger: Ledger) -> None:
    shop(ledger)
    broken = '[[session]]\nid = "g"\nstart = \n'
    path = ledger.write("customers/gamma/2024-03.toml", broken)
    line = ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "out"), match="does not parse as TOML")
    assert str(path) in line and "--skip-broken" in line
    assert not (ledger.tmp / "out").exists()
    # another customer's statement does not depend on that file
    assert "2024-03-acme.html" in statement(ledger, "2024-03", "-c", "acme")
    assert path.read_text("utf-8") == broken
    # --skip-broken makes the statements anyway, and each says on its face what it leaves out
    result = ledger.run("statement", "2024-03", "--out", str(ledger.tmp / "out"), "--skip-broken")
    assert result.exit_code == 3
    html = (ledger.tmp / "out" / "2024-03-acme.html").read_text("utf-8")
    assert "Unvollständig" in html or "Incomplete" in html
    assert f"{path}:3" in html


def test_an_unwritable_out_is_one_error_line_and_no_file(ledger: Ledger) -> None:
    shop(ledger)
    a_file = ledger.tmp / "not-a-folder"
    a_file.write_text("x", encoding="utf-8")
    ledger.refused("statement", "2024-03", "--out", str(a_file), match=re.escape(f"cannot write to {a_file}"))
    ledger.refused("statement", "2024-03", "--out", str(a_file / "sub"), match="cannot write to")
    if os.name == "posix" and os.geteuid() != 0:
        locked = ledger.tmp / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        ledger.refused("statement", "2024-03", "--out", str(locked), match="(?i)permission denied")
        assert list(locked.iterdir()) == []


def test_pdf_without_the_extra_names_it(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    shop(ledger)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if `pip install sessionlog` without [pdf]
    line = ledger.refused(
        "statement", "2024-03", "--format", "pdf", "--out", str(ledger.tmp / "out"), match="needs WeasyPrint"
    )
    assert line == 'error: PDF output needs WeasyPrint: pip install "sessionlog[pdf]"'
    assert not (ledger.tmp / "out").exists()


def test_statement_runs_as_the_installed_program(tmp_path: Path, cli_env: dict[str, str]) -> None:
    import subprocess

    from conftest import console_script

    root = tmp_path / "ledger"
    shop(Ledger(root, tmp_path))
    out = tmp_path / "Rechnungen März"
    result = subprocess.run(
        [console_script(), "statement", "2024-03", "--out", str(out)],
        env={**cli_env, "SESSIONLOG_NOW": APRIL}, capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b""
    assert sorted(p.name for p in out.iterdir()) == ["2024-03-acme.html", "2024-03-delta.html", "2024-03-gamma.html"]
    assert "Einzelnachweis März 2024" in (out / "2024-03-acme.html").read_text("utf-8")

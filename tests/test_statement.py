# ruff: noqa: RUF001 (the statement prints en dashes and the multiplication sign)
"""`statement`: the customer's detailed statement, read as the customer would read it.

The figures must be `invoice`'s own (frozen ones once finalized); what a person typed must
show as text; every bad input is one error line and no file.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import sys
import tomllib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Ledger, snapshot
from statement_helpers import SETTINGS, de_money, page, shop

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "ledger"
APRIL = "2024-04-02T10:00:00+02:00"


def statement(ledger: Ledger, *args: str, now: str = APRIL, **kwargs: object) -> dict[str, str]:
    """Run `statement` into tmp/out; the files it wrote, by name."""
    out = ledger.tmp / "out"
    shutil.rmtree(out, ignore_errors=True)
    result = ledger.ok("statement", *args, "--out", str(out), now=now, **kwargs)  # type: ignore[arg-type]
    assert result.stdout == "", "files go to --out; stdout stays empty"
    written = {p.name: p.read_text("utf-8") for p in out.iterdir()} if out.exists() else {}
    for name in written:
        assert f"wrote {out / name}" in result.stderr
    return written


def invoice_amounts(ledger: Ledger, *args: str) -> dict[str, str]:
    """Session id -> amount, from `invoice --profile en` (the CSV that goes into invoicing software)."""
    result = ledger.ok("invoice", "2024-03", "--profile", "en", *args)
    return {row["session"]: row["amount"] for row in csv.DictReader(io.StringIO(result.stdout))}


# --- the figures are invoice's ------------------------------------------------------------------


def test_every_example_customer_totals_what_invoice_bills(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SESSIONLOG_LEDGER", "SESSIONLOG_NOW"):
        monkeypatch.delenv(name, raising=False)
    book = Ledger(EXAMPLES, tmp_path)
    before = snapshot(EXAMPLES)
    csv_rows = list(
        csv.DictReader(io.StringIO(book.ok("invoice", "2024-03", "--profile", "en", "--include-free").stdout))
    )
    files = statement(book, "2024-03")
    assert snapshot(EXAMPLES) == before, "a statement never writes into the ledger"
    per_customer: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in csv_rows:
        per_customer[row["customer"]].append(row)
    assert sorted(files) == [f"2024-03-{key}.html" for key in sorted(per_customer)]
    for key, rows in per_customer.items():
        shown = page(files[f"2024-03-{key}.html"])
        for row in rows:
            # the same amount, character for character, on the session's own line
            assert shown.rows[row["session"]][-1] == de_money(row["amount"]), (key, row["session"])
        billable = [r for r in rows if Decimal(r["billed_minutes"]) or r["rate"] != "0.00"]
        total = sum((Decimal(r["amount"]) for r in rows), Decimal("0.00"))
        net = dict(shown.totals)["Summe netto"]  # the example ledger charges 19 % VAT
        assert net == de_money(f"{total:.2f}"), key
        vat = (total * Decimal("0.19")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert dict(shown.totals)["Gesamtbetrag"] == de_money(f"{total + vat:.2f}")
        assert billable, key


def test_statement_lines_carry_invoices_figures_and_rules(ledger: Ledger) -> None:
    shop(ledger)
    files = statement(ledger, "2024-03")
    assert sorted(files) == ["2024-03-acme.html", "2024-03-delta.html", "2024-03-gamma.html"]
    acme = page(files["2024-03-acme.html"])
    # date, start-end, the pause, net duration, technician, contact and machine, the note, minutes, rate, amount
    when, work, duration, minutes, rate, amount = acme.rows["acme0001"]
    assert when == "01.03.2024 10:22–10:34 Pause 10:25–10:27"
    assert work == "IE aktualisiert Klaus Hörner · Herr Horst Maier · PC-Buchhaltung · Fernwartung · Ticket T-2024-0113"
    assert (duration, minutes, rate, amount) == ("0:10:22", "15", "90,00\xa0€", "22,50\xa0€")
    # the night the clocks go forward: one hour worked, not two
    assert acme.rows["acme0003"][2:] == ["1:00:00", "60", "90,00\xa0€", "90,00\xa0€"]
    assert dict(acme.totals) == {"Summe": "112,50\xa0€"}
    assert "Abrechnung im 15-Minuten-Takt, jeder angefangene Takt zählt, mindestens 15 Minuten je Sitzung." in acme.text
    # the letterhead, the customer's address and number, the period
    for text in ("Hörner IT-Service", "Lechstraße 12", "86150 Augsburg", "Tel. 0821 4567-0", "Industriestraße 4"):
        assert text in acme.text
    assert "Kundennummer K-1001" in acme.text
    assert "Zeitraum 01.03.2024 – 31.03.2024" in acme.text
    assert "IBAN DE00 7205 0000 0000 0000 00" in acme.text and "USt-IdNr. DE999999999" in acme.text
    amounts = invoice_amounts(ledger)
    for sid in ("acme0001", "acme0003"):
        assert acme.rows[sid][-1] == de_money(amounts[sid])


def test_contract_minutes_included_used_left_and_after_hours_marked(ledger: Ledger) -> None:
    shop(ledger)
    files = statement(ledger, "2024-03")
    gamma = page(files["2024-03-gamma.html"])
    # billed, included, charged per line
    assert gamma.rows["gamma001"][3:] == ["45", "45", "0", "80,00\xa0€", "0,00\xa0€"]
    assert gamma.rows["gamma002"][3:] == ["35", "15", "20", "80,00\xa0€", "26,67\xa0€"]
    assert "Vertragsminuten inklusive im Monat 60 Min. verbraucht 60 Min. verbleibend 0 Min." in gamma.text
    delta = page(files["2024-03-delta.html"])
    assert delta.rows["delta001"][-2:] == ["150,00\xa0€*", "150,00\xa0€"]
    assert "* außerhalb der Geschäftszeiten (Mo–Fr 08:00–18:00 Uhr): Stundensatz × 1,5" in delta.text
    # without a contract there is no contract box and one minutes column
    acme = page(files["2024-03-acme.html"])
    assert "Vertragsminuten" not in acme.text and "inklusive" not in acme.text
    assert "*" not in "".join(acme.rows["acme0003"]), "acme has no after-hours factor: nothing to mark"


# --- free sessions --------------------------------------------------------------------------------


def test_free_sessions_are_listed_apart_with_their_reason_and_no_free_leaves_them_out(ledger: Ledger) -> None:
    shop(ledger)
    acme = page(statement(ledger, "2024-03", "--customer", "ACME")["2024-03-acme.html"])
    assert "free-lines" in acme.row_tables["acme0002"] and "billable" in acme.row_tables["acme0001"]
    assert acme.rows["acme0002"][-2:] == ["Garantie", "0,00\xa0€"]
    assert "Kostenlose Leistungen" in acme.text
    delta = page(statement(ledger, "2024-03", "--customer", "delta")["2024-03-delta.html"])
    assert delta.rows["delta002"][-2:] == ["intern", "0,00\xa0€"]
    # the free minutes never reduce or add to the total
    assert dict(acme.totals) == {"Summe": "112,50\xa0€"}

    lean = page(statement(ledger, "2024-03", "--customer", "acme", "--no-free")["2024-03-acme.html"])
    assert "acme0002" not in lean.rows and "Kostenlose Leistungen" not in lean.text
    assert dict(lean.totals) == {"Summe": "112,50\xa0€"}


def test_goodwill_reads_kulanz_and_a_customer_with_only_free_sessions(ledger: Ledger) -> None:
    shop(ledger)
    ledger.write("customers/omega/customer.toml", 'name = "Omega"\n')
    ledger.write(
        "customers/omega/2024-03.toml",
        '[[session]]\nid = "omega001"\nstart = 2024-03-06T10:00:00+01:00\nend = 2024-03-06T10:10:00+01:00\n'
        'supporter = "K"\nnote = "Rückfrage"\nbillable = false\nfree_reason = "goodwill"\n',
    )
    files = statement(ledger, "2024-03")
    omega = page(files["2024-03-omega.html"])
    assert omega.rows["omega001"][-2:] == ["Kulanz", "0,00\xa0€"]
    assert dict(omega.totals) == {"Summe": "0,00\xa0€"}
    assert "Entwurf" not in omega.text, "nothing to invoice is not a draft"
    assert "2024-03-omega.html" not in statement(ledger, "2024-03", "--no-free")


# --- draft and finalized ----------------------------------------------------------------------------


def test_a_draft_says_so_and_a_finalized_month_shows_number_date_and_frozen_figures(ledger: Ledger) -> None:
    shop(ledger)
    draft = page(statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"])
    assert "Entwurf" in draft.text and "Rechnung Nr." not in draft.text
    before = invoice_amounts(ledger)

    ledger.ok("invoice", "2024-03", "--finalize", now=APRIL)
    # what the statement must not follow: rates changed after the invoice went out
    ledger.ok("customer", "edit", "acme", "--rate", "200")
    ledger.ok("customer", "edit", "gamma", "--included-minutes", "0")
    files = statement(ledger, "2024-03", now="2024-05-20T09:00:00+02:00")
    after = invoice_amounts(ledger)
    assert after == before, "invoice reproduces the finalized figures"
    acme = page(files["2024-03-acme.html"])
    assert "Entwurf" not in acme.text
    assert "Rechnung Nr. RE-2024-0001 Rechnungsdatum 02.04.2024" in acme.text
    assert "Erstellt am 20.05.2024" in acme.text, "the day the statement was made"
    for sid in ("acme0001", "acme0003"):
        assert acme.rows[sid][-1] == de_money(after[sid])
        assert acme.rows[sid][-2] == "90,00\xa0€"
    gamma = page(files["2024-03-gamma.html"])
    assert gamma.rows["gamma002"][-1] == "26,67\xa0€"
    assert "verbraucht 60 Min." in gamma.text, "the contract minutes the invoice used"
    # the invoice date is kept in the record, next to the frozen figures
    with ledger.month("acme", "2024-03").open("rb") as f:
        records = tomllib.load(f)["session"]
    assert {str(r["billed"]["date"]) for r in records if r["billable"]} == {"2024-04-02"}


def test_a_session_added_after_finalizing_makes_the_statement_a_draft_again(ledger: Ledger) -> None:
    shop(ledger)
    ledger.ok("invoice", "2024-03", "--finalize", now=APRIL)
    ledger.ok("add", "acme", "--start", "2024-03-20 10:00", "--duration", "30m", "--note", "Nachtrag", now=APRIL)
    result = ledger.ok("statement", "2024-03", "-c", "acme", "--out", "-", now=APRIL)
    acme = page(result.stdout)
    assert "Entwurf" in acme.text and "Rechnung Nr. RE-2024-0001" in acme.text
    assert "warning: acme: 1 session(s) of 2024-03 came after invoice RE-2024-0001" in result.stderr


# --- VAT ------------------------------------------------------------------------------------------------


def test_vat_rate_gives_net_vat_and_gross_per_line_total(ledger: Ledger) -> None:
    shop(ledger, SETTINGS.replace('rate = "80.00"', 'rate = "80.00"\nvat_rate = "19"'))
    files = statement(ledger, "2024-03")
    # 112.50 + 19 % = 21.375 -> 21.38 (half up) -> 133.88
    assert page(files["2024-03-acme.html"]).totals == [
        ("Summe netto", "112,50\xa0€"),
        ("zzgl. Umsatzsteuer 19 %", "21,38\xa0€"),
        ("Gesamtbetrag", "133,88\xa0€"),
    ]
    assert page(files["2024-03-gamma.html"]).totals[1:] == [
        ("zzgl. Umsatzsteuer 19 %", "5,07\xa0€"),
        ("Gesamtbetrag", "31,74\xa0€"),
    ]


def test_vat_rate_zero_shows_zero_vat(ledger: Ledger) -> None:
    shop(ledger, SETTINGS.replace('rate = "80.00"', 'rate = "80.00"\nvat_rate = "0"'))
    shown = page(statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"])
    assert shown.totals[1:] == [("zzgl. Umsatzsteuer 0 %", "0,00\xa0€"), ("Gesamtbetrag", "112,50\xa0€")]
    assert "§ 19 UStG" not in shown.text


def test_small_business_shows_the_note_instead_of_vat(ledger: Ledger) -> None:
    shop(ledger, SETTINGS.replace('rate = "80.00"', 'rate = "80.00"\nvat_rate = "0"\nsmall_business = true'))
    shown = page(statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"])
    assert shown.totals == [("Gesamtbetrag", "112,50\xa0€")]
    assert "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet." in shown.text
    assert "Umsatzsteuer 0" not in shown.text


def test_the_ledger_words_its_own_small_business_note(ledger: Ledger) -> None:
    note = "Umsatzsteuerbefreit – Kleinunternehmer gem. § 6 Abs. 1 Z 27 UStG"
    settings = SETTINGS.replace('rate = "80.00"', 'rate = "80.00"\nsmall_business = true')
    shop(ledger, settings + f'small_business_note = "{note}"\n')
    shown = page(statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"])
    assert note in shown.text and "§ 19 UStG" not in shown.text


@pytest.mark.parametrize(
    ("billing", "message"),
    [
        ('vat_rate = "19"\nsmall_business = true', "small_business = true charges no VAT"),
        ('vat_rate = "-1"', "vat_rate is a percentage"),
        ('vat_rate = "100"', "vat_rate is a percentage"),
        ("vat_rate = 19.5", "decimal number in quotes"),
        ('small_business = "ja"', "small_business must be true or false"),
    ],
)
def test_bad_vat_settings_are_one_error_line(ledger: Ledger, billing: str, message: str) -> None:
    shop(ledger, SETTINGS.replace('rate = "80.00"', f'rate = "80.00"\n{billing}'))
    line = ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "out"))
    assert message in line and "sessionlog.toml" in line
    assert not (ledger.tmp / "out").exists()


def test_company_keys_must_be_text_and_unknown_ones_are_kept(ledger: Ledger) -> None:
    shop(ledger, SETTINGS + 'slogan = "Wir kommen, wenn es brennt"\n')
    assert "Hörner IT-Service" in page(statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"]).text
    ledger.write("sessionlog.toml", SETTINGS.replace('phone = "0821 4567-0"', "phone = 8214567"))
    assert "company.phone must be a string" in ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "o"))


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
    line = ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "out"))
    assert f"{path}{where}" in line and message in line, line
    assert not (ledger.tmp / "out").exists()


# --- options and output ------------------------------------------------------------------------------


def test_out_dash_writes_one_statement_to_stdout(ledger: Ledger) -> None:
    shop(ledger)
    result = ledger.ok("statement", "2024-03", "--customer", "gamma", "--out", "-", now=APRIL)
    assert result.stdout.startswith("<!DOCTYPE html>") and "Gamma e.K." in result.stdout
    assert "wrote" not in result.stderr
    line = ledger.refused("statement", "2024-03", "--out", "-", code=2)
    assert "--out - writes one statement" in line and "--customer" in line


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


def test_english_where_the_ledger_and_system_are_not_german(ledger: Ledger) -> None:
    shop(ledger, SETTINGS.replace('profile = "de"', 'profile = "en"'))
    shown = page(
        statement(ledger, "2024-03", "-c", "gamma", env={"LC_ALL": "C", "LANG": "en_US.UTF-8"})["2024-03-gamma.html"]
    )
    assert "Detailed statement March 2024" in shown.text and "Draft" in shown.text
    assert shown.rows["gamma002"][-1] == "€26.67" and shown.rows["gamma002"][0].startswith("5 Mar 2024")
    assert "Contract minutes included per month 60 min used 60 min left 0 min" in shown.text
    german = page(
        statement(ledger, "2024-03", "-c", "gamma", env={"LC_ALL": None, "LANG": "de_DE.UTF-8"})["2024-03-gamma.html"]
    )
    assert "Einzelnachweis März 2024" in german.text
    chosen = page(
        statement(ledger, "2024-03", "-c", "gamma", "--language", "en", env={"LANG": "de_DE.UTF-8"})[
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
    line = ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "out"))
    assert "company.logo" in line and message in line
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
    line = ledger.refused("statement", *args, "--out", str(ledger.tmp / "out"), code=code)
    assert message in line
    assert not (ledger.tmp / "out").exists()


def test_a_month_file_that_does_not_parse_is_refused_not_left_out(ledger: Ledger) -> None:
    shop(ledger)
    broken = '[[session]]\nid = "g"\nstart = \n'
    path = ledger.write("customers/gamma/2024-03.toml", broken)
    line = ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "out"))
    assert str(path) in line and "fix it before making statements" in line
    assert not (ledger.tmp / "out").exists()
    # another customer's statement does not depend on that file
    assert "2024-03-acme.html" in statement(ledger, "2024-03", "-c", "acme")
    assert path.read_text("utf-8") == broken


def test_an_unwritable_out_is_one_error_line_and_no_file(ledger: Ledger) -> None:
    shop(ledger)
    a_file = ledger.tmp / "not-a-folder"
    a_file.write_text("x", encoding="utf-8")
    line = ledger.refused("statement", "2024-03", "--out", str(a_file))
    assert f"cannot write to {a_file}" in line
    line = ledger.refused("statement", "2024-03", "--out", str(a_file / "sub"))
    assert "cannot write to" in line
    if os.name == "posix" and os.geteuid() != 0:
        locked = ledger.tmp / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        assert "permission denied" in ledger.refused("statement", "2024-03", "--out", str(locked)).lower()
        assert list(locked.iterdir()) == []


def test_pdf_without_the_extra_names_it(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    shop(ledger)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if `pip install sessionlog` without [pdf]
    line = ledger.refused("statement", "2024-03", "--format", "pdf", "--out", str(ledger.tmp / "out"))
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


def test_a_customer_billed_in_another_currency_gets_its_own_money(ledger: Ledger) -> None:
    shop(ledger)
    ledger.ok("customer", "edit", "gamma", "--currency", "CHF")
    shown = page(statement(ledger, "2024-03", "-c", "gamma")["2024-03-gamma.html"])
    assert shown.rows["gamma002"][-1] == "26,67\xa0CHF"
    assert dict(shown.totals) == {"Summe": "26,67\xa0CHF"}


def test_a_pdf_goes_to_stdout_as_bytes(ledger: Ledger) -> None:
    shop(ledger)
    result = ledger.run("statement", "2024-03", "-c", "acme", "--format", "pdf", "--out", "-", now=APRIL)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF-") and result.stdout_bytes.rstrip().endswith(b"%%EOF")
    assert result.stderr == ""

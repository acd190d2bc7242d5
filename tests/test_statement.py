# ruff: noqa: RUF001 (the statement prints en dashes and the multiplication sign)
"""`statement`: the customer's detailed statement, read as the customer would read it.

The figures must be `invoice`'s own (frozen ones once finalized): every line, the contract
minutes, the free sessions apart, draft or invoiced, and the VAT variants.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Ledger, snapshot
from statement_helpers import APRIL, EXAMPLES, SETTINGS, de_money, invoice_amounts, page, shop, statement

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
    line = ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "out"), match=re.escape(message))
    assert "sessionlog.toml" in line
    assert not (ledger.tmp / "out").exists()


def test_company_keys_must_be_text_and_unknown_ones_are_kept(ledger: Ledger) -> None:
    shop(ledger, SETTINGS + 'slogan = "Wir kommen, wenn es brennt"\n')
    assert "Hörner IT-Service" in page(statement(ledger, "2024-03", "-c", "acme")["2024-03-acme.html"]).text
    ledger.write("sessionlog.toml", SETTINGS.replace('phone = "0821 4567-0"', "phone = 8214567"))
    ledger.refused("statement", "2024-03", "--out", str(ledger.tmp / "o"), match="company.phone must be a string")


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

"""The statement as a person sees it: laid out by a real browser at A4 and phone width, and as a
PDF read back with poppler (pdftotext, pdfinfo). Skips only where those programs are missing;
CI installs them."""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Ledger
from statement_helpers import CHROMIUM, PDFINFO, PDFTOTEXT, SETTINGS, measure, pdf_pages, pdf_text, shop

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "ledger"
APRIL = "2024-04-02T10:00:00+02:00"
A4_CSS_PX = 794  # 210 mm at 96 CSS pixels per inch
PHONE_CSS_PX = 390

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it)")
needs_poppler = pytest.mark.skipif(
    PDFTOTEXT is None or PDFINFO is None, reason="poppler-utils is not installed (CI installs it)"
)
LONG_NOTE = "Protokoll: <b>fett</b> & Grüße 🙂 " + "x" * 2000


def busy_month(ledger: Ledger, sessions: int = 120) -> Ledger:
    """One customer with `sessions` sessions in March 2024, among them a 2 000-character line."""
    ledger.write("sessionlog.toml", SETTINGS.replace('rate = "80.00"', 'rate = "95.00"\nafter_hours_factor = "1.5"'))
    ledger.write("customers/acme/customer.toml", 'name = "ACME Ärzte & Söhne"\nincluded_minutes = 120\n')
    records = []
    for i in range(sessions):
        day, hour, minute = 1 + i % 31, 7 + (i * 3) % 13, (i * 7) % 60
        length = 5 + (i * 13) % 90
        end_hour, end_minute = divmod(hour * 60 + minute + length, 60)
        note = LONG_NOTE if i == 5 else f"Sitzung {i:03d}: Drucker geprüft, Treiber aktualisiert"
        free = i % 10 == 3
        records.append(
            f'[[session]]\nid = "s{i:07d}"\nstart = 2024-03-{day:02d}T{hour:02d}:{minute:02d}:00+01:00\n'
            f"end = 2024-03-{day:02d}T{end_hour:02d}:{end_minute:02d}:00+01:00\n"
            f'supporter = "Klaus Hörner"\ncontact = "Herr Müller"\nnote = {json.dumps(note, ensure_ascii=False)}\n'
            f"billable = {'false' if free else 'true'}\n" + ('free_reason = "goodwill"\n' if free else "")
        )
    ledger.write("customers/acme/2024-03.toml", "\n".join(records))
    return ledger


def make(ledger: Ledger, fmt: str, *args: str) -> dict[str, Path]:
    out = ledger.tmp / f"out-{fmt}"
    ledger.ok("statement", "2024-03", "--format", fmt, "--out", str(out), *args, now=APRIL)
    return {p.stem.split("-", 2)[2]: p for p in sorted(out.iterdir())}


def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    for name in ("SESSIONLOG_LEDGER", "SESSIONLOG_NOW"):
        monkeypatch.delenv(name, raising=False)
    return Ledger(EXAMPLES, tmp_path)


# --- the browser ----------------------------------------------------------------------------------


def assert_fits(sizes: dict[str, object] | None, width: int) -> None:
    assert sizes is not None, "the measuring script did not run"
    assert sizes["viewport"] == width
    assert sizes["scroll"] <= width, f"the page scrolls sideways: {sizes}"  # type: ignore[operator]
    assert sizes["right"] <= width + 0.5, f"something sticks out of the page: {sizes}"  # type: ignore[operator]
    tables = sizes["tables"]
    assert isinstance(tables, list) and tables, "no session table"
    assert all(right <= sizes["sheet"] + 0.5 for right in tables), f"a table is wider than the sheet: {sizes}"  # type: ignore[operator]


@needs_chromium
def test_the_example_statements_fit_a4_and_a_phone_in_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = make(examples(tmp_path, monkeypatch), "html")
    assert set(files) == {"hoffmann", "maier", "schulz", "weber"}
    for key, path in files.items():
        html = path.read_text("utf-8")
        for width in (A4_CSS_PX, PHONE_CSS_PX):
            assert_fits(measure(html, width, tmp_path / key), width)


@needs_chromium
def test_a_2000_character_note_wraps_inside_the_page_in_chromium(ledger: Ledger) -> None:
    busy_month(ledger, sessions=12)
    html = make(ledger, "html")["acme"].read_text("utf-8")
    for width in (A4_CSS_PX, PHONE_CSS_PX):
        assert_fits(measure(html, width, ledger.tmp), width)
    # the check can fail: without the wrapping rule the same note runs off the page
    unwrapped = html.replace("overflow-wrap: anywhere; word-break: break-word;", "")
    sizes = measure(unwrapped, A4_CSS_PX, ledger.tmp / "unwrapped")
    assert sizes is not None and sizes["scroll"] > A4_CSS_PX  # type: ignore[operator]
    # and a table wider than the sheet is caught too
    wide = html.replace("</style>", "table.lines { width: 1400px; }</style>")
    sizes = measure(wide, A4_CSS_PX, ledger.tmp / "wide")
    assert sizes is not None and max(sizes["tables"]) > sizes["sheet"]  # type: ignore[type-var, arg-type]


@needs_chromium
def test_no_script_runs_in_a_statement(ledger: Ledger) -> None:
    shop(ledger)
    html = make(ledger, "html", "--customer", "acme")["acme"].read_text("utf-8")
    # the measuring script is a script like any other: the statement's policy blocks it
    assert measure(html, A4_CSS_PX, ledger.tmp, keep_csp=True) is None
    assert measure(html, A4_CSS_PX, ledger.tmp / "open") is not None


@needs_chromium
def test_chromium_takes_a_screenshot_at_a4_width(ledger: Ledger) -> None:
    from statement_helpers import chromium

    shop(ledger)
    path = make(ledger, "html", "--customer", "gamma")["gamma"]
    png = ledger.tmp / "gamma.png"
    chromium([f"--window-size={A4_CSS_PX},1123", f"--screenshot={png}", path.as_uri()], ledger.tmp / "profile")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (A4_CSS_PX, 1123)


def test_the_readme_shows_a_statement_png_of_the_example_ledger() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    found = re.search(r"!\[[^\]]*\]\((docs/[^)]+\.png)\)", readme)
    assert found, "the README shows no statement picture"
    picture = ROOT / found.group(1)
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 300_000
    assert "sessionlog --ledger examples/ledger statement 2024-03" in readme


# --- the PDF ------------------------------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


@needs_poppler
def test_every_session_of_the_examples_is_in_the_pdf_with_date_note_and_amount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = examples(tmp_path, monkeypatch)
    files = make(book, "pdf")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(book.ok("invoice", "2024-03", "--profile", "en", "--include-free").stdout)))
    assert rows
    for key, pdf in files.items():
        assert pdf.read_bytes().startswith(b"%PDF-")
        text = flat(pdf_text(pdf))
        mine = [r for r in rows if r["customer"] == key]
        for r in mine:
            y, m, d = r["date"].split("-")
            assert f"{d}.{m}.{y}" in text, (key, r["session"])
            assert flat(r["note"]) in text, (key, r["note"])
            assert f"{r['amount'].replace('.', ',')} €" in text
        net = sum((Decimal(r["amount"]) for r in mine), Decimal("0.00"))
        gross = net + (net * Decimal("0.19")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert re.search(rf"Gesamtbetrag {str(gross).replace('.', ',')} €", text), (key, gross, text)
        assert "Seite 1 von 1" in text
        assert pdf_pages(pdf) == 1


@needs_poppler
def test_a_120_session_month_repeats_the_header_and_numbers_every_page(ledger: Ledger) -> None:
    busy_month(ledger)
    pdf = make(ledger, "pdf")["acme"]
    pages = pdf_pages(pdf)
    assert 8 <= pages <= 16, pages
    seen: list[str] = []
    for number in range(1, pages + 1):
        text = flat(pdf_text(pdf, number, number))
        assert f"Seite {number} von {pages}" in text
        if number > 1:
            assert "Einzelnachweis März 2024 · ACME Ärzte & Söhne · Entwurf" in text, number
        # every page of sessions starts under the table's header
        if re.search(r"Sitzung \d{3}:", text) or "xxxxxxxxxx" in text:
            assert "Datum / Zeit" in text and "Betrag" in text, f"page {number} has no table header"
        seen += re.findall(r"Sitzung (\d{3}):", text)
    assert sorted(seen) == [f"{i:03d}" for i in range(120) if i != 5], "each session once, none lost at a break"
    whole = flat(pdf_text(pdf))
    assert "Protokoll: <b>fett</b> & Grüße" in whole, "markup in a note is printed as text"
    assert whole.count("x") >= 2000


@needs_poppler
def test_nothing_in_the_pdf_runs_past_the_page_margins(ledger: Ledger) -> None:
    busy_month(ledger, sessions=12)
    pdf = make(ledger, "pdf")["acme"]
    assert PDFTOTEXT
    result = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, check=True)
    page_width = None
    words = 0
    for line in result.stdout.decode("utf-8").splitlines():
        if (found := re.search(r'<page width="([\d.]+)"', line)) is not None:
            page_width = float(found.group(1))
        if (word := re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', line)) is not None:
            assert page_width is not None
            words += 1
            # A4 is 595.28 pt wide; the margins are 20 mm left and 15 mm right (56.7 and 42.5 pt)
            assert float(word.group(1)) >= 56.7 - 1, line
            assert float(word.group(2)) <= page_width - 42.5 + 1, line
    assert page_width == pytest.approx(595.28, abs=0.1)
    assert words > 100

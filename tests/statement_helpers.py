"""Helpers for the statement tests: a small shop ledger written as files, and readers for what
a person sees in the statement's HTML (rows by session, totals, text) and in its PDF."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from conftest import Ledger

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "ledger"
APRIL = "2024-04-02T10:00:00+02:00"  # when the statements are made

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")

SETTINGS = """\
timezone = "Europe/Berlin"

[billing]
rate = "80.00"

[csv]
profile = "de"

[company]
name = "Hörner IT-Service"
address = \"\"\"
Lechstraße 12
86150 Augsburg\"\"\"
phone = "0821 4567-0"
email = "service@hoerner-it.example"
iban = "DE00 7205 0000 0000 0000 00"
vat_id = "DE999999999"
"""

ACME = """\
name = "Fa. Walter Maier GmbH"
rate = "90.00"
increment = 15
rounding = "up"
minimum = 15
customer_number = "K-1001"
address = \"\"\"
Industriestraße 4
86167 Augsburg\"\"\"
"""
ACME_MARCH = """\
[[session]]
id = "acme0001"
start = 2024-03-01T10:22:00+01:00
end = 2024-03-01T10:34:22+01:00
pauses = [{ start = 2024-03-01T10:25:00+01:00, end = 2024-03-01T10:27:00+01:00 }]
supporter = "Klaus Hörner"
contact = "Herr Horst Maier"
machine = "PC-Buchhaltung"
channel = "remote"
note = "IE aktualisiert"
billable = true
ticket = "T-2024-0113"

[[session]]
id = "acme0002"
start = 2024-03-04T09:00:00+01:00
end = 2024-03-04T09:45:00+01:00
supporter = "Klaus Hörner"
channel = "onsite"
note = "Drucker getauscht"
billable = false
free_reason = "warranty"

[[session]]
id = "acme0003"
start = 2024-03-31T01:30:00+01:00
end = 2024-03-31T03:30:00+02:00
supporter = "Jana Weiß"
channel = "remote"
note = "Nachtwartung"
billable = true
"""
GAMMA = """\
name = "Gamma e.K."
rate = "80.00"
increment = 5
rounding = "nearest"
included_minutes = 60
"""
GAMMA_MARCH = """\
[[session]]
id = "gamma001"
start = 2024-03-04T09:00:00+01:00
end = 2024-03-04T09:45:00+01:00
supporter = "Klaus Hörner"
channel = "remote"
note = "Drucker im Büro eingerichtet"
billable = true

[[session]]
id = "gamma002"
start = 2024-03-05T09:00:00+01:00
end = 2024-03-05T09:37:00+01:00
supporter = "Klaus Hörner"
channel = "phone"
note = "Server neu gestartet"
billable = true
"""
DELTA = """\
name = "Delta AG"
rate = "100.00"
after_hours_factor = "1.5"
"""
DELTA_MARCH = """\
[[session]]
id = "delta001"
start = 2024-03-09T10:00:00+01:00
end = 2024-03-09T11:00:00+01:00
supporter = "Klaus Hörner"
channel = "remote"
note = "Samstag: Praxissoftware"
billable = true

[[session]]
id = "delta002"
start = 2024-03-12T10:00:00+01:00
end = 2024-03-12T10:20:00+01:00
supporter = "Klaus Hörner"
channel = "remote"
note = "Eigene Schulung"
billable = false
free_reason = "internal"
"""


def shop(ledger: Ledger, settings: str = SETTINGS) -> Ledger:
    """The three customers of the README's tour, with March 2024 sessions, written as files."""
    ledger.write("sessionlog.toml", settings)
    for key, customer, month in (
        ("acme", ACME, ACME_MARCH),
        ("gamma", GAMMA, GAMMA_MARCH),
        ("delta", DELTA, DELTA_MARCH),
    ):
        ledger.write(f"customers/{key}/customer.toml", customer)
        ledger.write(f"customers/{key}/2024-03.toml", month)
    return ledger


def statement(ledger: Ledger, *args: str, now: str = APRIL, **kwargs: object) -> dict[str, str]:
    """Run `statement` into tmp/out; the files it wrote, by name."""
    out = ledger.tmp / "out"
    shutil.rmtree(out, ignore_errors=True)
    result = ledger.ok("statement", *args, "--out", str(out), now=now, **kwargs)  # type: ignore[arg-type]
    assert result.stdout == "", "files go to --out; stdout stays empty"
    written = {p.name: p.read_text("utf-8") for p in out.iterdir()} if out.exists() else {}
    for name in written:
        assert str(out / name) in result.stderr  # "wrote …", or "… geschrieben" in German
    return written


def invoice_amounts(ledger: Ledger, *args: str) -> dict[str, str]:
    """Session id -> amount, from `invoice --profile en` (the CSV that goes into invoicing software)."""
    result = ledger.ok("invoice", "2024-03", "--profile", "en", *args)
    return {row["session"]: row["amount"] for row in csv.DictReader(io.StringIO(result.stdout))}


def squash(text: str) -> str:
    """Runs of ordinary white space as one space; a no-break space (1.234,56\xa0€) stays what it is."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


BLOCKS = {"div", "p", "br", "tr", "td", "th", "h1", "h2", "section", "header", "footer", "caption", "table"}


@dataclass
class Page(HTMLParser):
    """What a reader of the statement's HTML sees: cells per session row, totals, all text."""

    rows: dict[str, list[str]] = field(default_factory=dict)  # session id -> cell texts
    row_tables: dict[str, str] = field(default_factory=dict)  # session id -> the class of its table
    totals: list[tuple[str, str]] = field(default_factory=list)  # (label, amount) of the totals tables
    chunks: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._row: str | None = None
        self._cell: list[str] | None = None
        self._table = ""
        self._in_totals = False
        self._pair: list[str] = []

    def _gap(self) -> None:
        """A line break between blocks, as a reader sees it: a space in the extracted text."""
        self.chunks.append(" ")
        if self._cell is not None:
            self._cell.append(" ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in BLOCKS:
            self._gap()
        if tag in ("br", "img", "meta", "col", "link"):
            return
        self._stack.append((tag, a))
        if tag == "table":
            self._table = a.get("class", "")
            self._in_totals = "totals" in self._table.split()
        if tag == "tr" and a.get("id", "").startswith("s-"):
            self._row = a["id"][2:]
            self.rows[self._row] = []
            self.row_tables[self._row] = self._table
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._gap()
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break
        if tag in ("td", "th") and self._cell is not None:
            text = squash("".join(self._cell))
            if self._row is not None:
                self.rows[self._row].append(text)
            if self._in_totals:
                self._pair.append(text)
                if len(self._pair) == 2:
                    self.totals.append((self._pair[0], self._pair[1]))
                    self._pair = []
            self._cell = None
        if tag == "tr":
            self._row = None
        if tag == "table":
            self._in_totals = False

    def handle_data(self, data: str) -> None:
        if any(t in ("style", "title", "script") for t, _ in self._stack):
            return
        self.chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def text(self) -> str:
        return squash(" ".join(self.chunks))


def page(text: str) -> Page:
    p = Page()
    p.feed(text)
    p.close()
    return p


def de_money(amount: str) -> str:
    """'1234.56' as the German statement prints it: '1.234,56 €' (with a no-break space)."""
    whole, cents = amount.split(".")
    groups = re.sub(r"(?<=\d)(?=(\d{3})+$)", ".", whole)
    return f"{groups},{cents}\xa0€"


# --- headless Chromium: how the HTML lays out at a given window width ------------------------

MEASURE = """<script>
(() => {
  const root = document.documentElement;
  let right = 0;
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0) right = Math.max(right, r.right);
  }
  const sheet = document.querySelector(".sheet").getBoundingClientRect();
  const tables = [...document.querySelectorAll("table.lines")].map(t => t.getBoundingClientRect().right);
  // In a phone-sized frame (see `measure`) the result goes to the page Chromium dumps.
  window.parent.document.body.setAttribute("data-measure", JSON.stringify({
    viewport: root.clientWidth, scroll: root.scrollWidth, right, sheet: sheet.right, tables,
  }));
})();
</script>"""
MIN_WINDOW = 500
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def measure(statement_html: str, width: int, tmp: Path, *, keep_csp: bool = False) -> dict[str, object] | None:
    """Lay the statement out in Chromium at `width` CSS pixels; the sizes a script read off it.

    The statement forbids scripts (Content-Security-Policy); the measuring script runs only in a
    copy without that line. With `keep_csp`, None proves the script was blocked.
    """
    text = statement_html if keep_csp else CSP.sub("", statement_html)
    text = text.replace("</body>", MEASURE + "</body>")
    window = width
    if width < MIN_WINDOW:
        # Headless Chromium keeps windows at least 500 px wide: a phone is a frame of its width.
        text = (
            '<!DOCTYPE html><html><body style="margin:0">'
            f'<iframe style="width:{width}px;height:4000px;border:0" srcdoc="{html.escape(text, quote=True)}">'
            "</iframe></body></html>"
        )
        window = MIN_WINDOW
    tmp.mkdir(parents=True, exist_ok=True)
    page_file = tmp / f"measure-{width}.html"
    page_file.write_text(text, encoding="utf-8")
    result = chromium([f"--window-size={window},1200", "--dump-dom", page_file.as_uri()], tmp / f"profile-{width}")
    found = re.search(r'data-measure="([^"]*)"', result.stdout)
    return json.loads(html.unescape(found.group(1))) if found else None


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    assert PDFTOTEXT
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    # Reading order, not -layout: a wrapped note stays together instead of interleaving with its row.
    result = subprocess.run([PDFTOTEXT, *pages, str(pdf), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pdf_pages(pdf: Path) -> int:
    assert PDFINFO
    info = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert found, info
    return int(found.group(1))

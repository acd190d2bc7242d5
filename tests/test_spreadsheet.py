"""The real client is a spreadsheet: LibreOffice Calc opens the German invoice CSV.

One conversion (CSV -> xlsx) with the import options a German user has: ';', '"', UTF-8,
German locale. The xlsx is read with zipfile and ElementTree only.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest

from billing_helpers import DE_HEADER, SUPPORTER
from billing_helpers import march as build_march

X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NOTE = 'Drucker; "Büro"\nGrüße'


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def test_libreoffice_reads_the_german_invoice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; Debian: apt-get install libreoffice-calc-nogui")

    m = build_march(tmp_path)
    m.book.ok("customer", "add", "MUELLER", "--name", "Müller & Söhne GmbH", "--rate", "60")
    # 15 min x 60 / 60 = 15.00; the note has ';', quotes, a line break and umlauts
    m.book.add("MUELLER", "07.03.2024 14:00", "07.03.2024 14:15", "--note", NOTE)
    # a formula must stay text
    m.book.add("MUELLER", "08.03.2024 14:00", "08.03.2024 14:30", "--note", '=HYPERLINK("http://x";"y")')
    csv_file = tmp_path / "rechnung.csv"
    csv_file.write_bytes(m.book.ok("invoice", "2024-03", "--profile", "de").stdout_bytes)

    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            # 59 = ';', 34 = '"', 76 = UTF-8, from line 1, default column types, 1031 = German
            "--infilter=CSV:59,34,76,1,,1031",
            "--outdir",
            str(tmp_path),
            str(csv_file),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    xlsx = tmp_path / "rechnung.xlsx"
    assert xlsx.exists()
    with zipfile.ZipFile(xlsx) as z:
        shared = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    strings = ["".join(t.text or "" for t in si.iter(f"{X}t")) for si in shared]
    cells = {c.get("r"): c for c in sheet.iter(f"{X}c")}
    assert not [c.get("r") for c in cells.values() if c.find(f"{X}f") is not None], "a cell became a formula"

    def text(ref: str) -> str:
        cell = cells[ref]
        assert cell.get("t") == "s", f"{ref} is not a text cell: t={cell.get('t')}"
        v = cell.find(f"{X}v")
        assert v is not None and v.text is not None
        return strings[int(v.text)]

    def number(ref: str) -> Decimal:
        cell = cells[ref]
        assert cell.get("t", "n") == "n", f"{ref} is not a numeric cell: t={cell.get('t')}"
        v = cell.find(f"{X}v")
        assert v is not None and v.text is not None
        return Decimal(v.text)

    col = {name: _column_letters(i) for i, name in enumerate(DE_HEADER)}
    assert [text(f"{col[h]}1") for h in DE_HEADER] == DE_HEADER

    # rows 2.. in CSV order: acme, delta x4, gamma x2, mueller x2 (customer key, then start)
    sessions = [text(f"{col['Sitzung']}{r}") for r in range(2, 11)]
    assert sessions[:7] == [m.ids[n] for n in ("acme", "d_sat", "d_sun", "d_1759", "d_1800", "g1", "g2")]
    # amounts worked out in billing_helpers; mueller: 15 min and 30 min at 60/h = 15.00 and 30.00
    expected = ["22.5", "150", "75", "100", "150", "0", "26.67", "15", "30"]
    assert [number(f"{col['Betrag']}{r}") for r in range(2, 11)] == [Decimal(x) for x in expected]
    assert number(f"{col['Stundensatz']}2") == Decimal("90")
    assert number(f"{col['Stundensatz']}3") == Decimal("150")
    # the minute columns are numbers too: gamma's second line billed 35, included 15, charged 20
    assert [number(f"{col[h]}8") for h in ("Abgerechnete Minuten", "Inklusivminuten", "Berechnete Minuten")] == [
        35,
        15,
        20,
    ]
    assert number(f"{col['Datum']}2") == 45352  # the spreadsheet's serial number of 01.03.2024

    assert text(f"{col['Kundenname']}10") == "Müller & Söhne GmbH"
    assert text(f"{col['Techniker']}2") == SUPPORTER  # Klaus Hörner
    assert text(f"{col['Notiz']}9") == NOTE
    assert "Grüße" in text(f"{col['Notiz']}9")
    assert text(f"{col['Notiz']}10") == '\'=HYPERLINK("http://x";"y")'

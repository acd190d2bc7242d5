from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionlog.cli.table import print_table
from sessionlog.model import SessionlogError
from sessionlog.render import (
    PROFILES,
    Column,
    CsvProfile,
    _json_default,
    cell_text,
    csv_profile,
    write_csv,
    write_json,
)

CET = timezone(timedelta(hours=1))
NOTE = 'Drucker; "Büro"\nneu gestartet, Grüße'

COLUMNS = [
    Column("customer", "Kunde", title="Customer"),
    Column("date", "Datum", kind="date"),
    Column("start", "Beginn", kind="time"),
    Column("duration", "Dauer", kind="duration"),
    Column("amount", "Betrag", kind="money"),
    Column("billable", "Abrechenbar", kind="bool"),
    Column("tags", "Stichworte", kind="list"),
    Column("note", "Notiz"),
]

ROW: dict[str, object] = {
    "customer": "Müller GmbH",
    "date": date(2024, 3, 1),
    "start": datetime(2024, 3, 1, 10, 22, tzinfo=CET),
    "duration": timedelta(minutes=12, seconds=22),
    "amount": Decimal("22.5"),
    "billable": True,
    "tags": ("browser", "drucker"),
    "note": NOTE,
}


def csv_bytes(rows: list[dict[str, object]], columns: list[Column], profile: str) -> bytes:
    buf = io.BytesIO()
    write_csv(rows, columns, PROFILES[profile], buf)
    return buf.getvalue()


def read_back(data: bytes, profile: CsvProfile) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=profile.delimiter))


# --- profiles -------------------------------------------------------------------------


def test_profiles() -> None:
    assert csv_profile("de").delimiter == ";"
    assert csv_profile("en").delimiter == ","
    with pytest.raises(SessionlogError, match=r"unknown CSV profile 'x' \(choose de or en\)"):
        csv_profile("x")


def test_column_alignment_and_kind_check() -> None:
    assert Column("amount", "Betrag", kind="money").align_right
    assert Column("n", "Anzahl", kind="int").align_right
    assert Column("d", "Dauer", kind="duration").align_right
    assert not Column("note", "Notiz").align_right
    assert Column("note", "Notiz").header == "note"
    with pytest.raises(ValueError):
        Column("x", "X", kind="float")


# --- CSV ------------------------------------------------------------------------------


def test_csv_de_round_trip() -> None:
    data = csv_bytes([ROW], COLUMNS, "de")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.startswith(b"\xef\xbb\xbfKunde;Datum;Beginn;Dauer;Betrag;Abrechenbar;Stichworte;Notiz\r\n")
    assert data.endswith(b"\r\n")
    assert b"\r\r\n" not in data
    rows = read_back(data, PROFILES["de"])
    assert rows == [
        ["Kunde", "Datum", "Beginn", "Dauer", "Betrag", "Abrechenbar", "Stichworte", "Notiz"],
        ["Müller GmbH", "01.03.2024", "10:22", "0:12:22", "22,50", "ja", "browser, drucker", NOTE],
    ]
    # the newline inside the note stays a bare LF inside quotes
    assert '"Drucker; ""Büro""\nneu gestartet, Grüße"'.encode() in data


def test_csv_en_round_trip() -> None:
    data = csv_bytes([ROW], COLUMNS, "en")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.startswith(b"customer,date,start,duration,amount,billable,tags,note\r\n")
    assert data.endswith(b"\r\n")
    rows = read_back(data, PROFILES["en"])
    assert rows[1] == [
        "Müller GmbH",
        "2024-03-01",
        "10:22",
        "0:12:22",
        "22.50",
        "yes",
        "browser, drucker",
        NOTE,
    ]


def test_csv_money_has_no_thousands_separator_and_two_places() -> None:
    cols = [Column("amount", "Betrag", kind="money")]
    rows: list[dict[str, object]] = [
        {"amount": Decimal("1234567.5")},
        {"amount": Decimal("0.005")},
        {"amount": 95},
        {"amount": None},
    ]
    assert read_back(csv_bytes(rows, cols, "de"), PROFILES["de"])[1:] == [
        ["1234567,50"],
        ["0,01"],
        ["95,00"],
        [""],
    ]
    assert read_back(csv_bytes(rows, cols, "en"), PROFILES["en"])[1:] == [
        ["1234567.50"],
        ["0.01"],
        ["95.00"],
        [""],
    ]


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
@pytest.mark.parametrize("profile", ["de", "en"])
def test_csv_formula_injection_neutralised(trigger: str, profile: str) -> None:
    cols = [Column("note", "Notiz"), Column("tags", "Stichworte", kind="list")]
    value = trigger + "1+1 cmd|' /C calc'!A0"
    data = csv_bytes([{"note": value, "tags": [value]}], cols, profile)
    assert read_back(data, PROFILES[profile])[1] == ["'" + value, "'" + value]


def test_csv_formula_injection_example_and_plain_text() -> None:
    cols = [Column("note", "Notiz")]
    data = csv_bytes([{"note": "-15 min Pause"}, {"note": "Neustart = ok"}], cols, "de")
    assert read_back(data, PROFILES["de"])[1:] == [["'-15 min Pause"], ["Neustart = ok"]]


@pytest.mark.parametrize("profile", ["de", "en"])
def test_csv_numbers_are_never_prefixed(profile: str) -> None:
    cols = [
        Column("amount", "Betrag", kind="money"),
        Column("n", "Anzahl", kind="int"),
        Column("rate", "Satz", kind="decimal"),
        Column("d", "Dauer", kind="duration"),
    ]
    row: dict[str, object] = {
        "amount": Decimal("-22.50"),
        "n": -3,
        "rate": Decimal("-1.5"),
        "d": timedelta(minutes=-5),
    }
    sep = PROFILES[profile].decimal_sep
    assert read_back(csv_bytes([row], cols, profile), PROFILES[profile])[1] == [
        f"-22{sep}50",
        "-3",
        f"-1{sep}5",
        "-0:05:00",
    ]


def test_csv_empty_rows_writes_header_only() -> None:
    assert csv_bytes([], [Column("note", "Notiz")], "en") == b"note\r\n"


# --- cell_text ------------------------------------------------------------------------


def test_cell_text() -> None:
    de, en = PROFILES["de"], PROFILES["en"]
    moment = datetime(2024, 3, 1, 9, 5, tzinfo=CET)
    assert cell_text(None, "money", de) == ""
    assert cell_text(Decimal("22.5"), "money", de) == "22,50"
    assert cell_text(Decimal("22.5"), "money", None) == "22.50"
    assert cell_text(Decimal("1E+3"), "decimal", en) == "1000"
    assert cell_text(7, "int", de) == "7"
    assert cell_text(False, "bool", de) == "nein"
    assert cell_text(False, "bool", None) == "no"
    assert cell_text(moment, "date", de) == "01.03.2024"
    assert cell_text(moment, "time", de) == "09:05"
    assert cell_text(time(9, 5), "time", None) == "09:05"
    assert cell_text(moment, "datetime", de) == "01.03.2024 09:05"
    assert cell_text(moment, "datetime", en) == "2024-03-01 09:05"
    assert cell_text(timedelta(hours=25, seconds=3), "duration", en) == "25:00:03"
    assert cell_text(["a", "b"], "list", en) == "a, b"
    assert cell_text("x", "text", None) == "x"


@pytest.mark.parametrize(
    ("value", "kind"),
    [(22.5, "money"), (True, "int"), ("3", "int"), ("2024-03-01", "date"), (90, "duration"), ("ab", "list")],
)
def test_cell_text_rejects_wrong_types(value: object, kind: str) -> None:
    with pytest.raises(TypeError):
        cell_text(value, kind, None)


# --- JSON -----------------------------------------------------------------------------


def test_json() -> None:
    out = io.StringIO()
    rows: list[dict[str, object]] = [
        {
            "customer": "Müller GmbH",
            "amount": Decimal("22.50"),
            "start": datetime(2024, 3, 1, 10, 22, tzinfo=CET),
            "end": datetime(2024, 3, 1, 9, 34, 22, tzinfo=UTC),
            "date": date(2024, 3, 1),
            "seconds": 742,
            "billable": False,
            "tags": ("browser",),
            "ticket": None,
        }
    ]
    write_json(rows, out)
    text = out.getvalue()
    assert text.endswith("]\n")
    assert "Müller GmbH" in text  # not \u00fc
    assert '  {\n    "customer"' in text  # indent 2
    assert json.loads(text) == [
        {
            "customer": "Müller GmbH",
            "amount": "22.50",
            "start": "2024-03-01T10:22:00+01:00",
            "end": "2024-03-01T09:34:22+00:00",
            "date": "2024-03-01",
            "seconds": 742,
            "billable": False,
            "tags": ["browser"],
            "ticket": None,
        }
    ]


def test_json_empty() -> None:
    out = io.StringIO()
    write_json([], out)
    assert out.getvalue() == "[]\n"


@pytest.mark.parametrize("value", [timedelta(minutes=5), {"a"}, object()])
def test_json_unknown_type_raises(value: object) -> None:
    with pytest.raises(TypeError):
        write_json([{"x": value}], io.StringIO())


# --- table ----------------------------------------------------------------------------


def test_table() -> None:
    out = io.StringIO()
    rows: list[dict[str, object]] = [
        {**ROW, "note": "[bold]not markup[/bold] :smile:"},
        {**ROW, "customer": "Acme", "amount": Decimal("100")},
    ]
    print_table(
        rows,
        COLUMNS,
        out,
        title="März 2024",
        footer={
            "customer": "Total",
            "amount": Decimal("122.50"),
            "duration": timedelta(minutes=24, seconds=44),
        },
    )
    text = out.getvalue()
    assert "\x1b[" not in text  # not a terminal: no colour codes
    for header in ("Customer", "date", "amount", "note"):
        assert header in text
    assert "März 2024" in text
    assert "Müller GmbH" in text
    assert "[bold]not markup[/bold] :smile:" in text
    lines = text.splitlines()
    total = next(line for line in lines if "Total" in line)
    assert "122.50" in total
    assert "0:24:44" in total
    assert lines.index(total) > max(i for i, line in enumerate(lines) if "Acme" in line)
    # wide enough that a long row is not wrapped
    assert max(len(line) for line in lines) > 80
    # money right-aligned: both amounts end in the same column
    acme = next(line for line in lines if "Acme" in line)
    assert acme.index("100.00") + len("100.00") == total.index("122.50") + len("122.50")


def test_table_empty_shows_headers() -> None:
    out = io.StringIO()
    print_table([], COLUMNS, out)
    assert "Customer" in out.getvalue()
    assert "note" in out.getvalue()


def test_import_is_lazy() -> None:
    code = (
        "import sys, sessionlog.render; "
        "assert 'rich' not in sys.modules, 'rich'; assert 'typer' not in sys.modules, 'typer'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- LibreOffice ----------------------------------------------------------------------

_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _soffice(tmp_path: Path, source: Path, target: str, outdir: Path) -> Path:
    soffice = shutil.which("soffice")
    assert soffice is not None
    # 59 = ';', 34 = '"', 76 = UTF-8, 1 = first line; token 6 is the language: 1031 = German, so
    # '1234,50' and '01.03.2024' are read as a number and a date instead of text.
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--infilter=CSV:59,34,76,1,,1031",
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    result = outdir / (source.stem + "." + target.split(":")[0])
    assert result.exists(), f"soffice wrote no {result.name}"
    return result


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_de_csv(tmp_path: Path) -> None:
    columns = [
        Column("customer", "Kunde"),
        Column("amount", "Betrag", kind="money"),
        Column("note", "Notiz"),
        Column("date", "Datum", kind="date"),
    ]
    rows: list[dict[str, object]] = [
        {
            "customer": "Müller GmbH",
            "amount": Decimal("1234.50"),
            "note": 'Grüße; "neu"',
            "date": date(2024, 3, 1),
        },
        {"customer": "Acme", "amount": Decimal("-5"), "note": "zwei\nZeilen", "date": date(2024, 3, 2)},
    ]
    source = tmp_path / "invoice.csv"
    with source.open("wb") as f:
        write_csv(rows, columns, PROFILES["de"], f)

    xlsx = _soffice(tmp_path, source, "xlsx", tmp_path / "xlsx")
    with zipfile.ZipFile(xlsx) as z:
        strings_root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    strings = ["".join(t.text or "" for t in si.iter(f"{{{_NS['x']}}}t")) for si in strings_root]
    cells = {c.get("r"): c for c in sheet.iter(f"{{{_NS['x']}}}c")}

    def text(ref: str) -> str:
        cell = cells[ref]
        assert cell.get("t") == "s", f"{ref} is not a text cell"
        v = cell.find("x:v", _NS)
        assert v is not None and v.text is not None
        return strings[int(v.text)]

    def number(ref: str) -> Decimal:
        cell = cells[ref]
        assert cell.get("t", "n") == "n", f"{ref} is not a numeric cell: t={cell.get('t')}"
        v = cell.find("x:v", _NS)
        assert v is not None and v.text is not None
        return Decimal(v.text)

    assert [text(r) for r in ("A1", "B1", "C1", "D1")] == ["Kunde", "Betrag", "Notiz", "Datum"]
    assert text("A2") == "Müller GmbH"
    assert number("B2") == Decimal("1234.5")
    assert text("C2") == 'Grüße; "neu"'
    assert number("D2") == 45352  # the spreadsheet serial number of 2024-03-01
    assert number("B3") == -5
    assert text("C3") == "zwei\nZeilen"

    # and back to CSV: the text survives unchanged
    exported = _soffice(tmp_path, source, "csv:Text - txt - csv (StarCalc):59,34,76,1", tmp_path / "csv")
    back = list(csv.reader(io.StringIO(exported.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert back[0] == ["Kunde", "Betrag", "Notiz", "Datum"]
    assert back[1][0] == "Müller GmbH"
    assert back[1][2] == 'Grüße; "neu"'
    assert Decimal(back[1][1].replace(",", ".")) == Decimal("1234.5")
    assert back[2][2] == "zwei\nZeilen"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(
    rows=st.lists(
        st.dictionaries(st.text(max_size=6) | st.sampled_from(["id", "note", "%s", "tags"]), json_values, max_size=6)
        | st.dictionaries(st.integers() | st.booleans() | st.none(), st.text(max_size=3), max_size=2),
        max_size=5,
    )
)
def test_json_is_what_json_dumps_writes(rows: list[dict[object, object]]) -> None:
    """write_json makes its text without json's indenting encoder, a row at a time: the same text."""
    out = io.StringIO()
    write_json(rows, out)  # type: ignore[arg-type]
    expected = json.dumps(rows, ensure_ascii=False, indent=2, default=_json_default, allow_nan=False) + "\n"
    assert out.getvalue() == expected


def test_json_of_many_rows_is_written_as_they_come() -> None:
    """Forty thousand hits of `search -f json` are written while they are made, never held as one string."""
    written: list[int] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            written.append(made)
            return super().write(text)

    made = 0

    def rows() -> Iterator[dict[str, object]]:
        nonlocal made
        for n in range(5000):
            made += 1
            yield {"id": n, "note": "Drucker", "tags": ["a"]}

    out = Out()
    write_json(rows(), out)
    assert written[0] < 5000, "the first rows are written before the last is made"
    assert json.loads(out.getvalue()) == [{"id": n, "note": "Drucker", "tags": ["a"]} for n in range(5000)]

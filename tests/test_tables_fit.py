"""Tables that fit the terminal (issue 12): at 80 columns and up no id, key, date, duration or
amount is cut, notes wrap, lower-priority columns drop out with a hint naming --wide; and the
`status` line and `invoice last-month` of the same issue."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Ledger, console_script
from harness import table_cells
from sessionlog.fit import WRAP_MIN, fit, text_width
from sessionlog.render import Column, cell_text

WIDTHS = (80, 100, 120)
HINT = re.compile(r"^hint: (\d+) columns? left out to fit (\d+) columns \((.*)\); --wide shows all$", re.M)
LONG_NOTE = (
    "Drucker im Lager neu eingerichtet, Treiber für Kyocera aktualisiert, Scanner-Ordner auf dem Server "
    "freigegeben und Überwachung eingerichtet"
)


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    """A March of long customer keys, long notes with umlauts and a five-figure amount."""
    ledger.ok(
        "customer", "add", "autohaus-schmidt-gmbh", "--name", "Autohaus Schmidt GmbH & Co. KG",
        "--rate", "1234.56", "--increment", "1", "--remote-id", "565955529", "--remote-id", "123456789",
    )  # fmt: skip
    ledger.ok("customer", "add", "steuerkanzlei-hoerner", "--name", "Steuerkanzlei Hörner", "--rate", "95")
    # 10 h at 1234.56/h, per minute: 12345.60 EUR.
    ledger.add(
        "autohaus-schmidt-gmbh", "01.03.2024 08:00", "01.03.2024 18:00", "--contact", "Herr Horst Maier",
        "--machine", "PC-Buchhaltung-03", "--channel", "onsite", "--note", LONG_NOTE,
    )  # fmt: skip
    ledger.add(
        "steuerkanzlei-hoerner", "02.03.2024 14:00", "02.03.2024 14:45", "--free", "warranty",
        "--contact", "Frau Müller", "--note", "Outlook-Profil repariert; Kennwörter geändert",
    )  # fmt: skip
    ledger.add("autohaus-schmidt-gmbh", "04.03.2024 09:15", "04.03.2024 09:27", "--channel", "phone")
    return ledger


def at(ledger: Ledger, width: int, *args: str) -> Any:
    return ledger.ok(*args, env={"COLUMNS": str(width)})


def whole(text: str, out: str) -> bool:
    """`text` stands in `out` as it is, not cut and not run into its neighbours."""
    return re.search(rf"(?<!\S){re.escape(text)}(?![^\s,;])", out) is not None


def assert_fits(out: str, width: int, musts: list[str]) -> None:
    too_long = [line for line in out.splitlines() if len(line) > width]
    assert not too_long, f"lines over {width}: {too_long}"
    cut = [m for m in musts if not whole(m, out)]
    assert not cut, f"not whole at {width}: {cut}\n{out}"
    assert "…" not in out


def session_cells(ledger: Ledger) -> list[str]:
    """Every id, key, date, duration and amount of March, as the table writes them."""
    out = []
    for s in ledger.sessions():
        start = datetime.fromisoformat(s["start"])
        out += [s["id"], s["customer"], cell_text(start, "date", None)]
        out.append(cell_text(timedelta(seconds=s["duration_seconds"]), "duration", None))
        if s["billable"]:
            out.append(cell_text(Decimal(s["amount"]), "money", None))
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_list_shows_every_id_key_date_duration_and_amount_whole(shop: Ledger, width: int) -> None:
    result = at(shop, width, "list", "2024-03")
    musts = session_cells(shop)
    assert "12,345.60" in musts and len([m for m in musts if re.fullmatch(r"[a-z0-9]{8}", m)]) == 3
    assert_fits(result.stdout, width, musts)
    # The note wraps rather than going: each of its words is there, between other lines.
    assert all(whole(word, result.stdout) for word in ("Drucker", "Kyocera", "Überwachung", "Kennwörter"))


def test_list_at_80_columns_names_what_it_left_out_and_wide_shows_it(shop: Ledger) -> None:
    narrow = at(shop, 80, "list", "2024-03")
    [hint] = HINT.findall(narrow.stderr)
    count, width, names = hint
    left_out = names.split(", ")
    assert width == "80" and int(count) == len(left_out)
    assert {"contact", "machine", "channel", "supporter"} <= set(left_out)
    header = table_cells(narrow.stdout)[0]
    assert not set(left_out) & set(header)
    assert "Herr Horst Maier" not in narrow.stdout and "PC-Buchhaltung-03" not in narrow.stdout

    wide = at(shop, 80, "list", "2024-03", "--wide")
    assert not HINT.search(wide.stderr)
    assert set(left_out) <= set(table_cells(wide.stdout)[0])
    assert whole("Herr Horst Maier", wide.stdout) and whole("PC-Buchhaltung-03", wide.stdout)
    assert LONG_NOTE in wide.stdout  # --wide does not wrap the note either


def test_at_120_columns_the_list_needs_no_hint_for_empty_columns_and_keeps_more(shop: Ledger) -> None:
    narrow, wider = at(shop, 80, "list", "2024-03"), at(shop, 120, "list", "2024-03")
    [(_, _, at_80)] = HINT.findall(narrow.stderr)
    [(_, _, at_120)] = HINT.findall(wider.stderr)
    assert set(at_120.split(", ")) < set(at_80.split(", "))  # more room, fewer columns left out
    assert len(table_cells(wider.stdout)[0]) > len(table_cells(narrow.stdout)[0])


def test_csv_and_json_carry_every_column_at_any_width(shop: Ledger) -> None:
    for fmt in ("csv", "json"):
        assert (
            at(shop, 80, "list", "2024-03", "--format", fmt).stdout
            == at(shop, 200, "list", "2024-03", "-f", fmt).stdout
        )
    header = at(shop, 80, "list", "2024-03", "--format", "csv").stdout.splitlines()[0]
    assert header.split(",") == [
        "id", "customer", "date", "start", "end", "duration", "supporter", "contact", "machine", "channel", "note",
        "billing", "billed_minutes", "amount",
    ]  # fmt: skip


def report_cells(ledger: Ledger, *by: str) -> list[str]:
    rows = ledger.json("report", "2024-03", *(("--by", ",".join(by)) if by else ()))
    inner = [i for r in rows for i in r.get("groups", [])]
    out = []
    for r in [*rows, *inner]:
        out.append(r["group"])
        out += [cell_text(timedelta(seconds=r[k]), "duration", None) for k in ("net_seconds", "billable_seconds")]
        out.append(cell_text(Decimal(r["amount"]), "money", None))
    return out


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("by", [(), ("customer",), ("supporter",), ("month",), ("day",), ("tag",), ("day", "customer")])
def test_report_fits_with_every_grouping(shop: Ledger, width: int, by: tuple[str, ...]) -> None:
    result = at(shop, width, "report", "2024-03", *(("--by", ",".join(by)) if by else ()))
    musts = report_cells(shop, *by)
    assert any(re.fullmatch(r"\d\d,\d{3}\.\d\d", m) for m in musts)  # a five-figure amount to keep whole
    assert_fits(result.stdout, width, [m for m in musts if m])


def test_report_at_80_columns_leaves_the_minutes_out_and_says_so(shop: Ledger) -> None:
    result = at(shop, 80, "report", "2024-03", "--by", "day,customer")
    [(_, _, names)] = HINT.findall(result.stderr)
    assert "charged min" in names.split(", ")
    assert "charged min" not in result.stdout
    assert "charged min" in at(shop, 80, "report", "2024-03", "--by", "day,customer", "--wide").stdout


@pytest.mark.parametrize("width", WIDTHS)
def test_customer_list_keeps_keys_rates_and_remote_ids_whole(shop: Ledger, width: int) -> None:
    result = at(shop, width, "customer", "list")
    musts = ["autohaus-schmidt-gmbh", "steuerkanzlei-hoerner", "1,234.56", "95.00", "565955529", "123456789"]
    assert_fits(result.stdout, width, musts)


@pytest.mark.parametrize("width", WIDTHS)
def test_status_keeps_key_id_and_times_whole(shop: Ledger, width: int) -> None:
    started = shop.ok("start", "autohaus-schmidt-gmbh", "--at", "05.03.2024 10:00").stderr
    sid = re.search(r"\((\w+)\)", started)
    assert sid
    shop.ok("pause", "--at", "05.03.2024 11:00")
    out = at(shop, width, "status", "--all").stdout
    musts = ["autohaus-schmidt-gmbh", f"({sid.group(1)})", "05.03.2024", "10:00,", "1:00:00", "11:00", "Hörner"]
    assert_fits(out, width, musts)


def test_a_paused_status_says_each_thing_once(ledger: Ledger) -> None:
    # NOW is 05.03.2024 12:00: one hour worked, then paused at 11:00.
    sid = ledger.add("acme", "04.03.2024 09:00", "04.03.2024 09:30")  # an earlier session: not the running one
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    running = ledger.ok("status").stdout.strip()
    m = re.fullmatch(r"acme  running since 05\.03\.2024 10:00, 2:00:00 worked  \((\w+)\)", running)
    assert m, running
    ledger.ok("pause", "--at", "05.03.2024 11:00")
    paused = ledger.ok("status").stdout.strip()
    new_id = m.group(1)
    assert new_id != sid
    assert paused == f"acme  since 05.03.2024 10:00, 1:00:00 worked, paused since 11:00  ({new_id})"
    # A pause that began on another day than the session names its day.
    ledger.ok("start", "beta", "--at", "04.03.2024 23:00", supporter="Anna Weber")
    ledger.ok("pause", "--at", "05.03.2024 00:30", supporter="Anna Weber")
    night = ledger.ok("status", supporter="Anna Weber").stdout.strip()
    assert night.startswith("beta  since 04.03.2024 23:00, 1:30:00 worked, paused since 05.03.2024 00:30  (")


def test_invoice_takes_last_month_and_this_month(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme", "--rate", "60")
    ledger.add("acme", "20.02.2024 10:00", "20.02.2024 11:00")
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 10:30")
    by_month = ledger.ok("invoice", "2024-02").stdout
    last = ledger.ok("invoice", "last-month")  # NOW is 05.03.2024
    assert last.stdout == by_month and "60.00" in by_month
    assert "2024-02: 1 session(s)" in last.stderr
    assert ledger.ok("invoice", "vormonat").stdout == by_month
    assert ledger.ok("invoice", "month").stdout == ledger.ok("invoice", "2024-03").stdout
    # January's last month is December of the year before.
    january = ledger.ok("invoice", "last-month", now="2024-01-10T12:00:00+01:00")
    assert "2023-12: 0 session(s)" in january.stderr
    ledger.refused("invoice", "last-week", match=r"cannot read month 'last-week'.*last-month")


def test_one_function_decides_the_columns_for_any_writer() -> None:
    cols = [Column("id", "ID"), Column("note", "Notiz", wraps=True, drop=1), Column("who", "Wer", drop=2)]
    rows = [["k3f9qz8a", "ein langer Text " * 4, "Klaus Hörner"]]
    assert fit(cols, rows, None, gap=2).shown == (0, 1, 2)
    roomy = fit(cols, rows, 60, gap=2)
    assert roomy.shown == (0, 1, 2) and roomy.width <= 60 and roomy.widths[0] == 8
    tight = fit(cols, rows, 8 + 2 + WRAP_MIN, gap=2)
    assert tight.shown == (0, 1) and [c.key for c in tight.left_out] == ["who"]
    assert tight.widths == (8, WRAP_MIN)
    # Too narrow even for the id: the id stays whole and the table is wider than asked.
    assert fit(cols, rows, 5, gap=2).widths == (8,)


def test_list_under_a_real_80_column_terminal(shop: Ledger) -> None:
    env = {k: v for k, v in {**os.environ, **shop.env()}.items() if v is not None and k != "COLUMNS"}
    env["TERM"] = "xterm"
    command = f"stty cols 80 rows 50; {console_script()} list 2024-03"
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stdout).replace("\r", "")
    table = screen.split("hint:")[0]
    assert_fits(table, 80, session_cells(shop))
    assert re.search(r"hint: \d+ columns left out to fit 80 columns \(.*contact.*\); --wide shows all", screen)


CELL = st.text(alphabet="abcäöü ÜßXYZ0123456789-.,:", max_size=30)


@given(
    kinds=st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.booleans()), min_size=1, max_size=8),
    data=st.data(),
    width=st.integers(1, 200) | st.none(),
)
def test_the_layout_never_cuts_a_column_that_does_not_wrap(
    kinds: list[tuple[int, bool, bool]], data: st.DataObject, width: int | None
) -> None:
    cols = [Column(f"c{i}", f"c{i}", drop=d, wraps=w, drop_if_same=s) for i, (d, w, s) in enumerate(kinds)]
    rows = data.draw(st.lists(st.lists(CELL, min_size=len(cols), max_size=len(cols)), max_size=5))
    layout = fit(cols, rows, width, gap=2)
    shown = dict(zip(layout.shown, layout.widths, strict=True))
    assert layout.width == sum(shown.values()) + 2 * max(len(shown) - 1, 0)
    for i, c in enumerate(cols):
        longest = max((text_width(r[i]) for r in rows), default=0)
        if c.drop == 0 and not (c.drop_if_same and len({r[i] for r in rows} - {""}) <= 1):
            assert i in shown  # a column that may not drop is always there
        if i in shown and not c.wraps:
            assert shown[i] >= longest  # and never narrower than its longest cell
        if c in layout.left_out:
            assert c.drop > 0 and i not in shown and any(r[i] for r in rows)
    if width is None:
        assert len(shown) == len(cols) and not layout.left_out
    elif layout.width > width:
        # Only when what may not drop is too wide by itself, and then nothing else is shown.
        assert all(cols[i].drop == 0 for i in shown)

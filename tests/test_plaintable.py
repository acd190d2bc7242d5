"""Tables for files and pipes are written without Rich, byte for byte as Rich writes them."""

from __future__ import annotations

import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sessionlog.cli import plaintable
from sessionlog.cli.table import GAP, draw_rich, print_table
from sessionlog.fit import fit
from sessionlog.render import KINDS, Column

words = st.text(st.sampled_from("abcxyzÄöüß0123456789.,:-€\u2013 "), max_size=14)
columns_st = st.lists(
    st.builds(
        Column,
        key=st.text("abcdefgh", min_size=1, max_size=6),
        de=st.just("x"),
        title=st.text("ABCdefÜ ", max_size=10),
        kind=st.sampled_from([k for k in KINDS if k != "list"]),
        wraps=st.booleans(),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(
    columns=columns_st,
    data=st.data(),
    width=st.none() | st.integers(20, 200),
    title=st.none() | words,
    footer=st.booleans(),
)
def test_plain_tables_are_what_rich_draws(
    columns: list[Column], data: st.DataObject, width: int | None, title: str | None, footer: bool
) -> None:
    rows = data.draw(st.lists(st.lists(words, min_size=len(columns), max_size=len(columns)), max_size=6))
    if footer and not rows:
        rows = [["" for _ in columns]]
    layout = fit(columns, rows, width, gap=GAP)
    plain, rich = io.StringIO(), io.StringIO()
    if plaintable.write(plain, columns, rows, layout, title=title, footer=footer, gap=GAP):
        draw_rich(rich, columns, rows, layout, width, title=title, footer=footer)
        assert plain.getvalue() == rich.getvalue()


def test_a_report_of_500_rows_is_written_plain_and_a_wrapping_note_goes_to_rich() -> None:
    cols = [Column("customer", "Kunde"), Column("amount", "Betrag", kind="money"), Column("note", "Notiz", wraps=True)]
    rows = [{"customer": f"kunde{i:03d}", "amount": Decimal(f"{i}.50"), "note": "Drucker"} for i in range(500)]
    out = io.StringIO()
    print_table(rows, cols, out, footer={"customer": "total", "amount": Decimal("125000.00")})
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 + 1 + 500 + 1 + 1 and lines[-1].startswith("total")
    assert lines[2].split() == ["kunde000", "0.50", "Drucker"]

    long_note = [{"customer": "acme", "amount": Decimal("1.00"), "note": "Drucker " * 40}]
    assert not plaintable.write(io.StringIO(), cols, [["acme", "1.00", "Drucker " * 40]],
                                fit(cols, [["acme", "1.00", "Drucker " * 40]], 80, gap=GAP),
                                title=None, footer=False, gap=GAP)  # fmt: skip
    out = io.StringIO()
    print_table(long_note, cols, out)
    assert out.getvalue().count("Drucker") == 40  # wrapped by Rich over several lines, none lost

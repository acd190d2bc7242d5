"""Tables written to a file or pipe without Rich are, character for character, what Rich draws."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sessionlog.plaintable
from sessionlog.plaintable import plain_output, plain_table
from sessionlog.render import PIPE_WIDTH, Column, print_table

# Mostly text the plain writer takes (umlauts, markup-like brackets), sometimes text it leaves to Rich.
TEXT = st.one_of(
    st.text(alphabet=st.sampled_from("abcXYZ 019.:-_äöüßÄÉ[]/"), max_size=14),
    st.text(alphabet=st.sampled_from("ab "), max_size=5),
    st.text(alphabet=st.sampled_from("ab €—→中\t\n\u0301"), max_size=6),
)
KINDS = ("text", "int", "money")


def rich(rows: list[dict[str, Any]], columns: list[Column], **kwargs: Any) -> str:
    """What Rich itself draws."""
    out = io.StringIO()
    original = sessionlog.plaintable.plain_output
    sessionlog.plaintable.plain_output = lambda _: False  # type: ignore[assignment]
    try:
        print_table(rows, columns, out, **kwargs)
    finally:
        sessionlog.plaintable.plain_output = original
    return out.getvalue()


def printed(rows: list[dict[str, Any]], columns: list[Column], **kwargs: Any) -> str:
    out = io.StringIO()
    print_table(rows, columns, out, **kwargs)
    return out.getvalue()


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[Column], dict[str, Any]]:
    n = draw(st.integers(1, 9))
    kinds = [draw(st.sampled_from(KINDS)) for _ in range(n)]
    columns = [Column(f"c{i}", f"C{i}", title=draw(st.sampled_from(("", "Betrag", "wide header title"))), kind=k)
               for i, k in enumerate(kinds)]  # fmt: skip

    def value(kind: str) -> object:
        if kind == "int":
            return draw(st.none() | st.integers(-(10**12), 10**12))
        if kind == "money":
            return draw(st.none() | st.decimals(min_value=-(10**9), max_value=10**9, places=2))
        return draw(TEXT)

    rows = [{c.key: value(c.kind) for c in columns} for _ in range(draw(st.integers(0, 6)))]
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["title"] = draw(TEXT)
    if draw(st.booleans()):
        extra["footer"] = {c.key: value(c.kind) for c in columns}
    return rows, columns, extra


@settings(max_examples=500, deadline=None)
@given(table=tables())
def test_plain_tables_are_what_rich_draws(table: tuple[list[dict[str, Any]], list[Column], dict[str, Any]]) -> None:
    rows, columns, extra = table
    assert printed(rows, columns, **extra) == rich(rows, columns, **extra)


def cols() -> list[Column]:
    return [Column("group", "Gruppe"), Column("n", "N", kind="int"), Column("amount", "Betrag", kind="money")]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How often plain_table wrote a table itself."""
    calls: list[int] = []
    original = sessionlog.plaintable.plain_table

    def spy(*args: Any, **kwargs: Any) -> str | None:
        text = original(*args, **kwargs)
        calls.append(text is not None)
        return text

    monkeypatch.setattr(sessionlog.plaintable, "plain_table", spy)
    yield calls


def test_a_report_sized_table_is_written_without_rich(counted: list[int]) -> None:
    rows = [{"group": f"kunde{i:03d}", "n": i, "amount": Decimal(i) / 4} for i in range(500)]
    text = printed(rows, cols(), title="2024 by customer", footer={"group": "total", "n": 1, "amount": Decimal(1)})
    assert counted == [True]
    assert text == rich(rows, cols(), title="2024 by customer", footer={"group": "total", "n": 1, "amount": Decimal(1)})
    assert text.splitlines()[0].strip() == "2024 by customer"


@pytest.mark.parametrize(
    "row",
    [
        {"group": "x" * PIPE_WIDTH, "n": 1},  # wider than the width: Rich wraps it
        {"group": "Zeile 1\nZeile 2", "n": 1},  # a line break inside a cell
        {"group": "打印机", "n": 1},  # two columns per character on screen
        {"group": "Tab\there", "n": 1},
    ],
)
def test_tables_only_rich_can_draw_are_left_to_it(counted: list[int], row: dict[str, Any]) -> None:
    assert printed([row], cols()) == rich([row], cols())
    assert counted == [False]


def test_a_terminal_or_forced_colour_gets_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert plain_output(io.StringIO())
    assert not plain_output(Terminal())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not plain_output(io.StringIO())
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert not plain_output(io.StringIO())


def test_plain_table_layout() -> None:
    text = plain_table(["a", "n"], [["x", "10"]], [False, True], 80, title="T", footer=["Σ", "1"])
    assert text is None  # Greek: left to Rich, which knows every character's width
    text = plain_table(["a", "n"], [["x", "10"]], [False, True], 80, title="T", footer=["ä", "1"])
    assert text == ("    T     \n┏━━━┳━━━━┓\n┃ a ┃  n ┃\n┡━━━╇━━━━┩\n│ x │ 10 │\n├───┼────┤\n│ ä │  1 │\n└───┴────┘\n")

"""`report --by`: the grouping option (one level or two) and the rows of a two-level report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Annotated, Any

import typer
from typer._click.core import Context, Parameter
from typer._click.shell_completion import CompletionItem
from typer._click.types import ParamType

from sessionlog.i18n import said
from sessionlog.model import SessionlogError
from sessionlog.render import Column
from sessionlog.reports import WEEKDAYS, Grouping, Row, parse_groupings, row_as_json


class GroupingsType(ParamType):
    """`customer` or `customer,tag`; a wrong value is a usage error like any other choice's."""

    name = "grouping"

    def get_metavar(self, param: Parameter, ctx: Context) -> str:
        return "<" + "|".join(Grouping) + ">[,…]"

    def convert(self, value: Any, param: Parameter | None, ctx: Context | None) -> tuple[Grouping, ...]:
        if isinstance(value, tuple):
            return value
        try:
            return parse_groupings(str(value))
        except SessionlogError as exc:
            self.fail(said(exc.problem.message), param, ctx)

    def shell_complete(self, ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
        done, _, last = incomplete.rpartition(",")
        prefix = f"{done}," if done else ""
        return [CompletionItem(prefix + g) for g in Grouping if g.startswith(last.lower())]


ByOpt = Annotated[
    Any,
    typer.Option(
        "--by",
        click_type=GroupingsType(),
        help="What each row totals; two levels with a comma: --by customer,tag, --by day,customer.",
    ),
]


def label(group: str, by: str) -> str:
    """A group as the table shows it: a day with its ISO week and weekday, like `timew summary`."""
    if by != Grouping.DAY:
        return group
    try:
        day = date.fromisoformat(group)
    except ValueError:
        return group
    return f"W{day.isocalendar().week:02d} {group} {WEEKDAYS[day.weekday()]}"


def within_columns(columns: tuple[Column, ...], by: str, then: str) -> tuple[Column, ...]:
    """The report's columns with a second group column; both are titled by their grouping."""
    first, *rest = columns
    return (replace(first, title=by), Column("subgroup", "Untergruppe", title=then), *rest)


def within_rows(
    rows: list[Row],
    within: list[list[Row]],
    by: str,
    then: str,
    row: Callable[[Row], dict[str, object]],
    *,
    table: bool,
) -> list[dict[str, object]]:
    """Table: each group's row, then its rows within; CSV: only the rows within, each naming its group."""
    out: list[dict[str, object]] = []
    for outer, inner in zip(rows, within, strict=True):
        name = label(outer.group, by) if table else outer.group
        if table:
            out.append({**row(outer), "group": name, "subgroup": ""})
        for r in inner:
            sub = label(r.group, then) if table else r.group
            out.append({**row(r), "group": "" if table else name, "subgroup": sub})
    return out


def within_json(rows: list[Row], within: list[list[Row]]) -> list[dict[str, object]]:
    """Each group's object with its rows within under `groups` (the same keys, one level down)."""
    return [
        {**row_as_json(r), "groups": [row_as_json(i) for i in inner]} for r, inner in zip(rows, within, strict=True)
    ]

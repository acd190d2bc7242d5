"""`report`: totals per group over a period."""

from __future__ import annotations

from dataclasses import dataclass, field

from sessionlog.app.context import Context
from sessionlog.app.listing import load, running_warnings, unfinished_warnings
from sessionlog.model import Problem
from sessionlog.periods import Period
from sessionlog.reports import Grouping, Row, summarize, summarize_within, totals


@dataclass(frozen=True)
class Report:
    period: Period
    by: Grouping
    rows: list[Row]
    totals: list[Row]  # one per currency
    warnings: list[Problem]
    skipped: list[Problem]  # left out with --skip-broken: the figures are incomplete
    then: Grouping | None = None  # the second level of `--by customer,tag`
    within: list[list[Row]] = field(default_factory=list)  # with `then`: each row's rows, in order


def report(
    ctx: Context,
    period: Period,
    by: Grouping,
    customer: str | None = None,
    *,
    skip_broken: bool = False,
    then: Grouping | None = None,
) -> Report:
    view = load(ctx, period, customer, skip_broken=skip_broken)
    picked = [view.lines[s.id] for s in view.sessions if s.id in view.lines]
    warnings = view.warnings + running_warnings(view.sessions) + unfinished_warnings(view.sessions)
    if then is None:
        return Report(period, by, summarize(picked, by, ctx.tz), totals(picked), warnings, view.skipped)
    pairs = summarize_within(picked, by, then, ctx.tz)
    rows, within = [row for row, _ in pairs], [inner for _, inner in pairs]
    return Report(period, by, rows, totals(picked), warnings, view.skipped, then, within)

"""`insights`: repeat incidents, where the time goes, the trend, and charts."""

from __future__ import annotations

import io
import json
import os
import sys
from datetime import datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sessionlog.cli import terminal
from sessionlog.cli.common import CustomerOpt, SkipBroken, app_context, finish_incomplete
from sessionlog.cli.env import say
from sessionlog.cli.listing import From, To
from sessionlog.i18n import Language, _, document_language

if TYPE_CHECKING:
    from rich.console import Console

    from sessionlog.app.insights import Insights
    from sessionlog.periods import Period

# Width of the page when it goes to a file or a pipe (COLUMNS overrides it).
PAGE_WIDTH = 100


class PageFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    HTML = "html"


def register(app: typer.Typer) -> None:
    app.command()(insights)


def insights(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Argument(metavar="[PERIOD]", help="2024, 2024-03, last-month, week … (default: this year so far)."),
    ] = None,
    from_: From = None,
    to: To = None,
    customer: CustomerOpt = None,
    within: Annotated[
        str, typer.Option("--within", metavar="DAYS", help="A repeat comes back within this many days: 14d, 2w.")
    ] = "14d",
    top: Annotated[int, typer.Option("--top", metavar="N", help="How many customers, machines, tags to rank.")] = 5,
    fmt: Annotated[PageFormat, typer.Option("--format", "-f", help="A page for the terminal, JSON, or HTML.")] = (
        PageFormat.TABLE
    ),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write the page to FILE instead of stdout.")
    ] = None,
    language: Annotated[
        Language | None,
        typer.Option("--language", help="Language of the HTML page (default: the language of the ledger or system)."),
    ] = None,
    skip_broken: SkipBroken = False,
) -> None:
    """Repeat incidents, where the time goes, the trend against the period before, and charts.

    Example: sessionlog insights 2024 --format html --out insights.html
    """
    from sessionlog.app import insights as workflow
    from sessionlog.app.listing import select_period

    c = app_context(ctx)
    days = workflow.within_days(within)
    chosen = select_period(c, period or ("year" if from_ is None and to is None else None), from_, to)
    ins = workflow.insights(c, chosen, customer=customer, within=days, top=top, skip_broken=skip_broken)
    if fmt is PageFormat.JSON:
        data = (json.dumps(as_json(ins, c.tz), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif fmt is PageFormat.HTML:
        from sessionlog.insights_html import render_page

        lang = language or document_language(c.ledger.settings.language, c.ledger.settings.csv_profile)
        data = render_page(ins, c.tz, lang, top, c.now).encode("utf-8")
    elif out is not None:
        data = _page_text(ins, c.tz, top)
    else:
        _page(terminal.console(sys.stdout, width=_width()), ins, c.tz, top)
        data = b""
    if out is not None:
        from sessionlog.app.statement import save

        for path in save(c, out.parent, [(out.name, data)]):
            say(_("wrote {path}").format(path=path))
    elif data:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    finish_incomplete(ins.skipped)


def _width() -> int:
    """The page's width off a terminal: COLUMNS where set, else PAGE_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PAGE_WIDTH


def _page(console: Console, ins: Insights, tz: tzinfo, top: int) -> None:
    from sessionlog.cli.insights_view import render

    render(console, ins, tz, top)


def _page_text(ins: Insights, tz: tzinfo, top: int) -> bytes:
    """The terminal page as plain text, for --out FILE."""
    buffer = io.StringIO()
    _page(terminal.console(buffer, width=_width()), ins, tz, top)
    return buffer.getvalue().encode("utf-8")


def _period(p: Period | None) -> dict[str, object] | None:
    if p is None:
        return None
    return {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()}


def _number(value: int | Decimal) -> int | str:
    return str(value) if isinstance(value, Decimal) else value


def as_json(ins: Insights, tz: tzinfo) -> dict[str, object]:
    """The page as data; the keys are a published interface (README, "insights")."""
    from sessionlog import charts
    from sessionlog.cli.insights_view import ranked_json

    def when(moment: datetime) -> str:
        return moment.astimezone(tz).isoformat()

    return {
        "period": _period(ins.period),
        "current": _period(ins.current),
        "previous": _period(ins.previous),
        "sessions": len(ins.sessions),
        "trend": [
            {
                "name": ch.name,
                "current": _number(ch.current),
                "previous": _number(ch.previous) if ins.previous else None,
                "change": _number(ch.delta) if ins.previous else None,
                "percent": None if ch.percent is None or not ins.previous else str(ch.percent),
            }
            for ch in ins.trend
        ],
        "repeats": {
            "within_days": ins.within.days,
            "chains": [
                {
                    "customer": ch.customer,
                    "kind": ch.kind,
                    "subject": ch.subject,
                    "sessions": [s.id for s in ch.sessions],
                    "starts": [when(s.start) for s in ch.sessions],
                    "repeats": ch.repeats,
                    "tags": ch.tags,
                }
                for ch in ins.chains
            ],
            "rates": [
                {
                    "customer": r.customer,
                    "sessions": r.sessions,
                    "repeats": r.repeats,
                    "chains": r.chains,
                    "rate_percent": str(r.rate),
                }
                for r in ins.rates
            ],
            "without_machine_or_contact": ins.unattributed,
        },
        "top": {
            key: {
                "by_sessions": [ranked_json(r) for r in t.by_sessions],
                "by_net_seconds": [ranked_json(r) for r in t.by_minutes],
                "by_free_seconds": [ranked_json(r) for r in t.by_free],
            }
            for key, t in ins.top.items()
        },
        "look_alike_tags": [{"tag": a.tag, "like": a.like} for a in ins.alike],
        "missing": {
            "sessions": len(ins.gaps),
            "no_note": sum(g.no_note for g in ins.gaps),
            "no_tag": sum(g.no_tag for g in ins.gaps),
            "neither": sum(g.no_note and g.no_tag for g in ins.gaps),
            "list": [
                {
                    "id": g.session.id,
                    "customer": g.session.customer,
                    "start": when(g.session.start),
                    "missing": g.missing,
                }
                for g in ins.gaps
            ],
        },
        "charts": {
            "months": [
                {
                    "month": m.month,
                    "sessions": m.sessions,
                    "billable_seconds": m.billable_seconds,
                    "free_seconds": m.free_seconds,
                }
                for m in ins.months
            ],
            "weekdays": [{"day": d, "sessions": n} for d, n in zip(charts.WEEKDAYS, ins.weekdays, strict=True)],
            "hours": [{"hour": f"{h:02d}:00", "sessions": n} for h, n in enumerate(ins.hours)],
        },
    }

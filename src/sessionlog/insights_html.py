"""The insights page as one self-contained HTML file with SVG charts.

It uses the statements' template machinery (`statement_html.environment`: Jinja2, autoescaped,
sandboxed, the same filters); the template is `sessionlog/templates/insights.html`. Chart
geometry comes from `sessionlog.charts`, the same numbers the terminal's bars are drawn from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from sessionlog import charts
from sessionlog.insights_text import TEXT
from sessionlog.model import Kind, SessionlogError, format_duration
from sessionlog.statement_text import LOCALES

if TYPE_CHECKING:
    from sessionlog.app.insights import Insights
    from sessionlog.insights import Top

NAME = "sessionlog/insights.html"
GAPS_SHOWN = 50  # sessions without note or tag listed on the page; JSON lists all
HOUR = 3600


def hours(seconds: int) -> str:
    """'8:30': hours and minutes."""
    h, rest = divmod(max(0, int(seconds)) // 60, 60)
    return f"{h}:{rest:02d}"


def _template() -> str:
    return resources.files("sessionlog").joinpath("templates", "insights.html").read_text(encoding="utf-8")


MINUS = "\N{MINUS SIGN}"


def _trend(ins: Insights, t: dict[str, str], number: Callable[[Any], str]) -> list[dict[str, str]]:
    def show(name: str, value: Any) -> str:
        if name == "sessions":
            return number(value)
        if name == "after_hours_percent":
            return f"{number(value)} %"
        return format_duration(timedelta(seconds=int(value)))

    def signed(value: int | Decimal, text: str) -> str:
        return f"{MINUS if value < 0 else '+'}{text}"

    rows = []
    for ch in ins.trend:
        if ch.name == "after_hours_percent":
            change = signed(ch.delta, f"{number(abs(ch.delta))} {t['points']}")
        else:
            change = signed(ch.delta, show(ch.name, abs(ch.delta)))
        if ch.percent is not None:
            change += f" ({signed(ch.percent, number(abs(ch.percent)))} %)"
        rows.append(
            {
                "name": t[f"trend_{ch.name}"],
                "current": show(ch.name, ch.current),
                "previous": show(ch.name, ch.previous) if ins.previous else "",
                "change": change if ins.previous else "",
                "direction": "up" if ch.delta > 0 else "down" if ch.delta < 0 else "same",
            }
        )
    return rows


def _top_rows(top: Top) -> list[dict[str, Any]]:
    rows = []
    for r in top.union():
        by_sessions, by_minutes, by_free = top.rank(r)
        rows.append(
            {
                "name": r.name,
                "customer": r.customer,
                "sessions": r.sessions,
                "worked": format_duration(timedelta(seconds=r.net_seconds)),
                "free": format_duration(timedelta(seconds=r.free_seconds)) if r.free_seconds else "",
                "free_value": sorted(r.free_value.items()),
                "ranks": (by_sessions, by_minutes, by_free),
            }
        )
    return rows


def context(ins: Insights, tz: tzinfo, language: str, top: int, now: datetime) -> dict[str, Any]:
    """What the template gets."""
    from babel.dates import format_date
    from babel.numbers import format_decimal

    locale = LOCALES[language]
    t = TEXT[language]

    def number(value: Any) -> str:
        return format_decimal(value, locale=locale)

    months = charts.column_chart(
        [format_date(date.fromisoformat(f"{m.month}-01"), "MMM yy", locale=locale) for m in ins.months],
        [[m.billable_seconds for m in ins.months], [m.free_seconds for m in ins.months]],
        unit=HOUR,
    )
    shown = charts.hour_range(ins.hours)
    day_names = [format_date(date(2024, 1, 1) + timedelta(days=i), "EEE", locale=locale) for i in range(7)]
    gaps = ins.gaps[:GAPS_SHOWN]
    repeats = sum(c.repeats for c in ins.chains)
    return {
        "lang": language,
        "t": t,
        "ins": ins,
        "created": now.astimezone(tz).date(),
        "trend": _trend(ins, t, number),
        "months": months,
        "month_names": [m.month for m in ins.months],
        "weekdays": charts.column_chart(day_names, [ins.weekdays], width=320),
        "hours": charts.column_chart([f"{h:02d}" for h in shown], [[ins.hours[h] for h in shown]], width=960),
        "chains": [
            {
                "customer": c.customer,
                "subject": c.subject,
                "count": len(c.sessions),
                "first": c.sessions[0].start.astimezone(tz),
                "last": c.sessions[-1].start.astimezone(tz),
                "tags": ", ".join(c.tags),
                "ids": ", ".join(s.id for s in c.sessions),
            }
            for c in ins.chains[: top * 2]
        ],
        "more_chains": max(0, len(ins.chains) - top * 2),
        "rates": [r for r in ins.rates if r.repeats][:top],
        "repeats": repeats,
        "top": {key: _top_rows(value) for key, value in ins.top.items()},
        "alike": [(a.tag, a.like) for a in ins.alike],
        "gaps": [
            {"s": g.session, "start": g.session.start.astimezone(tz), "missing": [t[f"missing_{m}"] for m in g.missing]}
            for g in gaps
        ],
        "more_gaps": len(ins.gaps) - len(gaps),
        "no_note": sum(g.no_note for g in ins.gaps),
        "no_tag": sum(g.no_tag for g in ins.gaps),
        "both": sum(g.no_note and g.no_tag for g in ins.gaps),
    }


def render_page(ins: Insights, tz: tzinfo, language: str, top: int, now: datetime) -> str:
    """The page as one HTML document."""
    import jinja2

    from sessionlog.statement_html import environment

    def load(name: str) -> tuple[str, str | None, Callable[[], bool]] | None:
        return (_template(), NAME, lambda: True) if name == NAME else None

    env = environment(load, language)
    env.filters["hours"] = hours
    try:
        return env.get_template(NAME).render(context(ins, tz, language, top, now))
    except jinja2.TemplateError as exc:  # the shipped template is tested; this names a broken install
        raise SessionlogError(f"template {NAME}: {exc}", Kind.INVALID) from None

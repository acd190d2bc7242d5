"""Statements as one self-contained HTML file (Jinja2, autoescaped), and as PDF from that HTML.

The shipped template is `sessionlog/templates/statement.html`; a ledger's own
`templates/statement.html` replaces it and may extend it (`{% extends "sessionlog/statement.html" %}`)
to change only some blocks. Templates run sandboxed: a template from a shared ledger can
format values but cannot reach Python.
"""

from __future__ import annotations

import base64
import logging
import traceback
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from sessionlog.app.statement import Statement
from sessionlog.model import Kind, SessionlogError, format_duration
from sessionlog.statement_text import LOCALES, TEXT
from sessionlog.store.documents import Template

if TYPE_CHECKING:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

DEFAULT = "sessionlog/statement.html"
OVERRIDE = "statement.html"
DASH = "\N{EN DASH}"


def _package_template() -> str:
    return resources.files("sessionlog").joinpath("templates", "statement.html").read_text(encoding="utf-8")


def _css_string(text: object) -> Any:
    """A CSS string literal, safe inside <style>: quotes and backslashes escaped, no '<' at all."""
    from markupsafe import Markup

    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')  # already safe: HTML-escaping it would break the CSS


def _filters(language: str) -> dict[str, Callable[..., Any]]:
    from babel.dates import format_date
    from babel.numbers import format_currency, format_decimal

    locale = LOCALES[language]
    t = TEXT[language]

    def day(value: date | datetime) -> str:
        return format_date(value, "medium", locale=locale)

    return {
        "money": lambda amount, currency: format_currency(amount, currency, locale=locale),
        "number": lambda value: format_decimal(value, locale=locale),
        "day": day,
        "month": lambda value: format_date(value, "MMMM yyyy", locale=locale),
        "clock": lambda value: value.strftime("%H:%M"),
        "duration": lambda value: format_duration(value),
        "reason": lambda value: t.get(f"reason_{value}", value),
        "channel": lambda value: t.get(f"channel_{value}", value),
        "lines": lambda text: [ln.strip() for ln in str(text or "").splitlines() if ln.strip()],
        "css_string": _css_string,
    }


def _hours(statement: Statement, language: str) -> str:
    """'Mo-Fr 08:00-18:00' (with en dashes) from the ledger's business hours."""
    names = TEXT[language]["days"].split(",")
    days = sorted(statement.business_hours.days)
    runs: list[list[int]] = []
    for d in days:
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    span = ", ".join(names[r[0]] if len(r) == 1 else f"{names[r[0]]}{DASH}{names[r[-1]]}" for r in runs)
    hours = f"{statement.business_hours.start:%H:%M}{DASH}{statement.business_hours.end:%H:%M}"
    return f"{span} {TEXT[language]['clock'].format(time=hours)}"


def _rules(statement: Statement, language: str) -> str:
    """The customer's rounding rule in one sentence, so the billed minutes can be checked."""
    t = TEXT[language]
    r = statement.rules
    if r.increment == 1:
        parts = [t["rule_by_minute"]]
    else:
        parts = [t["rule_increment"].format(increment=r.increment), t[f"rounding_{r.rounding}"]]
    if r.minimum:
        parts.append(t["rule_minimum"].format(minimum=r.minimum))
    return ", ".join(parts) + "."


def context(statement: Statement, language: str) -> dict[str, Any]:
    """What a template gets (the README lists it)."""
    from babel.numbers import format_decimal

    t = TEXT[language]
    logo = statement.logo
    factors = statement.after_hours_factors
    hours = _hours(statement, language)
    return {
        "lang": language,
        "t": t,
        "statement": statement,
        "company": statement.company,
        "customer": statement.customer,
        "logo": f"data:{logo.mime};base64,{base64.b64encode(logo.data).decode('ascii')}" if logo else None,
        "business_hours": hours,
        "rules": _rules(statement, language),
        "after_hours": [
            t["after_hours"].format(hours=hours, factor=format_decimal(f, locale=LOCALES[language])) for f in factors
        ],
        "marks": {f: "*" * (i + 1) for i, f in enumerate(factors)},
    }


def _fail(exc: Exception, template: Template | None) -> SessionlogError:
    """A template error as one line naming the ledger's template and line, where it is to blame."""
    path = template.path if template else None
    line = getattr(exc, "lineno", None)
    if line is None and template is not None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(template.path)]
        line = frames[-1].lineno if frames else None
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return SessionlogError(f"template: {message}", Kind.INVALID, path=path, line=line)


def environment(
    load: Callable[[str], tuple[str, str | None, Callable[[], bool]] | None], language: str
) -> ImmutableSandboxedEnvironment:
    """The Jinja2 environment of every document made from the ledger (statements, the insights
    page): autoescaped, strict about misspelt fields, sandboxed, with the filters in `language`."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,  # notes come from people and imports: they are text, never markup
        undefined=jinja2.StrictUndefined,  # a misspelt field in a template fails instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(_filters(language))
    return env


def render_html(statement: Statement, language: str, template: Template | None = None) -> str:
    """The statement as one HTML document; `template` is the ledger's own, if it has one."""
    import jinja2

    def load(name: str) -> tuple[str, str | None, Callable[[], bool]] | None:
        if name == OVERRIDE and template is not None:
            return template.text, str(template.path), lambda: True
        if name in (DEFAULT, OVERRIDE):
            return _package_template(), DEFAULT, lambda: True
        return None

    env = environment(load, language)
    try:
        return env.get_template(OVERRIDE).render(context(statement, language))
    except jinja2.TemplateError as exc:
        raise _fail(exc, template) from None
    except RecursionError:  # a ledger template that extends or includes itself
        raise SessionlogError(
            "template: it extends or includes itself", Kind.INVALID, path=template.path if template else None
        ) from None
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
        raise _fail(exc, template) from None


def render_pdf(html: str) -> bytes:
    """The HTML as PDF through WeasyPrint (the optional `pdf` extra)."""
    try:
        import weasyprint
    except ImportError:
        raise SessionlogError('PDF output needs WeasyPrint: pip install "sessionlog[pdf]"') from None
    except OSError as exc:  # the wheel is there but Pango, which it draws text with, is not
        raise SessionlogError(f"WeasyPrint cannot load the Pango library it needs ({exc}); install Pango") from None
    from weasyprint.urls import URLFetcher

    # WeasyPrint and fontTools report skipped CSS and font subsetting through logging: noise
    # for the person at the terminal, who sees the PDF.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False
    # A statement is self-contained: nothing but data: URLs is fetched, never the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf

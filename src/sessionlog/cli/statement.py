"""`statement`: each customer's detailed statement of a month, as HTML or PDF files."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sessionlog.cli.common import CustomerOpt, SkipBroken, app_context, finish_incomplete
from sessionlog.cli.env import say, warn
from sessionlog.i18n import Language, _, document_language
from sessionlog.model import Kind, SessionlogError


class DocumentFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


def register(app: typer.Typer) -> None:
    app.command()(statement)


def statement(
    ctx: typer.Context,
    month: Annotated[
        str, typer.Argument(metavar="MONTH", help="The month, e.g. 2024-03, 03.2024, month or last-month.")
    ],
    customer: CustomerOpt = None,
    fmt: Annotated[DocumentFormat, typer.Option("--format", "-f", help="HTML, or PDF (needs sessionlog[pdf]).")] = (
        DocumentFormat.HTML
    ),
    out: Annotated[
        str, typer.Option("--out", "-o", metavar="DIR", help="Folder for the files; '-': one statement to stdout.")
    ] = ".",
    no_free: Annotated[bool, typer.Option("--no-free", help="Leave out the free sessions (warranty, goodwill …).")] = (
        False
    ),
    language: Annotated[
        Language | None,
        typer.Option("--language", help="Language of the statement (default: the language of the ledger or system)."),
    ] = None,
    skip_broken: SkipBroken = False,
) -> None:
    """The customer's detailed statement of a month, one file per customer: every session and its figures.

    Example: sessionlog statement 2024-03 --customer ACME --format pdf
    """
    from sessionlog.app import statement as workflow
    from sessionlog.statement_html import render_html, render_pdf

    c = app_context(ctx)
    result = workflow.statements(c, month, customer=customer, include_free=not no_free, skip_broken=skip_broken)
    if out == "-" and len(result.statements) > 1:
        raise SessionlogError(
            f"--out - writes one statement, but {result.month} has {len(result.statements)} customers; "
            "choose one with --customer",
            Kind.USAGE,
        )
    lang = language or document_language(c.ledger.settings.language, c.ledger.settings.csv_profile)
    files: list[tuple[str, bytes]] = []
    # Everything is rendered before anything is written: a template error leaves no half set of files.
    for st in result.statements:
        html = render_html(st, lang, result.template)
        data = render_pdf(html) if fmt is DocumentFormat.PDF else html.encode("utf-8")
        files.append((f"{st.month}-{st.customer.key}.{fmt}", data))
    warn(result.warnings)
    if not files:
        say(_("{month}: no sessions, no statement written").format(month=result.month))
    elif out == "-":
        sys.stdout.buffer.write(files[0][1])
        sys.stdout.flush()
    else:
        for path in workflow.save(c, Path(out), files):
            say(_("wrote {path}").format(path=path))
    finish_incomplete(result.skipped)

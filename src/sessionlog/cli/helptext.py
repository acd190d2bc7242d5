"""Help texts in the reader's language, looked up when the help is shown, not when commands are built.

The help texts in the code are English, and they are the catalog's msgids. Typer builds the click
commands once (the tests build them once per session, lazy loading when a command is first used),
before the language of the run is known from the ledger; so the texts are translated while the help
is rendered, through the commands' classes here, which :func:`sessionlog.cli.common.new_app` gives
every command. Click's own words (Usage, Options, [default: …]) go through the same catalog.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from typer import _click as click  # Typer 0.28 ships its own click; pinned in pyproject.toml
from typer._click.utils import _escape_control_characters
from typer.core import TyperCommand

from sessionlog.i18n import _

# Click's own words in a help page, as msgids of our catalog.
_EXTRA = re.compile(r"\[(default: |env var: |required)")


def text(help: str | None) -> str | None:
    """A help text (docstring or option help) in the current language."""
    return None if help is None else _(inspect.cleandoc(help))


@contextmanager
def translated(command: click.Command, ctx: click.Context) -> Iterator[None]:
    """The command's and its parameters' help texts translated while the help is drawn, then restored."""
    items: list[Any] = [command, *command.get_params(ctx)]
    saved = [item.help for item in items]
    try:
        for item in items:
            item.help = text(item.help)
        yield
    finally:
        for item, old in zip(items, saved, strict=True):
            item.help = old


class Formatter(click.HelpFormatter):
    """Click's help formatter with click's headings and notes in the current language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        with super().section(_(name)):
            yield

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, _EXTRA.sub(lambda m: "[" + _(m.group(1)), help)) for term, help in rows]
        super().write_dl(rows, col_max, col_spacing)


def format_help(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter, draw: Any) -> None:
    """Draw the help with `draw` (the class's own format_help) into a translating formatter."""
    mine = Formatter(width=formatter.width, max_width=formatter.width)
    with translated(command, ctx):
        draw(ctx, mine)
    formatter.write(mine.getvalue())


def short_help(command: click.Command, limit: int) -> str:
    """The first sentence of the translated help, for the list of commands."""
    if command.short_help:
        return _(inspect.cleandoc(command.short_help))
    help = text(command.help)
    return click.utils.make_default_short_help(help, limit) if help else ""


class Command(TyperCommand):
    """Every command: its help in the current language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        format_help(self, ctx, formatter, super().format_help)

    def get_short_help_str(self, limit: int = 45) -> str:
        return short_help(self, limit)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Click refuses extra arguments with an English f-string; the words are ours here.
        allowed = ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = allowed
        if rest and not allowed and not ctx.resilient_parsing:
            shown = " ".join(_escape_control_characters(str(a)) for a in rest)  # as click shows them
            ctx.fail(_("Got unexpected extra argument(s) ({args})").format(args=shown))
        return rest

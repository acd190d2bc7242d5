"""Click's usage errors in the reader's language, made from the exception's fields, not its text.

Typer's click builds these messages with f-strings (no gettext), so the words are ours: the
catalog holds them like any other message.
"""

from __future__ import annotations

from typing import Any

from typer import _click as click  # Typer 0.28 ships its own click; pinned in pyproject.toml
from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption
from typer._types import TyperChoice
from typer.core import TyperGroup

from sessionlog.i18n import _


def _invalid_choice(self: TyperChoice[Any], value: Any, ctx: click.Context | None) -> str:
    choices = ", ".join(map(repr, self._normalized_mapping(ctx=ctx).values()))
    return _("{value} is not one of {choices}.").format(value=repr(value), choices=choices)


# Typer's Choice names a wrong value with an English f-string in the method meant for changing
# that message; every choice option (--format, --channel, --profile …) is a TyperChoice.
TyperChoice.get_invalid_choice_message = _invalid_choice  # type: ignore[method-assign]


def message(exc: click.ClickException) -> str:
    """What `exc` says, in the current language where it is one of click's usual errors."""
    if isinstance(exc, MissingParameter):
        return _missing(exc)
    if isinstance(exc, NoSuchOption):
        text = _("No such option: {option}").format(option=exc.option_name)
        if exc.possibilities:
            text += " " + _("(Possible options: {options})").format(options=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, BadParameter):
        name = _hint(exc)
        if name:
            return _("Invalid value for {name}: {message}").format(name=name, message=exc.message)
    return exc.format_message()


def _hint(exc: BadParameter) -> str:
    hint: Any = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)  # type: ignore[arg-type]  # click passes None too
    if isinstance(hint, str) or hint is None:
        return hint or ""
    return " / ".join(hint)


def _missing(exc: MissingParameter) -> str:
    name = _hint(exc)
    kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
    if kind == "argument":
        text = _("Missing argument {name}.").format(name=name)
    elif kind == "option":
        text = _("Missing option {name}.").format(name=name)
    else:
        text = _("Missing parameter {name}.").format(name=name)
    extra = exc.param.type.get_missing_message(param=exc.param, ctx=exc.ctx) if exc.param is not None else None
    return " ".join(t for t in (text, exc.message, extra) if t)


def no_such_command(group: TyperGroup, ctx: click.Context, args: list[str]) -> None:
    """Refuse a command name the group does not have, naming the close ones."""
    name = args[0]
    known = group.get_command(ctx, name)
    if known is None and ctx.token_normalize_func is not None:
        known = group.get_command(ctx, ctx.token_normalize_func(name))
    if known is not None or ctx.resilient_parsing or name.startswith("-"):
        return
    from difflib import get_close_matches  # only when a command name is wrong

    close = get_close_matches(name, group.list_commands(ctx))
    if close:
        suggestions = ", ".join(repr(m) for m in close)
        ctx.fail(_("No such command {name!r}. Did you mean {suggestions}?").format(name=name, suggestions=suggestions))
    ctx.fail(_("No such command {name!r}.").format(name=name))

"""What every command shares: options defined once, the run context, messages on stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer import _click as click  # Typer 0.28 ships its own click; pinned in pyproject.toml
from typer.core import TyperCommand, TyperGroup

from sessionlog.app.context import Context
from sessionlog.cli import helptext, usage
from sessionlog.cli.env import (
    Env,
    language_before_the_ledger,
    one_line,
    own_environment,
    say,
    told,
    undecodable,
    warn,
)
from sessionlog.i18n import _, canonical, use
from sessionlog.model import Channel, CsvProfileName, Format, Kind, Problem, SessionlogError

# Exit codes: 1 for a problem with the input or the ledger, 2 for a usage error, 3 for
# figures made with --skip-broken that leave something out.
USAGE_KINDS = frozenset({Kind.USAGE})
EXIT_INCOMPLETE = 3


class Group(TyperGroup):
    """Library errors and usage errors become one `error:` line on stderr, for every command."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        helptext.format_help(self, ctx, formatter, super().format_help)

    def get_short_help_str(self, limit: int = 45) -> str:
        return helptext.short_help(self, limit)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        usage.no_such_command(self, ctx, args)  # in the reader's language; typer's suggestion is English
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SessionlogError as exc:
            fail(told(exc.problem), 2 if exc.kind in USAGE_KINDS else 1)
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        finally:
            env = ctx.obj
            if isinstance(env, Env) and "ledger" in env.__dict__:
                env.ledger.close()  # the cache's connection, before the next command in this process

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        def run() -> Any:
            return super(Group, self).main(args, prog_name, complete_var, False, windows_expand_args, **extra)

        # Until the root's options name the ledger (and its language), the environment decides.
        use(language_before_the_ledger())
        if not standalone_mode:
            return run()
        bad = undecodable([*(sys.argv[1:] if args is None else args), *own_environment()])
        if bad is not None:
            print(f"error: {one_line(bad)}", file=sys.stderr)
            sys.exit(1)
        try:
            code = run()
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # the help text itself
            sys.exit(exc.exit_code)
        except click.exceptions.ClickException as exc:
            # A usage error: one line, like every other error, instead of click's usage block.
            command = getattr(getattr(exc, "ctx", None), "command_path", None)
            where = " " + _("(see: {command} --help)").format(command=command) if command else ""
            print(f"{_('error')}: {one_line(usage.message(exc))}{where}", file=sys.stderr)
            sys.exit(exc.exit_code)
        except typer.Abort:
            print(f"{_('error')}: {_('aborted')}", file=sys.stderr)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class Typer(typer.Typer):
    """typer.Typer whose commands show their help in the reader's language."""

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kw: Any) -> Any:
        return super().command(name, cls=cls or helptext.Command, **kw)


def new_app(help: str, *, completion: bool = False, cls: type[Group] | None = None) -> typer.Typer:
    """A command group; `completion` adds --install-completion and --show-completion (root only)."""
    return Typer(
        cls=cls or Group,
        help=help,
        no_args_is_help=True,
        add_completion=completion,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


def confirm(question: str, *, default: bool) -> bool:
    """Ask on stderr; y/yes always, and the language's own words (German: j/ja); Enter takes `default`."""
    yes = {"y", "yes", _("y"), _("yes")}
    no = {"n", "no", _("n"), _("no")}
    hint = _("[Y/n]") if default else _("[y/N]")
    while True:
        answer = typer.prompt(f"{question} {hint}", default="", show_default=False, err=True).strip().lower()
        if not answer:
            return default
        if answer in yes or answer in no:
            return answer in yes
        say(_("please answer {yes} or {no}").format(yes=_("yes"), no=_("no")))


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"{_('error')}: {one_line(message)}", file=sys.stderr)
    raise typer.Exit(code)


# Options used by several commands, defined once. Choices come from the enums of the rules
# they name, so --help lists the values and shell completion offers them.
At = Annotated[
    str | None, typer.Option("--at", metavar="WHEN", help="When: 14:30, -15m, 01.03.2024 10:22, yesterday 16:00 …")
]
Note = Annotated[str | None, typer.Option("--note", "-n", metavar="NOTE", help="What was done.")]
Tags = Annotated[list[str] | None, typer.Option("--tag", "-t", metavar="TAG", help="A tag; repeat for more.")]


def _free_reason(reason: str | None) -> str | None:
    """A free reason typed in any language is stored in English: `--free Garantie` is warranty."""
    return canonical(reason) if reason else reason


Free = Annotated[
    str | None,
    typer.Option(
        "--free",
        metavar="REASON",
        help="Not billable, and why: warranty, goodwill, internal …",
        callback=_free_reason,
    ),
]
Billable = Annotated[bool, typer.Option("--billable", help="Make it billable after all.")]
Contact = Annotated[str | None, typer.Option("--contact", metavar="NAME", help="The person at the customer.")]
Machine = Annotated[str | None, typer.Option("--machine", metavar="NAME", help="The computer worked on.")]
ChannelOpt = Annotated[Channel | None, typer.Option("--channel", help="How the work was done.")]
Ticket = Annotated[str | None, typer.Option("--ticket", metavar="TICKET", help="A ticket number.")]
Force = Annotated[bool, typer.Option("--force", help="Allow sessions over 24 h and changes to invoiced records.")]
NewCustomer = Annotated[bool, typer.Option("--new", help="Create the customer even if the key looks like a typo.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
Wide = Annotated[bool, typer.Option("--wide", help="Table: every column, even wider than the terminal.")]
Profile = Annotated[
    CsvProfileName | None, typer.Option("--profile", help="CSV profile (default: the ledger's csv.profile).")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")]
SkipBroken = Annotated[
    bool,
    typer.Option(
        "--skip-broken",
        help="Leave out what cannot be read instead of refusing; the output says so and the exit code is 3.",
    ),
]


def incomplete(skipped: Sequence[Problem]) -> str:
    """The line that tells the reader of figures what they leave out."""
    listed = "; ".join(str(p.where or p.message) for p in skipped[:5]) + ("; …" if len(skipped) > 5 else "")
    return _("INCOMPLETE: {count} problem(s) left out of these figures: {listed}").format(
        count=len(skipped), listed=listed
    )


def finish_incomplete(skipped: Sequence[Problem]) -> None:
    """After figures made with --skip-broken: the warnings, then exit 3 if anything was left out."""
    if skipped:
        warn(skipped)
        say(f"{_('error')}: {incomplete(skipped)}")
        raise typer.Exit(EXIT_INCOMPLETE)


def complete_customer(ctx: typer.Context, incomplete: str) -> list[str]:
    """Customer keys for shell completion; nothing (not an error) where the ledger cannot be read."""
    try:
        root = ctx.find_root()
        ledger_arg = root.params.get("ledger") if root.params else None
        keys = Env(Path(ledger_arg) if ledger_arg else None).ledger.customers.keys()
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [k for k in keys if k.startswith(incomplete.lower())]


CustomerArg = Annotated[
    str,
    typer.Argument(metavar="CUSTOMER", help="Customer key or alias, e.g. ACME.", autocompletion=complete_customer),
]
CustomerOpt = Annotated[
    str | None,
    typer.Option("--customer", "-c", metavar="KEY", help="Only this customer.", autocompletion=complete_customer),
]


def env(ctx: typer.Context) -> Env:
    obj = ctx.find_root().obj
    assert isinstance(obj, Env)
    return obj


def app_context(ctx: typer.Context) -> Context:
    return env(ctx).context

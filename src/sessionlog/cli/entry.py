"""The console script. `status` runs without building the command-line program.

A status bar or shell prompt asks `sessionlog status` every few seconds, and most of what it
would wait for is Typer's import (about 55 ms). So the plain forms `status`, `status --all` and
`status -a` run here on the function the Typer command calls (cli/status.py), with the same
checks, language, messages and exit codes; everything else goes to the full program.
"""

from __future__ import annotations

import os
import sys

QUICK_STATUS = {("status",): False, ("status", "--all"): True, ("status", "-a"): True}


def main() -> None:
    args = sys.argv[1:]
    code = quick(args)
    if code is not None:
        sys.exit(code)
    from sessionlog.cli.app import main as full

    full()


def quick(args: list[str]) -> int | None:
    """The exit code of a command run without Typer; None where the full program must run it."""
    from sessionlog.cli.driver import main as driver

    code = driver(args)  # git's merge driver
    if code is not None:
        return code
    everyone = QUICK_STATUS.get(tuple(args))
    if everyone is None or "_SESSIONLOG_COMPLETE" in os.environ:
        return None
    return status(args, everyone)


def status(args: list[str], everyone: bool) -> int:
    from sessionlog.cli.env import Env, language_before_the_ledger, one_line, own_environment, told, undecodable
    from sessionlog.cli.status import show_status
    from sessionlog.i18n import _, use
    from sessionlog.model import Kind, SessionlogError

    use(language_before_the_ledger())
    bad = undecodable([*args, *own_environment()])
    if bad is not None:
        print(f"error: {one_line(bad)}", file=sys.stderr)
        return 1
    env = Env()
    try:
        use(env.language()[0])
        show_status(env.context, everyone=everyone)
    except SessionlogError as exc:
        print(f"{_('error')}: {one_line(told(exc.problem))}", file=sys.stderr)
        return 2 if exc.kind is Kind.USAGE else 1
    except OSError as exc:
        message = f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
        print(f"{_('error')}: {one_line(message)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if "ledger" in env.__dict__:
            env.ledger.close()
    return 0

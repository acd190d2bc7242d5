"""The sessionlog command, built once per test session, and the one way the tests run it in-process.

`typer.testing.CliRunner.invoke(app, ...)` turns the Typer app into a click command tree on every
call (`typer.main.get_command`), which costs about as much as a whole short command and was most
of the suite's CPU time. The tree holds no state of its own between runs: every run gets a fresh
click context, and the root callback puts a fresh `Env` into `ctx.obj`. So it is built once here
and run the way `CliRunner.invoke` runs it, with the same isolation (environment overrides put in
place and undone, stdin from `input`, stdout and stderr captured separately), the same exit codes
and exceptions in the `Result`, and `sessionlog` as the program name in usage lines, as the
installed console script shows it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

import typer
from typer.testing import CliRunner, Result

from sessionlog.cli.app import app

COMMAND = typer.main.get_command(app)
PROG_NAME = "sessionlog"


def invoke(
    args: Sequence[str],
    *,
    env: Mapping[str, str | None] | None = None,
    input: str | bytes | None = None,
) -> Result:
    """Run `sessionlog ARGS` in-process; like `CliRunner().invoke(app, args, env=env, input=input)`.

    Mirrors `typer.testing.CliRunner.invoke` (typer 0.28) except that the command is not rebuilt:
    a `SystemExit` gives its code (None is 0; a non-integer is printed and becomes 1), any other
    exception is caught into `Result.exception` with exit code 1.
    """
    runner = CliRunner()
    exc_info: Any = None
    return_value: Any = None
    exception: BaseException | None = None
    exit_code = 0
    with runner.isolation(input=input, env=env) as (out, err, mixed):
        try:
            return_value = COMMAND.main(args=list(args), prog_name=PROG_NAME)
        except SystemExit as e:
            exc_info = sys.exc_info()
            code: Any = 0 if e.code is None else e.code
            if code != 0:
                exception = e
            if not isinstance(code, int):
                sys.stdout.write(f"{code}\n")
                code = 1
            exit_code = code
        except Exception as e:
            exception = e
            exit_code = 1
            exc_info = sys.exc_info()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            stdout, stderr, output = out.getvalue(), err.getvalue(), mixed.getvalue()
    return Result(
        runner=runner,
        stdout_bytes=stdout,
        stderr_bytes=stderr,
        output_bytes=output,
        return_value=return_value,
        exit_code=exit_code,
        exception=exception,
        exc_info=exc_info,
    )

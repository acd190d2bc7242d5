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


def table_cells(stdout: str) -> list[list[str]]:
    """The header and body rows of a table on stdout as lists of stripped cell texts.

    Tables have no vertical rules: columns are split where every header and body line has two
    spaces in a row (a header is never empty, so each column shows somewhere). Lines before
    the header (a title) and the horizontal rules are left out; a wrapped cell's further lines
    come as rows of their own.
    """
    lines = stdout.splitlines()
    first_rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    table = [lines[first_rule - 1]] + [ln for ln in lines[first_rule + 1 :] if ln and not ln.startswith("─")]
    width = max(len(ln) for ln in table)
    table = [ln.ljust(width) for ln in table]
    blank = [all(ln[p] == " " for ln in table) for p in range(width)]
    cuts, p = [], 0
    while p < width:
        if blank[p] and p + 1 < width and blank[p + 1]:
            start = p
            while p < width and blank[p]:
                p += 1
            cuts.append((start, p))
        else:
            p += 1
    bounds = [0] + [x for cut in cuts for x in cut] + [width]
    spans = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    return [[ln[a:b].strip() for a, b in spans if b > a] for ln in table]

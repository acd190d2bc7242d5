"""`sessionlog merge-driver BASE OURS THEIRS PATH`, as git runs it (gitattributes(5): the result
goes into OURS; exit 0 when clean, non-zero when git must mark the file)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from harness import invoke
from sessionlog.store import gitrepo

PATH = "customers/acme/2024-03.toml"
RECORD = (
    '[[session]]\nid = "{sid}"\nstart = 2024-03-01T10:00:00+01:00\nend = 2024-03-01T11:00:00+01:00\nnote = "{note}"\n'
)


def rec(sid: str, note: str = "x") -> str:
    return RECORD.format(sid=sid, note=note)


def files(tmp: Path, base: str, ours: str, theirs: str) -> list[str]:
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp / f".merge_file_{name}"
        path.write_bytes(text.encode("utf-8"))
        paths.append(str(path))
    return paths


def test_a_clean_merge_is_written_to_ours_and_exits_0(tmp_path: Path) -> None:
    base = "# März\n" + rec("aaaa1111")
    args = files(tmp_path, base, base + "\n" + rec("bbbb2222"), base + "\n" + rec("cccc3333"))
    result = invoke(["merge-driver", *args, PATH])
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    merged = Path(args[1]).read_text(encoding="utf-8")
    assert merged.startswith("# März\n")
    assert [r["id"] for r in tomllib.loads(merged)["session"]] == ["aaaa1111", "bbbb2222", "cccc3333"]


def test_a_true_conflict_exits_1_and_leaves_valid_toml(tmp_path: Path) -> None:
    base = rec("aaaa1111")
    args = files(tmp_path, base, rec("aaaa1111", "ours"), rec("aaaa1111", "theirs"))
    result = invoke(["merge-driver", *args, PATH])
    assert result.exit_code == 1
    assert result.stderr == f"sessionlog: {PATH}:1: conflict: aaaa1111 (note)\n"
    record = tomllib.loads(Path(args[1]).read_text(encoding="utf-8"))["session"][0]
    assert record["conflict"]["note"] == {"ours": "ours", "theirs": "theirs", "base": "x"}


def test_a_file_that_does_not_parse_gets_gits_line_merge(tmp_path: Path) -> None:
    base = rec("aaaa1111")
    ours = base.replace('note = "x"', 'note = "ours"')
    theirs = base.replace('note = "x"', 'note = "theirs') + "[[broken\n"
    args = files(tmp_path, base, ours, theirs)
    result = invoke(["merge-driver", *args, PATH])
    assert result.exit_code != 0
    assert result.stderr.startswith(f"sessionlog: {PATH}: merged line by line by git ({PATH} does not parse")
    merged = Path(args[1]).read_text(encoding="utf-8")
    assert "<<<<<<< ours" in merged and ">>>>>>> theirs" in merged


def test_git_runs_it_as_configured(tmp_path: Path) -> None:
    """The command in .git/config, run by a shell as git does, with this Python: fast path and all."""
    base = rec("aaaa1111")
    args = files(tmp_path, base, base + "\n" + rec("bbbb2222"), base + "\n" + rec("cccc3333"))
    command = gitrepo.driver_command().replace("%O", args[0]).replace("%A", args[1]).replace("%B", args[2])
    command = command.replace("%P", f"'{PATH}'")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONLOG_")}
    done = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in tomllib.loads(Path(args[1]).read_text(encoding="utf-8"))["session"]] == [
        "aaaa1111",
        "bbbb2222",
        "cccc3333",
    ]
    assert gitrepo.driver_command().startswith(f"{Path(sys.executable).as_posix()} -m sessionlog merge-driver")


@pytest.mark.parametrize("args", [["merge-driver"], ["merge-driver", "a", "b", "c"]], ids=["none", "three"])
def test_missing_arguments_are_a_usage_error(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 2 and result.stderr.startswith("error: Missing argument")

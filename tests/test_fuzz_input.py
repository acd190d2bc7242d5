"""Bad input of any kind: exit 1 or 2, one `error:` line, no traceback, and no file changed.

Every option that takes a time, a duration, a period, an id, a key or a number gets random
text, nasty strings and bytes that are not UTF-8 (as a Latin-1 terminal would send them).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SUPPORTER, snapshot
from harness import invoke

NOW = "2024-03-05T12:00:00+01:00"

# (arguments before the value, arguments after it): the value goes in between.
SLOTS = [
    (["start", "acme", "--at"], []),
    (["start"], ["--at", "10:00"]),
    (["stop", "--at"], []),
    (["pause", "--at"], []),
    (["add", "acme", "--start"], ["--duration", "10m"]),
    (["add", "acme", "--start", "01.03.2024 10:00", "--duration"], []),
    (["add", "acme", "--start", "01.03.2024 10:00", "--end"], []),
    (["add"], ["--start", "01.03.2024 10:00", "--duration", "10m"]),
    (["edit", "seed0001", "--start"], []),
    (["edit", "seed0001", "--duration"], []),
    (["edit", "seed0001", "--end"], []),
    (["edit"], ["--note", "x"]),
    (["delete"], ["--yes"]),
    (["list"], []),
    (["list", "--from"], []),
    (["list", "--to"], []),
    (["report"], []),
    (["report", "--by"], []),
    (["invoice"], []),
    (["invoice", "2024-03", "--customer"], []),
    (["customer", "add"], []),
    (["customer", "edit", "acme", "--rate"], []),
    (["customer", "edit", "acme", "--increment"], []),
    (["customer", "edit", "acme", "--minimum"], []),
    (["customer", "edit", "acme", "--included-minutes"], []),
    (["customer", "edit", "acme", "--after-hours-factor"], []),
    (["customer", "edit", "acme", "--currency"], []),
    (["customer", "edit", "acme", "--rounding"], []),
    (["list", "2024-03", "--format"], []),
]

NASTY = [
    "", " ", "-", "--", "0", "-1", "1e9999", "NaN", "inf", "90.005", "999999999999999999999999", "0001-01-01",
    "9999-12-31 23:59", "-17600000h", "99999999h", "+15h", "2024-13", "2024-02-30", "31.02.2024", "24:00",
    "../../etc", "CON", "a/b", "\x00", "\t", "ü" * 300, "1,5,5h", "1:60", "W99", "2024-W60", "morgen", "\ud800",
    "00:00:00", "0m", "yesterday 25:00", "1.1.1",
]  # fmt: skip

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.binary(max_size=12).map(lambda b: b.decode("utf-8", "surrogateescape")),
)

_SEED: Path | None = None


def seeded() -> Path:
    """A small ledger, made once and copied for every example."""
    global _SEED
    if _SEED is None:
        _SEED = Path(tempfile.mkdtemp(prefix="sessionlog-fuzz-seed-"))
        (_SEED / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
        env = environment(_SEED)
        for args in (["customer", "add", "acme", "--rate", "60"], ["customer", "add", "beta", "--rate", "60"]):
            assert invoke(args, env=env).exit_code == 0
        (_SEED / "customers" / "acme" / "2024-03.toml").write_text(
            '[[session]]\nid = "seed0001"\nstart = 2024-03-01T10:00:00+01:00\nend = 2024-03-01T11:00:00+01:00\n'
            f'supporter = "{SUPPORTER}"\nnote = "seed"\n',
            encoding="utf-8",
        )
    return _SEED


def environment(root: Path) -> dict[str, str | None]:
    return {
        "SESSIONLOG_LEDGER": str(root),
        "SESSIONLOG_SUPPORTER": SUPPORTER,
        "SESSIONLOG_NOW": NOW,
        "SESSIONLOG_CONFIG": str(root.parent / "no-user-config.toml"),
        "VISUAL": None,
        "EDITOR": None,
    }


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(slot=st.sampled_from(SLOTS), value=values)
def test_bad_input_is_one_error_line_and_changes_nothing(slot: tuple[list[str], list[str]], value: str) -> None:
    before_args, after_args = slot
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ledger"
        shutil.copytree(seeded(), root)
        before = snapshot(root)
        result = invoke([*before_args, value, *after_args], env=environment(root))
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        if result.exit_code == 0:
            return  # the value was good input after all
        assert result.exit_code in (1, 2), (result.exit_code, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
        assert snapshot(root) == before

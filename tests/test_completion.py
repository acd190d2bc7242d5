"""Shell completion, as bash and zsh ask the installed program for it (Typer's protocol)."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import console_script


def _complete(shell: str, words: str, cword: int | None, env: dict[str, str]) -> list[str]:
    extra = {"_SESSIONLOG_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        extra |= {"COMP_WORDS": words, "COMP_CWORD": str(cword)}
    else:
        extra |= {"_TYPER_COMPLETE_ARGS": words}
    done = subprocess.run(
        [console_script()], env={**env, **extra}, capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.fixture
def ledger_env(cli_env: dict[str, str]) -> dict[str, str]:
    script = console_script()
    for key in ("acme", "alpha", "beta"):
        subprocess.run([script, "customer", "add", key], env=cli_env, check=True, capture_output=True)
    return cli_env


def test_bash_completes_commands_customer_keys_and_choices(ledger_env: dict[str, str]) -> None:
    assert _complete("bash", "sessionlog sto", 1, ledger_env) == ["stop"]
    assert set(_complete("bash", "sessionlog st", 1, ledger_env)) >= {"start", "stop", "status"}
    assert _complete("bash", "sessionlog start a", 2, ledger_env) == ["acme", "alpha"]
    assert _complete("bash", "sessionlog list --format ", 3, ledger_env) == ["table", "csv", "json"]
    words = f"sessionlog --ledger {ledger_env['SESSIONLOG_LEDGER']} invoice 2024-03 --customer b"
    assert _complete("bash", words, 6, {k: v for k, v in ledger_env.items() if k != "SESSIONLOG_LEDGER"}) == ["beta"]


def test_zsh_completes_commands_with_their_help(ledger_env: dict[str, str]) -> None:
    out = _complete("zsh", "sessionlog cust", None, ledger_env)
    assert any("customer" in w for w in out), out


def test_completion_of_a_missing_ledger_offers_nothing_and_does_not_crash(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "SESSIONLOG_LEDGER": os.path.join(cli_env["SESSIONLOG_LEDGER"], "nowhere")}
    assert _complete("bash", "sessionlog start a", 2, env) == []


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F _sessionlog_completion sessionlog"),
        ("zsh", "#compdef sessionlog"),
        ("fish", "complete --command sessionlog"),
        ("powershell", "Register-ArgumentCompleter"),
    ],
)
def test_the_completion_script_of_each_shell(cli_env: dict[str, str], shell: str, marker: str) -> None:
    done = subprocess.run(
        [console_script(), "--show-completion", shell],
        env={**cli_env, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout
    assert f"complete_{shell}" in done.stdout

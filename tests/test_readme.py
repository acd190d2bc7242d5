"""The README shows what the program prints: docs/tour.py runs its commands, cog pastes the output."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
REGENERATE = "cog -r README.md"

# The tour runs each command on a pseudo-terminal, which Windows has not got in this form.
needs_pty = pytest.mark.skipif(sys.platform == "win32", reason="docs/tour.py runs commands on a POSIX pty")


def _tour() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tour_under_test", ROOT / "docs" / "tour.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@needs_pty
def test_the_readme_is_what_the_program_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from cogapp import Cog

    status = Cog().main(["cog", "--check", "--diff", str(README)])
    shown = capsys.readouterr()
    assert status == 0, (
        f"README.md differs from what the program prints; regenerate it with `{REGENERATE}` "
        f"(the venv's cog, from the repository's folder) and read the diff:\n{shown.out}{shown.err}"
    )


@needs_pty
@pytest.mark.parametrize(
    ("command", "code", "says"),
    [
        ('sessionlog add ACME --start "2024-03-12 08:00" --duration 25h', 0, "over 24 hours"),
        ("sessionlog customer list", 1, "key"),
    ],
    ids=["refused-but-meant-to-work", "works-but-meant-to-be-refused"],
)
def test_a_step_that_goes_otherwise_stops_the_tour_naming_its_command(
    command: str, code: int, says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = _tour()

    def scene(s: Any) -> None:
        s.run("init", "sessionlog init")
        s.run("step", command, code=code)
        s.run("after", "sessionlog customer add ACME")

    monkeypatch.setattr(tour, "SCENES", {"broken": scene})
    monkeypatch.setattr(sys, "argv", ["docs/tour.py"])
    assert tour.main() == 1
    out, err = capsys.readouterr()
    assert f"tour step broken/step: `{command}` exited {1 - code}, expected {code}" in err
    assert says in err
    assert "customer add ACME" not in out + err  # the tour stopped there


def test_the_tour_names_a_step_it_does_not_have() -> None:
    tour = _tour()
    tour._played["tour"] = tour.Scene("tour", ROOT, "sessionlog")
    with pytest.raises(tour.TourError, match="no step 'tour/nonesuch'"):
        tour.block("tour/nonesuch")


def test_every_output_in_the_readme_is_generated() -> None:
    """A console block that shows a command and what it printed lies between cog's markers."""
    text = README.read_text(encoding="utf-8")
    outside = re.sub(r"<!-- \[\[\[cog.*?<!-- \[\[\[end\]\]\] -->", "", text, flags=re.S)
    pasted = re.findall(r"```console\n(\$ [^\n]*)", outside)
    assert not pasted, f"outputs pasted by hand (add the commands to docs/tour.py and show them with cog): {pasted}"


@needs_pty
def test_a_step_that_waits_for_a_person_stops_the_tour(monkeypatch: pytest.MonkeyPatch) -> None:
    tour = _tour()
    monkeypatch.setattr(tour, "STEP_SECONDS", 1)
    monkeypatch.setattr(tour, "SCENES", {"waits": lambda s: s.run("prompt", "cat")})  # reads the terminal
    with pytest.raises(tour.TourError, match=r"waits/prompt: `cat` did not end within 1 s"):
        tour.play()

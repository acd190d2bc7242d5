"""The layers of DESIGN.md hold: who may import what, read from the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "sessionlog"
MODULES = sorted(SRC.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Every module `path` imports (absolute names), at module level only if asked."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _ours(names: set[str]) -> set[str]:
    return {n for n in names if n == "sessionlog" or n.startswith("sessionlog.")}


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("path", [p for p in MODULES if not _under(_name(p), "sessionlog.cli")], ids=_name)
def test_only_cli_imports_typer_or_rich(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] in ("typer", "rich", "click")}
    assert not bad, f"{_name(path)} imports {sorted(bad)}: only sessionlog.cli may"


# What each layer may import of ours: the layers below it, never above (DESIGN.md, Architecture).
ALLOWED = {
    "sessionlog.model": set(),
    # The language in use and its catalogs; the store checks a ledger's `language`, render and app speak it,
    # and every layer that makes messages (time parser, periods, importers) says them in it.
    "sessionlog.i18n": set(),
    "sessionlog.timeparse": {"sessionlog.model", "sessionlog.i18n"},
    "sessionlog.periods": {"sessionlog.model", "sessionlog.timeparse", "sessionlog.i18n"},
    # The derived cache is tagged with the program's version: package metadata, not a layer.
    "sessionlog.store": {
        "sessionlog.model", "sessionlog.timeparse", "sessionlog.store", "sessionlog.i18n", "sessionlog.version",
    },
    # DESIGN.md puts timeparse below importers: a CSV file's dates are read as the time parser reads them.
    "sessionlog.importers": {"sessionlog.model", "sessionlog.timeparse", "sessionlog.importers", "sessionlog.i18n"},
    "sessionlog.billing": {"sessionlog.model"},
    "sessionlog.numbering": {"sessionlog.model"},
    "sessionlog.reports": {"sessionlog.model", "sessionlog.billing"},
    # Pure like reports (issue 14): text search folding, the insights' figures, chart data.
    "sessionlog.textmatch": {"sessionlog.model"},
    "sessionlog.insights": {"sessionlog.model", "sessionlog.billing", "sessionlog.textmatch"},
    "sessionlog.charts": {"sessionlog.model", "sessionlog.reports"},
    "sessionlog.app": {
        "sessionlog.model", "sessionlog.timeparse", "sessionlog.periods", "sessionlog.store", "sessionlog.billing",
        "sessionlog.numbering", "sessionlog.reports", "sessionlog.importers", "sessionlog.app",
        "sessionlog.textmatch", "sessionlog.insights", "sessionlog.charts", "sessionlog.i18n",
    },
    "sessionlog.render": {"sessionlog.model", "sessionlog.i18n"},
    # Which columns a table shows at a width: pure, for every table writer (issue 12).
    "sessionlog.fit": {"sessionlog.model", "sessionlog.render"},
}  # fmt: skip


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_no_layer_imports_upward(layer: str) -> None:
    allowed = ALLOWED[layer]
    for path in MODULES:
        name = _name(path)
        if not _under(name, layer):
            continue
        for imported in _ours(_imports(path)):
            assert any(_under(imported, ok) for ok in allowed) or _under(imported, name), (
                f"{name} imports {imported}, which is not below it"
            )


def test_the_store_has_no_import_cycle() -> None:
    graph = {
        _name(p): {n for n in _ours(_imports(p, top_level_only=True)) if n in {_name(q) for q in MODULES}}
        for p in MODULES
        if _under(_name(p), "sessionlog.store") and p.name != "__init__.py"
    }
    seen: set[str] = set()
    stack: list[str] = []

    def visit(node: str) -> None:
        assert node not in stack, f"import cycle: {' -> '.join([*stack[stack.index(node) :], node])}"
        if node in seen:
            return
        stack.append(node)
        for nxt in graph.get(node, ()):
            visit(nxt)
        stack.pop()
        seen.add(node)

    for node in graph:
        visit(node)


def test_nothing_below_the_cli_reads_the_clock() -> None:
    for path in MODULES:
        if _under(_name(path), "sessionlog.cli"):
            continue
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", ".today(", "time.time(", "datetime.utcnow("):
            assert call not in text, f"{_name(path)} reads the clock ({call})"


def test_no_decision_matches_a_message_text() -> None:
    """Problems are told apart by their kind; `"..." in str(exc)` or `.message` tests are not allowed."""
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
                text = ast.unparse(node)
                assert not ("str(exc" in text or ".message" in text), f"{_name(path)}: decides by text: {text}"

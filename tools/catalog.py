"""The message catalogs' msgids, collected from the code, and the .po files kept in step with them.

Run ``python tools/catalog.py`` after changing a message, a help text or a table heading: every
catalog gets the new msgids (untranslated) and loses the ones no longer used, and its ``.mo`` is
compiled again. ``tests/test_i18n.py`` fails while a msgid has no translation or a ``.mo`` is stale.

What is collected: ``_("…")``, ``Said("…")``, ``ngettext("…", "…", n)`` and ``heading("…")`` calls
with literal text anywhere in the package; the help text of every command and option (click's
tree, as ``--help`` shows them); click's own words in a help page; every table heading
(``Column(key, de, title=…)`` calls) under the context "heading"; and the values people read
(channels, rounding rules, billable/free and the usual free reasons) under the context "value".
"""

from __future__ import annotations

import ast
import inspect
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "sessionlog"
LOCALE = SRC / "locale"
sys.path.insert(0, str(ROOT / "src"))

# Click's words on a help page (see sessionlog.cli.helptext).
CLICK_WORDS = ("Usage: ", "Options", "Arguments", "Commands", "default: ", "env var: ", "required")
# Free reasons people use; any other reason is shown as written.
FREE_REASONS = ("warranty", "goodwill", "internal", "estimate")
STATES = ("billable", "free", "running", "unfinished", "needs a duration", "yes", "no")

Key = tuple[str | None, str]  # (context, msgid); ngettext's plural is kept apart


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def from_source() -> tuple[set[Key], dict[str, str]]:
    """The msgids of the calls in the code, and ngettext's plurals by singular."""
    keys: set[Key] = set()
    plurals: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            first = _literal(node.args[0])
            if first is None:
                continue
            if name in ("_", "Said"):  # Said: a model's message, said in the reader's language above it
                keys.add((None, first))
            elif name == "ngettext" and len(node.args) > 1 and (second := _literal(node.args[1])) is not None:
                keys.add((None, first))
                plurals[first] = second
            elif name == "heading":
                keys.add(("heading", first))
            elif name == "Column":
                title = next((_literal(k.value) for k in node.keywords if k.arg == "title"), None)
                keys.add(("heading", title or first))
    return keys, plurals


def _walk(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _walk(sub)


def from_help() -> set[Key]:
    """Every help text `--help` shows, as the code writes it (English)."""
    import typer

    from sessionlog.cli.app import app

    keys: set[Key] = {(None, w) for w in CLICK_WORDS}
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    for command in _walk(root):
        for text in (command.help, command.short_help):
            if text:
                keys.add((None, inspect.cleandoc(text)))
        for param in command.get_params(ctx):
            if getattr(param, "help", None):
                keys.add((None, inspect.cleandoc(param.help)))
    return keys


def values() -> set[Key]:
    from sessionlog.model import Channel, Rounding
    from sessionlog.reports import Grouping

    words = [*Channel, *Rounding, *FREE_REASONS, *STATES]
    return {("value", str(w)) for w in words} | {("heading", g) for g in Grouping}


def collect() -> tuple[set[Key], dict[str, str]]:
    keys, plurals = from_source()
    return keys | from_help() | values(), plurals


def update() -> None:
    """Bring every catalog in step with the code and compile it."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    keys, plurals = collect()
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as f:
            old = read_po(f)
        new = Catalog(
            locale=old.locale,
            domain=old.domain,
            header_comment=old.header_comment,
            project="sessionlog",
            version="",
            creation_date=old.creation_date,  # a stable header: the file changes only with its messages
            revision_date=old.revision_date,
            last_translator=old.last_translator,
            language_team=old.language_team,
            fuzzy=False,
        )
        for context, msgid in sorted(keys, key=lambda k: (k[0] or "", k[1])):
            ident: Any = (msgid, plurals[msgid]) if msgid in plurals else msgid
            found = old.get(msgid, context=context)
            new.add(ident, found.string if found is not None else ("", "") if msgid in plurals else "", context=context)
        buffer = io.BytesIO()
        write_po(buffer, new, width=100, omit_header=False, sort_output=True)
        po.write_bytes(buffer.getvalue())
        mo = io.BytesIO()
        write_mo(mo, new)
        po.with_suffix(".mo").write_bytes(mo.getvalue())
        missing = [m.id for m in new if m.id and not m.string]
        print(f"{po.relative_to(ROOT)}: {len(new)} messages, {len(missing)} untranslated")


if __name__ == "__main__":
    update()

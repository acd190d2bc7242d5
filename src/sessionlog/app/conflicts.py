"""Merges that need a person: git's merge driver, `resolve`, and the copies sync services leave.

- `merge_driver`: what git runs for a ledger file changed on both sides (%O %A %B %P). The
  merged text goes into %A; conflicts (or a file that cannot be merged by record, which gets
  git's own line merge instead) make it exit non-zero, so git marks the file.
- `resolve`: keep one side of a record, customer or the settings in conflict.
- `fold_copies` (`check --fix`): merge conflict copies into their files, record by record.
- `findings`: what `check` adds about all this.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sessionlog.app.context import Context
from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, SessionlogError, Severity
from sessionlog.store import conflicts, copies
from sessionlog.store.files import read_text, write_atomic
from sessionlog.store.gitrepo import Git, merge_waiting
from sessionlog.store.ledger import MIN_PREFIX
from sessionlog.store.marks import SIDES, Conflict
from sessionlog.store.merge import Unmergeable, merge_texts


@dataclass(frozen=True)
class Driven:
    """What the merge driver did with one file."""

    path: str
    conflicts: list[Conflict]
    fallback: str | None = None  # why git's line merge was used instead
    marked: int = 0  # conflicts git's line merge marked with <<<<<<<

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.marked


def merge_driver(base: Path, ours: Path, theirs: Path, path: str) -> Driven:
    """Merge one ledger file for git: the result in `ours`, whether it needs a person."""
    try:
        texts = [read_text(p) or "" for p in (base, ours, theirs)]
        merged = merge_texts(texts[0], texts[1], texts[2], path.replace("\\", "/"))
    except (Unmergeable, SessionlogError) as exc:
        # Never guessed at: git's own line merge, with its conflict marks where lines differ.
        marked = Git(ours.parent).merge_file(ours, base, theirs)
        return Driven(path, [], fallback=str(exc), marked=marked)
    write_atomic(ours, merged.text)
    return Driven(path, merged.conflicts)


def resolve(ctx: Context, target: str, side: str) -> conflicts.Settled:
    """Keep `side` ("ours" or "theirs") of what `target` (a session id or prefix, a customer
    key, or `settings`) holds in conflict."""
    if side not in SIDES:
        raise SessionlogError(
            _("--take must be one of {names}, not {side!r}").format(names=", ".join(SIDES), side=side), Kind.USAGE
        )
    layout = ctx.ledger.layout
    hits = conflicts.find(layout, target)
    if not hits:
        short = (
            _("; give at least {MIN_PREFIX} characters of a session id").format(MIN_PREFIX=MIN_PREFIX)
            if len(target.strip()) < MIN_PREFIX
            else ""
        )
        raise SessionlogError(
            _("nothing named {target!r} is in conflict{short}").format(target=target, short=short),
            Kind.NOT_FOUND,
            hint=_("`sessionlog check` lists the conflicts"),
        )
    if len(hits) > 1:
        listed = ", ".join(sorted(h.label for h in hits)[:5])
        raise SessionlogError(
            _("{target!r} fits several conflicts: {listed}; type more of it").format(target=target, listed=listed),
            Kind.AMBIGUOUS,
        )
    return conflicts.settle(hits[0], side, layout, ctx.ledger.lock)


@dataclass(frozen=True)
class Folding:
    folded: list[copies.Folded]
    left: list[Problem]  # copies that could not be merged, and why


def fold_copies(ctx: Context) -> Folding:
    """Merge every conflict copy into its file (under the lock, atomic) and remove the copy."""
    ledger = ctx.ledger
    folded: list[copies.Folded] = []
    left: list[Problem] = []
    for copy in copies.find(ledger.layout):
        try:
            folded.append(copies.fold(copy, ledger.layout, ledger.lock))
        except (Unmergeable, SessionlogError) as exc:
            why = exc.problem.message if isinstance(exc, SessionlogError) else str(exc)
            left.append(
                Problem(
                    Kind.MISFILED,
                    _("cannot merge it into {name}: {why}").format(name=copy.original.name, why=why),
                    str(copy.path),
                )
            )
    ledger.forget()
    return Folding(folded, left)


def findings(ctx: Context) -> list[Problem]:
    """What `check` reports besides the readers' own findings: conflict copies outside the
    customer folders (those name themselves), invoice numbers issued twice, a waiting merge."""
    ledger = ctx.ledger
    out = [copies.problem(c) for c in copies.find(ledger.layout) if ledger.layout.customer_of(c.original) is None]
    for path in ledger.layout.register_files():
        _invoices, _parts, problems = ledger.invoices.read(path.stem)
        out += [p for p in problems if p.kind is Kind.MERGE_CONFLICT]
    if merge_waiting(ledger.root):
        out.append(
            Problem(
                Kind.MERGE_CONFLICT,
                _("a git merge waits for its conflicts to be settled"),
                str(ledger.root),
                severity=Severity.WARNING,
                hint=_("settle each with `sessionlog resolve ID --take ours|theirs`, then run `sessionlog sync`"),
            )
        )
    return out

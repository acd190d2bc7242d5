"""`sync`: a team shares one ledger through a git remote, each technician on a clone.

A sync commits this technician's changes (the message says which sessions), fetches, merges
with the record-level merge (store/merge.py, also git's merge driver for people who pull by
hand), and pushes; when someone pushed first, it merges again and retries. Offline, the
commit stays here and goes out with the next sync. The ledger lock is held around each local
step (commit, merge) but not while talking to the remote, so `start` and `stop` never wait
for the network; a second lock keeps two syncs of one clone apart.

A merge that needs a person stops with the list of records, leaves git's merge in progress
and every file valid TOML; `resolve` (or an edit) settles each, and the next sync finishes
the merge and pushes.

Invoice numbers (`agreed`): finalize in a git ledger with a remote syncs first, numbers the
month, commits and pushes before it reports any number. If the push loses the race to a
colleague's, the numbering is undone, their work merged, and the month numbered again; if the
remote cannot be reached, nothing is numbered. So a number is issued only once it is on the
remote, and no two technicians can issue the same one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sessionlog.app import changes
from sessionlog.app.context import Context
from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, SessionlogError
from sessionlog.store import Ledger, tomltext
from sessionlog.store.files import read_text
from sessionlog.store.gitrepo import Git, Pushed, git_available
from sessionlog.store.marks import problems_in
from sessionlog.store.merge import Unmergeable, merge_texts
from sessionlog.store.monthfile import write
from sessionlog.store.moves import JOURNAL

TRIES = 5  # pushes lost to a colleague's before sync gives up (each loss merges their work first)
T = TypeVar("T")
_MARKERS = ("<<<<<<< ", ">>>>>>> ")


@dataclass
class Committed:
    sha: str
    changes: changes.Changes


@dataclass
class Synced:
    remote: str | None = None
    branch: str = ""
    committed: list[Committed] = field(default_factory=list)
    received: int = 0  # commits of others merged in
    authors: list[str] = field(default_factory=list)
    pushed: bool = False
    up_to_date: bool = False  # nothing to push: the remote had all of it
    offline: str | None = None  # why the remote could not be reached; the commit waits here
    push_failed: str | None = None
    conflicts: list[Problem] = field(default_factory=list)  # the merge waits for a person
    merge_finished: bool = False  # an earlier merge, settled by a person, was committed
    set_up: bool = False  # the merge driver was (re)registered in .git/config


@dataclass
class SetUp:
    created: bool  # `git init` ran
    files: list[Path]  # .gitattributes / .gitignore written
    remote: str | None
    remote_changed: bool = False
    commit: str | None = None


def _is_ledger_file(path: str) -> bool:
    parts = path.split("/")
    if not path.endswith(".toml"):
        return False
    return path == "sessionlog.toml" or (len(parts) > 1 and parts[0] in ("customers", "running", "invoices"))


# --- setting up ---------------------------------------------------------------------------------


def set_up(ledger: Ledger, *, create: bool, remote: str | None = None, supporter: str = "") -> SetUp:
    """Make the ledger a git repository (`create`) or prepare a clone of one: attributes,
    ignores, and the merge driver in .git/config; with `remote`, where it syncs to."""
    git = Git(ledger.root)
    if not git_available():
        raise SessionlogError(_("git is not installed (or not on PATH): install git first"), Kind.NOT_FOUND)
    created = False
    if not git.is_ledger_repo():
        if not create:
            raise SessionlogError(
                _("{root} is no git repository").format(root=ledger.root),
                Kind.NOT_FOUND,
                hint=_(
                    "clone the team's ledger with `git clone URL FOLDER`, or make this one "
                    "shared with `sessionlog init --git`"
                ),
            )
        with ledger.locked():
            git.init()
        created = True
    with ledger.locked():
        files = git.write_settings_files()
        git.set_up_driver()
        changed = git.set_remote(remote) if remote else False
        commit = None
        if create:
            git.stage_all()
            if git.staged():
                commit = git.commit("sessionlog: the ledger, shared through git\n", supporter or "sessionlog")
    return SetUp(created, files, remote, changed, commit)


def _repo(ctx: Context) -> tuple[Git, str, bool]:
    """The ledger's repository and branch; the driver registered (again) if it is not."""
    git = Git(ctx.ledger.root)
    if not git_available():
        raise SessionlogError(_("git is not installed (or not on PATH); sync needs it"), Kind.NOT_FOUND)
    if not git.is_ledger_repo():
        raise SessionlogError(
            _("the ledger {root} is no git repository").format(root=ctx.ledger.root),
            Kind.NOT_FOUND,
            hint=_(
                "share it with `sessionlog init --git --remote URL`, or clone the "
                "team's ledger with `git clone URL FOLDER` and run `sessionlog sync "
                "--setup` there"
            ),
        )
    busy = git.busy_with()
    if busy is not None:
        raise SessionlogError(
            _("git is in the middle of {busy} in {root}; finish it with git first").format(
                busy=busy, root=ctx.ledger.root
            )
        )
    branch = git.branch()
    if branch is None:
        raise SessionlogError(_("the ledger's git repository is on no branch (a detached HEAD); check one out first"))
    fresh = not git.driver_set_up()
    if fresh:  # a clone never set up, or sessionlog moved to another Python since
        git.set_up_driver()
    return git, branch, fresh


# --- the local steps, each under the ledger lock --------------------------------------------------


def _commit(ctx: Context, git: Git, what: str | None = None) -> Committed | None:
    """Commit everything changed in the ledger; None when nothing was."""
    ledger = ctx.ledger
    with ledger.locked():
        if (ledger.root / JOURNAL).exists():
            ledger.sessions.finish_moves()  # never commit a record in two files
        git.stage_all()
        staged = git.staged()
        if not staged:
            return None
        found = changes.describe(_versions(git, ledger.root, staged))
        message = found.message(ctx.supporter)
        if what is not None:
            message = f"sessionlog: {ctx.supporter}: {what}\n\n" + message.split("\n\n", 1)[1]
        return Committed(git.commit(message, ctx.supporter), found)


def _versions(git: Git, root: Path, staged: list[tuple[str, str]]) -> list[tuple[str, str | None, str | None]]:
    """(path, text in HEAD, text now) of each staged ledger file; other files by name only."""
    ledger_paths = [p for _, p in staged if _is_ledger_file(p)]
    old = git.blobs([f"HEAD:{p}" for p in ledger_paths]) if git.rev("HEAD") else {}
    out: list[tuple[str, str | None, str | None]] = []
    for _stage, path in staged:
        if _is_ledger_file(path):
            out.append((path, old.get(f"HEAD:{path}"), read_text(root / path)))
        else:
            out.append((path, None, None))
    return out


def _merge(ctx: Context, git: Git, theirs: str, name: str) -> list[Problem]:
    """Merge `theirs` into HEAD; the records that need a person (none: the merge is committed)."""
    ledger = ctx.ledger
    with ledger.locked():
        try:
            if git.merge(theirs, ctx.supporter, f"sessionlog: {ctx.supporter}: merge {name}\n"):
                return []
            return _settle(ctx, git)
        finally:
            ledger.forget()


def _settle(ctx: Context, git: Git) -> list[Problem]:
    """Merge again, in this process, every file git left unmerged: content conflicts (the driver
    ran: its result is recomputed, so a driver that failed to start loses nothing) and files one
    side changed and the other deleted (git calls no driver for those)."""
    unmerged = git.unmerged()
    blobs = git.blobs([f":{n}:{p}" for p, stages in unmerged.items() for n in sorted(stages)])
    problems: list[Problem] = []
    settled: list[str] = []
    for path, stages in unmerged.items():
        shown = str(ctx.ledger.root / path)
        if not _is_ledger_file(path):
            problems.append(Problem(Kind.MERGE_CONFLICT, _("git could not merge this file; merge it by hand"), shown))
            continue
        base, ours, theirs = (blobs.get(f":{n}:{path}") or "" if n in stages else "" for n in (1, 2, 3))
        try:
            merged = merge_texts(base, ours, theirs, path)
        except Unmergeable as exc:
            hint = _("fix it by hand (git marked the differing lines with <<<<<<< and >>>>>>>), then sync again")
            problems.append(
                Problem(
                    Kind.MERGE_CONFLICT, _("cannot merge it record by record: {exc}").format(exc=exc), shown, hint=hint
                )
            )
            continue
        write(ctx.ledger.root / path, merged.text, ctx.ledger.lock)
        if merged.conflicts:
            problems += problems_in(merged.text, path, shown)
        else:
            settled.append(path)
    git.stage(settled)
    if not problems:
        git.finish_merge(ctx.supporter)
    return problems


def pending(ctx: Context, git: Git) -> list[Problem]:
    """What still stands in the way of finishing the merge in progress: conflicts, git's marks."""
    problems: list[Problem] = []
    for path in git.unmerged():
        shown = str(ctx.ledger.root / path)
        text = read_text(ctx.ledger.root / path)
        if text is None:
            continue  # deleted: a decision too
        if any(line.startswith(_MARKERS) for line in text.splitlines()):
            problems.append(
                Problem(Kind.MERGE_CONFLICT, _("git's conflict lines (<<<<<<< ... >>>>>>>) are still in it"), shown)
            )
        elif _is_ledger_file(path):
            try:
                problems += problems_in(text, path, shown)
            except tomltext.TomlError as exc:
                problems.append(
                    Problem(
                        Kind.BROKEN_FILE,
                        _("does not parse: {message}").format(message=exc.problem.message),
                        shown,
                        exc.line,
                    )
                )
    return problems


def _finish(ctx: Context, git: Git) -> list[Problem]:
    """Commit the merge a person settled; what is left to settle if they are not done."""
    with ctx.ledger.locked():
        problems = pending(ctx, git)
        if problems:
            return problems
        git.stage_all()
        git.finish_merge(ctx.supporter)
    return []


# --- sync -------------------------------------------------------------------------------------------


def sync(ctx: Context) -> Synced:
    """Commit, fetch, merge by record, push; retried while colleagues push first."""
    git, branch, fresh = _repo(ctx)
    done = Synced(branch=branch, set_up=fresh)
    with git.sync_lock():
        _exchange(ctx, git, branch, done)
    return done


def _exchange(ctx: Context, git: Git, branch: str, done: Synced) -> None:
    if git.merging():
        done.conflicts = _finish(ctx, git)
        if done.conflicts:
            return
        done.merge_finished = True
    committed = _commit(ctx, git)
    done.committed += [committed] if committed else []
    done.remote = git.remote(branch)
    if done.remote is None:
        return
    ref = f"refs/remotes/{done.remote}/{branch}"
    refused: str | None = None  # why the last push was refused
    for _try in range(TRIES):
        before = git.rev(ref)
        reason = git.fetch(done.remote)
        if reason is not None:
            done.offline = reason
            return
        theirs = git.rev(ref)
        if refused is not None and theirs == before:
            done.push_failed = refused  # refused although nobody pushed: a hook, a protected branch
            return
        head = git.rev("HEAD")
        base = git.merge_base(head, theirs) if head is not None and theirs is not None else None
        if head is not None and theirs is not None and base is None:
            raise SessionlogError(
                _("this ledger and {remote}'s have no history in common").format(remote=done.remote),
                Kind.CONFLICT,
                hint=_("clone the team's ledger with `git clone URL FOLDER` and work there"),
            )
        if theirs is not None and base != theirs:
            later = _commit(ctx, git)  # what was written since the first commit, before merging
            done.committed += [later] if later else []
            authors = git.authors(git.rev("HEAD"), theirs)
            done.received += len(authors)
            done.authors += [a for a in dict.fromkeys(reversed(authors)) if a not in done.authors]
            done.conflicts = _merge(ctx, git, theirs, f"{done.remote}/{branch}")
            if done.conflicts:
                return
            head = git.rev("HEAD")
        if head is None or head == theirs:
            done.up_to_date = True
            return
        pushed = git.push(done.remote, branch)
        if pushed.ok:
            git.track(branch, done.remote)
            done.pushed = True
            return
        if not pushed.rejected:
            done.push_failed = pushed.message
            return
        refused = pushed.message
    raise SessionlogError(
        _("{remote} kept changing while this sync tried to push ({TRIES} times); your work is committed here").format(
            remote=done.remote, TRIES=TRIES
        ),
        Kind.BUSY,
        hint=_("run `sessionlog sync` again"),
    )


# --- invoice numbers agreed through the remote ---------------------------------------------------


def agreed(ctx: Context, run: Callable[[], T], what: str) -> T:
    """`run()` (finalize) such that what it writes is on the remote before it counts.

    Without git, or without a remote, `run()` as it is. Otherwise: sync, run, commit, push;
    lost to a colleague's push: undo, merge theirs, run again. Offline or stuck on a conflict:
    refused, with nothing written."""
    git = Git(ctx.ledger.root)
    if not git.is_ledger_repo():
        return run()
    git, branch, _root = _repo(ctx)
    remote = git.remote(branch)
    if remote is None:
        return run()
    ledger = ctx.ledger
    with git.sync_lock():
        before = Synced(branch=branch)
        _exchange(ctx, git, branch, before)
        _refuse_unsynced(before, remote)
        ledger.forget()
        for _try in range(TRIES):
            with ledger.locked():
                start = git.rev("HEAD")
                value = run()
                made = _commit(ctx, git, what)
                if made is None:
                    return value  # nothing was numbered
                pushed = git.push(remote, branch)
                if pushed.ok:
                    git.track(branch, remote)
                    return value
                assert start is not None
                git.reset_hard(start)  # the numbers were never shown to anyone: take them back
                ledger.forget()
            moved = git.rev(f"refs/remotes/{remote}/{branch}")
            if pushed.rejected and git.fetch(remote) is None and git.rev(f"refs/remotes/{remote}/{branch}") == moved:
                pushed = Pushed(False, message=pushed.message)  # refused although nobody pushed: no race
            if not pushed.rejected:
                raise SessionlogError(
                    _("cannot push to {remote}: {message}; nothing was numbered").format(
                        remote=remote, message=pushed.message
                    ),
                    Kind.CONFLICT,
                    hint=_("invoice numbers are agreed through the remote: finalize when it can be reached"),
                )
            again = Synced(branch=branch)
            _exchange(ctx, git, branch, again)  # a colleague's numbers came first: take them in
            _refuse_unsynced(again, remote)
            ledger.forget()
    raise SessionlogError(
        _("{remote} kept changing while finalizing ({TRIES} tries); nothing was numbered").format(
            remote=remote, TRIES=TRIES
        ),
        Kind.BUSY,
        hint=_("run it again"),
    )


def _refuse_unsynced(done: Synced, remote: str) -> None:
    if done.offline is not None or done.push_failed is not None:
        raise SessionlogError(
            _("cannot reach {remote}: {value}; nothing was numbered").format(
                remote=remote, value=done.offline or done.push_failed
            ),
            Kind.CONFLICT,
            hint=_(
                "invoice numbers are agreed through the remote so that no two "
                "technicians issue the same one: finalize when it can be reached"
            ),
        )
    if done.conflicts:
        first = done.conflicts[0]
        raise SessionlogError(
            _("the ledger has {count} conflict(s) to settle first, e.g. {first}; nothing was numbered").format(
                count=len(done.conflicts), first=first
            ),
            Kind.MERGE_CONFLICT,
            hint=_("`sessionlog sync` lists them; settle each with `sessionlog resolve ID --take ours|theirs`"),
        )

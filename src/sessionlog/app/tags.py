"""Tags: the ones in use with their counts, the ones that look like a typo of another, renaming
one across the ledger, and the warning when a command is given a tag that looks like a typo."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sessionlog.app import customers
from sessionlog.app.context import Context
from sessionlog.app.listing import Places, folder_errors, refuse_or_skip, unreadable_customers
from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, Session, SessionlogError, Severity
from sessionlog.periods import Period
from sessionlog.textmatch import LookAlike, fold, look_alikes, similar, usage

# A new tag is compared with the tags of the last months (all customers): the words in use now.
RECENT_MONTHS = 3


@dataclass(frozen=True)
class TagCount:
    tag: str
    sessions: int
    seconds: int  # worked time of those sessions
    customers: int  # how many customers' sessions carry it
    last: datetime  # the start of its latest session


@dataclass(frozen=True)
class TagList:
    period: Period
    tags: list[TagCount]  # most used first
    alike: list[LookAlike]  # likely typos: each with the more used tag it looks like
    sessions: int  # sessions of the period
    untagged: int
    skipped: list[Problem]


def in_use(ctx: Context, period: Period, customer: str | None = None, *, skip_broken: bool = False) -> TagList:
    """The tags of the finished sessions starting in `period`, with counts and look-alikes.

    What `gather` would leave out (ids used twice, unreadable files and customers) is left out
    alike, but the sessions are read one customer at a time and kept only as what the counts
    need: five years of a big ledger never sit in memory.
    """
    ledger = ctx.ledger
    keys = [customers.resolve(ledger, customer, create=False)[0]] if customer else None
    months = period.months() if period.end - period.start < timedelta(days=3700) else None
    seen = _Seen()
    errors: list[Problem] = []
    for key in keys if keys is not None else ledger.layout.customer_keys():
        sessions, problems = ledger.sessions.load(months, [key])
        errors += problems
        for s in sessions:
            seen.keep(s, s.start in period)
    errors += folder_errors(ctx, keys)
    doubled = seen.again
    errors += seen.duplicates()
    errors += [p for _, p in unreadable_customers(ctx, seen.customers())]
    skipped = refuse_or_skip(errors, skip_broken)
    found: dict[str, list[tuple[str, datetime, int]]] = {}  # tag -> (customer, start, seconds) of its sessions
    here = untagged = 0
    for n, start, seconds, tags in seen.kept:
        if seen.ids[n] in doubled:
            continue
        here += 1
        untagged += not tags
        for tag in dict.fromkeys(tags):
            found.setdefault(tag, []).append((seen.keys[n], start, seconds))
    counts = [
        TagCount(tag, len(group), sum(g[2] for g in group), len({g[0] for g in group}), max(g[1] for g in group))
        for tag, group in found.items()
    ]
    counts.sort(key=lambda c: (-c.sessions, fold(c.tag)[0], c.tag))
    alike = look_alikes({c.tag: c.sessions for c in counts})
    return TagList(period, counts, alike, here, untagged, skipped)


class _Seen(Places):
    """Of every session read its place (Places) and customer; of those in the period what the counts need."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []
        self.shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per set of tags, not one per session
        self.kept: list[tuple[int, datetime, int, tuple[str, ...]]] = []  # number, start, seconds, tags

    def keep(self, s: Session, in_period: bool) -> None:
        n = self.add(s)
        self.keys.append(s.customer)
        if in_period:
            seconds = int(s.net_duration().total_seconds()) if s.end is not None else 0
            self.kept.append((n, s.start, seconds, self.shared.setdefault(s.tags, s.tags)))

    def customers(self) -> set[str]:
        """The customers with a session here whose id is not doubled (as `gather` counts them)."""
        return {key for sid, key in zip(self.ids, self.keys, strict=True) if sid not in self.again}


def recent(ctx: Context) -> Counter[str]:
    """How often each tag was used in the last RECENT_MONTHS months (by the start), all customers.

    Files that cannot be read are passed over: this only feeds a hint.
    """
    local = ctx.now.astimezone(ctx.tz)
    year, month = local.year, local.month
    months = []
    for _month in range(RECENT_MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    sessions, _ = ctx.ledger.sessions.load(months)
    return Counter(t for s in sessions for t in dict.fromkeys(s.tags))


def hints(ctx: Context, given: Sequence[str], known: Counter[str] | None = None, sid: str = "ID") -> list[Problem]:
    """A warning for each tag given that is new but looks like one in use (`Druker` for `drucker`);
    the fix it names is for session `sid`."""
    wanted = [t for t in dict.fromkeys(given) if t.strip()]
    if not wanted:
        return []
    known = recent(ctx) if known is None else known
    out = []
    by_use = sorted(known, key=lambda k: usage(k, known[k]))  # of two spellings, the more used is suggested
    for tag in wanted:
        if known.get(tag):
            continue
        alike = similar(tag, by_use)
        if not alike:
            continue
        like = alike[0].like
        if alike[0].same_letters:
            text = _(
                "tag '{tag}' differs only in case or spelling from '{like}', used "
                "{count} time(s) in the last {months} months"
            )
        else:
            text = _("tag '{tag}' is new and looks like '{like}', used {count} time(s) in the last {months} months")
        out.append(
            Problem(
                Kind.INPUT,
                text.format(tag=tag, like=like, count=known[like], months=RECENT_MONTHS),
                severity=Severity.WARNING,
                hint=_("if it is a typo: sessionlog edit {sid} --untag {tag} --tag {like}").format(
                    sid=sid, tag=shell_word(tag), like=shell_word(like)
                ),
            )
        )
    return out


def shell_word(text: str) -> str:
    """`text` as one word in a command to copy: bare when it is plain, else in double quotes (which
    cmd.exe, PowerShell and Unix shells all read)."""
    return text if re.fullmatch(r"[\w.@+-]+", text) else '"' + text.replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Renamed:
    changed: list[Session]  # as they are now
    invoiced: list[Session]  # left as they are: invoiced records change only one by one with --force
    running: list[Session]  # running timers with the tag, left for their supporter


def rename(ctx: Context, old: str, new: str, period: Period, customer: str | None = None) -> Renamed:
    """Replace the tag `old` by `new` in every session of `period` that has it (exactly as written)."""
    new = new.strip()
    if not new:
        raise SessionlogError(_("the new tag is empty"), Kind.USAGE)
    if old == new:
        raise SessionlogError(_("'{old}' is the tag's name already").format(old=old), Kind.USAGE)
    ledger = ctx.ledger
    keys = [customers.resolve(ledger, customer, create=False)[0]] if customer else None
    months = period.months() if period.end - period.start < timedelta(days=3700) else None
    with ledger.locked():
        sessions, problems = ledger.sessions.load(months, keys)
        if problems:
            first = problems[0]
            raise SessionlogError(
                Problem(
                    first.kind, first.message, first.path, first.line, hint=_("fix it first: a rename must see all")
                )
            )
        having = [s for s in sessions if old in s.tags and s.start in period]
        if not having:
            raise SessionlogError(
                _("no session of {label} has the tag '{old}'").format(label=period.label, old=old), Kind.NOT_FOUND
            )
        invoiced = [s for s in having if s.invoice]
        changes = [(s, s.evolve(tags=_renamed(s.tags, old, new))) for s in having if not s.invoice]
        if changes:
            ledger.sessions.update_many(changes)
        running = [s for s in ledger.timers.all() if old in s.tags and (keys is None or s.customer in keys)]
    return Renamed([n for _, n in changes], invoiced, running)


def _renamed(tags: Iterable[str], old: str, new: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(new if t == old else t for t in tags))


def edited_tags(
    s: Session, replace: tuple[str, ...] | None, add: Sequence[str], remove: Sequence[str]
) -> tuple[str, ...]:
    """A session's tags after `edit --no-tags/--untag/--tag`: the replacement (or its own), without
    the removed ones (as folded: --untag drucker removes Drucker), with the added ones after."""
    base = list(replace) if replace is not None else list(s.tags)
    for tag in remove:
        folded = fold(tag.strip())[0]
        kept = [t for t in base if fold(t)[0] != folded]
        if len(kept) == len(base):
            have = ", ".join(base) or "none"
            raise SessionlogError(
                _("session {id} has no tag '{tag}' (its tags: {have})").format(id=s.id, tag=tag, have=have)
            )
        base = kept
    return tuple(dict.fromkeys(t.strip() for t in (*base, *add) if t.strip()))

"""`search`: past sessions whose notes, tags, tickets, contacts or machines hold the words."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from itertools import chain, compress
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, NamedTuple, overload

from sessionlog.app import customers
from sessionlog.app.context import Context
from sessionlog.app.listing import duplicate_problem, folder_errors, refuse_or_skip, unreadable_customers
from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, Session, SessionlogError
from sessionlog.periods import Period, match_period, period_between
from sessionlog.store.searchtexts import micros
from sessionlog.textmatch import Corpus, Query, fold, parse_query, spans

if TYPE_CHECKING:
    from sessionlog.store.searchtexts import Listing, Texts

# The fields searched, in the order a hit names them.
FIELDS = ("note", "tags", "ticket", "contact", "machine")
# Between a session's tags when they are searched: a phrase never runs from one into the next.
_BETWEEN = "\x01"
# With a limit, months are read this many at a time, newest first, until the limit is met.
CHUNK_MONTHS = 12
# Month files read at a time (a third of a year of a 500-customer ledger): the searched fields of
# five years at once took 40 MB; 6 000 files at a time still left 80 MiB of peak with varied notes.
GROUP_FILES = 2000
_FIELDS = attrgetter("note", "ticket", "contact", "machine", "tags")


@dataclass(frozen=True)
class Hit:
    session: Session
    texts: dict[str, str]  # each searched field as shown (tags joined with ", ")
    query: Query

    @cached_property
    def marks(self) -> dict[str, list[tuple[int, int]]]:
        """Field -> where the query is found in its text (worked out when asked: CSV does not)."""
        found = {name: spans(text, self.query) for name in FIELDS if (text := self.texts[name])}
        return {k: v for k, v in found.items() if v}


@dataclass(frozen=True)
class Found:
    period: Period
    query: Query
    hits: Sequence[Hit]  # newest first, at most `limit`; made as they are read (see Hits)
    total: int  # how many sessions match, before the limit
    searched: int  # how many sessions of the period were looked at
    skipped: list[Problem]  # left out with --skip-broken: the search did not see everything
    back_to: str | None = None  # with a limit met early: the oldest month searched; None: all of them


class Hits(Sequence[Hit]):
    """The hits, newest first, each session decoded only when its hit is read, a batch at a time:
    five years of hits as JSON never stand in memory at once, and the table's 50 cost 50."""

    BATCH = 2000

    def __init__(self, ctx: Context, picked: list[tuple[Texts, int]], query: Query) -> None:
        self._ctx = ctx
        self._picked = picked
        self._query = query

    def __len__(self) -> int:
        return len(self._picked)

    @overload
    def __getitem__(self, at: int) -> Hit: ...
    @overload
    def __getitem__(self, at: slice) -> list[Hit]: ...
    def __getitem__(self, at: int | slice) -> Hit | list[Hit]:
        if isinstance(at, slice):
            return list(self._made(self._picked[at]))
        [hit] = self._made([self._picked[at]])
        return hit

    def __iter__(self) -> Iterator[Hit]:
        for first in range(0, len(self._picked), self.BATCH):
            yield from self._made(self._picked[first : first + self.BATCH])

    def _made(self, picked: list[tuple[Texts, int]]) -> Iterator[Hit]:
        groups: dict[int, tuple[Texts, list[int]]] = {}
        for texts, i in picked:
            groups.setdefault(id(texts), (texts, []))[1].append(i)
        read: dict[tuple[int, int], Session | None] = {}
        for key, (texts, indexes) in groups.items():
            sessions = self._ctx.ledger.sessions.sessions_at(texts, indexes)
            read.update(zip(((key, i) for i in indexes), sessions, strict=True))
        for texts, i in picked:
            s = read[id(texts), i]
            if s is not None:  # None: gone from its file since the search read it
                yield Hit(s, shown(s), self._query)


def shown(s: Session) -> dict[str, str]:
    """The searched fields of a session as a person sees them (composed Unicode, NFC)."""
    values = {
        "note": s.note,
        "tags": ", ".join(s.tags),
        "ticket": s.ticket or "",
        "contact": s.contact or "",
        "machine": s.machine or "",
    }
    return {k: unicodedata.normalize("NFC", v) for k, v in values.items()}


def split_words(ctx: Context, words: Sequence[str], dated: bool) -> tuple[str, Period]:
    """The query and the period from `search TEXT [PERIOD]`.

    Several words may come unquoted (`search drucker treiber`); the last one is the period
    when it names one (`2024`, `last-month`) and no --from/--to is given (`dated`).
    Without a period everything is searched: a fix from years ago is still a fix.
    """
    parts = list(words)
    period = None
    if len(parts) > 1 and not dated:
        period = match_period(parts[-1], ctx.now, ctx.tz)
        if period is not None:
            parts.pop()
    text = " ".join(parts)
    return text, period or period_between(None, None, ctx.now, ctx.tz)


def search(
    ctx: Context,
    text: str,
    period: Period,
    *,
    customer: str | None = None,
    machine: str | None = None,
    tags: Sequence[str] = (),
    limit: int | None = None,
    skip_broken: bool = False,
) -> Found:
    """The sessions starting in `period` that hold every word and phrase of `text`, newest first.

    `machine` is a part of the machine's name and `tags` whole tags, both found the way the
    words are (case and umlauts folded). Anything that cannot be read refuses the search
    unless `skip_broken`.
    """
    query = parse_query(text)
    if not query.terms:
        raise SessionlogError(_("give the words to search for, e.g. sessionlog search drucker"), Kind.USAGE)
    if limit is not None and limit < 0:
        raise SessionlogError(_("--limit must be 0 (no limit) or more, not {limit}").format(limit=limit))
    keys = [customers.resolve(ctx.ledger, customer, create=False)[0]] if customer else None
    # An open period spans centuries: read the files there are instead of probing each month.
    months = period.months() if period.end - period.start < timedelta(days=3700) else None
    chunks: list[list[str] | None] = [months]
    if limit:
        # Newest first, a year of months at a time, until the limit is met: the fix of last
        # month is found without reading (or even listing) five years.
        if months is None:
            months = ctx.ledger.sessions.month_names(keys)
        months.reverse()
        chunks = [months[i : i + CHUNK_MONTHS] for i in range(0, len(months), CHUNK_MONTHS)]
    matching: list[tuple[Texts, int]] = []
    skipped: list[Problem] = []
    searched = 0
    back_to = None
    folders = folder_errors(ctx, keys)  # the same for every chunk
    for n, chunk in enumerate(chunks):
        listed = ctx.ledger.sessions.listing(chunk, keys)
        found, count, loaded, problems = _scan(ctx, listed, period, query, machine, tags)
        skipped += refuse_or_skip(loaded + folders + problems, skip_broken)
        searched += count
        matching += found
        if limit and chunk and len(matching) >= limit and n + 1 < len(chunks):
            back_to = chunk[-1]
            break
    picked = matching[:limit] if limit else matching
    # A problem outside the months (a stray file, a folder) comes with every year read: tell it once.
    skipped = list(dict.fromkeys(skipped))
    return Found(period, query, Hits(ctx, picked, query), len(matching), searched, skipped, back_to)


def _scan(
    ctx: Context, listed: Listing, period: Period, query: Query, machine: str | None, tags: Sequence[str]
) -> tuple[list[tuple[Texts, int]], int, list[Problem], list[Problem]]:
    """What `gather` and `select` make of the listed files: the matching sessions newest first,
    how many sessions of the period were searched, the files' problems, and the ids used twice
    and the unreadable customers (`gather`'s errors, in its order).

    The files are scanned GROUP_FILES at a time, each group's searched fields let go once
    scanned; only ids (for ids used twice) stay for all.
    """
    lo, hi = micros(period.start), micros(period.end)
    loaded: list[Problem] = []
    groups: list[tuple[Texts, list[int], list[int], list[int], list[float]]] = []
    for first in range(0, len(listed.files), GROUP_FILES):
        texts, errors = ctx.ledger.sessions.texts(
            listed.only(range(first, min(first + GROUP_FILES, len(listed.files))))
        )
        loaded += errors
        starts = texts.starts
        live = [i for i in range(len(starts)) if i not in texts.hidden]
        inside = not starts or (lo <= min(starts) and max(starts) < hi)  # the common case: every one
        pool = live if inside else [i for i in live if lo <= starts[i] < hi]
        columns = Columns(texts.notes, texts.tickets, texts.contacts, texts.machines, texts.tags)
        found = [
            pool[k] for k in matches(columns if len(pool) == len(starts) else columns.only(pool), query, machine, tags)
        ]
        when = [starts[i] / 10**6 for i in found]  # Session.start.timestamp(), exactly
        texts.drop_fields()
        groups.append((texts, live, pool, found, when))
    # Ids used twice are left out wherever they stand (gather's rule), so they are known only now.
    doubled: set[str] = set()
    problems = []
    every = list(chain.from_iterable(map(texts.ids.__getitem__, live) for texts, live, *_ in groups))
    counts = Counter(every) if len(set(every)) < len(every) else {}
    del every
    for sid in sorted(sid for sid, n in counts.items() if n > 1):
        doubled.add(sid)
        places = [texts.origin(i) for texts, live, *_ in groups for i in live if texts.ids[i] == sid]
        problems.append(duplicate_problem(sid, counts[sid], places))
    billed: set[str] = set()
    searched = 0
    hits: list[tuple[float, Texts, int]] = []
    for texts, live, pool, found, when in groups:
        ids = texts.ids
        billed |= _keys_of(texts, [i for i in live if ids[i] not in doubled] if doubled else live)
        searched += sum(1 for i in pool if ids[i] not in doubled) if doubled else len(pool)
        hits += [(t, texts, i) for t, i in zip(when, found, strict=True) if not doubled or ids[i] not in doubled]
    # Newest first (the same start: in the order read).
    hits.sort(key=itemgetter(0), reverse=True)
    problems += [p for _, p in unreadable_customers(ctx, billed)]
    return [(texts, i) for _, texts, i in hits], searched, loaded, problems


def _keys_of(texts: Texts, live: list[int]) -> set[str]:
    """The customers with a session in `live`, without looking up each session's file."""
    alive = set(live) if len(live) < len(texts.ids) else None
    bounds = texts.bounds
    return {
        f.key
        for k, f in enumerate(texts.files.files)
        if bounds[k] < bounds[k + 1] and (alive is None or any(i in alive for i in range(bounds[k], bounds[k + 1])))
    }


def select(pool: list[Session], query: Query, machine: str | None = None, tags: Sequence[str] = ()) -> list[Session]:
    """The sessions of `pool` on such a machine, with such tags, that hold every term; newest first."""
    # Columns made with C-level maps: a Python loop per session costs more than the search.
    notes, tickets, contacts, machines, tag_lists = zip(*map(_FIELDS, pool), strict=True) if pool else ((),) * 5
    found = matches(Columns(notes, tickets, contacts, machines, tag_lists), query, machine, tags)
    # Newest first (the same start: in the order read); a timestamp is the cheapest key to sort by.
    return sorted((pool[i] for i in found), key=lambda s: s.start.timestamp(), reverse=True)


class Columns(NamedTuple):
    """The searched fields of some sessions, one sequence per field."""

    notes: Sequence[str]
    tickets: Sequence[str | None]
    contacts: Sequence[str | None]
    machines: Sequence[str | None]
    tags: Sequence[tuple[str, ...]]

    def only(self, keep: list[int]) -> Columns:
        return Columns(
            [self.notes[k] for k in keep],
            [self.tickets[k] for k in keep],
            [self.contacts[k] for k in keep],
            [self.machines[k] for k in keep],
            [self.tags[k] for k in keep],
        )


def matches(columns: Columns, query: Query, machine: str | None = None, tags: Sequence[str] = ()) -> list[int]:
    """Where in `columns` the sessions on such a machine, with such tags, that hold every term are; in order."""
    keep: list[int] | None = None  # None: all of them
    if machine is not None:
        wanted = parse_query(f'"{machine}"')
        if wanted.terms:
            keep = sorted(Corpus([m or "" for m in columns.machines]).having(wanted.terms[0]))
    for tag in tags:
        spelt = fold(tag)[0].strip()
        folded: dict[str, str] = {}  # few distinct tags: fold each once
        keep = [
            k
            for k in (range(len(columns.notes)) if keep is None else keep)
            if any(folded.setdefault(t, fold(t)[0].strip()) == spelt for t in columns.tags[k])
        ]
    chosen = columns if keep is None else columns.only(keep)
    # One corpus per field, each text in one string: the scans run at C speed.
    corpora = [Corpus(list(chosen.notes)), Corpus(list(map(_BETWEEN.join, chosen.tags)))]
    for values in (chosen.tickets, chosen.contacts, chosen.machines):
        where = list(compress(range(len(values)), values))
        if where:
            corpora.append(Corpus([v for v in values if v], where))
    found: set[int] | None = None
    for term in query.terms:  # every term, in any field
        having = set().union(*(c.having(term) for c in corpora))
        found = having if found is None else found & having
    # In the order given (a set's order is not its elements').
    return sorted(found or ()) if keep is None else [keep[k] for k in sorted(found or ())]

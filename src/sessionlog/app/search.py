"""`search`: past sessions whose notes, tags, tickets, contacts or machines hold the words."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import compress
from operator import attrgetter

from sessionlog.app import customers
from sessionlog.app.context import Context
from sessionlog.app.listing import gather, refuse_or_skip
from sessionlog.i18n import _
from sessionlog.model import Kind, Problem, Session, SessionlogError
from sessionlog.periods import Period, match_period, period_between
from sessionlog.textmatch import Corpus, Query, fold, parse_query, spans

# The fields searched, in the order a hit names them.
FIELDS = ("note", "tags", "ticket", "contact", "machine")
# Between a session's tags when they are searched: a phrase never runs from one into the next.
_BETWEEN = "\x01"
# With a limit, months are read this many at a time, newest first, until the limit is met.
CHUNK_MONTHS = 12
_FIELDS = attrgetter("note", "ticket", "contact", "machine", "tags")


@dataclass(frozen=True)
class Hit:
    session: Session
    texts: dict[str, str]  # each searched field as shown (tags joined with ", ")
    marks: dict[str, list[tuple[int, int]]]  # field -> where the query is found in its text


@dataclass(frozen=True)
class Found:
    period: Period
    query: Query
    hits: list[Hit]  # newest first, at most `limit`
    total: int  # how many sessions match, before the limit
    searched: int  # how many sessions of the period were looked at
    skipped: list[Problem]  # left out with --skip-broken: the search did not see everything
    back_to: str | None = None  # with a limit met early: the oldest month searched; None: all of them


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
    if limit:
        # Newest first, a year of months at a time, until the limit is met: the fix of last
        # month is found without reading five years.
        if months is None:
            months = sorted({p.stem for p in ctx.ledger.layout.month_files(None, keys)})
        months.reverse()
        chunks: list[list[str] | None] = [months[i : i + CHUNK_MONTHS] for i in range(0, len(months), CHUNK_MONTHS)]
    else:
        chunks = [months]
    matching: list[Session] = []
    skipped: list[Problem] = []
    searched = 0
    back_to = None
    for n, chunk in enumerate(chunks):
        g = gather(ctx, chunk, keys)
        skipped += refuse_or_skip(g.errors, skip_broken)
        pool = [s for s in g.sessions if s.start in period]
        searched += len(pool)
        matching += select(pool, query, machine, tags)
        if limit and chunk and len(matching) >= limit and n + 1 < len(chunks):
            back_to = chunk[-1]
            break
    picked = matching[:limit] if limit else matching
    hits = []
    for s in picked:
        texts = shown(s)
        marks = {name: spans(texts[name], query) for name in FIELDS}
        hits.append(Hit(s, texts, {k: v for k, v in marks.items() if v}))
    return Found(period, query, hits, len(matching), searched, skipped, back_to)


def select(pool: list[Session], query: Query, machine: str | None = None, tags: Sequence[str] = ()) -> list[Session]:
    """The sessions of `pool` on such a machine, with such tags, that hold every term; newest first."""
    if machine is not None:
        wanted = parse_query(f'"{machine}"')
        if wanted.terms:
            pool = [pool[i] for i in sorted(Corpus([s.machine or "" for s in pool]).having(wanted.terms[0]))]
    for tag in tags:
        spelt = fold(tag)[0].strip()
        folded: dict[str, str] = {}  # few distinct tags: fold each once
        pool = [s for s in pool if any(folded.setdefault(t, fold(t)[0].strip()) == spelt for t in s.tags)]
    # One corpus per field, built with C-level maps: a Python loop per session costs more than the search.
    notes, tickets, contacts, machines, tag_lists = zip(*map(_FIELDS, pool), strict=True) if pool else ((),) * 5
    corpora = [Corpus(list(notes)), Corpus(list(map(_BETWEEN.join, tag_lists)))]
    for values in (tickets, contacts, machines):
        where = list(compress(range(len(values)), values))
        if where:
            corpora.append(Corpus(list(filter(None, values)), where))
    found: set[int] | None = None
    for term in query.terms:  # every term, in any field
        having = set().union(*(c.having(term) for c in corpora))
        found = having if found is None else found & having
    # Newest first (the same start: in the order read, hence sorted(found): a set's order is not
    # its elements'); a timestamp is the cheapest key to sort by.
    return sorted((pool[i] for i in sorted(found or ())), key=lambda s: s.start.timestamp(), reverse=True)

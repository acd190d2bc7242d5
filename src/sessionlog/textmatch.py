"""Finding words in people's notes the way people search: pure, no I/O.

`drucker` finds "Drucker", `mueller` and `muller` find "Müller", `strasse` finds "Straße",
`cafe` finds "Café". Both the text and the query are folded: case folded, then either
umlauts spelt out (ä -> ae, the German way of typing without umlauts) or every accent
dropped (ü -> u); a query word matches if it is found in the text under either folding.
Runs of white space count as one space, so a phrase matches across a line break in a note.

A query is words and "quoted phrases"; every one of them must be found (anywhere in a word:
`drucker` finds "Netzwerkdrucker", as German compounds need).

Folding 100 000 notes costs more than the search itself, so `Corpus` does not fold the texts:
it joins them into one string and looks for each term with a regular expression that matches
exactly the raw spellings whose folding holds the term (`mueller` becomes m, then u e or ü,
then ller, each letter in every case and accent). `Query.matches` on folded text is the
definition; tests hold the two to each other.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

# Runs of white space, as one space; a single space is left alone (it is most of them, and
# replacing each by itself made folding five years of notes four times slower).
_SPACE = re.compile(r"\s{2,}|[^\S ]")
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
# The blocks of combining marks Latin, Greek and Cyrillic text uses (accents, umlaut dots);
# a regular expression drops them at C speed, which a per-character check would not.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Between the texts folded in one go: no white space, so that runs of it are not merged across.
_SEPARATOR = "\x00"


def _plain(text: str) -> str:
    """`text` without accents and umlaut dots (NFKD, combining marks dropped)."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


def fold(text: str) -> tuple[str, str]:
    """`text` folded twice: umlauts spelt out ('mueller') and accents dropped ('muller')."""
    low = text.casefold()
    if low.isascii():
        return (low, low) if low.isprintable() and "  " not in low else (_SPACE.sub(" ", low),) * 2
    low = _SPACE.sub(" ", unicodedata.normalize("NFC", low))
    # After casefold only lower case is left, and 'ß' is already 'ss'.
    spelt = low.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return _plain(spelt), _plain(low)


def fold_many(texts: list[str]) -> list[tuple[str, str]]:
    """`fold` of each text, done on all of them at once: 100 000 notes take milliseconds."""
    whole = _SEPARATOR.join(texts)
    if whole.count(_SEPARATOR) != max(0, len(texts) - 1):  # a text holds the separator itself
        return [fold(t) for t in texts]
    spelt, plain = fold(whole)
    pairs = list(zip(spelt.split(_SEPARATOR), plain.split(_SEPARATOR), strict=True))
    return pairs if len(pairs) == len(texts) else [fold(t) for t in texts]


@dataclass(frozen=True)
class Query:
    """What to look for: every term must be found; a term is a word or a phrase, folded."""

    text: str
    terms: tuple[tuple[str, str], ...]  # each term in both foldings

    def matches(self, folded: tuple[str, str]) -> bool:
        """Whether every term is in the folded text (as `fold` gives it)."""
        spelt, plain = folded
        return all(a in spelt or b in plain for a, b in self.terms)


def parse_query(text: str) -> Query:
    """Words and "quoted phrases" (an unclosed quote runs to the end); empty terms are dropped."""
    terms: list[tuple[str, str]] = []
    for phrase, word in _TOKEN.findall(text):
        term = " ".join((phrase or word).split())
        if term:
            spelt, plain = fold(term)
            pair = (spelt.strip(), plain.strip())
            if pair[0] and pair not in terms:
                terms.append(pair)
    return Query(text, tuple(terms))


# --- the same, as regular expressions over raw text ---------------------------------------------

# Characters whose foldings are tabled: Latin (with Extended-A/B and Additional, for Vietnamese).
_TABLED = (*range(0x21, 0x250), *range(0x1E00, 0x1F00))
# A term with more places than this where several spellings meet falls back to folding.
_MAX_FORKS = 8


@dataclass(frozen=True)
class _Table:
    """For one folding: folded piece -> a regex class of the raw characters that fold to it, and
    the same for the proper beginnings and ends of longer pieces (ä folds to 'ae': a term may
    start at its 'e' or end at its 'a')."""

    whole: dict[str, str]
    heads: dict[str, str]
    tails: dict[str, str]


@lru_cache(maxsize=1)
def _spellings() -> tuple[_Table, _Table]:
    found: list[tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]] = [({}, {}, {}), ({}, {}, {})]
    for cp in _TABLED:
        c = chr(cp)
        if not c.isprintable() or c.isspace():
            continue
        for (whole, heads, tails), piece in zip(found, fold(c), strict=True):
            if not piece:
                continue
            whole.setdefault(piece, []).append(c)
            for n in range(1, len(piece)):
                heads.setdefault(piece[:n], []).append(c)
                tails.setdefault(piece[n:], []).append(c)

    def classes(table: dict[str, list[str]]) -> dict[str, str]:
        return {piece: "[" + "".join(re.escape(c) for c in chars) + "]" for piece, chars in table.items()}

    spelt, plain = (_Table(*(classes(t) for t in tables)) for tables in found)
    return spelt, plain


def _any_case(c: str) -> str:
    return "[" + "".join(re.escape(x) for x in dict.fromkeys((c, c.lower(), c.upper(), c.title()))) + "]"


def _pattern(term: str, table: _Table) -> str | None:
    """A regex for raw text whose folding (by `table`) holds the folded `term`; None when too forked."""
    whole = table.whole
    forks = sum(1 for i in range(len(term)) for n in (2, 3) if len(term[i : i + n]) == n and term[i : i + n] in whole)
    if forks > _MAX_FORKS:
        return None

    @cache
    def at(i: int) -> str:
        if i == len(term):
            return ""
        if term[i] == " ":
            return r"\s+" + at(i + 1)
        pieces = [term[i : i + n] for n in (1, 2, 3) if i + n <= len(term)]
        ways = [whole[piece] + at(i + len(piece)) for piece in pieces if piece in whole]
        if term[i] not in whole:
            ways.insert(0, _any_case(term[i]) + at(i + 1))
        if i == 0:  # the term may begin inside a character: 'e' in 'ä' (ae)
            ways += [table.tails[piece] + at(len(piece)) for piece in pieces if piece in table.tails]
        if term[i:] in table.heads:  # or end inside one: 's' in 'ß' (ss)
            ways.append(table.heads[term[i:]])
        return ways[0] if len(ways) == 1 else "(?:" + "|".join(ways) + ")"

    return at(0)


def term_regex(term: tuple[str, str]) -> re.Pattern[str] | None:
    """The raw spellings of a folded term, or None where only folding can tell."""
    spelt, plain = (_pattern(piece, table) for piece, table in zip(term, _spellings(), strict=True))
    if spelt is None or plain is None:
        return None
    return re.compile(spelt if spelt == plain else f"{spelt}|{plain}")


class Corpus:
    """Many texts searched as one string: which texts hold a query, at C speed.

    Texts are joined with NUL (never white space, never in a class) so nothing matches across
    two of them. Decomposed accents (macOS) are composed first; where marks remain that no
    character takes, the texts are folded instead.
    """

    def __init__(self, texts: list[str], index: list[int] | None = None) -> None:
        self.index = index  # what `having` calls each text (default: its place in `texts`)
        whole = _SEPARATOR.join(texts)
        ascii_ = whole.isascii()
        if whole.count(_SEPARATOR) != max(0, len(texts) - 1) or not (ascii_ or unicodedata.is_normalized("NFC", whole)):
            texts = [unicodedata.normalize("NFC", t).replace(_SEPARATOR, " ") for t in texts]
            whole = _SEPARATOR.join(texts)
        self.texts = texts
        self.whole = whole
        self._folded: list[tuple[str, str]] | None = None
        # Where each text starts: its length plus the separator, summed (map and accumulate run in C).
        self.starts = list(accumulate(map((1).__add__, map(len, texts)), initial=0))[:-1]
        # Marks that no character takes (rare) are dropped by folding, which the expressions cannot do.
        self.exact = ascii_ or _MARKS.search(whole) is None

    def having(self, term: tuple[str, str]) -> set[int]:
        """The indexes of the texts that hold `term` (folded, as in `Query.terms`)."""
        regex = term_regex(term) if self.exact else None
        if regex is None:
            if self._folded is None:
                self._folded = fold_many(self.texts)
            a, b = term
            found = {i for i, (spelt, plain) in enumerate(self._folded) if a in spelt or b in plain}
        else:
            found = set()
            starts = self.starts
            pos = 0
            while (hit := regex.search(self.whole, pos)) is not None:
                index = bisect_right(starts, hit.start()) - 1
                found.add(index)
                pos = starts[index + 1] if index + 1 < len(starts) else len(self.whole)
        return found if self.index is None else {self.index[i] for i in found}


@lru_cache(maxsize=4096)
def _folded_chars(c: str) -> tuple[str, str]:
    if c.isspace():
        return " ", " "
    return fold(c)


def spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query's terms are in `text`: sorted, merged (start, end) character spans.

    Works on `text` as given (call it with the text that is shown): each character is
    folded on its own and every position in the folded text remembers the character it
    came from, so a match on 'mueller' marks the five letters of 'Müller'.
    """
    if not text or not query.terms:
        return []
    found: list[tuple[int, int]] = []
    if text.isascii() and text.isprintable() and "  " not in text:
        # Each character folds to itself in lower case and no space is dropped: the folded text
        # is text.lower(), every position its own origin (most notes; 40 000 hits fold in 0.1 s).
        flat = text.lower()
        for term in {t[form] for t in query.terms for form in (0, 1)}:
            at = flat.find(term)
            while at >= 0:
                found.append((at, at + len(term)))
                at = flat.find(term, at + 1)
        return merge(found)
    for form in (0, 1):
        folded: list[str] = []
        origin: list[int] = []
        last_space = False
        for i, c in enumerate(text):
            piece = _folded_chars(c)[form]
            if piece == " ":
                if last_space:
                    continue
                last_space = True
            elif piece:
                last_space = False
            folded.append(piece)
            origin.extend([i] * len(piece))
        flat = "".join(folded)
        for term in {t[form] for t in query.terms}:
            at = flat.find(term)
            while at >= 0:
                found.append((origin[at], origin[at + len(term) - 1] + 1))
                at = flat.find(term, at + 1)
    return merge(found)


def merge(found: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


# --- tags that look alike ----------------------------------------------------------------------

# How alike two folded tags must be (difflib's ratio) to be named as a likely typo: 'druker' and
# 'drucker' are 0.92, 'backup' and 'backups' 0.92, 'netz' and 'netzwerk' 0.67 (not a typo).
ALIKE = 0.8


@dataclass(frozen=True)
class LookAlike:
    tag: str  # the spelling that is likely wrong (the rarer one)
    like: str  # the tag it looks like
    same_letters: bool  # only case, umlaut spelling or accents differ ('Drucker', 'drücker')


def similar(tag: str, known: Iterable[str]) -> list[LookAlike]:
    """The known tags `tag` looks like (never itself): those with the same letters first, then the
    ones alike enough, each group in the order of `known` (give the most used first: of two
    close tags the more used is the likelier meant, and of 'Drucker' and 'drucker' it stands for both).
    """
    import difflib

    spelt, plain = fold(tag)
    same: list[LookAlike] = []
    by_fold: dict[str, str] = {}
    for k in known:
        if k == tag:
            continue
        k_spelt, k_plain = fold(k)
        if k_spelt == spelt or k_plain == plain:
            same.append(LookAlike(tag, k, True))
        else:
            by_fold.setdefault(k_spelt, k)
    order = list(by_fold)
    close = sorted(difflib.get_close_matches(spelt, order, n=5, cutoff=ALIKE), key=order.index)
    return same + [LookAlike(tag, by_fold[c], False) for c in close]


def usage(tag: str, count: int) -> tuple[int, bool, str]:
    """Sort key for tags as suggestions: the most used first; as often: lower case, then by name."""
    return -count, tag != tag.lower(), tag


def look_alikes(counts: dict[str, int]) -> list[LookAlike]:
    """For each tag that looks like one used as often or more (a likely typo), the best such
    tag; each pair once, rarest first."""
    out: list[LookAlike] = []
    seen: set[frozenset[str]] = set()
    by_use = sorted(counts, key=lambda t: usage(t, counts[t]))  # of two spellings, the more used is the one
    for tag in reversed(by_use):
        alike = similar(tag, [k for k in by_use if counts[k] >= counts[tag]])
        if alike and frozenset((tag, alike[0].like)) not in seen:
            seen.add(frozenset((tag, alike[0].like)))
            out.append(alike[0])
    return out

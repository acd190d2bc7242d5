"""Which columns of a table show at a given width, and how wide each is.

The one decision every table writer (Rich on a terminal, plain text for pipes) takes from
here, so a table never differs in what it shows between them. The rules:

- A column that does not wrap (ids, keys, dates, times, durations, minutes, amounts) is
  never cut: it is as wide as its longest cell. Its header may wrap at spaces.
- A column that wraps (notes) is at least ``WRAP_MIN`` wide (less when its text is shorter)
  and keeps words up to ``WRAP_COMFORT`` whole; a ``list`` column keeps each item whole
  (remote IDs wrap between IDs, never inside one).
- When the columns do not fit, the ones that may drop out (``Column.drop`` > 0) go, the
  highest number first; a column with room left over comes back, most important first, as
  long as the notes already shown keep ``WRAP_COMFORT`` (or all they need).
  An empty droppable column, and one marked ``drop_if_same`` whose cells all agree (the
  currency), shows only where room is left after all others and is not worth a hint:
  nothing is lost with it.
- If even the columns that never drop do not fit, the table is wider than asked: a wide
  table wraps in the terminal, a cut id cannot be read at all.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sessionlog.render import Column

# The narrowest a wrapping column gets before it drops out instead: a note narrower than
# this is a column of syllables.
WRAP_MIN = 12
# A wrapping column keeps this much before another column joins the table, and words up to
# this long stay whole.
WRAP_COMFORT = 24


@dataclass(frozen=True)
class Layout:
    """The columns that show (in order), their widths, and those left out that had something to show."""

    shown: tuple[int, ...]  # indexes into the columns given
    widths: tuple[int, ...]  # one per shown column, the text width without padding
    left_out: tuple[Column, ...]
    width: int  # the whole table, separators included


def text_width(text: str) -> int:
    """Terminal cells of the widest line of `text` (wide East Asian characters take two)."""
    return max((_line_width(line) for line in text.split("\n")), default=0)


def _line_width(line: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _longest_word(text: str) -> int:
    return max((text_width(w) for w in text.split()), default=0)


def fit(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int | None,
    *,
    gap: int,
    edge: int = 0,
) -> Layout:
    """Lay out `rows` (the cell texts, one per column) in `width` cells; None means as wide as needed.

    `gap` is what a writer puts between two columns, `edge` what it puts around the table.
    """
    n = len(columns)
    natural: list[int] = []
    least: list[int] = []
    comfort: dict[int, int] = {}  # wrapping columns: the width they keep before a column joins
    for i, c in enumerate(columns):
        cells = [r[i] for r in rows]
        widest = max((text_width(t) for t in cells), default=0)
        header_word = _longest_word(c.header)
        natural.append(max(widest, text_width(c.header)))
        if c.wraps:
            words = max((_longest_word(t) for t in cells), default=0)
            words = words if c.kind == "list" else min(words, WRAP_COMFORT)
            least.append(max(min(widest, WRAP_MIN), words, header_word))
            comfort[i] = max(least[i], min(natural[i], WRAP_COMFORT))
        else:
            least.append(max(widest, header_word))

    def total(shown: Sequence[int], widths: Sequence[int] | Mapping[int, int]) -> int:
        return sum(widths[i] for i in shown) + gap * max(len(shown) - 1, 0) + edge

    if width is None:
        everything = range(n)
        return Layout(tuple(everything), tuple(natural), (), total(everything, natural))

    def worthless(i: int) -> bool:
        c = columns[i]
        cells = {r[i] for r in rows}
        return (c.drop > 0 and cells <= {""}) or (c.drop_if_same and len(cells - {""}) <= 1)

    always = [i for i in range(n) if columns[i].drop == 0 and not worthless(i)]
    # Most important first: the lowest drop number; of equals, the one further left.
    optional = sorted((i for i in range(n) if columns[i].drop > 0 and not worthless(i)), key=lambda i: columns[i].drop)
    shown = set(always)
    for i in [*optional, *(i for i in range(n) if worthless(i))]:
        # A column joins only where the notes already shown keep a readable width.
        trial = [comfort.get(j, least[j]) if j in shown else least[j] for j in range(n)]
        if total(sorted(shown | {i}), trial) <= width:
            shown.add(i)
    order = sorted(shown)
    widths = {i: least[i] for i in order}
    notes = [i for i in order if columns[i].wraps]
    # Room left: notes to a readable width first, then whole headers, then the notes' full text.
    _grow(widths, comfort, width - total(order, widths), notes)
    _grow(widths, natural, width - total(order, widths), [i for i in order if not columns[i].wraps])
    _grow(widths, natural, width - total(order, widths), notes)
    left_out = tuple(columns[i] for i in range(n) if i in optional and i not in shown)
    return Layout(tuple(order), tuple(widths[i] for i in order), left_out, total(order, widths))


def _grow(widths: dict[int, int], up_to: Sequence[int] | Mapping[int, int], room: int, which: Sequence[int]) -> None:
    """Share `room` among `which`, one cell at a time, each up to `up_to`."""
    while room > 0:
        wanting = [i for i in which if widths[i] < up_to[i]]
        if not wanting:
            return
        for i in wanting:
            if room == 0:
                return
            widths[i] += 1
            room -= 1

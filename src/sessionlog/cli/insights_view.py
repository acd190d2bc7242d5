"""The insights page in the terminal: tables and bar charts drawn with Rich.

Why Rich and not plotext: the bars here are rows of whole character cells whose lengths
come from `sessionlog.charts` (so a test can check each bar against the data), Rich already
draws every other table of the program, follows the terminal's width and honours NO_COLOR
(colours go; the two kinds of bar still differ by their characters), and no new dependency
is needed. plotext draws on a canvas of its own sizing and colour handling, which is
harder to hold to the data cell by cell and to fit into a narrow terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from sessionlog import charts
from sessionlog.model import format_duration

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from sessionlog.app.insights import Insights
    from sessionlog.insights import Ranked, Top

FULL, LIGHT = "█", "░"  # billable, free
ASCII_FULL, ASCII_LIGHT = "#", "-"  # where the output's encoding has no block characters
MIN_BAR = 4
GAPS_SHOWN = 20  # sessions without note or tag listed in the terminal; JSON lists all


def hours(seconds: int) -> str:
    """'12:05' (hours and minutes) for a chart's label."""
    h, rest = divmod(max(0, seconds) // 60, 60)
    return f"{h}:{rest:02d}"


def signed(value: int | Decimal, text: str) -> str:
    return text if value < 0 else f"+{text}"


def bar_chars(console: Console) -> tuple[str, str]:
    try:
        (FULL + LIGHT).encode(console.encoding)
    except (UnicodeEncodeError, LookupError):
        return ASCII_FULL, ASCII_LIGHT
    return FULL, LIGHT


def bars(
    console: Console,
    labels: Sequence[str],
    parts: Sequence[tuple[int, int]],
    texts: Sequence[str],
    styles: tuple[str, str] = ("green", "yellow"),
) -> list[Text]:
    """One line per label: the label, a bar of one or two parts, the value as text.

    The bars share one scale, the largest whole filling the room the line has left; a line
    never runs past the console's width (the value text goes first where it would).
    """
    from rich.text import Text

    full, light = bar_chars(console)
    label_w = max((len(x) for x in labels), default=0)
    text_w = max((len(x) for x in texts), default=0)
    room = console.width - label_w - text_w - 3
    show_text = room >= MIN_BAR
    if not show_text:
        room = max(1, console.width - label_w - 2)
    most = max((a + b for a, b in parts), default=0)
    lines = []
    for label, (a, b), text in zip(labels, parts, texts, strict=True):
        first, second = charts.stacked(a, b, most, room)
        line = Text(label.ljust(label_w) + " ")
        line.append(full * first, style=styles[0])
        line.append(light * second, style=styles[1])
        if show_text:
            line.append(" " * (room - first - second) + " " + text.rjust(text_w))
        lines.append(line)
    return lines


def month_chart(console: Console, months: Sequence[charts.MonthBar]) -> list[Text]:
    from rich.text import Text

    full, light = bar_chars(console)
    legend = Text("Billable and free hours per month  (", style="bold")
    legend.append(full, style="green")
    legend.append(" billable, ")
    legend.append(light, style="yellow")
    legend.append(" free)")
    texts = [f"{hours(m.billable_seconds)} + {hours(m.free_seconds)}" for m in months]
    parts = [(m.billable_seconds, m.free_seconds) for m in months]
    return [legend, *bars(console, [m.month for m in months], parts, texts)]


def count_chart(console: Console, title: str, labels: Sequence[str], counts: Sequence[int]) -> list[Text]:
    from rich.text import Text

    parts = [(n, 0) for n in counts]
    return [Text(title, style="bold"), *bars(console, labels, parts, [str(n) for n in counts], ("cyan", "cyan"))]


def table(title: str, headers: Sequence[str], right: Sequence[bool]) -> Table:
    from rich.table import Table
    from rich.text import Text

    t = Table(title=Text(title, style="bold"), title_justify="left")
    for header, is_right in zip(headers, right, strict=True):
        t.add_column(Text(header), justify="right" if is_right else "left")
    return t


def row(t: Table, *cells: str) -> None:
    from rich.text import Text

    t.add_row(*(Text(c) for c in cells))


def trend_table(ins: Insights) -> Table:
    before = ins.previous.label if ins.previous else "before"
    t = table("Trend", ["", ins.current.label, before, "change"], [False, True, True, True])
    names: dict[str, tuple[str, Callable[[int | Decimal], str]]] = {
        "sessions": ("sessions", str),
        "billable_seconds": ("billable hours", lambda v: format_duration(timedelta(seconds=int(v)))),
        "free_seconds": ("free hours", lambda v: format_duration(timedelta(seconds=int(v)))),
        "average_seconds": ("average session", lambda v: format_duration(timedelta(seconds=int(v)))),
        "after_hours_percent": ("after-hours share", lambda v: f"{v}%"),
    }
    for change in ins.trend:
        name, show = names[change.name]
        if change.name == "after_hours_percent":
            moved = f"{signed(change.delta, str(change.delta))} points"
        else:
            moved = signed(change.delta, show(change.delta) if change.name != "sessions" else str(change.delta))
            moved += f" ({signed(change.percent, str(change.percent))}%)" if change.percent is not None else ""
        row(t, name, show(change.current), show(change.previous) if ins.previous else "", moved if ins.previous else "")
    return t


def money_text(values: dict[str, Decimal]) -> str:
    return " + ".join(f"{amount:.2f} {currency}" for currency, amount in sorted(values.items()))


def top_table(title: str, top: Top, headers: Sequence[str]) -> Table:
    """The union of the first N by sessions, worked and free time; (#k) is the place in each."""
    machines = len(headers) == 2
    t = table(title, [*headers, "sessions", "worked", "free", "free value"], [False] * len(headers) + [True] * 4)

    def placed(text: str, place: int | None) -> str:
        return f"{text} (#{place})" if place else text

    for r in top.union():
        by_sessions, by_minutes, by_free = top.rank(r)
        names = [r.customer, r.name] if machines else [r.name]
        row(
            t,
            *names,
            placed(str(r.sessions), by_sessions),
            placed(format_duration(timedelta(seconds=r.net_seconds)), by_minutes),
            placed(format_duration(timedelta(seconds=r.free_seconds)), by_free) if r.free_seconds else "",
            money_text(r.free_value),
        )
    return t


def render(console: Console, ins: Insights, tz: tzinfo, top_n: int) -> None:
    """The whole page, section by section."""
    from rich.text import Text

    def blank() -> None:
        console.print()

    against = f" against {ins.previous.label}" if ins.previous else ""
    who = f"{len(ins.sessions)} session(s)"
    title = Text(f"Insights {ins.period.label}: {who}, {ins.current.label}{against}", style="bold")
    console.print(title)
    if ins.skipped:
        console.print(Text("INCOMPLETE: some files could not be read and are left out", style="bold red"))
    blank()
    console.print(trend_table(ins))
    blank()
    console.print(repeats_table(ins, tz, top_n))
    repeats = sum(c.repeats for c in ins.chains)
    share = f"{repeats} of {len(ins.sessions)} session(s) came back within {ins.within.days} days"
    console.print(Text(f"{share}; {ins.unattributed} name neither machine nor contact"))
    blank()
    console.print(rates_table(ins, top_n))
    blank()
    for key, headers in (("customers", ["customer"]), ("machines", ["customer", "machine"]), ("tags", ["tag"])):
        console.print(top_table(f"Top {key}", ins.top[key], headers))
        if key == "tags":
            for hint in alike_lines(ins):
                console.print(Text(hint, style="yellow"), soft_wrap=True)  # a command to copy: never broken
        blank()
    for part in gaps_lines(ins, tz):
        console.print(part)
    blank()
    for line in month_chart(console, ins.months):
        console.print(line, overflow="crop", no_wrap=True)
    blank()
    labels = list(charts.WEEKDAYS)
    for line in count_chart(console, "Sessions per weekday", labels, ins.weekdays):
        console.print(line, overflow="crop", no_wrap=True)
    blank()
    shown = charts.hour_range(ins.hours)
    labels = [f"{h:02d}:00" for h in shown]
    for line in count_chart(console, "Sessions per hour", labels, [ins.hours[h] for h in shown]):
        console.print(line, overflow="crop", no_wrap=True)


def repeats_table(ins: Insights, tz: tzinfo, top_n: int) -> Table:
    title = f"Repeat incidents: back within {ins.within.days} days on the same machine or contact"
    t = table(title, ["customer", "machine / contact", "sessions", "from", "to", "tags", "ids"], [False] * 7)
    for chain in ins.chains[: top_n * 2]:
        first, last = chain.sessions[0].start.astimezone(tz), chain.sessions[-1].start.astimezone(tz)
        row(t, chain.customer, chain.subject, str(len(chain.sessions)), f"{first:%d.%m.%Y}", f"{last:%d.%m.%Y}",
            few(chain.tags), few([s.id for s in chain.sessions]))  # fmt: skip
    if len(ins.chains) > top_n * 2:
        t.caption = f"… and {len(ins.chains) - top_n * 2} more (--format json lists all)"
    return t


def alike_lines(ins: Insights) -> list[str]:
    """Tags of the period that look like a typo of a more used one, with the command that fixes it."""
    from sessionlog.app.tags import shell_word

    counts = ins.tag_counts
    return [
        f"hint: '{a.tag}' ({counts[a.tag]}) "
        + ("differs only in case or spelling from" if a.same_letters else "looks like")
        + f" '{a.like}' ({counts[a.like]}): sessionlog tags --rename {shell_word(a.tag)} {shell_word(a.like)}"
        for a in ins.alike
    ]


def few(items: Sequence[str], most: int = 4) -> str:
    """At most `most` items: the first ones, an ellipsis and the last."""
    if len(items) <= most:
        return ", ".join(items)
    return ", ".join([*items[: most - 1], "…", items[-1]])


def rates_table(ins: Insights, top_n: int) -> Table:
    t = table("Repeat rate per customer", ["customer", "sessions", "repeats", "chains", "rate"], [False, *[True] * 4])
    came_back = [r for r in ins.rates if r.repeats]
    for r in came_back[:top_n]:
        row(t, r.customer, str(r.sessions), str(r.repeats), str(r.chains), f"{r.rate}%")
    if len(came_back) > top_n:
        t.caption = f"… and {len(came_back) - top_n} more customers with repeats"
    return t


def gaps_lines(ins: Insights, tz: tzinfo) -> list[Table | Text]:
    from rich.text import Text

    no_note = sum(g.no_note for g in ins.gaps)
    no_tag = sum(g.no_tag for g in ins.gaps)
    both = sum(g.no_note and g.no_tag for g in ins.gaps)
    head = Text(f"Sessions without a note or a tag: {len(ins.gaps)} of {len(ins.sessions)}", style="bold")
    counts = Text(f"no note {no_note}, no tag {no_tag}, neither {both}")
    if not ins.gaps:
        return [head]
    t = table("", ["id", "date", "customer", "supporter", "missing"], [False] * 5)
    for g in ins.gaps[:GAPS_SHOWN]:
        s = g.session
        row(t, s.id, f"{s.start.astimezone(tz):%d.%m.%Y}", s.customer, s.supporter, ", ".join(g.missing))
    if len(ins.gaps) > GAPS_SHOWN:
        t.caption = f"… and {len(ins.gaps) - GAPS_SHOWN} more (--format json lists all)"
    hint = Text("add what is missing with: sessionlog edit ID --note TEXT --tag TAG", style="dim")
    return [head, counts, t, hint]


def ranked_json(r: Ranked) -> dict[str, object]:
    out: dict[str, object] = {"name": r.name}
    if r.customer:
        out["customer"] = r.customer
    out.update(
        sessions=r.sessions,
        net_seconds=r.net_seconds,
        free_seconds=r.free_seconds,
        free_value={c: f"{v:.2f}" for c, v in sorted(r.free_value.items())},
    )
    return out

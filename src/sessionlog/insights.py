"""The help-desk lead's figures, pure: repeat incidents, where the time goes, the trend against
the previous period, and the sessions whose missing note or tag spoils all of that.

Every function takes finished sessions (an end, not unfinished) and returns plain values;
money is Decimal, durations whole seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from sessionlog.billing import CENT, Rules, billed_minutes, is_after_hours, money, rules_for
from sessionlog.model import BusinessHours, Customer, Session, Settings
from sessionlog.textmatch import fold

_SECOND = timedelta(seconds=1)
_TENTH = Decimal("0.1")


def seconds(s: Session) -> int:
    """Worked seconds of a finished session, pauses excluded."""
    return max(0, s.net_duration() // _SECOND)


# --- repeat incidents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """Sessions on one machine (or, without a machine, for one contact) of one customer, each
    back within the window after the one before."""

    customer: str
    kind: str  # "machine" or "contact"
    subject: str  # the machine or contact as the first session wrote it
    sessions: tuple[Session, ...]  # in start order, at least two

    @property
    def repeats(self) -> int:
        return len(self.sessions) - 1

    @property
    def tags(self) -> list[str]:
        return list(dict.fromkeys(t for s in self.sessions for t in s.tags))


@dataclass(frozen=True)
class RepeatRate:
    customer: str
    sessions: int  # the customer's sessions in the period
    repeats: int  # of them, sessions back within the window on the same machine or contact
    chains: int

    @property
    def rate(self) -> Decimal:
        """Repeats per session, as a percentage with one decimal."""
        return percent(self.repeats, self.sessions)


def subject(s: Session) -> tuple[str, str] | None:
    """What a repeat is about: the machine, else the contact (folded: 'PC-01' is 'pc-01'); None
    when the session names neither, so nothing can come back."""
    if s.machine and s.machine.strip():
        return "machine", fold(s.machine.strip())[0]
    if s.contact and s.contact.strip():
        return "contact", fold(s.contact.strip())[0]
    return None


def chains(sessions: Iterable[Session], within: timedelta) -> list[Chain]:
    """Every chain: a session that starts at most `within` after the end of the one before on
    the same customer and machine (or contact) continues it. Longest first, then latest."""
    groups: dict[tuple[str, str, str], list[Session]] = {}
    for s in sessions:
        about = subject(s)
        if about is not None:
            groups.setdefault((s.customer, *about), []).append(s)
    out: list[Chain] = []
    for (customer, kind, _), group in groups.items():
        group.sort(key=lambda s: (s.start, s.id))
        run = [group[0]]
        for s in group[1:]:
            last_end = run[-1].end or run[-1].start
            if s.start - last_end <= within:
                run.append(s)
                continue
            if len(run) > 1:
                out.append(_chain(customer, kind, run))
            run = [s]
        if len(run) > 1:
            out.append(_chain(customer, kind, run))
    out.sort(key=lambda c: (-len(c.sessions), -c.sessions[-1].start.timestamp(), c.customer, c.subject))
    return out


def _chain(customer: str, kind: str, run: list[Session]) -> Chain:
    first = run[0]
    name = (first.machine if kind == "machine" else first.contact) or ""
    return Chain(customer, kind, name.strip(), tuple(run))


def repeat_rates(sessions: Iterable[Session], found: Sequence[Chain]) -> list[RepeatRate]:
    """Per customer with sessions: how many came back; most repeats first."""
    counts: dict[str, int] = {}
    for s in sessions:
        counts[s.customer] = counts.get(s.customer, 0) + 1
    repeats: dict[str, int] = {}
    links: dict[str, int] = {}
    for c in found:
        repeats[c.customer] = repeats.get(c.customer, 0) + c.repeats
        links[c.customer] = links.get(c.customer, 0) + 1
    rates = [RepeatRate(k, n, repeats.get(k, 0), links.get(k, 0)) for k, n in counts.items()]
    rates.sort(key=lambda r: (-r.repeats, -r.rate, r.customer))
    return rates


# --- where the time goes ------------------------------------------------------------------------


@dataclass
class Ranked:
    """One customer, machine or tag with its sessions, worked time, free time and its value."""

    name: str  # customer key, machine as written, or tag
    customer: str = ""  # the machine's customer
    sessions: int = 0
    net_seconds: int = 0
    free_seconds: int = 0
    free_value: dict[str, Decimal] = field(default_factory=dict)  # currency -> free time at the customer's rate


@dataclass(frozen=True)
class Top:
    """The first N by sessions, by worked time and by free time (ties by name)."""

    by_sessions: list[Ranked]
    by_minutes: list[Ranked]
    by_free: list[Ranked]

    def union(self) -> list[Ranked]:
        """Everything in any of the three lists, most worked time first."""
        seen = {id(r): r for r in (*self.by_minutes, *self.by_sessions, *self.by_free)}
        return sorted(seen.values(), key=lambda r: (-r.net_seconds, r.customer, r.name))

    def rank(self, r: Ranked) -> tuple[int | None, int | None, int | None]:
        """Its place (1-based) by sessions, by worked time and by free time; None where it is not
        among the first N."""

        def place(ranking: list[Ranked]) -> int | None:
            return next((i + 1 for i, x in enumerate(ranking) if x is r), None)

        return place(self.by_sessions), place(self.by_minutes), place(self.by_free)


class FreeValue:
    """What free sessions would have cost at their customer's rules: the goodwill given away.

    The customer's rounding and minimum, its rate (times the after-hours factor where the
    session starts after hours); contract minutes are not counted against it.
    """

    def __init__(self, settings: Settings, customers: Mapping[str, Customer], tz: tzinfo) -> None:
        self.settings = settings
        self.customers = customers
        self.tz = tz
        self._rules: dict[str, Rules] = {}

    def __call__(self, s: Session) -> tuple[str, Decimal]:
        rules = self._rules.get(s.customer)
        if rules is None:
            rules = self._rules[s.customer] = rules_for(self.settings, self.customers.get(s.customer))
        rate = rules.rate
        if is_after_hours(s.start, self.settings.business_hours, self.tz):
            rate = rate * rules.after_hours_factor
        rate = rate.quantize(CENT, rounding=ROUND_HALF_UP)
        minutes = billed_minutes(s.net_duration(), rules.increment, rules.rounding, rules.minimum)
        return rules.currency, money(minutes, rate)


def top(sessions: Iterable[Session], value: FreeValue, n: int) -> dict[str, Top]:
    """The first `n` customers, machines and tags (a session counts under each of its tags)."""
    found: dict[str, dict[tuple[str, str], Ranked]] = {"customers": {}, "machines": {}, "tags": {}}
    for s in sessions:
        net = seconds(s)
        worth = None if s.billable else value(s)
        keys: list[tuple[str, tuple[str, str], str, str]] = [("customers", ("", s.customer), s.customer, "")]
        if s.machine and s.machine.strip():
            keys.append(("machines", (s.customer, fold(s.machine.strip())[0]), s.machine.strip(), s.customer))
        for tag in dict.fromkeys(s.tags):
            keys.append(("tags", ("", tag), tag, ""))
        for table, key, name, customer in keys:
            r = found[table].get(key)
            if r is None:
                r = found[table][key] = Ranked(name, customer)
            r.sessions += 1
            r.net_seconds += net
            if worth is not None:
                r.free_seconds += net
                currency, amount = worth
                r.free_value[currency] = r.free_value.get(currency, Decimal("0.00")) + amount
    out = {}
    for table, rows in found.items():
        every = sorted(rows.values(), key=lambda r: (r.customer, r.name))
        out[table] = Top(
            sorted(every, key=lambda r: -r.sessions)[:n],
            sorted(every, key=lambda r: -r.net_seconds)[:n],
            sorted((r for r in every if r.free_seconds), key=lambda r: -r.free_seconds)[:n],
        )
    return out


# --- the trend ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What the trend compares, for one period."""

    sessions: int = 0
    billable_seconds: int = 0
    free_seconds: int = 0
    after_hours: int = 0  # sessions that start outside business hours

    @property
    def average_seconds(self) -> int:
        """The average worked time of a session, to the second (half up); 0 without sessions."""
        if not self.sessions:
            return 0
        total = self.billable_seconds + self.free_seconds
        return int((Decimal(total) / self.sessions).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def after_hours_share(self) -> Decimal:
        """After-hours sessions as a percentage with one decimal."""
        return percent(self.after_hours, self.sessions)


def figures(sessions: Iterable[Session], hours: BusinessHours, tz: tzinfo) -> Figures:
    count = billable = free = late = 0
    for s in sessions:
        count += 1
        if s.billable:
            billable += seconds(s)
        else:
            free += seconds(s)
        late += is_after_hours(s.start, hours, tz)
    return Figures(count, billable, free, late)


@dataclass(frozen=True)
class Change:
    """One line of the trend: now, before, the difference and the difference in percent of before."""

    name: str  # sessions, billable_seconds, free_seconds, average_seconds, after_hours_percent
    current: int | Decimal
    previous: int | Decimal
    percent: Decimal | None  # None where before was 0 (or for a share, whose change is in points)

    @property
    def delta(self) -> int | Decimal:
        return self.current - self.previous


def trend(now: Figures, before: Figures) -> list[Change]:
    """Each figure against the previous period; a share changes in percentage points."""
    pairs: list[tuple[str, int, int]] = [
        ("sessions", now.sessions, before.sessions),
        ("billable_seconds", now.billable_seconds, before.billable_seconds),
        ("free_seconds", now.free_seconds, before.free_seconds),
        ("average_seconds", now.average_seconds, before.average_seconds),
    ]
    out = [Change(name, a, b, percent(a - b, b) if b else None) for name, a, b in pairs]
    out.append(Change("after_hours_percent", now.after_hours_share, before.after_hours_share, None))
    return out


def percent(part: int, whole: int) -> Decimal:
    """`part` of `whole` in percent, one decimal, half up (-20.0, 33.3); 0.0 when whole is 0."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / whole).quantize(_TENTH, rounding=ROUND_HALF_UP)


# --- what is missing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A session without a note, without a tag, or without either."""

    session: Session
    no_note: bool
    no_tag: bool

    @property
    def missing(self) -> list[str]:
        return [name for name, gone in (("note", self.no_note), ("tag", self.no_tag)) if gone]


def gaps(sessions: Iterable[Session]) -> list[Gap]:
    """The sessions a note or a tag is missing from, newest first."""
    out = [
        Gap(s, not s.note.strip(), not any(t.strip() for t in s.tags))
        for s in sessions
        if not s.note.strip() or not any(t.strip() for t in s.tags)
    ]
    out.sort(key=lambda g: (g.session.start, g.session.id), reverse=True)
    return out

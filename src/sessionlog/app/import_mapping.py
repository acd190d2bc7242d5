"""Whose is an imported connection: its customer, its supporter, billable or free.

Customers are found by remote ID first (digits only, so `d565955529` and `565 955 529` are
one ID), then by the partner's, device's or group's name against customer keys and aliases
(whole words: alias `maier` matches "PC Maier | Fa. Maier GmbH"). A connection that fits
two customers is not guessed: it is reported, as is one that fits none.

A file that names the customer (a CSV customer column, a Watson project, Timewarrior tags,
an RDP computer) is tried first, name by name: --map-project, then a customer's key, name,
alias or machine as a whole (umlauts folded), then a remote ID.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from sessionlog.i18n import _
from sessionlog.importers.base import Candidate, digits
from sessionlog.model import Customer, ImportSettings, Kind, Problem, Severity, slug


@dataclass
class Unmapped:
    """Connections that went to no customer, grouped by partner ID (or name)."""

    partner: str  # the remote ID, or the name when the log has no ID
    reason: str
    hint: str
    names: list[str] = field(default_factory=list)  # names the log gives the partner
    lines: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the file of each line, when an import reads several

    @property
    def count(self) -> int:
        return len(self.lines)


_REMOTE_ID = re.compile(r"[A-Za-z]?[\d -]*\d")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@lru_cache(maxsize=1 << 16)  # a file names its customers and tags over and over
def _word(text: str) -> str:
    """A name as compared, words between dashes ('-fa-maier-gmbh-'), so aliases match whole
    words; umlauts fold as in folder names (ü = ue), accents drop."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[\W_]+", "-", plain).strip("-")
    return f"-{words}-" if words else ""


def _arg(name: str) -> str:
    """NAME=KEY as one shell word, quoted the way both a Unix shell and PowerShell read it."""
    word = f"{name}=KEY"
    return f'"{word}"' if re.search(r"[^\w.,:@%+=/-]", word) else word


class Mapper:
    """Customers by remote ID and by name, and what could not be placed."""

    def __init__(self, found: Mapping[str, Customer], given: Mapping[str, str] | None = None) -> None:
        self.customers = found
        self.given = {_word(name): key for name, key in (given or {}).items() if _word(name)}
        self.exact: dict[str, set[str]] = {}
        self.own: dict[str, set[str]] = {}  # key -> its key, name, aliases and machines as words
        for c in found.values():
            for w in (c.key, c.name, *c.aliases, *c.machines):
                if _word(w):
                    self.exact.setdefault(_word(w), set()).add(c.key)
                    self.own.setdefault(c.key, set()).add(_word(w))
        self.by_id: dict[str, list[str]] = {}
        for c in found.values():
            for rid in dict.fromkeys(digits(r) for r in c.remote_ids):
                if rid:
                    self.by_id.setdefault(rid, []).append(c.key)
        self.words = [(_word(w), c.key) for c in found.values() for w in (c.key, *c.aliases) if _word(w)]
        self._by_name: dict[str, list[str]] = {}
        self._unmapped: dict[str, Unmapped] = {}

    def _named(self, name: str) -> list[str]:
        hit = self._by_name.get(name)
        if hit is None:
            word = _word(name)
            hit = sorted({key for w, key in self.words if word and w in word})
            self._by_name[name] = hit
        return hit

    def _named_exactly(self, c: Candidate) -> tuple[list[str], str]:
        """The customers the first of the file's own names for the customer fits."""
        for name in c.customer_names:
            word = _word(name)
            if word in self.given:
                return [self.given[word]], f"--map-project {name}"
            hit = sorted(self.exact.get(word, ()))
            if not hit and _REMOTE_ID.fullmatch(name.strip()):
                hit = self.by_id.get(digits(name), [])
            if hit:
                return hit, f"name {name!r}"
        return [], ""

    def without_names_of(self, key: str, tags: tuple[str, ...]) -> tuple[str, ...]:
        """`tags` less the ones that are the customer's key, name, alias or machine."""
        own = self.own.get(key, set())
        return tuple(t for t in tags if _word(t) not in own)

    def _fits(self, c: Candidate) -> tuple[list[str], str]:
        """The customers a connection fits, and by what."""
        if c.customer_names:
            named, how = self._named_exactly(c)
            if named:
                return named, how
        if c.partner_id and c.partner_id in self.by_id:
            return self.by_id[c.partner_id], f"remote ID {c.partner_id}"
        fits: list[str] = []
        by = ""
        for name in c.names:
            fits = self._named(name)
            by = f"name {name!r}"
            if len(fits) == 1:
                break
        return fits, by

    def fits(self, c: Candidate) -> list[str]:
        """The keys of the customers the connection fits: one, none, or (not to be guessed) several."""
        if not c.customer_names and c.partner_id in self.by_id:
            return self.by_id[c.partner_id]  # as _fits finds it, without saying by what
        return self._fits(c)[0]

    def unmapped(self, c: Candidate) -> None:
        """Record a connection that fits no customer (or several)."""
        fits, by = self._fits(c)
        partner = c.partner_id or (c.names[0] if c.names else " ".join(c.customer_names) or "(no ID or name)")
        group = self._unmapped.get(partner)
        if group is None:
            group = self._unmapped[partner] = self._describe(c, partner, fits, by)
        group.lines.append(c.line)
        group.files.append(c.file)
        for name in c.names:
            if name not in group.names:
                group.names.append(name)

    def _describe(self, c: Candidate, partner: str, fits: list[str], by: str) -> Unmapped:
        if len(fits) > 1:
            both = " and ".join(f"{k} ({self.customers[k].display_name})" for k in fits)
            return Unmapped(
                partner,
                _("{by} fits {both}").format(by=by, both=both),
                _("keep it on one customer: sessionlog customer edit KEY …"),
            )
        if c.partner_id:
            hint = _("sessionlog customer edit KEY --remote-id {partner_id}").format(partner_id=c.partner_id)
            also = _(", nor any of its names as key or alias") if c.names else ""
            return Unmapped(partner, _("no customer has this remote ID{also}").format(also=also), hint)
        if c.customer_names and not c.names:
            # Timewarrior tags: none of them is a customer's name.
            first = c.customer_names[0]
            hint = _("sessionlog customer edit KEY --alias {slug}, or --map-project {arg}").format(
                slug=slug(first), arg=_arg(first)
            )
            return Unmapped(partner, _("no tag names a customer (key, name, alias or machine)"), hint)
        # An RDP computer's short name (SRV-MAIER of SRV-MAIER.maier.local) is the alias to give.
        hint = _("sessionlog customer edit KEY --alias {slug}").format(
            slug=slug(c.customer_names[-1] if c.customer_names else partner)
        )
        if c.customer_names:
            hint += _(", or --map-project {arg}").format(arg=_arg(partner))
        return Unmapped(partner, _("no customer has this name as key or alias"), hint)

    def report(self) -> list[Unmapped]:
        """The unmapped groups, most connections first."""
        return sorted(self._unmapped.values(), key=lambda u: (-u.count, u.partner))


class Assigner:
    """Who worked and whether it is billable, from the options and `[import]` in the ledger."""

    def __init__(self, settings: ImportSettings, given: str | None, current: str) -> None:
        self.given = given.strip() if given else None
        self.current = current
        self.supporters = {k.casefold(): v for k, v in settings.supporters}
        self.states = {k.casefold(): v for k, v in settings.billing_states}
        self.warnings: list[Problem] = []
        self._warned: set[str] = set()

    def _warn(self, key: str, message: str, hint: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(Problem(Kind.INPUT, message, severity=Severity.WARNING, hint=hint))

    def supporter(self, tool_user: str, named: str = "") -> str:
        """--supporter, else the ledger's name for the tool's user, else the name the log gives
        (the TeamViewer API's username), else the current supporter."""
        if self.given:
            return self.given
        if tool_user and self.supporters:
            mapped = self.supporters.get(tool_user.casefold())
            if mapped:
                return mapped
        if named:
            return named
        if tool_user and self.supporters:
            self._warn(
                f"user:{tool_user.casefold()}",
                _("the tool's user {tool_user!r} is not in [import.supporters]").format(tool_user=tool_user),
                _("its sessions are {current}'s").format(current=self.current),
            )
        return self.current

    def billing(self, state: str | None) -> tuple[bool, str | None]:
        """(billable, free reason) for a billing_state, by [import.billing_states]; billable if unset."""
        if state is None or not state.strip():
            return True, None
        value = self.states.get(state.strip().casefold())
        if value is None:
            self._warn(
                f"state:{state.casefold()}",
                _("billing_state {state!r} is not in [import.billing_states]").format(state=state),
                _("imported as billable"),
            )
            return True, None
        return (True, None) if value.casefold() == "billable" else (False, value)

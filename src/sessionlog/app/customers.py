"""The customer registry: which customer a user means, and adding and changing customers."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sessionlog.app.context import warning
from sessionlog.i18n import _
from sessionlog.model import (
    BOUNDS,
    Customer,
    Kind,
    Problem,
    Rounding,
    SessionlogError,
    Severity,
    check_customer_key,
    choice,
    close_keys,
    parse_decimal,
)
from sessionlog.store import Ledger

if TYPE_CHECKING:
    from sessionlog.billing import Rules


def near(ledger: Ledger, key: str) -> list[str]:
    """Customers (by key or alias) a typo away from `key`."""
    customers = ledger.customers
    aliases = {a.lower(): c.key for c in customers.all()[0].values() for a in c.aliases}
    return list(dict.fromkeys(aliases.get(k, k) for k in close_keys(key, customers.keys() + list(aliases))))


_REMOTE_ID = re.compile(r"[A-Za-z]?[\d -]*")


def remote_id(text: str) -> str | None:
    """The digits of `text` if it reads as a TeamViewer or AnyDesk ID ('d565 955 529'), else None."""
    text = text.strip()
    found = re.sub(r"\D", "", text)
    return found if len(found) >= 6 and _REMOTE_ID.fullmatch(text) else None


def owners(ledger: Ledger, rid: str) -> list[Customer]:
    """The customers whose remote_ids hold `rid`, compared by digits only."""
    return [c for c in ledger.customers.all()[0].values() if any(re.sub(r"\D", "", r) == rid for r in c.remote_ids)]


@dataclass(frozen=True)
class Match:
    """Which customer a user's text means, and how it was found."""

    key: str
    new: bool = False  # a key for a customer still to be created
    remote_id: str | None = None  # set when the text was a remote ID of this customer
    name: str = ""


def match(ledger: Ledger, text: str, *, create: bool, new: bool = False) -> Match:
    """`resolve`, also telling whether the customer was found by a remote ID."""
    rid = remote_id(text)
    if rid is not None:
        # A key or alias that happens to be all digits still wins.
        found = ledger.customers.resolve(text) if " " not in text.strip() else None
        if found is not None:
            return Match(found)
        claimed = owners(ledger, rid)
        if len(claimed) == 1:
            return Match(claimed[0].key, remote_id=rid, name=claimed[0].display_name)
        if claimed:
            names = " and ".join(f"{c.key} ({c.display_name})" for c in claimed)
            raise SessionlogError(
                _("remote ID {rid} belongs to {names}").format(rid=rid, names=names),
                Kind.AMBIGUOUS,
                hint=_("keep it on one customer: sessionlog customer edit KEY --remote-id …"),
            )
        if not new:
            hint = _("add it with: sessionlog customer edit KEY --remote-id {rid}").format(rid=rid)
            raise SessionlogError(
                _("no customer has the remote ID {rid}").format(rid=rid),
                Kind.NOT_FOUND,
                hint=hint + (", or use --new" if create else ""),
            )
    key, created = resolve_key(ledger, text, create=create, new=new)
    return Match(key, created)


def resolve(ledger: Ledger, text: str, *, create: bool, new: bool = False) -> tuple[str, bool]:
    """The key of an existing customer (by key, alias or remote ID), or a new key and True if `create`.

    A new key close to an existing one is refused unless `new`, to catch typos.
    """
    found = match(ledger, text, create=create, new=new)
    return found.key, found.new


def resolve_key(ledger: Ledger, text: str, *, create: bool, new: bool = False) -> tuple[str, bool]:
    """`resolve` by key or alias only."""
    found = ledger.customers.resolve(text)
    if found is not None:
        return found, False
    key = check_customer_key(text)
    if not create:
        close = near(ledger, key)
        hint = "; " + _("did you mean {keys}?").format(keys=_(" or ").join(close)) if close else ""
        raise SessionlogError(_("no customer {key!r}").format(key=key) + hint, Kind.NOT_FOUND)
    if not new and (close := near(ledger, key)):
        raise SessionlogError(
            _("unknown customer {key!r}; did you mean {keys}? (use --new to create {key!r})").format(
                key=key, keys=_(" or ").join(close)
            ),
            Kind.NOT_FOUND,
        )
    return key, True


def create(ledger: Ledger, key: str, name: str) -> Customer:
    """A new customer with only a name, as `start` and `add` make one."""
    c = Customer(key, name=name.strip())
    ledger.customers.save(c, create=True)
    return c


@dataclass(frozen=True)
class CustomerChanges:
    """Options as the user gave them: None is "not given", "" clears a number or text."""

    name: str | None = None
    rate: str | None = None
    increment: str | None = None
    rounding: str | None = None
    minimum: str | None = None
    included_minutes: str | None = None
    after_hours_factor: str | None = None
    currency: str | None = None
    remote_ids: list[str] | None = None
    aliases: list[str] | None = None
    contacts: list[str] | None = None
    address: list[str] | None = None  # one item per line; [""] clears it
    customer_number: str | None = None


def _number(text: str, name: str, option: str) -> Decimal | int | None:
    """'' clears the override; otherwise the value, within the bounds of `name`."""
    if text.strip() == "":
        return None
    value = parse_decimal(text, option)
    bound = BOUNDS[name]
    bound.check(value, option)
    return int(value) if bound.places == 0 else value


def apply(c: Customer, ch: CustomerChanges) -> Customer:
    """`c` with the changes, each value checked as it is read."""
    changes: dict[str, Any] = {}
    if ch.name is not None:
        changes["name"] = ch.name.strip()
    for name in ("rate", "increment", "minimum", "included_minutes", "after_hours_factor"):
        text = getattr(ch, name)
        if text is not None:
            changes[name] = _number(text, name, "--" + name.replace("_", "-"))
    if isinstance(changes.get("rate"), Decimal):
        changes["rate"] = changes["rate"].quantize(Decimal("0.01"))
    if ch.currency is not None:
        code = ch.currency.strip().upper()
        if code and not (len(code) == 3 and code.isalpha()):
            raise SessionlogError(
                _("--currency must be a three-letter code like EUR or CHF, not {currency!r}").format(
                    currency=ch.currency
                )
            )
        changes["currency"] = code or None
    if ch.rounding is not None:
        changes["rounding"] = choice(Rounding, ch.rounding, "--rounding") if ch.rounding else None
    if ch.remote_ids is not None:
        changes["remote_ids"] = tuple(dict.fromkeys(r.strip() for r in ch.remote_ids if r.strip()))
    if ch.aliases is not None:
        changes["aliases"] = tuple(dict.fromkeys(check_customer_key(a) for a in ch.aliases if a.strip()))
    if ch.contacts is not None:
        changes["contacts"] = tuple(dict.fromkeys(x.strip() for x in ch.contacts if x.strip()))
    if ch.address is not None:
        changes["address"] = "\n".join(x.strip() for x in ch.address if x.strip()) or None
    if ch.customer_number is not None:
        changes["customer_number"] = ch.customer_number.strip() or None
    return replace(c, **changes)


def _validate(ledger: Ledger, c: Customer) -> None:
    """Refuse rules billing would reject, and aliases that clash with other customers."""
    from sessionlog.billing import rules_for  # not on the timer's path

    rules_for(ledger.settings, c)
    if c.key in c.aliases:
        raise SessionlogError(_("an alias cannot be the customer's own key"))
    for other in ledger.customers.all()[0].values():
        if other.key == c.key:
            continue
        clash = {other.key, *(a.lower() for a in other.aliases)}.intersection(c.aliases)
        if clash:
            raise SessionlogError(
                _("alias {sorted!r} already means customer {key}").format(sorted=sorted(clash)[0], key=other.key),
                Kind.EXISTS,
            )


def add(ledger: Ledger, key_text: str, changes: CustomerChanges) -> Customer:
    """Register a customer; its name defaults to the key as typed."""
    key = check_customer_key(key_text)
    with ledger.locked():
        if ledger.customers.resolve(key) is not None:
            raise SessionlogError(
                _("customer {key} exists already (change it with: sessionlog customer edit {key})").format(key=key),
                Kind.EXISTS,
            )
        c = apply(Customer(key, name=key_text), changes)
        _validate(ledger, c)
        ledger.customers.save(c, create=True)
    return c


def edit(ledger: Ledger, key_text: str, changes: CustomerChanges) -> tuple[Customer, bool]:
    """The customer after the changes, and whether anything changed."""
    with ledger.locked():
        key = resolve(ledger, key_text, create=False)[0]
        old = _get(ledger, key)
        c = apply(old, changes)
        if c == old:
            return c, False
        _validate(ledger, c)
        ledger.customers.save(c)
    return c, True


def _get(ledger: Ledger, key: str) -> Customer:
    c = ledger.customers.get(key)
    if c is None:
        raise SessionlogError(_("no customer {key!r}").format(key=key), Kind.NOT_FOUND)
    return c


def show(ledger: Ledger, key_text: str) -> tuple[Customer, Rules]:
    """One customer and the billing rules in force for it."""
    from sessionlog.billing import rules_for  # not on the timer's path

    c = _get(ledger, resolve(ledger, key_text, create=False)[0])
    return c, rules_for(ledger.settings, c)


def listing(ledger: Ledger) -> tuple[list[Customer], list[Problem]]:
    """Every customer that can be read, and a warning for each that cannot (skipped)."""
    found, problems = ledger.customers.all()
    return list(found.values()), [warning(p, _("skipped")) for p in problems]


def rate_warning(ledger: Ledger, c: Customer) -> Problem | None:
    """A warning when sessions of `c` would bill at 0.00, saying how to set a rate."""
    try:
        from sessionlog.billing import rules_for  # not on the timer's path

        rate = rules_for(ledger.settings, c).rate
    except SessionlogError:
        return None  # invalid rules are refused where they are used
    if rate != 0:
        return None
    return Problem(
        Kind.ZERO_RATE,
        _("customer {key} has no rate: its sessions bill at 0.00").format(key=c.key),
        severity=Severity.WARNING,
        hint=_("set one with: sessionlog customer edit {key} --rate 95").format(key=c.key),
    )

"""The customer registry: which customer a user means, and adding and changing customers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sessionlog.app.context import warning
from sessionlog.model import (
    Customer,
    Kind,
    Problem,
    Rounding,
    SessionlogError,
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


def resolve(ledger: Ledger, text: str, *, create: bool, new: bool = False) -> tuple[str, bool]:
    """The key of an existing customer (by key or alias), or a new key and True if `create`.

    A new key close to an existing one is refused unless `new`, to catch typos.
    """
    found = ledger.customers.resolve(text)
    if found is not None:
        return found, False
    key = check_customer_key(text)
    if not create:
        close = near(ledger, key)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise SessionlogError(f"no customer {key!r}{hint}", Kind.NOT_FOUND)
    if not new and (close := near(ledger, key)):
        raise SessionlogError(
            f"unknown customer {key!r}; did you mean {' or '.join(close)}? (use --new to create {key!r})",
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


def _number(text: str, option: str, *, whole: bool) -> Decimal | int | None:
    """'' clears the override; otherwise a Decimal >= 0, or an int of minutes."""
    if text.strip() == "":
        return None
    value = parse_decimal(text, option)
    if value < 0:
        raise SessionlogError(f"{option} must be zero or more, not {text!r}")
    if whole:
        if value != value.to_integral_value():
            raise SessionlogError(f"{option} must be a whole number of minutes, not {text!r}")
        return int(value)
    return value


def apply(c: Customer, ch: CustomerChanges) -> Customer:
    """`c` with the changes, each value checked as it is read."""
    changes: dict[str, Any] = {}
    if ch.name is not None:
        changes["name"] = ch.name.strip()
    for name, option, whole in (
        ("rate", "--rate", False),
        ("increment", "--increment", True),
        ("minimum", "--minimum", True),
        ("included_minutes", "--included-minutes", True),
        ("after_hours_factor", "--after-hours-factor", False),
    ):
        text = getattr(ch, name)
        if text is not None:
            changes[name] = _number(text, option, whole=whole)
    if isinstance(changes.get("rate"), Decimal):
        changes["rate"] = changes["rate"].quantize(Decimal("0.01"))
    if ch.currency is not None:
        code = ch.currency.strip().upper()
        if code and not (len(code) == 3 and code.isalpha()):
            raise SessionlogError(f"--currency must be a three-letter code like EUR or CHF, not {ch.currency!r}")
        changes["currency"] = code or None
    if ch.rounding is not None:
        changes["rounding"] = choice(Rounding, ch.rounding, "--rounding") if ch.rounding else None
    if ch.remote_ids is not None:
        changes["remote_ids"] = tuple(dict.fromkeys(r.strip() for r in ch.remote_ids if r.strip()))
    if ch.aliases is not None:
        changes["aliases"] = tuple(dict.fromkeys(check_customer_key(a) for a in ch.aliases if a.strip()))
    if ch.contacts is not None:
        changes["contacts"] = tuple(dict.fromkeys(x.strip() for x in ch.contacts if x.strip()))
    return replace(c, **changes)


def _validate(ledger: Ledger, c: Customer) -> None:
    """Refuse rules billing would reject, and aliases that clash with other customers."""
    from sessionlog.billing import rules_for  # not at the top: `start` resolves customers without billing

    rules_for(ledger.settings, c)
    if c.key in c.aliases:
        raise SessionlogError("an alias cannot be the customer's own key")
    for other in ledger.customers.all()[0].values():
        if other.key == c.key:
            continue
        clash = {other.key, *(a.lower() for a in other.aliases)}.intersection(c.aliases)
        if clash:
            raise SessionlogError(f"alias {sorted(clash)[0]!r} already means customer {other.key}", Kind.EXISTS)


def add(ledger: Ledger, key_text: str, changes: CustomerChanges) -> Customer:
    """Register a customer; its name defaults to the key as typed."""
    key = check_customer_key(key_text)
    with ledger.locked():
        if ledger.customers.resolve(key) is not None:
            raise SessionlogError(
                f"customer {key} exists already (change it with: sessionlog customer edit {key})", Kind.EXISTS
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
        raise SessionlogError(f"no customer {key!r}", Kind.NOT_FOUND)
    return c


def show(ledger: Ledger, key_text: str) -> tuple[Customer, Rules]:
    """One customer and the billing rules in force for it."""
    from sessionlog.billing import rules_for

    c = _get(ledger, resolve(ledger, key_text, create=False)[0])
    return c, rules_for(ledger.settings, c)


def listing(ledger: Ledger) -> tuple[list[Customer], list[Problem]]:
    """Every customer that can be read, and a warning for each that cannot (skipped)."""
    found, problems = ledger.customers.all()
    return list(found.values()), [warning(p, "skipped") for p in problems]

"""`customer add/list/show/edit`: the customer registry."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from sessionlog.cli.common import Format, env, fail, new_app, say
from sessionlog.cli.output import check_format, emit
from sessionlog.model import ROUNDING_MODES, Customer, SessionlogError, check_customer_key
from sessionlog.render import Column

app = new_app("The customer registry: names, rates, rounding, contracts, remote IDs.")

Key = Annotated[str, typer.Argument(metavar="KEY", help="The customer key, e.g. ACME (case-insensitive).")]
Name = Annotated[str | None, typer.Option("--name", help="The company name for statements.")]
Rate = Annotated[str | None, typer.Option("--rate", help='Hourly rate, e.g. 95 or 95,00; "" for the ledger default.')]
Increment = Annotated[str | None, typer.Option("--increment", help="Billing increment in minutes (1 = per minute).")]
Rounding = Annotated[str | None, typer.Option("--rounding", help="up, nearest or down.")]
Minimum = Annotated[str | None, typer.Option("--minimum", help="Minimum billed minutes per billable session.")]
Included = Annotated[str | None, typer.Option("--included-minutes", help="Contract minutes included per month.")]
Factor = Annotated[str | None, typer.Option("--after-hours-factor", help="Rate factor outside business hours.")]
Currency = Annotated[str | None, typer.Option("--currency", help='Currency code, e.g. CHF; "" for the ledger default.')]
RemoteIds = Annotated[list[str] | None, typer.Option("--remote-id", help="TeamViewer/AnyDesk ID; repeat for more.")]
Aliases = Annotated[list[str] | None, typer.Option("--alias", help="Another key that means this customer; repeatable.")]
Contacts = Annotated[list[str] | None, typer.Option("--contact", help="A contact person; repeatable.")]

COLUMNS = (
    Column("key", "Schlüssel"),
    Column("name", "Name"),
    Column("rate", "Stundensatz", kind="money"),
    Column("increment", "Takt", kind="int"),
    Column("rounding", "Rundung"),
    Column("minimum", "Minimum", kind="int"),
    Column("included_minutes", "Inklusivminuten", title="included", kind="int"),
    Column("after_hours_factor", "Faktor außerhalb", title="after-hours", kind="decimal"),
    Column("currency", "Währung"),
    Column("aliases", "Aliase", kind="list"),
    Column("remote_ids", "Fernwartungs-IDs", title="remote IDs", kind="list"),
)


def _number(text: str | None, option: str, *, whole: bool) -> Any:
    """None: not given; '' clears the override; otherwise a Decimal or int."""
    if text is None or text.strip() == "":
        return None
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        fail(f"{option} {text!r} is not a number")
    if not value.is_finite() or value < 0:
        fail(f"{option} must be zero or more, not {text!r}")
    if whole:
        if value != value.to_integral_value():
            fail(f"{option} must be a whole number of minutes, not {text!r}")
        return int(value)
    return value


def _apply(
    c: Customer,
    name: str | None,
    rate: str | None,
    increment: str | None,
    rounding: str | None,
    minimum: str | None,
    included: str | None,
    factor: str | None,
    currency: str | None,
    remote_ids: list[str] | None,
    aliases: list[str] | None,
    contacts: list[str] | None,
) -> Customer:
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name.strip()
    for field, text, option, whole in (
        ("rate", rate, "--rate", False),
        ("increment", increment, "--increment", True),
        ("minimum", minimum, "--minimum", True),
        ("included_minutes", included, "--included-minutes", True),
        ("after_hours_factor", factor, "--after-hours-factor", False),
    ):
        if text is not None:
            changes[field] = _number(text, option, whole=whole)
    if rate and changes.get("rate") is not None:
        changes["rate"] = changes["rate"].quantize(Decimal("0.01"))
    if currency is not None:
        code = currency.strip().upper()
        if code and not (len(code) == 3 and code.isalpha()):
            fail(f"--currency must be a three-letter code like EUR or CHF, not {currency!r}")
        changes["currency"] = code or None
    if rounding is not None:
        if rounding and rounding not in ROUNDING_MODES:
            fail(f"--rounding must be one of {', '.join(ROUNDING_MODES)}, not {rounding!r}")
        changes["rounding"] = rounding or None
    if remote_ids is not None:
        changes["remote_ids"] = tuple(dict.fromkeys(r.strip() for r in remote_ids if r.strip()))
    if aliases is not None:
        changes["aliases"] = tuple(dict.fromkeys(check_customer_key(a) for a in aliases if a.strip()))
    if contacts is not None:
        changes["contacts"] = tuple(dict.fromkeys(x.strip() for x in contacts if x.strip()))
    return replace(c, **changes)


def _check(ctx: typer.Context, c: Customer) -> None:
    """Refuse rules billing would reject, and aliases that clash with other customers."""
    from sessionlog.billing import rules_for

    e = env(ctx)
    rules_for(e.ledger.settings, c)
    others, _ = e.ledger.customers()
    for other in others.values():
        if other.key == c.key:
            continue
        taken = {other.key, *(a.lower() for a in other.aliases)}
        clash = taken.intersection(c.aliases)
        if clash:
            raise SessionlogError(f"alias {sorted(clash)[0]!r} already means customer {other.key}")
    if c.key in c.aliases:
        raise SessionlogError("an alias cannot be the customer's own key")


@app.command("add")
def add(
    ctx: typer.Context,
    key: Key,
    name: Name = None,
    rate: Rate = None,
    increment: Increment = None,
    rounding: Rounding = None,
    minimum: Minimum = None,
    included_minutes: Included = None,
    after_hours_factor: Factor = None,
    currency: Currency = None,
    remote_id: RemoteIds = None,
    alias: Aliases = None,
    contact: Contacts = None,
) -> None:
    """Register a customer."""
    e = env(ctx)
    k = check_customer_key(key)
    if e.ledger.resolve_customer(k) is not None:
        fail(f"customer {k} exists already (change it with: sessionlog customer edit {k})")
    c = _apply(
        Customer(k, name=key), name, rate, increment, rounding, minimum, included_minutes, after_hours_factor,
        currency, remote_id, alias, contact,
    )  # fmt: skip
    _check(ctx, c)
    e.ledger.save_customer(c, create=True)
    say(f"added customer {k}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    key: Key,
    name: Name = None,
    rate: Rate = None,
    increment: Increment = None,
    rounding: Rounding = None,
    minimum: Minimum = None,
    included_minutes: Included = None,
    after_hours_factor: Factor = None,
    currency: Currency = None,
    remote_id: RemoteIds = None,
    alias: Aliases = None,
    contact: Contacts = None,
) -> None:
    """Change a customer; list options replace the list, "" clears a number."""
    e = env(ctx)
    k = e.customer_key(key, create=False)[0]
    old = e.ledger.customer(k)
    assert old is not None
    c = _apply(
        old, name, rate, increment, rounding, minimum, included_minutes, after_hours_factor, currency, remote_id,
        alias, contact,
    )  # fmt: skip
    if c == old:
        say(f"customer {k}: nothing to change")
        return
    _check(ctx, c)
    e.ledger.save_customer(c)
    say(f"changed customer {k}")


def _row(c: Customer) -> dict[str, object]:
    return {
        "key": c.key,
        "name": c.name,
        "rate": c.rate,
        "increment": c.increment,
        "rounding": c.rounding,
        "minimum": c.minimum,
        "included_minutes": c.included_minutes,
        "after_hours_factor": c.after_hours_factor,
        "currency": c.currency,
        "aliases": list(c.aliases),
        "remote_ids": list(c.remote_ids),
        "contacts": list(c.contacts),
    }


@app.command("list")
def list_customers(ctx: typer.Context, fmt: Format = "table") -> None:
    """All customers; empty cells use the ledger's defaults."""
    check_format(fmt)
    e = env(ctx)
    customers, problems = e.ledger.customers()
    for p in problems:
        say(f"warning: {p} (skipped)")
    rows = [_row(c) for c in customers.values()]
    emit(fmt, rows, COLUMNS, profile=e.ledger.settings.csv_profile)


@app.command("show")
def show(ctx: typer.Context, key: Key, fmt: Format = "table") -> None:
    """One customer, with the billing rules that apply to it."""
    from sessionlog.billing import rules_for

    check_format(fmt)
    e = env(ctx)
    k = e.customer_key(key, create=False)[0]
    c = e.ledger.customer(k)
    assert c is not None
    rules = rules_for(e.ledger.settings, c)
    if fmt == "json":
        emit(fmt, [], (), json_rows=[{**_row(c), "effective": {**vars(rules), "rate": str(rules.rate)}}])
        return
    fields = [
        ("key", c.key),
        ("name", c.name),
        ("rate", f"{rules.rate} {rules.currency}/h" + ("" if c.rate is not None else " (ledger default)")),
        ("increment", f"{rules.increment} min" + ("" if c.increment is not None else " (ledger default)")),
        ("rounding", rules.rounding + ("" if c.rounding is not None else " (ledger default)")),
        ("minimum", f"{rules.minimum} min"),
        ("included minutes", f"{rules.included_minutes} per month"),
        ("after-hours factor", str(rules.after_hours_factor)),
        ("aliases", ", ".join(c.aliases)),
        ("remote IDs", ", ".join(c.remote_ids)),
        ("contacts", ", ".join(c.contacts)),
        ("file", str(e.ledger.customer_file(k))),
    ]
    columns = (Column("field", "Feld"), Column("value", "Wert"))
    emit(fmt, [{"field": f, "value": v} for f, v in fields], columns, profile=e.ledger.settings.csv_profile)

"""`customer add/list/show/edit`: the customer registry."""

from __future__ import annotations

from typing import Annotated

import typer

from sessionlog.app import customers
from sessionlog.app.customers import CustomerChanges
from sessionlog.cli.common import FormatOpt, Wide, app_context, complete_customer, env, new_app
from sessionlog.cli.env import say, warn
from sessionlog.cli.output import emit
from sessionlog.i18n import _
from sessionlog.model import Customer, Rounding
from sessionlog.render import Column, Format

app = new_app(
    "The customer registry: names, rates, rounding, contracts, remote IDs.\n\nExample: sessionlog customer list"
)

Key = Annotated[
    str,
    typer.Argument(
        metavar="KEY", help="The customer key, e.g. ACME (case-insensitive).", autocompletion=complete_customer
    ),
]
Name = Annotated[str | None, typer.Option("--name", metavar="NAME", help="The company name for statements.")]
Rate = Annotated[
    str | None,
    typer.Option("--rate", metavar="AMOUNT", help='Hourly rate, e.g. 95 or 95,00; "" for the ledger default.'),
]
Increment = Annotated[
    str | None, typer.Option("--increment", metavar="MINUTES", help="Billing increment in minutes (1 = per minute).")
]
RoundingOpt = Annotated[
    str | None,
    typer.Option(
        "--rounding",
        metavar="<up|nearest|down>",
        help='How to round to the increment; "" for the ledger default.',
        autocompletion=lambda: list(Rounding),
    ),
]
Minimum = Annotated[
    str | None, typer.Option("--minimum", metavar="MINUTES", help="Minimum billed minutes per billable session.")
]
Included = Annotated[
    str | None, typer.Option("--included-minutes", metavar="MINUTES", help="Contract minutes included per month.")
]
Factor = Annotated[
    str | None, typer.Option("--after-hours-factor", metavar="FACTOR", help="Rate factor outside business hours.")
]
Currency = Annotated[
    str | None, typer.Option("--currency", metavar="CODE", help='Currency code, e.g. CHF; "" for the ledger default.')
]
RemoteIds = Annotated[
    list[str] | None, typer.Option("--remote-id", metavar="ID", help="TeamViewer/AnyDesk ID; repeat for more.")
]
Aliases = Annotated[
    list[str] | None, typer.Option("--alias", metavar="KEY", help="Another key that means this customer; repeatable.")
]
Contacts = Annotated[list[str] | None, typer.Option("--contact", metavar="NAME", help="A contact person; repeatable.")]
Address = Annotated[
    list[str] | None,
    typer.Option("--address", metavar="LINE", help='Postal address for statements, one line per option; "" clears.'),
]
Number = Annotated[
    str | None, typer.Option("--customer-number", metavar="NUMBER", help="Customer number for statements.")
]

COLUMNS = (
    Column("key", "Schlüssel"),
    Column("name", "Name", wraps=True),
    Column("rate", "Stundensatz", kind="money"),
    Column("increment", "Takt", kind="int", drop=4),
    Column("rounding", "Rundung", kind="word", drop=5),
    Column("minimum", "Minimum", kind="int", drop=3),
    Column("included_minutes", "Inklusivminuten", title="included", kind="int", drop=1),
    Column("after_hours_factor", "Faktor außerhalb", title="after-hours", kind="decimal", drop=7),
    Column("currency", "Währung", drop_if_same=True),
    Column("aliases", "Aliase", kind="list", drop=6, wraps=True),
    Column("remote_ids", "Fernwartungs-IDs", title="remote IDs", kind="list", drop=2, wraps=True),
)


# `add` and `edit` take the same options; Typer needs them spelled out in each signature.
@app.command("add")
def add(
    ctx: typer.Context,
    key: Key,
    name: Name = None,
    rate: Rate = None,
    increment: Increment = None,
    rounding: RoundingOpt = None,
    minimum: Minimum = None,
    included_minutes: Included = None,
    after_hours_factor: Factor = None,
    currency: Currency = None,
    remote_id: RemoteIds = None,
    alias: Aliases = None,
    contact: Contacts = None,
    address: Address = None,
    customer_number: Number = None,
) -> None:
    """Register a customer.

    Example: sessionlog customer add ACME --name "Fa. Walter Maier GmbH" --rate 95
    """
    changes = CustomerChanges(
        name, rate, increment, rounding, minimum, included_minutes, after_hours_factor, currency, remote_id, alias,
        contact, address, customer_number,
    )  # fmt: skip
    c = customers.add(env(ctx).ledger, key, changes)
    say(_("added customer {key}").format(key=c.key))


@app.command("edit")
def edit(
    ctx: typer.Context,
    key: Key,
    name: Name = None,
    rate: Rate = None,
    increment: Increment = None,
    rounding: RoundingOpt = None,
    minimum: Minimum = None,
    included_minutes: Included = None,
    after_hours_factor: Factor = None,
    currency: Currency = None,
    remote_id: RemoteIds = None,
    alias: Aliases = None,
    contact: Contacts = None,
    address: Address = None,
    customer_number: Number = None,
) -> None:
    """Change a customer; list options replace the list, "" clears a number.

    Example: sessionlog customer edit ACME --increment 15 --rounding up
    """
    changes = CustomerChanges(
        name, rate, increment, rounding, minimum, included_minutes, after_hours_factor, currency, remote_id, alias,
        contact, address, customer_number,
    )  # fmt: skip
    c, changed = customers.edit(env(ctx).ledger, key, changes)
    say((_("changed customer {key}") if changed else _("customer {key}: nothing to change")).format(key=c.key))


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
def list_customers(ctx: typer.Context, fmt: FormatOpt = Format.TABLE, wide: Wide = False) -> None:
    """All customers; empty cells use the ledger's defaults.

    Example: sessionlog customer list --format csv
    """
    ledger = env(ctx).ledger
    found, problems = customers.listing(ledger)
    warn(problems)
    emit(fmt, [_row(c) for c in found], COLUMNS, profile=ledger.settings.csv_profile, wide=wide)


@app.command("show")
def show(ctx: typer.Context, key: Key, fmt: FormatOpt = Format.TABLE) -> None:
    """One customer, with the billing rules that apply to it.

    Example: sessionlog customer show ACME
    """
    ledger = app_context(ctx).ledger
    c, rules = customers.show(ledger, key)
    if fmt is Format.JSON:
        emit(fmt, [], (), json_rows=[{**_row(c), "effective": {**vars(rules), "rate": str(rules.rate)}}])
        return

    def own(value: object) -> str:
        return "" if value is not None else " (ledger default)"

    fields = [
        ("key", c.key),
        ("name", c.name),
        ("rate", f"{rules.rate} {rules.currency}/h{own(c.rate)}"),
        ("increment", f"{rules.increment} min{own(c.increment)}"),
        ("rounding", f"{rules.rounding}{own(c.rounding)}"),
        ("minimum", f"{rules.minimum} min"),
        ("included minutes", f"{rules.included_minutes} per month"),
        ("after-hours factor", str(rules.after_hours_factor)),
        ("aliases", ", ".join(c.aliases)),
        ("remote IDs", ", ".join(c.remote_ids)),
        ("contacts", ", ".join(c.contacts)),
        ("address", ", ".join((c.address or "").splitlines())),
        ("customer number", c.customer_number or ""),
        ("file", str(ledger.customers.file(c.key))),
    ]
    columns = (Column("field", "Feld"), Column("value", "Wert", wraps=True))
    emit(fmt, [{"field": f, "value": v} for f, v in fields], columns, profile=ledger.settings.csv_profile)

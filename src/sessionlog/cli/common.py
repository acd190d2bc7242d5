"""What every command shares: options defined once, the run context, messages on stderr."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from sessionlog.model import Customer, Session, SessionlogError, check_customer_key, close_keys
from sessionlog.store import Ledger


class Group(TyperGroup):
    """Turns library errors into one line on stderr and exit 1, for every command below."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SessionlogError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))


def new_app(help: str) -> typer.Typer:
    return typer.Typer(
        cls=Group,
        help=help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )


def say(message: str) -> None:
    """A message for the person at the terminal; never data."""
    print(message, file=sys.stderr)


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code)


# Options used by several commands, defined once.
At = Annotated[str | None, typer.Option("--at", help="When: 14:30, -15m, 01.03.2024 10:22, yesterday 16:00 …")]
Note = Annotated[str | None, typer.Option("--note", "-n", help="What was done.")]
Tags = Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag; repeat for more.")]
Free = Annotated[
    str | None, typer.Option("--free", metavar="REASON", help="Not billable, and why: warranty, goodwill, internal …")
]
Contact = Annotated[str | None, typer.Option("--contact", help="The person at the customer.")]
Machine = Annotated[str | None, typer.Option("--machine", help="The computer worked on.")]
Channel = Annotated[str | None, typer.Option("--channel", help="remote, phone or onsite.")]
Ticket = Annotated[str | None, typer.Option("--ticket", help="A ticket number.")]
Force = Annotated[bool, typer.Option("--force", help="Allow sessions over 24 h and changes to invoiced records.")]
NewCustomer = Annotated[bool, typer.Option("--new", help="Create the customer even if the key looks like a typo.")]
Format = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")]


def _user_config_file() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("sessionlog", appauthor=False)) / "config.toml"


@dataclass
class Env:
    """One command run: which ledger, who is working, and the one place that reads the clock."""

    ledger_arg: Path | None = None

    @cached_property
    def user_config(self) -> dict[str, Any]:
        from sessionlog.store import read_user_config

        if "SESSIONLOG_CONFIG" in os.environ:
            return read_user_config(Path(os.environ["SESSIONLOG_CONFIG"]))
        if self.ledger_arg is None and "SESSIONLOG_LEDGER" in os.environ and "SESSIONLOG_SUPPORTER" in os.environ:
            return {}  # everything is given; spare the lookup
        return read_user_config(_user_config_file())

    @cached_property
    def ledger(self) -> Ledger:
        if self.ledger_arg is not None:
            root = self.ledger_arg
        elif os.environ.get("SESSIONLOG_LEDGER"):
            root = Path(os.environ["SESSIONLOG_LEDGER"])
        elif isinstance(self.user_config.get("ledger"), str):
            root = Path(self.user_config["ledger"]).expanduser()
        else:
            from platformdirs import user_data_dir

            root = Path(user_data_dir("sessionlog", appauthor=False))
        return Ledger(root)

    @cached_property
    def supporter(self) -> str:
        name = os.environ.get("SESSIONLOG_SUPPORTER") or self.user_config.get("supporter")
        if not isinstance(name, str) or not name.strip():
            name = getpass.getuser()
        return name.strip()

    @property
    def tz(self) -> tzinfo:
        return self.ledger.tz

    def now(self) -> datetime:
        # SESSIONLOG_NOW pins the clock for reproducible scripts and the README's examples.
        pinned = os.environ.get("SESSIONLOG_NOW")
        if pinned:
            try:
                moment = datetime.fromisoformat(pinned)
            except ValueError:
                fail(f"SESSIONLOG_NOW={pinned!r} is not an ISO date-time with offset")
            if moment.utcoffset() is None:
                fail(f"SESSIONLOG_NOW={pinned!r} needs a UTC offset")
            return moment.astimezone(self.tz)
        return datetime.now(self.tz).replace(microsecond=0)

    def moment(self, text: str | None, *, now: datetime | None = None) -> datetime:
        """The time the user gave, or now; `now` moves what "14:30" or "-15m" are read against."""
        if text is None:
            return self.now()
        from sessionlog.timeparse import parse_moment

        return parse_moment(text, now or self.now(), self.tz)

    def duration(self, text: str) -> timedelta:
        from sessionlog.timeparse import parse_duration

        return parse_duration(text)

    def customer_key(self, text: str, *, create: bool, new: bool = False) -> tuple[str, bool]:
        """The key of an existing customer (by key or alias), or a new key and True if `create`.

        A new key close to an existing one is refused unless `new`, to catch typos.
        """
        ledger = self.ledger
        found = ledger.resolve_customer(text)
        if found is not None:
            return found, False
        key = check_customer_key(text)
        if not create:
            raise SessionlogError(f"no customer {key!r}{_did_you_mean(ledger, key)}")
        if not new:
            near = _near(ledger, key)
            if near:
                raise SessionlogError(
                    f"unknown customer {key!r}; did you mean {' or '.join(near)}? (use --new to create {key!r})"
                )
        return key, True

    def new_session(
        self,
        key: str,
        start: datetime,
        end: datetime | None,
        *,
        contact: str | None,
        machine: str | None,
        channel: str | None,
        ticket: str | None,
        tags: list[str] | None,
        note: str | None,
        free: str | None,
    ) -> Session:
        """A new record of this supporter from the options `start` and `add` share."""
        return Session(
            id="",
            customer=key,
            start=start,
            end=end,
            supporter=self.supporter,
            contact=contact,
            machine=machine,
            channel=channel or "remote",
            note=note or "",
            billable=free is None,
            free_reason=free,
            tags=tuple(tags or ()),
            ticket=ticket,
        )

    def create_customer(self, key: str, name: str) -> None:
        self.ledger.save_customer(Customer(key, name=name.strip()), create=True)
        say(f"created customer {key} (fill in the details with: sessionlog customer edit {key} --name …)")


def _near(ledger: Ledger, key: str) -> list[str]:
    keys = ledger.customer_keys()
    aliases = {a.lower(): c.key for c in ledger.customers()[0].values() for a in c.aliases}
    return list(dict.fromkeys(aliases.get(k, k) for k in close_keys(key, keys + list(aliases))))


def _did_you_mean(ledger: Ledger, key: str) -> str:
    near = _near(ledger, key)
    return f"; did you mean {' or '.join(near)}?" if near else ""


def env(ctx: typer.Context) -> Env:
    obj = ctx.find_root().obj
    assert isinstance(obj, Env)
    return obj

"""Helpers for the billing CLI tests (invoice, report, finalize, spreadsheet).

A ledger folder in pytest's tmp_path, the CLI run in-process (the command built once in
harness.py, refusals checked by conftest's assert_one_error), and the acceptance customers and
March 2024 sessions from the issue, with the expected figures worked out by hand next to each.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import Result

from conftest import assert_one_error as one_error
from harness import invoke

SUPPORTER = "Klaus Hörner"
# Friday 15 March 2024, noon, winter time in Berlin: "this month" is 2024-03.
NOW = "2024-03-15T12:00:00+01:00"
SETTINGS = 'timezone = "Europe/Berlin"\n'
LOCK_NAME = ".sessionlog.lock"

EN_HEADER = (
    "invoice,customer,customer_name,session,date,start,end,duration,billed_minutes,included_minutes,"
    "charged_minutes,rate,amount,currency,supporter,contact,machine,note,ticket"
)
DE_HEADER = [
    "Rechnung", "Kunde", "Kundenname", "Sitzung", "Datum", "Beginn", "Ende", "Dauer", "Abgerechnete Minuten",
    "Inklusivminuten", "Berechnete Minuten", "Stundensatz", "Betrag", "Währung", "Techniker", "Ansprechpartner",
    "Gerät", "Notiz", "Ticket",
]  # fmt: skip


@dataclass
class Book:
    """A ledger folder and the CLI pointed at it."""

    root: Path

    def env(self, supporter: str = SUPPORTER, now: str | None = NOW) -> dict[str, str | None]:
        return {
            "SESSIONLOG_LEDGER": str(self.root),
            "SESSIONLOG_SUPPORTER": supporter,
            "SESSIONLOG_NOW": now,
            # The user config of the machine running the tests must not leak in.
            "SESSIONLOG_CONFIG": str(self.root.parent / "no-user-config.toml"),
            "VISUAL": None,
            "EDITOR": None,
        }

    def run(
        self,
        *args: str,
        supporter: str = SUPPORTER,
        now: str | None = NOW,
        env: Mapping[str, str | None] | None = None,
    ) -> Result:
        result = invoke(args, env={**self.env(supporter, now), **(env or {})})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a crash shows its traceback in the test report
        return result

    def ok(self, *args: str, **kwargs: Any) -> Result:
        result = self.run(*args, **kwargs)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def add(self, customer: str, start: str, end: str, *more: str, **kwargs: Any) -> str:
        """Record a finished session; returns its id (the one line `add` prints on stdout)."""
        return self.ok("add", customer, "--start", start, "--end", end, *more, **kwargs).stdout.strip()

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return path

    def month(self, customer: str, month: str) -> Path:
        return self.root / "customers" / customer / f"{month}.toml"

    def records(self, customer: str, month: str) -> list[dict[str, Any]]:
        """The [[session]] tables of a month file, read with tomllib, not with sessionlog's code."""
        with self.month(customer, month).open("rb") as f:
            return list(tomllib.load(f).get("session", []))

    def snapshot(self) -> dict[str, bytes]:
        """Every file and folder under the ledger (the lock file aside) with its bytes."""
        out: dict[str, bytes] = {}
        for p in sorted(self.root.rglob("*")):
            name = p.relative_to(self.root).as_posix()
            if p.is_dir():
                out[name + "/"] = b""
            elif p.name != LOCK_NAME:
                out[name] = p.read_bytes()
        return out

    def refused(self, *args: str, match: str, code: int = 1, **kwargs: Any) -> str:
        """A command that must fail with one 'error:' line, no data and no change; returns the line.

        `match` is the regular expression the error line must contain (`re.search`; see `one_error`),
        so that a test of one refusal cannot pass on another.
        """
        before = self.snapshot()
        result = self.run(*args, **kwargs)
        line = one_error(result, code, match=match)
        assert self.snapshot() == before, f"{args} changed the ledger"
        return line


def new_book(tmp_path: Path, settings: str = SETTINGS) -> Book:
    root = tmp_path / "ledger"
    root.mkdir()
    (root / "sessionlog.toml").write_bytes(settings.encode("utf-8"))
    return Book(root)


def add_acceptance_customers(book: Book) -> None:
    """The three customers of the issue's acceptance interface, exactly as typed there."""
    book.ok(
        "customer", "add", "ACME", "--name", "Fa. Walter Maier GmbH",
        "--rate", "90", "--increment", "15", "--rounding", "up", "--minimum", "15",
    )  # fmt: skip
    book.ok(
        "customer", "add", "GAMMA", "--name", "Gamma e.K.",
        "--rate", "80", "--increment", "5", "--rounding", "nearest", "--included-minutes", "60",
    )  # fmt: skip
    # Ledger defaults for the rest: increment 1, rounding up, minimum 0; business hours Mon-Fri 08-18.
    book.ok("customer", "add", "DELTA", "--name", "Delta AG", "--rate", "100", "--after-hours-factor", "1.5")


@dataclass
class March:
    """The acceptance sessions; ids by name."""

    book: Book
    ids: dict[str, str]


# March 2024: Fri 1, Sat 2, Sun 3, Mon 4, Tue 5, Wed 6.
# Expected invoice lines, in the order of the CSV (customer key, then start):
#   acme  acme      12m22s -> up to 15 -> 15 min (minimum 15 too) x 90/h = 22.50
#   delta d_sat     Sat 10:00-11:00  60 min x 100 x 1.5 = 150/h -> 150.00
#   delta d_sun     Sun 10:00-10:30  30 min x 150/h          ->  75.00
#   delta d_1759    Mon 17:59-18:59  starts in business hours: 60 min x 100/h -> 100.00
#   delta d_1800    Tue 18:00-19:00  18:00 is after hours:     60 min x 150/h -> 150.00
#   gamma g1        45 min (45 is a multiple of 5); 60 included -> included 45, charged 0 -> 0.00
#   gamma g2        37 min -> nearest 5 = 35; 60 - 45 = 15 included left -> charged 20
#                   -> 20 x 80 / 60 = 26.666... -> 26.67
# Total: 22.50 + 150 + 75 + 100 + 150 + 0 + 26.67 = 524.17
ORDER = ["acme", "d_sat", "d_sun", "d_1759", "d_1800", "g1", "g2"]
AMOUNTS = {
    "acme": Decimal("22.50"),
    "d_sat": Decimal("150.00"),
    "d_sun": Decimal("75.00"),
    "d_1759": Decimal("100.00"),
    "d_1800": Decimal("150.00"),
    "g1": Decimal("0.00"),
    "g2": Decimal("26.67"),
}
TOTAL = Decimal("524.17")


def march(tmp_path: Path, settings: str = SETTINGS) -> March:
    """A ledger with the acceptance customers and sessions, added in a shuffled order."""
    book = new_book(tmp_path, settings)
    add_acceptance_customers(book)
    ids = {
        "g2": book.add("GAMMA", "05.03.2024 09:00", "05.03.2024 09:37", "--note", "Netzwerk"),
        "d_1800": book.add("DELTA", "05.03.2024 18:00", "05.03.2024 19:00", "--note", "Server nach 18 Uhr"),
        "acme": book.add("ACME", "01.03.2024 10:22", "01.03.2024 10:34:22", "--note", "IE aktualisiert"),
        "d_sun": book.add("DELTA", "03.03.2024 10:00", "03.03.2024 10:30", "--note", "Sonntag"),
        "g1": book.add("GAMMA", "04.03.2024 09:00", "04.03.2024 09:45", "--note", "Drucker"),
        "d_sat": book.add("DELTA", "02.03.2024 10:00", "02.03.2024 11:00", "--note", "Samstag"),
        "d_1759": book.add("DELTA", "04.03.2024 17:59", "04.03.2024 18:59", "--note", "kurz vor 18 Uhr"),
    }
    return March(book, ids)


def read_csv(data: bytes, profile: str) -> list[dict[str, str]]:
    """Read CSV bytes back as a spreadsheet would: utf-8-sig, the profile's delimiter, newline=''."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if profile == "de" else ",")
    return list(reader)


def money(text: str) -> Decimal:
    """A money cell of either profile ('22.50' or '22,50') as a Decimal; refuses anything else."""
    assert re.fullmatch(r"-?\d+[.,]\d\d", text), f"not a money cell: {text!r}"
    return Decimal(text.replace(",", "."))


_TOTAL = re.compile(r"total (-?[\d,]+\.\d\d) EUR$", re.MULTILINE)


def stderr_total(result: Result) -> Decimal:
    """The total `invoice` reports on stderr."""
    found = _TOTAL.findall(result.stderr)
    assert len(found) == 1, result.stderr
    return Decimal(found[0].replace(",", ""))

"""The invoice register: invoices/YYYY-MM.toml, what finalize issued, only ever appended to.

An issued invoice reproduces byte for byte from here, whatever happens to its sessions'
records afterwards; the highest number ever issued is read from here, so a number is never
issued twice even when records or whole customer folders are removed. Finalize writes here
first and stamps the records after, so a crash in between leaves the numbers issued and the
next finalize stamps the rest instead of issuing new ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from sessionlog.i18n import _
from sessionlog.model import Correction, IssuedInvoice, Kind, Origin, Problem, SessionlogError
from sessionlog.store import codec, faults, marks, tomltext
from sessionlog.store.files import LedgerLock
from sessionlog.store.layout import Layout
from sessionlog.store.monthfile import open_file, write


class Invoices:
    def __init__(self, layout: Layout, lock: LedgerLock, tz: tzinfo) -> None:
        self.layout = layout
        self.lock = lock
        self.tz = tz

    def read(self, month: str) -> tuple[list[IssuedInvoice], list[Correction], list[Problem]]:
        """The invoices issued for `month`, the corrections made since, and what cannot be read."""
        path = self.layout.register_file(month)
        try:
            f = open_file(path, self.lock)
        except SessionlogError as exc:
            return [], [], [exc.problem]
        invoices: list[IssuedInvoice] = []
        corrections: list[Correction] = []
        problems: list[Problem] = []
        lines = _header_lines(f.text)
        for raw in _tables(f.doc, "invoice"):
            line = lines.get(("invoice", len(invoices) + len(problems)))
            if marks.CONFLICT in raw:  # one number on two invoices (store/marks.py): a person decides
                problems.append(marks.register_problem(raw, str(path), line))
                continue
            try:
                invoices.append(_invoice(raw, month, Origin(str(path), line or 0)))
            except (codec.Invalid, KeyError, TypeError) as exc:
                problems.append(
                    Problem(
                        Kind.INVALID,
                        _("invoice {number}: {exc}").format(number=raw.get("number", "?"), exc=exc),
                        str(path),
                        line,
                    )
                )
        for raw in _tables(f.doc, "correction"):
            try:
                corrections.append(Correction(str(raw["invoice"]), str(raw["session"]), raw["at"], str(raw["change"])))
            except (KeyError, TypeError) as exc:
                problems.append(Problem(Kind.INVALID, _("a correction lacks {exc}").format(exc=exc), str(path)))
        return invoices, corrections, problems

    def numbers(self, months: Iterable[str] | None) -> tuple[list[str], list[Problem]]:
        """Every number issued for those months (all when None)."""
        paths = self.layout.register_files() if months is None else [self.layout.register_file(m) for m in months]
        out: list[str] = []
        problems: list[Problem] = []
        for path in paths:
            try:
                f = open_file(path, self.lock)
            except SessionlogError as exc:
                problems.append(exc.problem)
                continue
            out += [str(raw.get("number")) for raw in _tables(f.doc, "invoice")]
        return out, problems

    def holding(self, number: str) -> str | None:
        """The month whose register holds `number`, if any (a byte search before any parse)."""
        needle = f'"{number}"'.encode()
        for path in self.layout.register_files():
            if needle in path.read_bytes():
                invoices, _, _ = self.read(path.stem)
                if any(i.number == number for i in invoices):
                    return path.stem
        return None

    def issue(self, month: str, invoices: Sequence[IssuedInvoice]) -> None:
        """Append newly issued invoices to the month's register (under the lock, verified)."""
        blocks = []
        for inv in invoices:
            head = {
                "number": inv.number,
                "customer": inv.customer,
                "customer_name": inv.customer_name,
                "issued": inv.issued,
                "total": str(sum((s.billed.amount for s in inv.sessions if s.billed), start=Decimal("0.00"))),
                "currency": inv.sessions[0].billed.currency if inv.sessions and inv.sessions[0].billed else "",
            }
            blocks.append(("invoice", head, [codec.session_to_dict(s) for s in inv.sessions]))
        self._append(month, blocks)
        faults.point("finalize:register")

    def correct(self, month: str, correction: Correction) -> None:
        record = {
            "invoice": correction.invoice,
            "session": correction.session,
            "at": correction.at,
            "change": correction.change,
        }
        self._append(month, [("correction", record, [])])

    def _append(self, month: str, blocks: list[tuple[str, dict[str, Any], list[dict[str, Any]]]]) -> None:
        path = self.layout.register_file(month)
        with self.lock.held():
            f = open_file(path, self.lock)
            nl = tomltext.newline_of(f.text)
            parts = [f.text]
            if f.text and not f.text.endswith(("\n", "\r")):
                parts.append(nl)
            expect = {name: list(_tables(f.doc, name)) for name in ("invoice", "correction")}
            for table, head, sessions in blocks:
                parts += [
                    nl if f.text.strip() or len(parts) > 1 else "",
                    tomltext.format_table(head, f"[[{table}]]", nl),
                ]
                parts += [nl + tomltext.format_table(s, f"[[{table}.session]]", nl) for s in sessions]
                expect[table].append({**head, **({"session": sessions} if sessions else {})})
            text = "".join(parts)
            if not _verified(text, expect, f.doc):
                raise SessionlogError(
                    _("cannot append to the invoice register safely"), Kind.UNSAFE_WRITE, path=path,
                    hint=_("edit it by hand or run `sessionlog check`"),
                )  # fmt: skip
            write(path, text, self.lock)


def _tables(doc: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = doc.get(name, [])
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _verified(text: str, expect: dict[str, list[dict[str, Any]]], old: dict[str, Any]) -> bool:
    try:
        doc = tomltext.parse(text)
    except tomltext.TomlError:
        return False
    rest = {k: v for k, v in old.items() if k not in expect}
    got_rest = {k: v for k, v in doc.items() if k not in expect}
    return rest == got_rest and all(_tables(doc, k) == v for k, v in expect.items())


def _invoice(raw: dict[str, Any], month: str, origin: Origin) -> IssuedInvoice:
    customer = str(raw["customer"])
    sessions = tuple(codec.session_from_dict(s, customer, origin) for s in _tables(raw, "session"))
    issued = raw["issued"]
    if not hasattr(issued, "utcoffset") or issued.utcoffset() is None:
        raise codec.Invalid("issued must be a date-time with offset")
    return IssuedInvoice(str(raw["number"]), month, customer, str(raw["customer_name"]), issued, sessions, origin)


def _header_lines(text: str) -> dict[tuple[str, int], int]:
    """(table, index) -> line of each [[invoice]] header, for messages."""
    out: dict[tuple[str, int], int] = {}
    count = 0
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("[[invoice]]"):
            out[("invoice", count)] = i
            count += 1
    return out

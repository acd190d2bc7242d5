"""Helpers for the search, report --by, insights and tags tests: session records written as TOML
month files by hand, so every figure a test expects can be worked out from the record itself."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from conftest import Ledger

# 60.00 an hour, per started minute: a billed minute is 1.00, which keeps sums readable.
SETTINGS = 'timezone = "Europe/Berlin"\n\n[billing]\nrate = "60.00"\n'


def record(
    sid: str,
    start: str,
    end: str,
    *,
    supporter: str = "Klaus Hörner",
    contact: str | None = None,
    machine: str | None = None,
    channel: str = "remote",
    note: str = "",
    free: str | None = None,
    tags: tuple[str, ...] = (),
    ticket: str | None = None,
    invoice: str | None = None,
) -> str:
    """One [[session]] table; `start` and `end` are ISO times with offset (winter time: +01:00)."""
    lines = [
        "[[session]]",
        f'id = "{sid}"',
        f"start = {start}",
        f"end = {end}",
        f"supporter = {json.dumps(supporter, ensure_ascii=False)}",
    ]
    if contact is not None:
        lines.append(f"contact = {json.dumps(contact, ensure_ascii=False)}")
    if machine is not None:
        lines.append(f"machine = {json.dumps(machine, ensure_ascii=False)}")
    lines.append(f'channel = "{channel}"')
    lines.append(f"note = {json.dumps(note, ensure_ascii=False)}")
    lines.append(f"billable = {'false' if free else 'true'}")
    if free:
        lines.append(f'free_reason = "{free}"')
    if tags:
        lines.append(f"tags = {json.dumps(list(tags), ensure_ascii=False)}")
    if ticket is not None:
        lines.append(f'ticket = "{ticket}"')
    if invoice is not None:
        lines.append(f'invoice = "{invoice}"')
    return "\n".join(lines) + "\n"


def write_sessions(ledger: Ledger, sessions: list[tuple[str, str]], settings: str = SETTINGS) -> Ledger:
    """Write (customer, record) pairs into their month files (the month is the start's, as written)."""
    ledger.write("sessionlog.toml", settings)
    files: dict[str, list[str]] = defaultdict(list)
    for customer, text in sessions:
        start = next(line for line in text.splitlines() if line.startswith("start = "))[8:]
        files[f"customers/{customer}/{start[:7]}.toml"].append(text)
    for path, records in files.items():
        ledger.write(path, "\n".join(records))
    return ledger


def by_group(rows: list[dict[str, Any]], *keys: str) -> dict[str, tuple[Any, ...]]:
    """group -> the values of `keys`, for comparing JSON report rows with a hand-made table."""
    return {r["group"]: tuple(r[k] for k in keys) for r in rows}

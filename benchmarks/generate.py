"""Write a synthetic ledger: 100 000 sessions, 500 customers, 5 years (DESIGN.md's yardstick).

Usage: python benchmarks/generate.py [DIR] [--sessions N] [--customers N] [--years N]

The parameters are kept in DIR/.generated.json, so that `run.py --peers` can write the very
same sessions for Watson and Timewarrior (benchmarks/peers.py).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sessionlog.model import Session, fixed
from sessionlog.store import codec, tomltext

NOTES = ["Drucker eingerichtet", "IE aktualisiert, Neustart", "Outlook-Profil repariert", "Backup geprüft", "WLAN"]
# A shop with 55 sessions a day has about a dozen technicians.
SUPPORTERS = [
    "Klaus Hörner",
    "Jana Weiß",
    "Ömer Yilmaz",
    "Petra Schäfer",
    "Lars Böhm",
    "Sünje Petersen",
    "Marco Rossi",
    "Anke Krüger",
    "Tim Baumann",
    "Zeynep Arslan",
    "Jörg Lehmann",
    "Eva Nowak",
]
BREAK = timedelta(minutes=5)  # between one technician's sessions
ZONE = "Europe/Berlin"
MANIFEST = ".generated.json"


@dataclass(frozen=True)
class Params:
    sessions: int = 100_000
    customers: int = 500
    years: int = 5


def customer_keys(p: Params) -> list[str]:
    return [f"kunde{i:03d}" for i in range(p.customers)]


def sessions(p: Params) -> Iterator[Session]:
    """The generated sessions, oldest first, the same for the same parameters (fixed seed).

    No technician works two sessions at once (`check` warns of that, and a real ledger has few):
    each session goes to a technician free at its start, or waits for the first one to be free.
    """
    free_at: dict[str, datetime] = {}
    pick = random.Random(7)
    for s in sorted(_drafts(p), key=lambda s: s.start):
        idle = [name for name in SUPPORTERS if free_at.get(name, s.start) <= s.start]
        if idle:
            name = pick.choice(idle)
        else:
            name = min(SUPPORTERS, key=free_at.__getitem__)
            wait = free_at[name] - s.start
            s = replace(s, start=s.start + wait, end=s.end + wait)
        free_at[name] = s.end + BREAK
        yield replace(s, supporter=name)


def _drafts(p: Params) -> Iterator[Session]:
    tz = ZoneInfo(ZONE)
    rng = random.Random(42)
    keys = customer_keys(p)
    first = datetime(2020, 1, 1, tzinfo=tz)
    span_days = 365 * p.years
    for n in range(p.sessions):
        day = first + timedelta(days=rng.randrange(span_days))
        start = fixed(day.replace(hour=rng.randrange(7, 20), minute=rng.randrange(60)))
        free = rng.random() < 0.1
        yield Session(
            id=f"{n:08x}",
            customer=rng.choice(keys),
            start=start,
            end=start + timedelta(seconds=rng.randrange(120, 7200)),
            supporter=rng.choice(SUPPORTERS),
            note=rng.choice(NOTES),
            billable=not free,
            free_reason="goodwill" if free else None,
            tags=(rng.choice(["drucker", "mail", "netzwerk"]),),
        )


def write_ledger(root: Path, p: Params) -> int:
    """Write the ledger under `root`; returns the number of month files."""
    tz = ZoneInfo(ZONE)
    root.mkdir(parents=True, exist_ok=True)
    (root / "sessionlog.toml").write_text(f'timezone = "{ZONE}"\n\n[billing]\nrate = "80.00"\n', "utf-8")
    for i, key in enumerate(customer_keys(p)):
        folder = root / "customers" / key
        folder.mkdir(parents=True, exist_ok=True)
        extra = f"increment = 15\nminimum = 15\nincluded_minutes = {60 * (i % 3)}\n" if i % 2 else ""
        (folder / "customer.toml").write_text(f'name = "Kunde {i} GmbH"\nrate = "95.00"\n{extra}', "utf-8")
    files: dict[Path, list[str]] = {}
    for s in sessions(p):
        path = root / "customers" / s.customer / f"{s.start.astimezone(tz):%Y-%m}.toml"
        files.setdefault(path, []).append(tomltext.format_table(codec.session_to_dict(s), "[[session]]"))
    for path, records in files.items():
        path.write_text("\n".join(records), "utf-8")
    (root / MANIFEST).write_text(json.dumps(asdict(p)), "utf-8")
    return len(files)


def read_params(root: Path) -> Params | None:
    """The parameters the ledger under `root` was generated with; None if it was not."""
    try:
        return Params(**json.loads((root / MANIFEST).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default="benchmarks/ledger")
    ap.add_argument("--sessions", type=int, default=Params.sessions)
    ap.add_argument("--customers", type=int, default=Params.customers)
    ap.add_argument("--years", type=int, default=Params.years)
    args = ap.parse_args()
    p = Params(args.sessions, args.customers, args.years)
    count = write_ledger(Path(args.dir), p)
    print(f"wrote {p.sessions} sessions for {p.customers} customers in {count} files under {args.dir}")


if __name__ == "__main__":
    main()

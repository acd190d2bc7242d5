"""Write a synthetic ledger: 100 000 sessions, 500 customers, 5 years (DESIGN.md's yardstick).

Usage: python benchmarks/generate.py [DIR] [--sessions N] [--customers N] [--years N]
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sessionlog.model import Session, fixed
from sessionlog.store import codec, tomltext

NOTES = ["Drucker eingerichtet", "IE aktualisiert, Neustart", "Outlook-Profil repariert", "Backup geprüft", "WLAN"]
SUPPORTERS = ["Klaus Hörner", "Jana Weiß", "Ömer Yilmaz", "Petra Schäfer"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default="benchmarks/ledger")
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--customers", type=int, default=500)
    ap.add_argument("--years", type=int, default=5)
    args = ap.parse_args()
    root = Path(args.dir)
    tz = ZoneInfo("Europe/Berlin")
    rng = random.Random(42)
    root.mkdir(parents=True, exist_ok=True)
    (root / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n\n[billing]\nrate = "80.00"\n', "utf-8")
    keys = [f"kunde{i:03d}" for i in range(args.customers)]
    for i, key in enumerate(keys):
        folder = root / "customers" / key
        folder.mkdir(parents=True, exist_ok=True)
        extra = f"increment = 15\nminimum = 15\nincluded_minutes = {60 * (i % 3)}\n" if i % 2 else ""
        (folder / "customer.toml").write_text(f'name = "Kunde {i} GmbH"\nrate = "95.00"\n{extra}', "utf-8")
    first = datetime(2020, 1, 1, tzinfo=tz)
    span_days = 365 * args.years
    files: dict[Path, list[str]] = {}
    for n in range(args.sessions):
        day = first + timedelta(days=rng.randrange(span_days))
        start = fixed(day.replace(hour=rng.randrange(7, 20), minute=rng.randrange(60)))
        free = rng.random() < 0.1
        s = Session(
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
        path = root / "customers" / s.customer / f"{start.astimezone(tz):%Y-%m}.toml"
        files.setdefault(path, []).append(tomltext.format_table(codec.session_to_dict(s), "[[session]]"))
    for path, records in files.items():
        path.write_text("\n".join(records), "utf-8")
    print(f"wrote {args.sessions} sessions for {len(keys)} customers in {len(files)} files under {root}")


if __name__ == "__main__":
    main()

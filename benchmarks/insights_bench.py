"""Time search, insights, report --by and tags: the pure work in process, and whole commands.

Usage:
    python benchmarks/insights_bench.py [--runs N] [--quick]

In process (no files): 100 000 sessions over five years with varied notes, contacts, machines
and tickets (the generated ledger repeats five notes, which would flatter the search), and the
time of each step on them. Whole commands: subprocesses of the installed console script on the
ledger `benchmarks/generate.py` writes (run it first), so the time includes reading the month
files, which the store's derived cache (another branch) is to make fast.
The machine is shared and noisy: quote medians and ratios.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sessionlog import charts
from sessionlog import insights as pure
from sessionlog.app.search import select
from sessionlog.billing import bill
from sessionlog.model import Session, Settings, fixed
from sessionlog.reports import summarize_within
from sessionlog.textmatch import parse_query

TZ = ZoneInfo("Europe/Berlin")
LEDGER = Path(__file__).parent / "ledger"
BIN = Path(sys.executable).parent
SENTENCE = (
    "Drucker Treiber Papierstau Outlook Profil Postfach VPN Tunnel Firewall Router WLAN Passwort Kennwort "
    "Benutzer gesperrt entsperrt Backup Sicherung geprüft Server Neustart Update Windows Office Lizenz "
    "Scanner Netzlaufwerk Freigabe Berechtigung Zertifikat abgelaufen erneuert Kasse Bondrucker Café Büro "
    "Müller Größe Übertragung Störung behoben Telefon Headset Bildschirm Grafiktreiber Festplatte voll"
)
WORDS = SENTENCE.split()
CONTACTS = ["Herr Müller", "Frau Schäfer", "Herr Öztürk", "Frau Weiß", "Herr Maier", None, None]


def sessions(count: int, years: int, customers: int, seed: int = 42) -> list[Session]:
    rng = random.Random(seed)
    first = datetime(2020, 1, 1, tzinfo=TZ)
    out = []
    for n in range(count):
        day = first + timedelta(days=rng.randrange(365 * years))
        start = fixed(day.replace(hour=rng.randrange(7, 20), minute=rng.randrange(60)))
        words = rng.sample(WORDS, rng.randrange(3, 9))
        words.append(f"0x{rng.randrange(16**8):08x}" if rng.random() < 0.01 else str(rng.randrange(1000)))
        free = rng.random() < 0.1
        customer = f"kunde{rng.randrange(customers):03d}"
        out.append(
            Session(
                id=f"{n:08x}",
                customer=customer,
                start=start,
                end=start + timedelta(seconds=rng.randrange(120, 7200)),
                supporter="Klaus Hörner",
                contact=rng.choice(CONTACTS),
                machine=f"PC-{rng.randrange(12):02d}" if rng.random() < 0.7 else None,
                note=" ".join(words),
                billable=not free,
                free_reason="goodwill" if free else None,
                tags=(rng.choice(["drucker", "mail", "netzwerk", "backup", "server"]),) if rng.random() < 0.8 else (),
                ticket=f"T-{rng.randrange(10**5):05d}" if rng.random() < 0.3 else None,
            )
        )
    return out


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of `runs` calls, in ms, without the garbage collector
    (as a command runs once and exits). CPU time is the steadier figure on a shared machine."""
    walls, cpus = [], []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        gc.enable()
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def search_all(pool: list[Session], text: str) -> int:
    """What `sessionlog search` does with the sessions it has read."""
    return len(select(pool, parse_query(text)))


def in_process(runs: int) -> None:
    every = sessions(100_000, 5, 500)
    year = [s for s in every if s.start.astimezone(TZ).year == 2024]
    print(f"in process: {len(every)} sessions, five years; {len(year)} in 2024")
    print(f"{'step':56} {'wall':>9} {'CPU':>9}  (medians of {runs})")

    def row(name: str, fn: Callable[[], object]) -> None:
        wall, cpu = median_ms(fn, runs)
        print(f"{name:56} {wall:8.1f}ms {cpu:8.1f}ms")

    for text in ("drucker", "mueller treiber", '"papierstau outlook"', "0x8004010f", "café büro"):
        hits = search_all(every, text)
        row(f"search {text!r} over five years ({hits} hits)", lambda t=text: search_all(every, t))
    settings = Settings()
    value = pure.FreeValue(settings, {}, TZ)
    for label, pool in (("a year", year), ("five years", every)):
        row(f"repeat chains + rates, {label}", lambda p=pool: pure.repeat_rates(p, pure.chains(p, timedelta(days=14))))
        row(f"top customers/machines/tags, {label}", lambda p=pool: pure.top(p, value, 5))
        row(f"trend figures, {label}", lambda p=pool: pure.figures(p, settings.business_hours, TZ))
        row(f"without note or tag, {label}", lambda p=pool: pure.gaps(p))
        row(
            f"charts (months, weekdays, hours), {label}",
            lambda p=pool: (
                charts.per_month(p, charts.months_back(2024, 12), TZ),
                charts.per_weekday(p, TZ),
                charts.per_hour(p, TZ),
            ),
        )
    lines = bill(year, settings, {}, TZ)
    row("report --by customer,tag: summarize a year's lines", lambda: summarize_within(lines, "customer", "tag", TZ))
    row("report --by day,customer: summarize a year's lines", lambda: summarize_within(lines, "day", "customer", TZ))


def commands(runs: int) -> None:
    if not (LEDGER / "customers").is_dir():
        print("\nno generated ledger: run python benchmarks/generate.py for the whole-command timings")
        return
    sl = str(BIN / "sessionlog")
    env = {**os.environ, "SESSIONLOG_LEDGER": str(LEDGER), "SESSIONLOG_SUPPORTER": "Bench Mark"}
    env.pop("SESSIONLOG_NOW", None)
    cases = [
        ("search drucker 2024-03 -f json", [sl, "search", "drucker", "2024-03", "-f", "json"]),
        ("search drucker 2024 -f json", [sl, "search", "drucker", "2024", "-f", "json"]),
        ("search drucker (five years) -f json", [sl, "search", "drucker", "-f", "json"]),
        ("search drucker (five years, table: newest 50)", [sl, "search", "drucker"]),
        ("search 0x8004010f (five years, table)", [sl, "search", "0x8004010f"]),
        ("insights 2024 -f json", [sl, "insights", "2024", "-f", "json"]),
        ("insights 2024 -f html", [sl, "insights", "2024", "-f", "html"]),
        ("report 2024 --by customer", [sl, "report", "2024", "--by", "customer"]),
        ("report 2024 --by customer,tag -f json", [sl, "report", "2024", "--by", "customer,tag", "-f", "json"]),
        ("tags 2024", [sl, "tags", "2024"]),
    ]
    if os.environ.get("INSIGHTS_BENCH_ONLY_START"):
        cases = []
    print(f"\nwhole commands on {LEDGER} (subprocess, median of {runs})")
    print(f"{'command':48} {'median':>9} {'min':>9}")
    for name, cmd in cases:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
        print(f"{name:48} {statistics.median(times) * 1000:8.1f}ms {min(times) * 1000:8.1f}ms")
    # start with and without --tag: the tag check reads the last three months of every customer
    # (of the generated ledger's last year: the clock is pinned to its December).
    env["SESSIONLOG_NOW"] = "2024-12-16T10:00:00+01:00"
    for name, extra in (
        ("start kunde001 (then cancel)", []),
        ("start kunde001 --tag druker (then cancel)", ["--tag", "druker"]),
    ):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([sl, "start", "kunde001", *extra], env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - t)
            subprocess.run([sl, "cancel"], env=env, check=True, capture_output=True)
        print(f"{name:48} {statistics.median(times) * 1000:8.1f}ms {min(times) * 1000:8.1f}ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="only the in-process timings")
    args = ap.parse_args()
    in_process(args.runs)
    if not args.quick:
        commands(max(1, args.runs // 2))


if __name__ == "__main__":
    main()

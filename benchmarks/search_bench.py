"""Time `sessionlog search` as whole commands over five years: medians, CPU time, peak memory.

Usage:
    python benchmarks/generate.py                      # once: benchmarks/ledger (100 000 sessions)
    python benchmarks/search_bench.py [--runs N] [--varied]

Two ledgers: the generated one (five notes repeated, tags on every session) and, with
--varied, one written to benchmarks/results/varied from insights_bench's sessions (eight of 47
German help-desk words per note, umlauts, contacts, machines, tickets, a hex error code in one
note of a hundred), so that a rare word is searched in notes that are not all alike.

Each command runs as a real process. Each ledger gets an empty cache folder: its first search
fills the derived cache (every file parsed), the second writes the texts rows search scans;
then each command runs once more and is timed warm. Wall time is noisy on a shared machine:
quote CPU time (user + system) and medians.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from insights_bench import sessions as varied_sessions  # noqa: E402
from run import BIN, environment, peak_mib, timed  # noqa: E402

from sessionlog.store import codec, tomltext  # noqa: E402

VARIED = HERE / "results" / "varied"


def write_varied(root: Path) -> str:
    """The varied ledger under `root` (written once); returns a hex code that stands in one note."""
    every = varied_sessions(100_000, 5, 500)
    rare = next(w for s in every for w in s.note.split() if w.startswith("0x"))
    if (root / "customers").is_dir():
        return rare
    tz = ZoneInfo("Europe/Berlin")
    (root / "customers").mkdir(parents=True)
    (root / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n\n[billing]\nrate = "80.00"\n', "utf-8")
    files: dict[Path, list[str]] = {}
    for s in every:
        folder = root / "customers" / s.customer
        if not folder.is_dir():
            folder.mkdir()
            (folder / "customer.toml").write_text(f'name = "{s.customer} GmbH"\n', "utf-8")
        path = folder / f"{s.start.astimezone(tz):%Y-%m}.toml"
        files.setdefault(path, []).append(tomltext.format_table(codec.session_to_dict(s), "[[session]]"))
    for path, records in files.items():
        path.write_text("\n".join(records), "utf-8")
    return rare


def measure(name: str, cmd: list[str], env: dict[str, str], runs: int) -> None:
    timed(cmd, env)  # warm: the cache holds this ledger already, or now
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        walls.append(timed(cmd, env, cpus))
    peak = peak_mib(cmd, env)
    cpu = f"{statistics.median(cpus):6.2f} s" if cpus else "   n/a"
    print(f"{name:56} {statistics.median(walls):6.2f} s {cpu} {peak or 0:6.0f} MiB", flush=True)


def fresh(ledger: Path, cmd: list[str]) -> dict[str, str]:
    """The environment of runs on `ledger` with a cache of its own; prints what its first two runs cost."""
    cache = HERE / "results" / "search-cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = environment(ledger, HERE / "results" / "peers", cache)
    cold = timed(cmd, env)  # every file parsed, the cache's files rows written
    second = timed(cmd, env)  # the texts rows made from them
    print(f"(an empty cache: the first search {cold:.1f} s, the second {second:.2f} s)")
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--varied", action="store_true", help="also the ledger of varied notes")
    args = ap.parse_args()
    sl = str(BIN / "sessionlog")
    generated = HERE / "ledger"
    if not (generated / "customers").is_dir():
        sys.exit("no ledger: run python benchmarks/generate.py first")
    print(f"{'command (warm cache)':56} {'wall':>8} {'CPU':>8} {'peak':>10}")
    started = time.perf_counter()
    env = fresh(generated, [sl, "search", "0x8004010f"])
    for name, words in (
        ("search 0x8004010f (no hit, five years)", ["0x8004010f"]),
        ("search drucker (table: the newest 50)", ["drucker"]),
        ("search drucker 2024", ["drucker", "2024"]),
        ("search drucker -f json (every hit of five years)", ["drucker", "-f", "json"]),
        ("search drucker -f csv (every hit of five years)", ["drucker", "-f", "csv"]),
    ):
        measure(name, [sl, "search", *words], env, args.runs)
    if args.varied:
        rare = write_varied(VARIED)
        print(f"\nvaried notes ({VARIED}):")
        env = fresh(VARIED, [sl, "search", rare])
        for name, words in (
            (f"search {rare} (one hit, five years)", [rare]),
            ("search 0x8004010f --limit 0 (no hit, five years)", ["0x8004010f", "--limit", "0"]),
            ("search mueller treiber (table)", ["mueller", "treiber"]),
            ("search '\"papierstau outlook\"' -f json", ['"papierstau outlook"', "-f", "json"]),
            ("search drucker -f json (every hit of five years)", ["drucker", "-f", "json"]),
        ):
            measure(name, [sl, "search", *words], env, args.runs)
    print(f"\n({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()

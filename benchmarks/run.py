"""Time sessionlog's commands on the generated ledger, next to Watson and Timewarrior.

Usage:
    python benchmarks/generate.py                  # once: benchmarks/ledger (100 000 sessions)
    python benchmarks/run.py [--runs N]            # our commands: medians and peak memory
    python benchmarks/run.py --peers [--runs N]    # side by side with the peers, against the targets
    python benchmarks/run.py --quick               # 500 sessions in a temporary folder (CI)

Each command runs as a real process, as a user runs it. With --peers the same sessions are
written as Watson frames and Timewarrior data (peers.py), and every row times our command
and the peer's in alternating runs (A B A B ...), so that the drift of a shared, noisy
machine hits both alike; medians and their ratio are printed. Peers that are not installed
are skipped; this script installs nothing (see PEERS). Timings are never checked
automatically: --quick only proves that the harness runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import Params, read_params, write_ledger  # noqa: E402
from peers import write_peers  # noqa: E402

BIN = Path(sys.executable).parent
PEERS = {
    "watson": "pip install td-watson   (Watson 2.1, into this venv or on PATH)",
    "timew": "apt-get install timewarrior   (Timewarrior 1.4; brew install timewarrior on macOS)",
}
MONTH = "2024-03"
RUNNING_SINCE = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)  # the timer `status` shows, in both tools


@dataclass
class Row:
    name: str
    ours: list[str]
    peer: list[str] | None = None
    peer_name: str = ""
    target: str = ""  # e.g. "<= 1.0x" or "< 2 s"
    limit: float | None = None  # the ratio (or seconds, without a peer) the target allows


def timed(cmd: Sequence[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """The wall time of one run; its CPU time (user + system) goes to `cpu` where the OS tells."""
    before = _children_cpu()
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = _children_cpu()
    if cpu is not None and before is not None and after is not None:
        cpu.append(after - before)
    return wall


def _children_cpu() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_mib(cmd: Sequence[str], env: dict[str, str]) -> float | None:
    """The peak resident memory of one run of `cmd` (None where the OS cannot tell)."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    try:
        out = subprocess.run([sys.executable, "-c", probe, *cmd], env=env, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError:
        return None
    kib = int(out.stdout)
    return kib / 1024 / (1024 if sys.platform == "darwin" else 1)  # macOS reports bytes


@dataclass
class Times:
    wall: list[float]
    cpu: list[float]

    def median(self) -> float:
        return statistics.median(self.wall)

    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None


def alternate(a: Sequence[str], b: Sequence[str] | None, env: dict[str, str], runs: int) -> tuple[Times, Times]:
    """Run A and B in turns (A B A B ...) after one warm-up run each."""
    timed(a, env)
    if b is not None:
        timed(b, env)
    ta, tb = Times([], []), Times([], [])
    for _ in range(runs):
        ta.wall.append(timed(a, env, ta.cpu))
        if b is not None:
            tb.wall.append(timed(b, env, tb.cpu))
    return ta, tb


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except (AttributeError, OSError):  # Windows
        return "n/a"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def environment(ledger: Path, peers: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SESSIONLOG_", "WATSON_", "TIMEWARRIOR"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users run with compiled bytecode; so do we
    env.update(
        SESSIONLOG_LEDGER=str(ledger),
        SESSIONLOG_SUPPORTER="Bench Mark",
        SESSIONLOG_CONFIG=str(ledger.parent / "no-user-config.toml"),
        SESSIONLOG_CACHE=str(cache),
        WATSON_DIR=str(peers / "watson"),
        TIMEWARRIORDB=str(peers / "timew"),
    )
    return env


def prepare(args: argparse.Namespace) -> tuple[Path, Path, Path, Params]:
    """The ledger, the peers' data and the cache folder, written when missing or asked for."""
    if args.quick:
        work = Path(tempfile.mkdtemp(prefix="sessionlog-bench-"))
        params = Params(sessions=500, customers=20, years=5)
        write_ledger(work / "ledger", params)
        return work / "ledger", work / "peers", work / "cache", params
    ledger = Path(args.ledger)
    params = read_params(ledger)
    if params is None:
        if (ledger / "customers").is_dir():
            sys.exit(f"{ledger} was not written by benchmarks/generate.py (no .generated.json); generate it anew")
        sys.exit("no ledger: run python benchmarks/generate.py first")
    return ledger, HERE / "results" / "peers", HERE / "results" / "cache", params


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=None, help="timed runs per command (default 11, --quick 2)")
    ap.add_argument("--peers", action="store_true", help="time Watson and Timewarrior next to ours")
    ap.add_argument("--quick", action="store_true", help="500 sessions in a temporary folder, 2 runs (CI)")
    ap.add_argument("--ledger", default=str(HERE / "ledger"))
    args = ap.parse_args()
    runs = args.runs or (2 if args.quick else 11)
    peers_wanted = args.peers or args.quick
    ledger, peers_dir, cache, params = prepare(args)
    env = environment(ledger, peers_dir, cache)
    sl = str(BIN / "sessionlog")
    if not Path(sl).exists():
        sys.exit(f"{sl} is missing: pip install -e . into this Python first")
    # Compiled bytecode, as an installed package has it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__import__("sessionlog").__file__).parent)],
                   env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip

    found = {name: shutil.which(name, path=f"{BIN}{os.pathsep}{env.get('PATH', '')}") for name in PEERS}
    if peers_wanted:
        write_peers(peers_dir, params, ("kunde001", RUNNING_SINCE))
        for name, path in found.items():
            if path is None:
                print(f"skipping {name}: not installed ({PEERS[name]})", file=sys.stderr)
    subprocess.run([sl, "cancel"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([sl, "start", "kunde001", "--at", "05.03.2024 10:00"], env=env, check=True, capture_output=True)
    watson, timew = found["watson"], found["timew"]
    month_end = f"{MONTH[:4]}-{int(MONTH[5:]) + 1:02d}-01"
    timew_month = [timew, "summary", f"{MONTH}-01", "-", month_end] if timew else None
    watson_month = [watson, "report", "--from", f"{MONTH}-01", "--to", f"{MONTH}-31"] if watson else None

    rows = [
        Row("python -c pass", [sys.executable, "-c", "pass"]),
        Row("python -c 'import typer' (the floor)", [sys.executable, "-c", "import typer"]),
        Row("status (a timer running)", [sl, "status"], [watson, "status"] if watson else None, "watson status",
            "<= 1.0x", 1.0),
        Row(f"invoice {MONTH}", [sl, "invoice", MONTH], timew_month, "timew summary (month)", "<= 1.0x", 1.0),
        Row(f"list {MONTH} --format json", [sl, "list", MONTH, "--format", "json"], timew_month,
            "timew summary (month)", "<= 1.0x", 1.0),
        Row(f"report {MONTH}", [sl, "report", MONTH], watson_month, "watson report (month)", "<= 0.1x", 0.1),
        Row(f"report {MONTH[:4]}", [sl, "report", MONTH[:4]], timew_month, "timew summary (month)", "<= 2.0x", 2.0),
        Row("check (whole ledger)", [sl, "check"], None, "", "< 2 s", 2.0),
    ]  # fmt: skip
    if not peers_wanted:
        for row in rows:
            row.peer = None

    print(f"sessionlog benchmark: {params.sessions} sessions, {params.customers} customers, {params.years} years")
    print(
        f"machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}"
    )
    print(f"{runs} alternating runs per row (after one warm-up each), medians; the cache was warm unless noted")
    print("ratio: of the medians of wall time; CPU ratio: of user + system time, which load from other work")
    print(f"disturbs less; load average before the run: {_load()}\n")
    print("| command | median | peer | peer median | ratio | CPU ratio | target | met | peak MiB (ours / peer) |")
    print("| --- | ---: | --- | ---: | ---: | ---: | --- | --- | ---: |")
    verdicts: list[bool] = []
    for row in rows:
        if row.name.startswith("invoice"):
            # The timer ran for `status`; a timer running for years is a problem `check` reports.
            subprocess.run([sl, "cancel"], env=env, check=True, capture_output=True)
        ours, theirs = alternate(row.ours, row.peer, env, runs)
        mine = ours.median()
        peak = mib(peak_mib(row.ours, env))
        if row.peer is not None:
            peer = theirs.median()
            ratio = mine / peer
            cpu_mine, cpu_peer = ours.cpu_median(), theirs.cpu_median()
            cpu = f"{cpu_mine / cpu_peer:.2f}x" if cpu_mine and cpu_peer else ""
            met = row.limit is None or ratio <= row.limit
            verdicts.append(met)
            peak += f" / {mib(peak_mib(row.peer, env))}"
            cells = [ms(mine), row.peer_name, ms(peer), f"{ratio:.2f}x", cpu, row.target, "yes" if met else "**no**"]
        elif not peers_wanted and row.peer_name:
            cells = [ms(mine), row.peer_name, "", "", "", row.target, ""]
        elif row.limit is not None and not row.peer_name:
            met = mine < row.limit
            verdicts.append(met)
            cells = [ms(mine), "", "", "", "", row.target, "yes" if met else "**no**"]
        else:
            cells = [ms(mine), row.peer_name and f"{row.peer_name} (not installed)", "", "", "", row.target, ""]
        print(f"| {row.name} | " + " | ".join(cells) + f" | {peak} |", flush=True)

    # Without the cache: what a first run, or one after every file changed, costs.
    def cold(cmd: list[str]) -> Callable[[], float]:
        def run() -> float:
            shutil.rmtree(cache, ignore_errors=True)
            return timed(cmd, env)

        return run

    cold_runs = 1 if args.quick else 3
    for name, cmd in (
        (f"report {MONTH[:4]}, cold cache", [sl, "report", MONTH[:4]]),
        ("check, cold cache", [sl, "check"]),
    ):
        times = [cold(cmd)() for _ in range(cold_runs)]
        print(f"| {name} | {ms(statistics.median(times))} |  |  |  |  | (no cache yet) |  |  |", flush=True)
    timed([sl, "check"], env)  # leave the cache warm

    # start and stop alternate, so each run has something to stop; they write to a month of their own.
    starts: list[float] = []
    stops: list[float] = []
    subprocess.run([sl, "cancel"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    later = {**env, "SESSIONLOG_NOW": "2031-01-31T12:00:00+01:00"}  # start refuses times in the future
    for i in range(runs):
        starts.append(timed([sl, "start", "kunde001", "--at", f"0{1 + i % 9}.01.2031 10:00"], later))
        stops.append(timed([sl, "stop", "--at", f"0{1 + i % 9}.01.2031 10:30"], later))
    (ledger / "customers" / "kunde001" / "2031-01.toml").unlink(missing_ok=True)
    print(f"| start kunde001 --at … | {ms(statistics.median(starts))} |  |  |  |  |  |  |  |")
    print(f"| stop --at … | {ms(statistics.median(stops))} |  |  |  |  |  |  |  |")
    if verdicts:
        print(f"\n{sum(verdicts)} of {len(verdicts)} targets met on this run.")
    if args.quick:
        shutil.rmtree(ledger.parent, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Time sessionlog's commands on the generated ledger: medians of N runs and peak memory.

Usage: python benchmarks/generate.py && python benchmarks/run.py [--runs N]
The machine is shared and noisy: compare medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
LEDGER = Path(__file__).parent / "ledger"


def run(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def peak_mib(cmd: list[str], env: dict[str, str]) -> float:
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], env=env, check=True, capture_output=True, text=True)
    return int(out.stdout) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    if not (LEDGER / "customers").is_dir():
        sys.exit("no ledger: run python benchmarks/generate.py first")
    env = {**os.environ, "SESSIONLOG_LEDGER": str(LEDGER), "SESSIONLOG_SUPPORTER": "Bench Mark"}
    sl = str(BIN / "sessionlog")
    py = sys.executable
    cases: list[tuple[str, list[str]]] = [
        ("python -c pass", [py, "-c", "pass"]),
        ("python -c 'import typer'", [py, "-c", "import typer"]),
        ("sessionlog --version", [sl, "--version"]),
        ("status", [sl, "status"]),
        ("invoice 2024-03", [sl, "invoice", "2024-03"]),
        ("report 2024", [sl, "report", "2024"]),
        ("list 2024-03 --format json", [sl, "list", "2024-03", "--format", "json"]),
    ]
    print(f"{'command':34} {'median':>9} {'min':>9} {'peak MiB':>9}")
    for name, cmd in cases:
        times = [run(cmd, env) for _ in range(args.runs)]
        median, fastest = statistics.median(times) * 1000, min(times) * 1000
        print(f"{name:34} {median:8.1f}ms {fastest:8.1f}ms {peak_mib(cmd, env):9.1f}")
    # start and stop alternate, so each run has something to stop.
    starts, stops = [], []
    for i in range(args.runs):
        starts.append(run([sl, "start", "kunde001", "--at", f"2024-03-0{1 + i % 9} 10:00"], env))
        stops.append(run([sl, "stop", "--at", f"2024-03-0{1 + i % 9} 10:30"], env))
    print(f"{'start kunde001 --at …':34} {statistics.median(starts) * 1000:8.1f}ms {min(starts) * 1000:8.1f}ms")
    print(f"{'stop --at …':34} {statistics.median(stops) * 1000:8.1f}ms {min(stops) * 1000:8.1f}ms")


if __name__ == "__main__":
    main()

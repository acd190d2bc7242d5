"""Time `invoice --finalize` and `add` on one big month, the scale a busy help desk reaches.

Usage: python benchmarks/month_scale.py [--sizes 250,1000,5000] [--runs 3]
Writes throwaway ledgers to a temp folder; prints the median of whole-command runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SESSIONLOG = str(Path(sys.executable).parent / "sessionlog")
CET = timezone(timedelta(hours=1))


def month_file(n: int, customers: int) -> dict[str, str]:
    """`n` sessions of March 2024 spread over `customers` customers, as TOML text per customer."""
    texts: dict[str, list[str]] = {}
    start = datetime(2024, 3, 1, 8, 0, tzinfo=CET)
    step = timedelta(minutes=(30 * 24 * 60 - 60) // max(n, 1))
    for i in range(n):
        begin = start + i * step
        end = begin + timedelta(minutes=20)
        key = f"kunde{i % customers:03d}"
        texts.setdefault(key, []).append(
            f'[[session]]\nid = "s{i:07d}"\nstart = {begin.isoformat()}\nend = {end.isoformat()}\n'
            f'supporter = "Bench Mark"\nchannel = "remote"\nnote = "Sitzung {i}"\nbillable = true\n'
        )
    return {k: "\n".join(v) for k, v in texts.items()}


def build(root: Path, n: int, customers: int) -> None:
    (root / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n[billing]\nrate = "60.00"\n', "utf-8")
    for key, text in month_file(n, customers).items():
        folder = root / "customers" / key
        folder.mkdir(parents=True)
        (folder / "2024-03.toml").write_text(text, "utf-8")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="250,1000,5000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(
        f"{'sessions':>9} {'finalize, 1 customer':>21} {'finalize, 50 customers':>23} {'add back to back':>18}"
        f" {'add, file settled':>18}"
    )
    for n in (int(x) for x in args.sizes.split(",")):
        results = []
        for customers in (1, 50):
            runs = []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as tmp:
                    root = Path(tmp)
                    build(root, n, customers)
                    env = {**os.environ, "SESSIONLOG_LEDGER": tmp, "SESSIONLOG_SUPPORTER": "Bench Mark"}
                    runs.append(timed([SESSIONLOG, "invoice", "2024-03", "--finalize"], env))
            results.append(statistics.median(runs))
        adds, settled = [], []
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp), n, 1)
            env = {
                **os.environ,
                "SESSIONLOG_LEDGER": tmp,
                "SESSIONLOG_SUPPORTER": "Bench Mark",
                "SESSIONLOG_CACHE": str(Path(tmp) / ".cache"),
            }
            month = Path(tmp) / "customers" / "kunde000" / "2024-03.toml"
            for i in range(args.runs):  # back to back: the file was written a moment ago, so it is parsed
                add = [SESSIONLOG, "add", "kunde000", "--start", f"2024-03-31 {10 + i}:00", "--duration", "10m"]
                adds.append(timed(add, env))
            for i in range(args.runs):  # the file last written minutes ago, as between two real sessions
                past = time.time() - 600
                os.utime(month, (past, past))
                subprocess.run([SESSIONLOG, "list", "2024-03", "--format", "csv"], env=env, stdout=subprocess.DEVNULL)
                add = [SESSIONLOG, "add", "kunde000", "--start", f"2024-03-30 {10 + i}:00", "--duration", "10m"]
                settled.append(timed(add, env))
        print(
            f"{n:>9} {results[0]:>20.2f}s {results[1]:>22.2f}s {statistics.median(adds):>17.2f}s"
            f" {statistics.median(settled):>17.2f}s"
        )

if __name__ == "__main__":
    main()

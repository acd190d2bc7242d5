"""Time `sessionlog import` of a generated 100 000-line TeamViewer log (DESIGN.md: under 4 s).

Usage: python benchmarks/import_bench.py [--runs N] [--lines N] [--all-cores]

A year of connections from a busy help desk: 300 customers (--customers), each with a
TeamViewer ID, and one connection in twenty to a partner nobody has claimed; about one line
in ten without a GUID, file transfers beside remote control. Each run imports into a fresh
copy of a ledger that holds only the customers, as a real subprocess of the installed
console script, pinned to one core unless --all-cores. The machine is shared and noisy:
quote the median, and the CPU time beside the wall time.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

BIN = Path(sys.executable).parent
CUSTOMERS = 300


def partner_id(i: int) -> str:
    return str(400_000_000 + i * 7919)


def write_log(path: Path, lines: int, customers: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    moment = datetime(2024, 1, 2, 7, 0, tzinfo=UTC)
    step = timedelta(days=365) / lines
    out = []
    for n in range(lines):
        start = moment + n * step + timedelta(seconds=rnd.randint(0, 60))
        end = start + timedelta(seconds=rnd.randint(60, 40 * 60))
        # One connection in twenty goes to one of 20 partners that no customer claims.
        partner = partner_id(customers + rnd.randrange(20) if rnd.random() < 0.05 else rnd.randrange(customers))
        kind = "FileTransfer" if rnd.random() < 0.15 else "RemoteControl"
        guid = "" if rnd.random() < 0.1 else "{" + str(uuid.UUID(int=rnd.getrandbits(128))).upper() + "}"
        fmt = "%d-%m-%Y %H:%M:%S"
        out.append(f"{partner}\t{start:{fmt}}\t{end:{fmt}}\tKlaus Hörner\t{kind}\t{guid}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def make_ledger(root: Path, customers: int) -> None:
    for i in range(customers):
        folder = root / "customers" / f"kunde{i:03d}"
        folder.mkdir(parents=True)
        (folder / "customer.toml").write_text(
            f'name = "Kunde {i}"\nremote_ids = ["{partner_id(i)}"]\n', encoding="utf-8"
        )
    (root / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def timed(
    cmd: list[str], env: dict[str, str], pin: bool
) -> tuple[float, float, float, subprocess.CompletedProcess[bytes]]:
    """Wall seconds, CPU seconds (user + system: less sensitive to a busy machine), of them the
    system's (the kernel creating files), and the run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=one_core if pin else None,
        check=False,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    system = after.ru_stime - before.ru_stime
    return wall, after.ru_utime - before.ru_utime + system, system, done


def cpu(work: Callable[[], object], runs: int) -> float:
    """The median CPU seconds of `runs` runs of `work` in this process, the collector off as in an import."""
    times = []
    gc.disable()  # as `sessionlog import` runs
    for _ in range(runs):
        t = time.process_time()
        work()
        times.append(time.process_time() - t)
    gc.enable()
    return statistics.median(times)


def in_process(log: Path, template: Path, runs: int) -> None:
    """CPU seconds of the parts, in this process: the parser alone, and the whole workflow as a
    dry run (no table printed, nothing written)."""
    from sessionlog.app.context import Context
    from sessionlog.app.importing import ImportOptions, import_file
    from sessionlog.importers import ImportKind, parser
    from sessionlog.importers.base import decode
    from sessionlog.store import Ledger

    data = log.read_bytes()
    parse = parser(ImportKind.TEAMVIEWER)

    ctx = Context(Ledger(template), "Bench Mark", datetime.now(UTC))
    options = ImportOptions(merge_gap="2m", dry_run=True)
    print(f"{'parse (importer only)':26} cpu median {cpu(lambda: parse(decode(data), UTC, None), runs):5.2f} s")
    dry = cpu(lambda: import_file(ctx, ImportKind.TEAMVIEWER, log, options), runs)
    print(f"{'workflow, dry run':26} cpu median {dry:5.2f} s")


def create_floor(done: Path, template: Path, into: Path) -> tuple[float, float]:
    """Wall and system seconds to create the month files an import wrote (same bytes, a temp file
    renamed over each, no sync) in a fresh copy of the template: what the kernel alone costs on
    this machine at this moment. On an ext4 without a journal, creating inodes next to files
    deleted in the last minutes is slow (the kernel's `recently_deleted` scan)."""
    shutil.copytree(template, into)
    files = [(into / f.relative_to(done), f.read_bytes()) for f in sorted(done.glob("customers/*/20*.toml"))]
    before = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    for path, data in files:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        os.write(fd, data)
        os.close(fd)
        os.replace(tmp, path)
    wall = time.perf_counter() - t
    return wall, resource.getrusage(resource.RUSAGE_SELF).ru_stime - before.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--customers", type=int, default=CUSTOMERS, help="partners with a customer (month files: 12x)")
    ap.add_argument("--all-cores", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        log = work / "Connections.txt"
        write_log(log, args.lines, args.customers)
        template = work / "template"
        make_ledger(template, args.customers)
        in_process(log, template, args.runs)
        sl = str(BIN / "sessionlog")
        base = {**os.environ, "SESSIONLOG_SUPPORTER": "Bench Mark", "SESSIONLOG_CONFIG": str(work / "none.toml")}
        base["SESSIONLOG_CACHE"] = str(work / "cache")  # not the user's; cold for each run's ledger
        base.pop("PYTHONDONTWRITEBYTECODE", None)  # users run with compiled bytecode; so do we
        package = Path(__import__("sessionlog").__file__).parent
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=base, check=True)
        print(f"{args.lines} lines, {log.stat().st_size / 1e6:.1f} MB, {args.customers} customers")
        cases = [
            ("import --dry-run -f csv", ["--dry-run", "--format", "csv"], False),
            ("import (writes)", [], True),
            ("import again (all known)", [], False),
        ]
        for name, extra, fresh in cases:
            times: list[float] = []
            cpus: list[float] = []
            systems: list[float] = []
            floors: list[tuple[float, float]] = []
            summary = ""
            for run in range(args.runs):
                ledger = work / f"ledger-{name[:6]}-{run}"
                if fresh or not ledger.exists():
                    shutil.rmtree(ledger, ignore_errors=True)
                    shutil.copytree(template, ledger)
                    if name.startswith("import again"):
                        subprocess.run(
                            [sl, "import", "teamviewer", str(log), "--merge-gap", "2m"],
                            env={**base, "SESSIONLOG_LEDGER": str(ledger)},
                            capture_output=True,
                            check=False,
                        )
                cmd = [sl, "import", "teamviewer", str(log), "--merge-gap", "2m", *extra]
                wall, cpu, system, done = timed(cmd, {**base, "SESSIONLOG_LEDGER": str(ledger)}, not args.all_cores)
                times.append(wall)
                cpus.append(cpu)
                systems.append(system)
                summary = done.stderr.decode("utf-8").strip().splitlines()[-1]
                if fresh:
                    floors.append(create_floor(ledger, template, work / f"floor-{run}"))
            users = [c - s for c, s in zip(cpus, systems, strict=True)]
            print(
                f"{name:26} wall median {statistics.median(times):5.2f} s (min {min(times):5.2f})"
                f"  cpu median {statistics.median(cpus):5.2f} s"
                f" (user {statistics.median(users):4.2f}, system {statistics.median(systems):4.2f})"
                f"\n    {summary}"
            )
            if floors:
                print(
                    f"{'  the same files alone':26} wall median {statistics.median(w for w, _ in floors):5.2f} s"
                    f"  (system {statistics.median(s for _, s in floors):4.2f}): creating them, nothing else"
                )


if __name__ == "__main__":
    main()

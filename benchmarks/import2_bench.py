"""Time `sessionlog import` of csv (a Kimai export), rdp, watson and timewarrior files of 100 000
entries each (DESIGN.md: a 100 000-line import under 4 s), beside the TeamViewer figures of
import_bench.py.

Usage: python benchmarks/import2_bench.py [--runs N] [--entries N] [--kinds csv,rdp,…] [--all-cores]

A year of a help desk's work for 300 customers (each with a server SRV-KUNDEnnn among its
machines), generated per kind: a Kimai CSV (Date, From, To, Duration, …), Watson's frames,
Timewarrior's month files, and an RDP log with a logon and a disconnect per session (so
100 000 events are 50 000 sessions). Each kind is timed in process (CPU of the parser alone
and of the dry-run workflow) and as a subprocess of the installed console script pinned to
one core: a real import into a fresh copy of a ledger that holds only the customers, and the
same import again (everything known). The machine is shared and noisy: quote medians.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from import_bench import cpu, timed  # the timings of the TeamViewer benchmark

BIN = Path(sys.executable).parent
CUSTOMERS = 300
NS = "http://schemas.microsoft.com/win/2004/08/events/event"


def _event(eid: int, record: int, when: datetime, customer: int, session: int, address: str) -> str:
    addr = f"<Address>{address}</Address>" if address else ""
    return (
        f"<Event xmlns='{NS}'><System><Provider Name='Microsoft-Windows-TerminalServices-LocalSessionManager' "
        f"Guid='{{5d896912-022d-40aa-a3a8-4fa5515c76d7}}'/><EventID>{eid}</EventID><Version>0</Version><Level>4</Level>"
        f"<Task>0</Task><Opcode>0</Opcode><Keywords>0x1000000000000000</Keywords>"
        f"<TimeCreated SystemTime='{when:%Y-%m-%dT%H:%M:%S}.1234567Z'/><EventRecordID>{record}</EventRecordID>"
        f"<Correlation/><Execution ProcessID='1440' ThreadID='2208'/>"
        f"<Channel>Microsoft-Windows-TerminalServices-LocalSessionManager/Operational</Channel>"
        f"<Computer>SRV-KUNDE{customer:03d}</Computer><Security UserID='S-1-5-18'/></System><UserData>"
        f"<EventXML xmlns='Event_NS'><User>KUNDE\\admin</User><SessionID>{session}</SessionID>{addr}</EventXML>"
        f"</UserData></Event>"
    )


def write_files(work: Path, entries: int, customers: int, seed: int = 7) -> dict[str, Path]:
    rnd = random.Random(seed)
    first = datetime(2024, 1, 2, 7, 0, tzinfo=UTC)
    step = timedelta(days=365) / entries
    kimai = ["Date,From,To,Duration,User,Customer,Project,Activity,Description,Billable,Tags"]
    frames: list[list[object]] = []
    timew: dict[str, list[str]] = {}
    events: list[str] = []
    for n in range(entries):
        start = first + n * step + timedelta(seconds=rnd.randint(0, 60))
        end = start + timedelta(seconds=rnd.randint(60, 40 * 60))
        c = rnd.randrange(customers)
        a, b = start + timedelta(hours=1), end + timedelta(hours=1)  # Kimai writes local time; near enough
        worked = int((b - a).total_seconds())
        kimai.append(
            f"{a:%Y-%m-%d},{a:%H:%M},{b:%H:%M},{worked // 3600}:{worked // 60 % 60:02d},khoerner,Kunde {c},"
            f'Wartung,Support,"Notiz {n}, mit Komma",Yes,"fernwartung,drucker"'
        )
        frames.append([int(start.timestamp()), int(end.timestamp()), f"kunde{c:03d}", f"{rnd.getrandbits(128):032x}",
                       ["support", "Überwachung"], int(end.timestamp())])  # fmt: skip
        timew.setdefault(f"{start:%Y-%m}", []).append(
            f'inc {start:%Y%m%dT%H%M%SZ} - {end:%Y%m%dT%H%M%SZ} # "two words" kunde{c:03d}'
        )
        if n % 2 == 0:
            events.append(_event(21, n, start, c, n, "10.0.0.1"))
            events.append(_event(24, n + 1, end, c, n, "10.0.0.1"))
    (work / "kimai.csv").write_text("\r\n".join(kimai) + "\r\n", encoding="utf-8")
    (work / "frames").write_text(json.dumps(frames, indent=1, ensure_ascii=False), encoding="utf-8")
    (work / "timewarrior" / "data").mkdir(parents=True)
    for month, lines in timew.items():
        (work / "timewarrior" / "data" / f"{month}.data").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work / "rdp.xml").write_text("\r\n".join(events) + "\r\n", encoding="utf-8")
    return {
        "csv": work / "kimai.csv",
        "rdp": work / "rdp.xml",
        "watson": work / "frames",
        "timewarrior": work / "timewarrior",
    }


def make_ledger(root: Path, customers: int) -> None:
    for i in range(customers):
        folder = root / "customers" / f"kunde{i:03d}"
        folder.mkdir(parents=True)
        (folder / "customer.toml").write_text(
            f'name = "Kunde {i}"\nmachines = ["SRV-KUNDE{i:03d}"]\n', encoding="utf-8"
        )
    (root / "sessionlog.toml").write_text(
        'timezone = "Europe/Berlin"\n\n[import.supporters]\nkhoerner = "Klaus Hörner"\n', encoding="utf-8"
    )


EXTRA = {"csv": ["--map-name", "kimai"], "rdp": [], "watson": [], "timewarrior": []}


def in_process(kind: str, path: Path, template: Path, runs: int) -> None:
    """CPU seconds of the parser alone and of the whole workflow as a dry run, in this process."""
    from sessionlog.app.context import Context
    from sessionlog.app.import_read import read
    from sessionlog.app.importing import ImportOptions, import_file
    from sessionlog.importers import ImportKind
    from sessionlog.store import Ledger

    ctx = Context(Ledger(template), "Bench Mark", datetime.now(UTC))
    k = ImportKind(kind)
    options = ImportOptions(dry_run=True, map_name="kimai" if kind == "csv" else None)
    parse = cpu(lambda: read(ctx, k, path, options, None, None), runs)
    dry = cpu(lambda: import_file(ctx, k, path, options), runs)
    print(f"  in process: read and parse cpu median {parse:5.2f} s; workflow, dry run {dry:5.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--customers", type=int, default=CUSTOMERS)
    ap.add_argument("--kinds", default="csv,rdp,watson,timewarrior")
    ap.add_argument("--all-cores", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = write_files(work, args.entries, args.customers)
        template = work / "template"
        make_ledger(template, args.customers)
        sl = str(BIN / "sessionlog")
        base = {**os.environ, "SESSIONLOG_SUPPORTER": "Bench Mark", "SESSIONLOG_CONFIG": str(work / "none.toml")}
        for kind in args.kinds.split(","):
            path = files[kind]
            print(f"{kind}: {args.entries} entries, {args.customers} customers")
            in_process(kind, path, template, args.runs)
            for name, again in (("import (writes)", False), ("import again (all known)", True)):
                walls, cpus, summary = [], [], ""
                for run in range(args.runs):
                    ledger = work / f"ledger-{kind}-{run}"
                    shutil.rmtree(ledger, ignore_errors=True)
                    shutil.copytree(template, ledger)
                    env = {**base, "SESSIONLOG_LEDGER": str(ledger)}
                    cmd = [sl, "import", kind, str(path), *EXTRA[kind]]
                    if again:
                        subprocess.run(cmd, env=env, capture_output=True, check=False)
                    wall, used, _system, done = timed(cmd, env, not args.all_cores)
                    walls.append(wall)
                    cpus.append(used)
                    summary = done.stderr.decode("utf-8").strip().splitlines()[-1]
                print(
                    f"  {name:26} wall median {statistics.median(walls):5.2f} s (min {min(walls):5.2f})"
                    f"  cpu median {statistics.median(cpus):5.2f} s\n      {summary}"
                )


if __name__ == "__main__":
    main()

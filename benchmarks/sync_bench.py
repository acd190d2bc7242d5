"""Time `sessionlog sync` for a team of 20 with five years of history.

Usage: python benchmarks/sync_bench.py [--runs 7] [--years 1,2.5,5] [--customers 500]

Builds, with `git fast-import`, the history such a team leaves: every working day each of 20
technicians syncs once, adding four sessions (100 000 sessions over five years, 500
customers, one commit per technician and day: 25 000 commits). Then, in a fresh clone:

1. a sync that commits one new session and finds nothing new on the remote, on histories of
   several lengths (how the time grows with history);
2. a sync that commits one new session while colleagues pushed N commits touching about 4N
   month files since (how it grows with what others changed), with and without one of those
   files also changed here (the merge driver runs for that one);
3. where the time goes: the git commands, the merge driver.

Every sync is the installed console script, a real subprocess, as a technician runs it.
The repositories go to a temp folder.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

SESSIONLOG = str(Path(sys.executable).parent / "sessionlog")
CET = timezone(timedelta(hours=1))
TECHS = [f"Techniker {i:02d}" for i in range(20)]
PER_DAY = 4  # sessions per technician and working day


def git(cwd: Path, *args: str, data: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.decode()}")
    return done.stdout.decode()


def working_days(years: float) -> list[date]:
    day, out = date(2019, 4, 1), []
    while len(out) < int(250 * years):
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def history(repo: Path, years: float, customers: int, marks: list[float]) -> dict[float, str]:
    """The team's history as one fast-import stream; a branch `y<N>` where N years are done."""
    rng = random.Random(2024)
    files: dict[str, list[str]] = {}
    out: list[bytes] = []

    def blob(path: str, text: str) -> None:
        data = text.encode()
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    def commit(mark: int, who: str, when: datetime, message: str) -> None:
        ts = f"{int(when.timestamp())} +0100"
        msg = message.encode()
        email = who.lower().replace(" ", ".")
        out.append(f"commit refs/heads/main\nmark :{mark}\nauthor {who} <{email}@x> {ts}\n".encode())
        out.append(f"committer {who} <{email}@x> {ts}\ndata {len(msg)}\n".encode() + msg + b"\n")
        if mark > 1:
            out.append(f"from :{mark - 1}\n".encode())

    start = datetime(2019, 4, 1, 8, tzinfo=CET)
    commit(1, TECHS[0], start, "sessionlog: the ledger, shared through git\n")
    blob("sessionlog.toml", 'timezone = "Europe/Berlin"\n\n[billing]\nrate = "90.00"\n')
    blob(".gitattributes", "\n".join(a for a in _attributes()) + "\n")
    blob(".gitignore", "/.sessionlog.lock\n/.sessionlog-sync.lock\n/.sessionlog-move.toml\n.*.toml.*.tmp\n")
    for c in range(customers):
        blob(f"customers/k{c:03d}/customer.toml", f'name = "Kunde {c}"\n')
    mark, n = 1, 0
    done: dict[float, str] = {}
    days = working_days(years)
    for i, day in enumerate(days, 1):
        for who in TECHS:
            mark += 1
            at = datetime(day.year, day.month, day.day, 17, tzinfo=CET) + timedelta(minutes=rng.randrange(60))
            commit(mark, who, at, f"sessionlog: {who}: {PER_DAY} session(s) added\n")
            touched: set[str] = set()
            for _ in range(PER_DAY):
                n += 1
                begin = datetime(day.year, day.month, day.day, 8, tzinfo=CET) + timedelta(minutes=rng.randrange(540))
                path = f"customers/k{rng.randrange(customers):03d}/{day.year}-{day.month:02d}.toml"
                files.setdefault(path, []).append(
                    f'[[session]]\nid = "s{n:07d}"\nstart = {begin.isoformat()}\n'
                    f"end = {(begin + timedelta(minutes=rng.randrange(5, 90))).isoformat()}\n"
                    f'supporter = "{who}"\nchannel = "remote"\nnote = "Sitzung {n}"\nbillable = true\n'
                )
                touched.add(path)
            for path in sorted(touched):
                blob(path, "\n".join(files[path]))
        for m in marks:
            if i == int(250 * m):
                out.append(f"reset refs/heads/y{m:g}\nfrom :{mark}\n\n".encode())
                done[m] = f"y{m:g}"
    git(repo, "fast-import", "--quiet", data=b"".join(out))
    return done


def _attributes() -> list[str]:
    from sessionlog.store.gitrepo import ATTRIBUTES

    return list(ATTRIBUTES)


def env_for(home: Path, ledger: Path, who: str, now: datetime) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SESSIONLOG_", "GIT_"))}
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        SESSIONLOG_LEDGER=str(ledger),
        SESSIONLOG_SUPPORTER=who,
        SESSIONLOG_CONFIG=str(home / "none.toml"),
        SESSIONLOG_NOW=now.isoformat(),
    )
    return env


CPU: list[float] = []  # CPU seconds (user + system, with git and the driver) of each timed run


def run(cmd: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one command; its CPU seconds, children included, go to CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, check=False)
    took = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)}: {done.stderr.decode()}")
    return took


def timed(cmd: list[str], env: dict[str, str], cpu: list[float]) -> float:
    took = run(cmd, env)
    cpu.append(CPU[-1])
    return took


def clone(remote: Path, where: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", "clone", "-q", str(remote), str(where)], env=env, check=True)
    run([SESSIONLOG, "--ledger", str(where), "sync", "--setup"], env)


def ms(values: list[float], cpu: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms (CPU {statistics.median(cpu) * 1000:.0f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--years", default="1,2.5,5")
    parser.add_argument("--customers", type=int, default=500)
    args = parser.parse_args()
    marks = [float(y) for y in args.years.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="sessionlog-sync-bench-"))
    home = tmp / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[gc]\n\tauto = 0\n[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    try:
        origin = tmp / "origin.git"
        git(tmp, "init", "-q", "--bare", str(origin))
        t = time.perf_counter()
        branches = history(origin, max(marks), args.customers, marks)
        print(f"history: {time.perf_counter() - t:.0f} s to build, {git(origin, 'rev-list', '--count', 'main').strip()}"
              " commits", file=sys.stderr)  # fmt: skip
        now = datetime(2024, 4, 1, 18, tzinfo=CET)
        print("| history | commits | month files | sync, one new session, nothing new there |")
        print("| --- | --- | --- | --- |")
        for m, branch in branches.items():
            remote = tmp / f"remote-{branch}.git"
            git(tmp, "clone", "-q", "--bare", "--single-branch", "--branch", branch, str(origin), str(remote))
            me = tmp / f"me-{branch}"
            env = env_for(home, me, TECHS[0], now)
            clone(remote, me, env)
            times, cpu = [], []
            for r in range(args.runs):
                run([SESSIONLOG, "add", "k001", "--start", f"01.04.2024 0{r % 9}:00", "--duration", "20m"], env)
                times.append(timed([SESSIONLOG, "sync"], env, cpu))
            count = git(remote, "rev-list", "--count", "HEAD").strip()
            month_files = sum(1 for _ in (me / "customers").glob("*/2*.toml"))
            print(f"| {m:g} years | {count} | {month_files} | {ms(times, cpu)} |")
        print()
        print("| colleagues pushed since | month files they changed | sync, one new session | "
              "the same, and one of their files changed here too |")  # fmt: skip
        print("| --- | --- | --- | --- |")
        remote = tmp / f"remote-{branches[max(marks)]}.git"
        me, other = tmp / "me-work", tmp / "colleague"
        env, env_other = env_for(home, me, TECHS[0], now), env_for(home, other, TECHS[1], now)
        clone(remote, me, env)
        clone(remote, other, env_other)
        rng = random.Random(7)
        n = 10**6
        for pushes in (1, 20, 200):
            cells = []
            for both in (False, True):
                times, changed, cpu = [], [], []
                for r in range(max(3, args.runs // 2)):
                    files: set[str] = set()
                    for p in range(pushes):  # colleagues' commits, written straight with git: fast to make
                        for _ in range(PER_DAY):
                            n += 1
                            path = f"customers/k{rng.randrange(args.customers):03d}/2024-04.toml"
                            record = (
                                f'\n[[session]]\nid = "c{n:07d}"\nstart = 2024-04-01T10:00:00+02:00\n'
                                'end = 2024-04-01T10:15:00+02:00\nsupporter = "Techniker 01"\nnote = "x"\n'
                            )
                            with (other / path).open("a", encoding="utf-8") as f:
                                f.write(record)
                            files.add(path)
                        git(other, "add", "-A")
                        git(other, "-c", "user.name=Techniker 01", "-c", "user.email=t@x", "commit", "-qm", f"c{p}")
                    git(other, "push", "-q", "origin", "HEAD:refs/heads/" + branches[max(marks)])
                    changed.append(len(files))
                    key = sorted(files)[0].split("/")[1] if both else f"k{args.customers - 1:03d}"
                    run([SESSIONLOG, "add", key, "--start", f"03.04.2024 1{r % 9}:00", "--duration", "20m"], env)
                    times.append(timed([SESSIONLOG, "sync"], env, cpu))
                    git(other, "-c", "user.name=Techniker 01", "-c", "user.email=t@x", "pull", "-q", "--no-rebase",
                        "--no-edit", "origin", branches[max(marks)])  # fmt: skip
                cells.append(ms(times, cpu))
            print(f"| {pushes} commits | {statistics.median(changed):.0f} | {cells[0]} | {cells[1]} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

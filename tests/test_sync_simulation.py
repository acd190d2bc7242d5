"""Five technicians, one month, one git remote: hundreds of random operations in a random
interleaving, with offline stretches and races for invoice numbers; at the end everyone syncs
twice. Then nothing is lost, nothing doubled, no number issued twice, every clone the same,
and every true conflict was shown to a person.

How "every true conflict was shown" is checked: each write a command makes is an event that
carries the vector clock of its clone (one counter per technician; a sync that brings in the
remote's commits takes the remote's clock in). For every record and key, the events no other
event happened after are the latest writes. If they disagree and no person settled them, a
merge chose between them silently: a lost update. Settling a conflict (`resolve`) is itself a
write that happened after both sides, so it is the only latest write afterwards.

Seeds: one fixed seed by default; CI (CI=true) runs a few more. SESSIONLOG_SIM_SEEDS=1,2,3 and
SESSIONLOG_SIM_OPS=N choose others.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from gitteam import Clone, Team, make_team
from sessionlog.store import gitrepo, ids

SEEDS = [int(s) for s in os.environ.get("SESSIONLOG_SIM_SEEDS", "").split(",") if s.strip()] or (
    [13, 7, 2024] if os.environ.get("CI", "").lower() == "true" else [13]
)
OPS = int(os.environ.get("SESSIONLOG_SIM_OPS", "240"))
SETTINGS = 'timezone = "Europe/Berlin"\n\n[billing]\nrate = "90.00"\nincrement = 15\n'
CUSTOMERS = ("acme", "gamma", "delta", "maier")
FIELDS = ("note", "end", "ticket", "tags", "customer", "invoice", "billed", "billable", "free_reason", "start")
START = datetime.fromisoformat("2024-03-01T08:00:00+01:00")

VC = dict[str, int]


class _Seeded:
    """`secrets` for the store's id functions, drawing from a seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def choice(self, seq: str) -> str:
        return self.rng.choice(seq)

    def token_bytes(self, n: int) -> bytes:
        return self.rng.randbytes(n)


def after(a: VC, b: VC) -> bool:
    """Whether the write with clock `a` happened after (or is) the one with clock `b`."""
    return all(a.get(k, 0) >= v for k, v in b.items())


@dataclass
class Event:
    vc: VC
    value: Any  # a key's value; for existence: True (there) or False (deleted)
    who: str


@dataclass
class Tech:
    clone: Clone
    vc: VC = field(default_factory=dict)
    running: datetime | None = None  # when this technician's timer started
    offline_for: int = 0  # operations left before the laptop is back on the network


class Simulation:
    def __init__(self, team: Team, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
        self.team = team
        self.rng = random.Random(seed)
        self.techs = [Tech(c) for c in team.clones]
        self.remote_vc: VC = {}
        self.now = START
        self.written: set[str] = set()  # every id a command reported as written
        self.events: dict[tuple[str, str], list[Event]] = defaultdict(list)  # (id, key) -> writes
        self.issued: list[tuple[str, str]] = []  # (number, customer) finalize reported
        self.conflicts: list[str] = []  # what sync showed to a person
        self.stats: Counter[str] = Counter()
        self.race: Tech | None = None  # a rival who finalizes while this one pushes its numbers
        self._in_race = False
        real_push = gitrepo.Git.push

        def push(repo: gitrepo.Git, remote: str, branch: str) -> gitrepo.Pushed:
            rival = self.race
            if rival is not None and not self._in_race and "invoices of" in repo.out("log", "-1", "--format=%s"):
                self.race, self._in_race = None, True
                try:  # the rival's numbers reach the remote first
                    self.add(rival)
                    self.finalize(rival)
                finally:
                    self._in_race = False
            pushed = real_push(repo, remote, branch)
            if pushed.rejected and "invoices of" in repo.out("log", "-1", "--format=%s"):
                self.stats["finalize push lost the race"] += 1
            return pushed

        monkeypatch.setattr(gitrepo.Git, "push", push)
        # Session ids from the seed too, so that a seed replays the same run.
        # The store imports `secrets` where it draws an id, so the module's functions are what to replace.
        seeded = _Seeded(self.rng.randrange(2**32))
        monkeypatch.setattr(secrets, "choice", seeded.choice)
        monkeypatch.setattr(secrets, "token_bytes", seeded.token_bytes)
        monkeypatch.setattr(ids, "_RANDOM", bytearray())  # no bytes drawn before the seed

    # --- running commands and recording what they wrote ------------------------------------

    def run(self, tech: Tech, *args: str) -> Result:
        return tech.clone.run(*args, now=self.now.isoformat())

    def snapshot(self, tech: Tech) -> dict[str, dict[str, Any]]:
        """Every session record of the clone by id (the customer folded in as a key)."""
        out: dict[str, dict[str, Any]] = {}
        for path in sorted((tech.clone.root / "customers").glob("*/*.toml")):
            if path.name == "customer.toml":
                continue
            for r in tomllib.loads(path.read_text(encoding="utf-8")).get("session", []):
                assert r["id"] not in out, f"{r['id']} twice in {tech.clone.supporter}'s clone"
                out[r["id"]] = {**r, "customer": path.parent.name}
        return out

    def tick(self, tech: Tech) -> VC:
        tech.vc[tech.clone.supporter] = tech.vc.get(tech.clone.supporter, 0) + 1
        return dict(tech.vc)

    def record(self, tech: Tech, before: dict[str, dict[str, Any]], keys: tuple[str, ...] | None = None) -> None:
        """The writes of one command: what changed in this clone, stamped with its clock."""
        now = self.snapshot(tech)
        changed = [sid for sid in {*before, *now} if before.get(sid) != now.get(sid)]
        if not changed:
            return
        vc = self.tick(tech)
        who = tech.clone.supporter
        for sid in changed:
            old, new = before.get(sid), now.get(sid)
            if keys is None and (old is None) != (new is None):
                self.events[(sid, "")].append(Event(vc, new is not None, who))
            if new is None:
                continue
            for key in FIELDS if keys is None else keys:
                if old is None or old.get(key) != new.get(key):
                    self.events[(sid, key)].append(Event(vc, new.get(key), who))

    def settled(self, tech: Tech, sid: str) -> None:
        """A person decided: the record as it is now is the latest write of every key."""
        vc = self.tick(tech)
        record = self.snapshot(tech).get(sid)
        self.events[(sid, "")].append(Event(vc, record is not None, tech.clone.supporter))
        for key in FIELDS:
            if record is not None:
                self.events[(sid, key)].append(Event(vc, record.get(key), tech.clone.supporter))

    # --- operations ---------------------------------------------------------------------------

    def some_time(self) -> str:
        span = max(60, int((self.now - START).total_seconds() // 60) - 60)
        return (START + timedelta(minutes=self.rng.randrange(0, span))).strftime("%d.%m.%Y %H:%M")

    def add(self, tech: Tech) -> None:
        before = self.snapshot(tech)
        customer = self.rng.choice(CUSTOMERS)
        result = self.run(tech, "add", customer, "--start", self.some_time(), "--duration",
                          f"{self.rng.randrange(5, 90)}m", "--note", f"n{self.rng.randrange(1000)}")  # fmt: skip
        assert result.exit_code == 0, result.stderr
        self.written.add(result.stdout.strip())
        self.record(tech, before)
        self.stats["add"] += 1

    def start_or_stop(self, tech: Tech) -> None:
        before = self.snapshot(tech)
        if tech.running is None:
            result = self.run(tech, "start", self.rng.choice(CUSTOMERS), "--at", "-5m")
            assert result.exit_code == 0, result.stderr
            tech.running = self.now - timedelta(minutes=5)
            self.tick(tech)
            self.stats["start"] += 1
            return
        end = min(self.now, tech.running + timedelta(minutes=self.rng.randrange(10, 120)))
        result = self.run(tech, "stop", "--at", end.strftime("%d.%m.%Y %H:%M"), "--note", "erledigt")
        assert result.exit_code == 0, result.stderr
        m = re.match(r"stopped \w+: [\d:]+ worked \((\w+)\)$", result.stderr.splitlines()[0])
        assert m, result.stderr
        self.written.add(m.group(1))
        tech.running = None
        self.record(tech, before)
        self.stats["stop"] += 1

    def pick(self, tech: Tech, *, open_only: bool) -> str | None:
        records = self.snapshot(tech)
        ids = sorted(sid for sid, r in records.items() if not (open_only and r.get("invoice")))
        return self.rng.choice(ids) if ids else None

    def edit(self, tech: Tech) -> None:
        sid = self.pick(tech, open_only=self.rng.random() < 0.9)
        if sid is None:
            return
        change = self.rng.choice(
            [
                ["--note", f"e{self.rng.randrange(1000)}"],
                ["--note", f"e{self.rng.randrange(1000)}"],
                ["--duration", f"{self.rng.randrange(5, 120)}m"],
                ["--ticket", f"T-{self.rng.randrange(100)}"],
                ["--tag", self.rng.choice(["drucker", "server", "mail"])],
                ["--free", "goodwill"],
                ["--customer", self.rng.choice(CUSTOMERS)],
            ]
        )
        before = self.snapshot(tech)
        result = self.run(tech, "edit", sid, *change)
        if result.exit_code != 0:
            assert "is locked: it was invoiced" in result.stderr, result.stderr
            self.stats["edit refused: invoiced"] += 1
            return
        self.record(tech, before)
        self.stats["edit"] += 1

    def delete(self, tech: Tech) -> None:
        sid = self.pick(tech, open_only=True)
        if sid is None:
            return
        before = self.snapshot(tech)
        result = self.run(tech, "delete", sid, "--yes")
        assert result.exit_code == 0, result.stderr
        self.record(tech, before)
        self.stats["delete"] += 1

    def finalize(self, tech: Tech) -> None:
        before = self.snapshot(tech)
        result = self.run(tech, "invoice", "2024-03", "--finalize", "--allow-zero")
        if tech.offline_for:
            assert result.exit_code == 1 and "cannot reach origin" in result.stderr, result.stderr
            assert "nothing was numbered" in result.stderr
            self.stats["finalize refused offline"] += 1
            return
        if result.exit_code == 1 and "conflict(s) to settle first" in result.stderr:
            # Its first sync brought a conflict: nothing was numbered. The person settles, then again.
            self.stats["finalize stopped by a conflict"] += 1
            self.sync(tech)
            before = self.snapshot(tech)
            result = self.run(tech, "invoice", "2024-03", "--finalize", "--allow-zero")
        assert result.exit_code == 0, result.stderr
        numbers = re.findall(r"^(RE-\d{4}-\d{4}): (\w+),", result.stderr, re.MULTILINE)
        self.issued += numbers
        # It synced first (and again after losing a race): it has all the remote has, and its
        # stamps went out with it.
        self.merged_in(tech, self.remote_vc)
        self.record(tech, before, keys=("invoice", "billed"))
        self.remote_vc = dict(tech.vc)
        self.stats["finalize"] += 1
        self.stats["invoices issued"] += len(numbers)

    def merged_in(self, tech: Tech, remote: VC) -> None:
        for k, v in remote.items():
            tech.vc[k] = max(tech.vc.get(k, 0), v)

    def sync(self, tech: Tech) -> None:
        for _ in range(5):
            result = self.run(tech, "sync")
            if tech.offline_for:
                assert result.exit_code == 0 and "cannot reach origin" in result.stderr, result.stderr
                self.stats["sync offline"] += 1
                return
            self.merged_in(tech, self.remote_vc)
            if result.exit_code == 0:
                assert "pushed to origin" in result.stderr or "up to date" in result.stderr, result.stderr
                self.remote_vc = dict(tech.vc)
                self.stats["sync"] += 1
                self.verify(tech)
                return
            self.settle(tech, result)
        raise AssertionError(f"{tech.clone.supporter} could not finish a sync")

    def settle(self, tech: Tech, result: Result) -> None:
        """A person reads the list and keeps one side of each conflict."""
        assert result.exit_code == 1 and "the merge needs a person" in result.stderr, (result.stdout, result.stderr)
        found = re.findall(r": conflict: session (\w+) is in conflict: (.*?) \(keep one side", result.stdout)
        assert found and len(found) == len(result.stdout.splitlines()), result.stdout
        for sid, what in found:
            self.conflicts.append(f"{sid}: {what}")
            side = self.rng.choice(["ours", "theirs"])
            done = self.run(tech, "resolve", sid, "--take", side)
            if done.exit_code != 0:  # kept here it would be twice: it was moved meanwhile
                assert "it was moved there" in done.stderr, done.stderr
                done = self.run(tech, "resolve", sid, "--take", "theirs" if side == "ours" else "ours")
            assert done.exit_code == 0, done.stderr
            self.settled(tech, sid)
            self.stats["conflicts settled"] += 1

    def step(self) -> None:
        self.now += timedelta(minutes=self.rng.randrange(5, 45))
        tech = self.rng.choice(self.techs)
        if tech.offline_for:
            tech.offline_for -= 1
            if not tech.offline_for:
                tech.clone.online(self.team.remote)
        elif self.rng.random() < 0.04:
            tech.offline_for = self.rng.randrange(5, 25)
            tech.clone.offline(self.team.tmp)
            self.stats["offline stretches"] += 1
        op = self.rng.choices(
            [self.add, self.start_or_stop, self.edit, self.delete, self.sync, self.finalize],
            weights=[30, 14, 22, 6, 14, 4],
        )[0]
        if op == self.finalize and not tech.offline_for and self.rng.random() < 0.7:
            self.race = self.rng.choice([t for t in self.techs if t is not tech and not t.offline_for] or [None])
        op(tech)
        self.race = None

    # --- the end: everyone online, two syncs each, then the checks -----------------------------

    def finish(self) -> None:
        for tech in self.techs:
            if tech.offline_for:
                tech.offline_for = 0
                tech.clone.online(self.team.remote)
        for _ in range(2):
            for tech in self.techs:
                self.sync(tech)
        # A last round settles whatever the last conflicts brought; then nothing may change.
        for tech in self.techs:
            self.sync(tech)
        heads = {t.clone.git("rev-parse", "HEAD") for t in self.techs}
        assert len(heads) == 1, "the clones ended on different commits"
        self.team.assert_identical()

    def check_outcome(self) -> None:
        final = self.snapshot(self.techs[0])
        for tech in self.techs:
            result = self.run(tech, "check")
            assert result.exit_code == 0, result.stdout
        self.check_sessions(final)
        self.check_latest_writes(final)
        self.check_invoices(final)

    def check_sessions(self, final: dict[str, dict[str, Any]]) -> None:
        for tech in self.techs:
            ids = Counter(
                r["id"]
                for path in (tech.clone.root / "customers").glob("*/*.toml")
                if path.name != "customer.toml"
                for r in tomllib.loads(path.read_text(encoding="utf-8")).get("session", [])
            )
            assert not [sid for sid, n in ids.items() if n > 1], "a session is in the ledger twice"
        for sid in self.written:
            latest = self.latest((sid, ""))
            values = {e.value for e in latest}
            assert len(values) == 1, f"{sid}: deleted on one side, kept on the other, and nobody was asked"
            assert (sid in final) == values.pop(), (
                f"session {sid} was written and is {'gone' if sid not in final else 'back'}"
            )

    def latest(self, key: tuple[str, str], seen: VC | None = None) -> list[Event]:
        """The writes of a record's key that no other write happened after (among those `seen`)."""
        events = [e for e in self.events[key] if seen is None or after(seen, e.vc)]
        return [e for e in events if not any(o is not e and after(o.vc, e.vc) and o.vc != e.vc for o in events)]

    def verify(self, tech: Tech) -> None:
        """Right after a sync: the clone holds the latest of every write it has seen, and where
        two seen writes disagree and neither happened after the other, a person was asked."""
        now = self.snapshot(tech)
        for sid, key in list(self.events):
            latest = self.latest((sid, key), tech.vc)
            if not latest:
                continue
            values = [e.value for e in latest]
            who = tech.clone.supporter
            assert all(v == values[0] for v in values), (
                f"{who} merged concurrent writes of {sid} {key or '(there or not)'} without asking: "
                f"{[(e.who, e.value) for e in latest]}"
            )
            if not key:
                assert (sid in now) == values[0], f"{who}: session {sid} should {'' if values[0] else 'not '}be there"
            elif sid in now:
                assert now[sid].get(key) == values[0], f"{who}: session {sid} {key} lost its latest write"

    def check_latest_writes(self, final: dict[str, dict[str, Any]]) -> None:
        for sid, key in list(self.events):
            if not key or sid not in final:
                continue
            latest = self.latest((sid, key))
            values = [e.value for e in latest]
            assert all(v == values[0] for v in values), (
                f"session {sid}, {key}: concurrent writes {[(e.who, e.value) for e in latest]} were never shown "
                "to a person"
            )
            assert final[sid].get(key) == values[0], f"session {sid}, {key}: the latest write was lost"

    def check_invoices(self, final: dict[str, dict[str, Any]]) -> None:
        register: dict[str, tuple[str, list[str]]] = {}
        numbers: list[str] = []
        for path in (self.techs[0].clone.root / "invoices").glob("*.toml"):
            for inv in tomllib.loads(path.read_text(encoding="utf-8")).get("invoice", []):
                numbers.append(inv["number"])
                register[inv["number"]] = (inv["customer"], [s["id"] for s in inv.get("session", [])])
        assert len(numbers) == len(set(numbers)), f"an invoice number was issued twice: {numbers}"
        billed = Counter(sid for _, sids in register.values() for sid in sids)
        assert not [sid for sid, n in billed.items() if n > 1], "a session is on two invoices"
        for number, customer in self.issued:
            assert register.get(number, ("", []))[0] == customer, f"{number} was reported for {customer}"
        assert len(self.issued) == len(numbers), "the register holds numbers no finalize reported"
        for sid, r in final.items():
            if r.get("invoice"):
                assert sid in register[r["invoice"]][1], f"{sid} is stamped {r['invoice']} but not on it"


@pytest.mark.parametrize("seed", SEEDS)
def test_five_technicians_one_month(seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = make_team(tmp_path, monkeypatch, 5, settings=SETTINGS)
    boss = team[0]
    for key in CUSTOMERS:
        boss.ok("customer", "add", key, "--name", key.title())
    team.sync_all(1)
    sim = Simulation(team, seed, monkeypatch)
    for _ in range(OPS):
        sim.step()
    sim.finish()
    sim.check_outcome()
    print(dict(sim.stats), *sim.conflicts, sep="\n")
    if seed == SEEDS[0] and OPS >= 200:
        # The run must have exercised what it claims to prove.
        for what in ("add", "stop", "edit", "delete", "finalize", "sync", "offline stretches", "conflicts settled"):
            assert sim.stats[what] > 0, f"the simulation never did: {what}"
        assert sim.stats["finalize push lost the race"] > 0, "no finalize lost a race for its numbers"

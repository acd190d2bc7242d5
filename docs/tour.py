"""The README's tour: runs every command the README shows and keeps what it printed.

Each scene is a fresh folder with a fresh ledger (`SESSIONLOG_LEDGER=ledger`), a pinned clock,
fixed session ids (`SESSIONLOG_TEST_IDS`), English, Europe/Berlin and a 100-column terminal.
Commands run as the installed `sessionlog` script, so the output is what a user's shell shows.

    cog -r README.md        # paste the outputs into the README (its cog blocks call `show`)
    python docs/tour.py     # print the whole tour; exits 1 naming the step that failed
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPORTER = "Klaus Hörner"
# What every command sees, whatever the machine that runs the tour is set to.
BASE_ENV = {
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "SESSIONLOG_LANGUAGE": "en",
    "COLUMNS": "100",
    "LINES": "50",
    "TZ": "Europe/Berlin",
    "SESSIONLOG_LEDGER": "ledger",
    "SESSIONLOG_SUPPORTER": SUPPORTER,
    "PYTHONIOENCODING": "utf-8",
    # A terminal without colours or cursor movement, so what it shows is plain text.
    "TERM": "dumb",
}


STEP_SECONDS = 60  # far more than any step takes, even on a busy machine
_ID = re.compile(r"\(([a-z2-9]{8})\)")


class TourError(Exception):
    """A step printed or exited otherwise than the tour expects."""


@dataclass
class Step:
    name: str
    shown: str  # the command as the README shows it
    output: str = ""


@dataclass
class Scene:
    """One fresh folder; `run` executes a command there and keeps its output under a name."""

    name: str
    folder: Path
    script: str
    now: str = ""
    steps: dict[str, Step] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    # Set for every command but not shown: who works, in which ledger (`{root}` is the folder).
    hidden: dict[str, str] = field(default_factory=dict)
    # How the folder's path is shown, where a command prints absolute paths (git does).
    shown_root: str = ""

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        home = str(self.folder / "home")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": home,
            "XDG_CONFIG_HOME": home,
            "XDG_DATA_HOME": home,
            "SESSIONLOG_CONFIG": str(self.folder / "home" / "config.toml"),
            "SESSIONLOG_TEST_IDS": self.name,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_PAGER": "cat",  # git log on a terminal would wait for a person to page
            "GIT_CONFIG_GLOBAL": str(self.folder / "home" / ".gitconfig"),
            **BASE_ENV,
        }
        if self.now:
            # git's commits get the same moment, so their hashes are the same in every run.
            env.update(SESSIONLOG_NOW=self.now, GIT_AUTHOR_DATE=self.now, GIT_COMMITTER_DATE=self.now)
        return {**env, **{k: v.format(root=self.folder) for k, v in {**self.hidden, **extra}.items()}}

    def run(
        self, name: str, command: str, *, code: int = 0, env: dict[str, str] | None = None, keep: str = ""
    ) -> str:
        """Run `command` (`{key}` and `{key:.4}` name ids kept earlier); `code` is the exit it must give.

        `env` is shown before the command, as a shell line sets it; `keep` stores the id the
        command names in parentheses (`added acme: 0:45:00 (cxdwih68)`) under that key.
        """
        command = command.format(root=self.folder, **self.ids)
        shown_env = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        shown = self._shown(f"{shown_env} {command}" if shown_env else command)
        args, _, target = command.partition(" > ")
        argv = shlex.split(args)
        if argv[0] == "sessionlog":
            argv[0] = self.script
        to_file = self.folder / target.strip() if target else None
        try:
            text, returncode = _on_terminal(argv, self.folder, self.env(env or {}), to_file)
        except TimeoutError as exc:
            raise TourError(
                f"tour step {self.name}/{name}: `{shown}` did not end within {STEP_SECONDS} s:\n{self._shown(str(exc))}"
            ) from None
        text = self._shown(text)
        if returncode != code:
            raise TourError(f"tour step {self.name}/{name}: `{shown}` exited {returncode}, expected {code}:\n{text}")
        if keep:
            found = _ID.search(text)
            if found is None:
                raise TourError(f"tour step {self.name}/{name}: `{shown}` printed no id to keep:\n{text}")
            self.ids[keep] = found.group(1)
        if name in self.steps:
            raise TourError(f"tour step {self.name}/{name}: the name is used twice")
        self.steps[name] = Step(name, shown, text)
        return text

    def _shown(self, text: str) -> str:
        return text.replace(str(self.folder), self.shown_root) if self.shown_root else text

    def edit(self, path: str, old: str, new: str) -> None:
        """Change a file as a person would by hand (say, a setting `init` wrote commented out)."""
        target = self.folder / path
        text = target.read_text(encoding="utf-8")
        if text.count(old) != 1:
            raise TourError(f"tour scene {self.name}: {path} does not hold {old!r} once")
        target.write_text(text.replace(old, new), encoding="utf-8")


# --- the scenes, in the README's order --------------------------------------------------------


def tour(s: Scene) -> None:
    """The README's Tour: one ledger from `init` to the finalized month."""
    s.now = "2024-03-01T09:00:00+01:00"
    s.run("help", "sessionlog --help")
    _tour_customers(s, "ACME", "GAMMA", "DELTA")
    s.run("customer-list", "sessionlog customer list")
    s.run("customer-show", "sessionlog customer show acme")

    s.now = "2024-03-01T10:40:00+01:00"
    s.run("start", 'sessionlog start ACME --at "01.03.2024 10:22" --contact "Herr Horst Maier"', keep="first")
    s.run("status", "sessionlog status", env={"SESSIONLOG_NOW": "2024-03-01T10:30:00+01:00"})
    s.run("pause", 'sessionlog pause --at "01.03.2024 10:25"')
    s.run("resume", 'sessionlog resume --at "01.03.2024 10:27"')
    s.run("stop", 'sessionlog stop --at "01.03.2024 10:34:22" --note "IE aktualisiert"')
    s.now = "2024-03-04T11:00:00+01:00"
    s.run("start-typo", 'sessionlog start ACEM --at "04.03.2024 11:00"', code=1)

    s.now = "2024-04-02T10:00:00+02:00"
    s.run(
        "add-gamma",
        'sessionlog add GAMMA --start "2024-03-04 09:00" --duration 45m --note "Drucker eingerichtet"',
        keep="gamma",
    )
    s.run(
        "add-free",
        'sessionlog add ACME --start "2024-03-04 09:00" --duration 45m --note "Drucker getauscht" --free warranty',
    )
    s.run(
        "add-gamma-2", 'sessionlog add GAMMA --start "2024-03-05 09:00" --duration 37m --note "Server neu gestartet"'
    )
    s.run(
        "add-saturday",
        'sessionlog add DELTA --start "2024-03-09 10:00" --duration 1h --note "Samstag: Praxissoftware"',
    )
    s.run("add-night", 'sessionlog add ACME --start "2024-03-31 01:30" --end "2024-03-31 03:30" --note "Nachtwartung"')
    s.run("add-too-long", 'sessionlog add ACME --start "2024-03-12 08:00" --duration 25h', code=1)

    s.run("list", "sessionlog list 2024-03")
    s.run("list-json", "sessionlog list 2024-03 --customer GAMMA --format json")
    s.run("edit", 'sessionlog edit {gamma:.4} --note "Drucker im Büro eingerichtet"')

    s.run("report-json", "sessionlog report 2024-03 --by customer --format json")
    s.run("report", "sessionlog report 2024-03")
    s.run("report-week-day", "sessionlog report 2024-03 --by week,day")

    s.run("invoice", "sessionlog invoice 2024-03 --profile en")
    s.run("invoice-summary", "sessionlog invoice 2024-03 --profile en --summary")
    s.run("invoice-finalize", "sessionlog invoice 2024-03 --finalize --profile en")
    s.run("delete-locked", "sessionlog delete {gamma:.4} --yes", code=1)

    s.run("statement", "sessionlog --ledger examples/ledger statement 2024-03 --out statements")
    s.run(
        "statement-pdf",
        "sessionlog --ledger examples/ledger statement 2024-03 --customer maier --format pdf --out statements",
    )
    s.run("check", "sessionlog check")
    s.run("month-file", "cat ledger/customers/acme/2024-03.toml")


def _tour_customers(s: Scene, *keys: str) -> None:
    """`init` and the tour's customers, made as the tour makes them."""
    made = {
        "ACME": '--name "Fa. Walter Maier GmbH" --rate 90 --increment 15 --rounding up --minimum 15'
        " --remote-id 565955529",
        "GAMMA": '--name "Gamma e.K." --rate 80 --increment 5 --rounding nearest --included-minutes 60',
        "DELTA": '--name "Delta AG" --rate 100 --after-hours-factor 1.5',
    }
    s.run("init", "sessionlog init")
    for key in keys:
        s.run(f"customer-add-{key.lower()}", f"sessionlog customer add {key} {made[key]}")


def imports(s: Scene) -> None:
    """The import section: remote-support logs, a CSV through a map of options, RDP logons."""
    s.now = "2024-04-15T12:00:00+02:00"
    _tour_customers(s, "ACME", "DELTA")
    s.run(
        "teamviewer-dry",
        "sessionlog import teamviewer examples/import/Connections.txt --merge-gap 2m --dry-run",
        code=1,
    )
    s.run("delta-remote-id", "sessionlog customer edit DELTA --remote-id 1482093345")
    s.run("teamviewer", "sessionlog import teamviewer examples/import/Connections.txt --merge-gap 2m", code=1)
    s.run("anydesk", "sessionlog import anydesk examples/import/connection_trace.txt")
    s.run("list-april", "sessionlog list 2024-04")
    s.run("check-april", "sessionlog check")
    s.run("month-file", "cat ledger/customers/delta/2024-04.toml")
    s.run("start-remote-id", "sessionlog start 565955529")
    s.run("cancel", "sessionlog cancel")

    s.now = "2024-05-31T12:00:00+02:00"
    s.run(
        "rmm-dry",
        "sessionlog import csv examples/import/rmm.csv --map customer=Kunde --map start=Beginn"
        ' --map "duration=Dauer (min)" --map channel=Kanal --map note=Tätigkeit --map tags=Kategorie'
        " --map ticket=Ticket --dry-run",
        code=1,
    )
    s.run("rdp-dry", "sessionlog import rdp examples/import/LocalSessionManager.xml --dry-run", code=1)
    s.run("rdp-alias", "sessionlog customer edit ACME --alias maier")
    s.run(
        "rdp",
        f'sessionlog import rdp examples/import/LocalSessionManager.xml --merge-gap 2m --supporter "{SUPPORTER}"',
    )


def kimai(s: Scene) -> None:
    """CSV exports: Kimai's, sessionlog's own between two ledgers; then Watson and Timewarrior."""
    s.now = "2024-06-03T10:00:00+02:00"
    _tour_customers(s, "ACME", "GAMMA", "DELTA")
    s.edit("ledger/sessionlog.toml", f'# khoerner = "{SUPPORTER}"', f'khoerner = "{SUPPORTER}"')
    s.run("kimai-dry", "sessionlog import csv examples/import/kimai.csv --map-name kimai --dry-run", code=1)
    s.run("kaya", 'sessionlog customer add KAYA --name "Kiosk Kaya"')
    s.run("kimai", "sessionlog import csv examples/import/kimai.csv --map-name kimai")
    s.run("kimai-again", "sessionlog import csv examples/import/kimai.csv --map-name kimai")
    other = {"SESSIONLOG_LEDGER": "other/ledger"}
    s.run("export", "sessionlog list 2024-05 --format csv > may.csv")
    s.run("export-head", "head -3 may.csv")
    for key in ("ACME", "GAMMA", "DELTA", "KAYA"):  # the other ledger knows the same customers
        s.run(f"other-customer-{key.lower()}", f"sessionlog customer add {key}", env=other)
    s.run("export-import", "sessionlog import csv may.csv --map-name sessionlog", env=other)
    s.run(
        "other-add",
        'sessionlog add acme --start "2024-05-21 10:00" --end "2024-05-21 10:30" --note "Router getauscht"',
        env=other,
    )
    s.run("other-export", "sessionlog list 2024-05 --format csv --profile de > other/may.csv", env=other)
    s.run("import-back", "sessionlog import csv other/may.csv --map-name sessionlog")

    s.run("watson-dry", "sessionlog import watson examples/import/watson/frames --dry-run", code=1)
    s.run("watson", "sessionlog import watson examples/import/watson/frames --map-project relaunch=gamma")
    s.run("timewarrior-dry", "sessionlog import timewarrior examples/import/timewarrior --dry-run")
    s.run("timewarrior", "sessionlog import timewarrior examples/import/timewarrior")
    s.run("timewarrior-again", "sessionlog import timewarrior examples/import/timewarrior")


# The help desk's February and March 2024: (customer, start, duration, options) of each session.
HELPDESK = [
    ("ACME", "2024-02-05 09:00", "35m", '--machine PC-Empfang --contact "Frau Schäfer" --tag drucker'
     ' --note "Drucker druckt nicht: Treiber neu installiert"'),
    ("GAMMA", "2024-02-12 10:00", "45m", '--contact "Herr Müller" --tag mail --note "Outlook-Profil neu angelegt"'),
    ("GAMMA", "2024-02-20 09:00", "30m", '--machine NAS --tag backup --free goodwill --note "Backup-Job geprüft"'),
    ("GAMMA", "2024-02-27 19:00", "20m", '--machine NAS --tag backup --note "Backup auf NAS eingerichtet"'),
    ("ACME", "2024-03-04 09:00", "25m", '--machine PC-Empfang --tag drucker'
     ' --note "Papierstau, Drucker wieder offline"'),
    ("GAMMA", "2024-03-06 10:00", "30m", '--contact "Herr Müller" --tag mail'
     ' --note "Postfach voll, Archiv eingerichtet"'),
    ("ACME", "2024-03-11 09:00", "40m", '--machine PC-Empfang --tag drucker --free warranty'
     ' --note "Drucker getauscht (Garantie)"'),
    ("GAMMA", "2024-03-14 16:30", "20m", '--contact "herr müller" --tag Mail'
     ' --note "Outlook startet nicht: Add-in deaktiviert"'),
    ("ACME", "2024-03-18 08:00", "15m", '--machine Kasse-2 --tag kasse --note "Bondrucker offline, Kabel getauscht"'),
    ("GAMMA", "2024-03-21 11:00", "50m", '--machine NAS --tag Druker --note "Netzwerkdrucker am NAS freigegeben"'),
    ("ACME", "2024-03-25 18:00", "10m", ""),
]


def helpdesk(s: Scene) -> None:
    """search, insights and tags, on a help desk's two months (HELPDESK)."""
    s.now = "2024-04-02T10:00:00+02:00"
    s.run("init", "sessionlog init")
    s.run(
        "customer-add-acme",
        'sessionlog customer add ACME --name "Fa. Walter Maier GmbH" --rate 90 --increment 15 --minimum 15',
    )
    s.run("customer-add-gamma", 'sessionlog customer add GAMMA --name "Gamma e.K." --rate 80 --increment 5')
    for n, (key, start, duration, options) in enumerate(HELPDESK, 1):
        s.run(f"add-{n}", f'sessionlog add {key} --start "{start}" --duration {duration} {options}'.strip())
    s.run("search", "sessionlog search drucker")
    s.run("search-json", 'sessionlog search "outlook startet" mueller --format json')
    s.run("insights", "sessionlog insights 2024-03")
    s.run("tags", "sessionlog tags")
    s.run("tags-rename", "sessionlog tags --rename Druker drucker")
    s.run("start-typo", "sessionlog start ACME --tag Drukcer", keep="running")
    s.run("edit-running", "sessionlog edit {running} --untag Drukcer --tag drucker")


ANNA = "Anna Berger"


def team(s: Scene) -> None:
    """A team on one ledger: Klaus and Anna, each with a clone of one git remote."""
    s.now = "2024-03-05T16:00:00+01:00"
    s.shown_root = "/tmp/team"
    klaus = {"SESSIONLOG_LEDGER": "{root}/klaus", "SESSIONLOG_SUPPORTER": SUPPORTER}
    # Each clone draws its own ids, as random ones would be: the same seed would give the same.
    anna = {"SESSIONLOG_LEDGER": "{root}/anna", "SESSIONLOG_SUPPORTER": ANNA, "SESSIONLOG_TEST_IDS": "team-anna"}
    s.run("bare", "git init -q --bare {root}/ledger.git")
    s.hidden = klaus
    s.run("customer", 'sessionlog customer add ACME --name "Fa. Walter Maier GmbH" --rate 90 --increment 15')
    s.run("init", "sessionlog init --git --remote {root}/ledger.git")
    s.run("first-sync", "sessionlog sync")
    s.hidden = anna
    s.run("clone", "git clone -q {root}/ledger.git {root}/anna")
    s.run("setup", "sessionlog sync --setup")

    s.hidden = klaus
    s.run("add", 'sessionlog add ACME --start "2024-03-04 09:00" --duration 45m --note "Drucker eingerichtet"',
          keep="printer")
    s.run("start", 'sessionlog start ACME --at "05.03.2024 15:40"')
    s.run("sync", "sessionlog sync")
    s.hidden = anna
    s.run("anna-add", 'sessionlog add ACME --start "2024-03-05 10:00" --duration 20m --note "Kennwort zurückgesetzt"')
    s.run("anna-sync", "sessionlog sync")
    s.run("message", "git -C {root}/klaus log -1 --format=%B")
    s.run("status-all", "sessionlog status --all")
    s.run("anna-add-offline", 'sessionlog add ACME --start "2024-03-05 11:00" --duration 30m --note "VPN eingerichtet"')
    s.run("offline", "mv {root}/ledger.git {root}/away.git")
    s.run("offline-sync", "sessionlog sync")
    s.run("online", "mv {root}/away.git {root}/ledger.git")
    s.run("online-sync", "sessionlog sync")

    s.hidden = klaus
    s.run("klaus-pull", "sessionlog sync")
    s.run("klaus-edit", 'sessionlog edit {printer} --note "Drucker eingerichtet, Treiber 5.2"')
    s.run("klaus-push", "sessionlog sync")
    s.hidden = anna
    s.run("anna-edit", 'sessionlog edit {printer} --note "Drucker eingerichtet und getestet"')
    s.run("conflict", "sessionlog sync", code=1)
    s.run("conflict-file", "cat {root}/anna/customers/acme/2024-03.toml")
    s.run("resolve", "sessionlog resolve {printer} --take theirs")
    s.run("settled", "sessionlog sync")

    s.run("offline-again", "mv {root}/ledger.git {root}/away.git")
    s.run("finalize-offline", "sessionlog invoice 2024-03 --finalize", code=1)
    s.run("online-again", "mv {root}/away.git {root}/ledger.git")
    s.run("finalize", "sessionlog invoice 2024-03 --finalize --summary")


def shared(s: Scene) -> None:
    """A ledger in a synced folder, and the conflict copy the sync service made of a month file."""
    s.now = "2024-03-05T16:00:00+01:00"
    s.shown_root = "/tmp/shared"
    s.hidden = {"SESSIONLOG_LEDGER": "{root}/Nextcloud/sessionlog"}
    s.run("customer", 'sessionlog customer add ACME --name "Fa. Walter Maier GmbH" --rate 90')
    s.run("add", 'sessionlog add ACME --start "2024-03-04 09:00" --duration 45m --note "Drucker eingerichtet"',
          keep="printer")
    # The other computer's version: the note changed and one session more, kept as a copy.
    month = "{root}/Nextcloud/sessionlog/customers/acme/2024-03.toml"
    copy = "{root}/Nextcloud/sessionlog/customers/acme/2024-03 (conflicted copy 2024-03-05 101500).toml"
    s.run("other-edit", 'sessionlog edit {printer} --note "Drucker eingerichtet und getestet"')
    s.run("other-add", 'sessionlog add ACME --start "2024-03-05 08:00" --duration 15m --note "Scanner eingerichtet"',
          keep="scanner")
    s.run("copy", f'cp "{month}" "{copy}"')
    s.run("this-edit", 'sessionlog edit {printer} --note "Drucker eingerichtet"')
    s.run("this-delete", "sessionlog delete {scanner} --yes")
    s.run("check", "sessionlog check", code=1)
    s.run("fix", "sessionlog check --fix", code=1)


SCENES: dict[str, Callable[[Scene], None]] = {
    "tour": tour,
    "import": imports,
    "kimai": kimai,
    "helpdesk": helpdesk,
    "team": team,
    "shared": shared,
}


def _on_terminal(argv: list[str], cwd: Path, env: dict[str, str], to_file: Path | None) -> tuple[str, int]:
    """Run a command on a pseudo-terminal of COLUMNS x LINES: what it showed there, and its exit code.

    stdout goes to `to_file` instead when given, as `> FILE` in a shell; stderr stays on the terminal.
    """
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    main, side = pty.openpty()
    size = struct.pack("HHHH", int(BASE_ENV["LINES"]), int(BASE_ENV["COLUMNS"]), 0, 0)
    fcntl.ioctl(side, termios.TIOCSWINSZ, size)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(to_file.open("wb")) if to_file else side
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=side, stdout=out, stderr=side)
        os.close(side)
        chunks: list[bytes] = []
        deadline = time.monotonic() + STEP_SECONDS
        while True:
            # A command that waits for a person (a prompt, a pager) would hang the tour: stop it.
            ready, _, _ = select.select([main], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                proc.kill()
                proc.wait()
                os.close(main)
                raise TimeoutError(b"".join(chunks).decode(errors="replace"))
            try:
                data = os.read(main, 65536)
            except OSError:  # EIO: the command ended and closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        returncode = proc.wait()
    os.close(main)
    # The terminal turns each \n into \r\n (a CSV's own \r\n into \r\r\n); it shows plain lines.
    return re.sub(r"\r+\n", "\n", b"".join(chunks).decode()), returncode


def installed_script() -> str:
    """The `sessionlog` script beside this Python (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent / ("sessionlog.exe" if os.name == "nt" else "sessionlog")
    found = str(here) if here.exists() else shutil.which("sessionlog")
    if found is None:
        raise TourError("sessionlog is not installed here: pip install -e .")
    return found


def play(names: list[str] | None = None) -> dict[str, Scene]:
    """Run the scenes (all by default), each in a fresh folder, two at a time."""
    script = installed_script()
    unknown = sorted(set(names or ()) - set(SCENES))
    if unknown:
        raise TourError(f"no scene {', '.join(unknown)}; the scenes are {', '.join(SCENES)}")
    with tempfile.TemporaryDirectory(prefix="sessionlog-tour-") as tmp:

        def one(name: str) -> Scene:
            folder = Path(tmp) / name
            shutil.copytree(ROOT / "examples", folder / "examples")
            (folder / "home").mkdir()
            # git's own defaults differ between versions and machines; the tour's do not.
            (folder / "home" / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
            scene = Scene(name, folder, script)
            SCENES[name](scene)
            return scene

        with ThreadPoolExecutor(max_workers=2) as pool:
            return {scene.name: scene for scene in pool.map(one, names or list(SCENES))}


_played: dict[str, Scene] = {}


def step(name: str) -> Step:
    """A step by `scene/step`, playing the tour the first time one is asked for."""
    if not _played:
        _played.update(play())
    scene, _, key = name.partition("/")
    try:
        return _played[scene].steps[key]
    except KeyError:
        raise TourError(f"the tour has no step {name!r}") from None


def block(name: str) -> str:
    """A step as the README shows it: a console block with the command and what it printed."""
    s = step(name)
    output = s.output if not s.output or s.output.endswith("\n") else s.output + "\n"
    return f"```console\n$ {s.shown}\n{output}```\n"


def show(*names: str) -> None:
    """For cog: paste the named steps' console blocks, one after another."""
    import cog  # type: ignore[import-not-found]  # provided by cog while it runs a block

    for name in names:
        cog.out(block(name))


def main() -> int:
    """`python docs/tour.py [SCENE...]`: print the scenes' steps; exit 1 naming a step that failed."""
    try:
        scenes = play(sys.argv[1:] or None)
    except TourError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for scene in scenes.values():
        for s in scene.steps.values():
            sys.stdout.write(f"$ {s.shown}\n{s.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

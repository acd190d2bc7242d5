"""`init --git`, `sync`, `resolve`: a team on one ledger through a real git remote."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from conftest import Ledger
from gitteam import Clone, Team, git, git_env, make_team
from sessionlog.store import gitrepo


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Team:
    return make_team(tmp_path, monkeypatch, 2)


# --- setting up ----------------------------------------------------------------------------------


def edited_by_both(team: Team, klaus_edit: list[str], anna_edit: list[str], *note: str, new: bool = True) -> str:
    """A session Klaus adds for acme and both then change apart, Klaus's change pushed: Anna's next
    sync has to merge them. Its id."""
    klaus, anna = team
    sid = klaus.add("acme", "2024-03-01 10:00", 30, *(["--new"] if new else []), *note)
    team.sync_all(1)
    klaus.ok("edit", sid, *klaus_edit)
    anna.ok("edit", sid, *anna_edit)
    klaus.sync()
    return sid


def test_init_git_makes_a_shared_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git_env(tmp_path, monkeypatch)
    ledger = Ledger(tmp_path / "new", tmp_path)
    result = ledger.ok("init", "--git", "--remote", str(tmp_path / "remote.git"))
    assert "wrote" in result.stderr and "merge driver set up" in result.stderr
    root = ledger.root
    assert (root / "sessionlog.toml").is_file()
    attributes = (root / ".gitattributes").read_text(encoding="utf-8")
    for pattern in ("/customers/**/*.toml merge=sessionlog", "/sessionlog.toml merge=sessionlog"):
        assert pattern in attributes
    ignored = (root / ".gitignore").read_text(encoding="utf-8")
    assert ".sessionlog.lock" in ignored and ".sessionlog-move.toml" in ignored and ".*.toml.*.tmp" in ignored
    assert git(root, "config", "merge.sessionlog.driver").strip() == gitrepo.driver_command()
    assert git(root, "remote", "get-url", "origin").strip() == str(tmp_path / "remote.git")
    # The first commit holds the settings and git's files, never the lock.
    tracked = set(git(root, "ls-files").split())
    assert tracked == {".gitattributes", ".gitignore", "sessionlog.toml"}
    # Again: nothing is duplicated, the settings are kept.
    before = (root / "sessionlog.toml").read_bytes()
    ledger.ok("init", "--git")
    assert (root / ".gitattributes").read_text(encoding="utf-8") == attributes
    assert (root / "sessionlog.toml").read_bytes() == before


def test_init_git_keeps_an_existing_ledger_and_its_sessions(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    git_env(ledger.tmp, monkeypatch)
    sid = ledger.add("acme", "2024-03-01 10:00", "2024-03-01 10:30", "--new")
    settings = ledger.path("sessionlog.toml").read_bytes()
    result = ledger.ok("init", "--git")
    assert "wrote" not in result.stderr.split("\n")[0]
    assert ledger.path("sessionlog.toml").read_bytes() == settings
    assert "customers/acme/2024-03.toml" in git(ledger.root, "ls-files")
    assert sid in git(ledger.root, "show", "HEAD:customers/acme/2024-03.toml")


def test_remote_needs_git(ledger: Ledger) -> None:
    ledger.refused("init", "--remote", "x", match="--remote goes with --git", code=2)


def test_sync_in_a_ledger_without_git_says_how_to_share_it(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    git_env(ledger.tmp, monkeypatch)
    ledger.refused("sync", match="is no git repository.*sessionlog init --git")
    ledger.refused("sync", "--setup", match="is no git repository.*git clone URL FOLDER")


def test_a_ledger_inside_another_repository_is_not_taken_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_env(tmp_path, monkeypatch)
    git(tmp_path, "init", "-q")
    inner = Ledger(tmp_path / "ledger", tmp_path)
    inner.root.mkdir()
    inner.write("sessionlog.toml", 'timezone = "Europe/Berlin"\n')
    inner.refused("sync", match="is no git repository")


def test_a_clone_is_set_up_on_its_first_sync_too(team: Team) -> None:
    _, anna = team
    anna.git("config", "--unset", "merge.sessionlog.driver")
    anna.add("acme", "2024-03-01 10:00", 30, "--new")
    result = anna.sync()
    assert "set up the merge driver" in result.stderr
    assert anna.git("config", "merge.sessionlog.driver").strip() == gitrepo.driver_command()


# --- merging ----------------------------------------------------------------------------------------


def test_two_technicians_add_to_one_month_file_without_conflict(team: Team) -> None:
    klaus, anna = team
    a = klaus.add("acme", "2024-03-01 10:00", 30, "--new", "--note", "Drucker")
    b = anna.add("acme", "2024-03-02 11:00", 45, "--new", "--note", "Server")
    assert "pushed to origin/main" in klaus.sync().stderr
    result = anna.sync()
    assert "received 1 commit(s) from origin (Klaus Hörner)" in result.stderr
    assert "pushed to origin/main" in result.stderr
    klaus.sync()
    assert set(klaus.records("acme")) == set(anna.records("acme")) == {a, b}
    team.assert_identical()
    klaus.ok("check")


def test_changes_to_different_keys_of_one_record_are_both_kept(team: Team) -> None:
    klaus, anna = team
    sid = klaus.add("acme", "2024-03-01 10:00", 30, "--new", "--note", "Drucker")
    team.sync_all(1)
    klaus.ok("edit", sid, "--note", "Drucker getauscht")
    anna.ok("edit", sid, "--ticket", "T-17")
    team.sync_all()
    record = anna.records("acme")[sid]
    assert record["note"] == "Drucker getauscht" and record["ticket"] == "T-17"
    team.assert_identical()


def test_a_record_deleted_on_one_side_and_unchanged_on_the_other_is_deleted(team: Team) -> None:
    klaus, anna = team
    gone = klaus.add("acme", "2024-03-01 10:00", 30, "--new")
    stays = klaus.add("acme", "2024-03-02 10:00", 30)
    team.sync_all(1)
    anna.ok("delete", gone, "--yes")
    new = klaus.add("acme", "2024-03-03 10:00", 30)
    team.sync_all()
    assert set(klaus.records("acme")) == {stays, new}
    team.assert_identical()


def test_a_month_file_emptied_on_one_side_and_added_to_on_the_other(team: Team) -> None:
    """The emptied file is deleted by git (a modify/delete conflict, no driver runs): sync merges it."""
    klaus, anna = team
    only = klaus.add("acme", "2024-03-01 10:00", 30, "--new")
    team.sync_all(1)
    anna.ok("delete", only, "--yes")
    assert not (anna.root / "customers/acme/2024-03.toml").exists()
    new = klaus.add("acme", "2024-03-04 10:00", 30)
    klaus.sync()
    anna.sync()
    klaus.sync()
    assert set(anna.records("acme")) == set(klaus.records("acme")) == {new}
    team.assert_identical()


def test_a_true_conflict_stops_sync_with_the_list_and_resolve_settles_it(team: Team) -> None:
    klaus, anna = team
    sid = edited_by_both(team, ["--note", "Drucker getauscht"], ["--note", "Drucker repariert"], "--note", "Drucker")
    result = anna.run("sync")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("error: the merge needs a person: 1 conflict(s)")
    path = anna.root / "customers/acme/2024-03.toml"
    assert result.stdout.startswith(f"{path}:1: conflict: session {sid} is in conflict: note: ")
    assert 'ours "Drucker repariert", theirs "Drucker getauscht"' in result.stdout
    # The file is valid TOML, carries both values, and nothing uses the record until a person decides.
    record = tomllib.loads(path.read_text(encoding="utf-8"))["session"][0]
    assert record["conflict"]["note"] == {"ours": "Drucker repariert", "theirs": "Drucker getauscht", "base": "Drucker"}
    check = anna.run("check")
    assert check.exit_code == 1 and f"{path}:1: conflict: session {sid}" in check.stdout
    anna.refused("invoice", "2024-03", match=rf"session {sid} is in conflict")
    anna.refused("edit", sid, "--note", "x", match=rf"session {sid} is in conflict.*sessionlog resolve {sid}")
    # Another sync does not pretend it is over.
    again = anna.run("sync")
    assert again.exit_code == 1 and "conflict" in again.stdout
    anna.ok("resolve", sid[:4], "--take", "theirs")
    assert anna.records("acme")[sid]["note"] == "Drucker getauscht"
    assert "conflict" not in anna.records("acme")[sid]
    assert "committed the merge you settled" in anna.sync().stderr
    klaus.sync()
    team.assert_identical()
    klaus.ok("check")


def test_resolve_ours_keeps_this_computers_value(team: Team) -> None:
    klaus, anna = team
    sid = edited_by_both(team, ["--duration", "40m"], ["--duration", "50m", "--note", "länger"])
    assert anna.run("sync").exit_code == 1
    result = anna.ok("resolve", sid, "--take", "ours")
    assert result.stderr.strip() == f"resolved session {sid}: kept ours (end)"
    record = anna.records("acme")[sid]
    assert record["end"].minute == 50 and record["note"] == "länger"
    anna.sync()
    klaus.sync()
    team.assert_identical()


def test_deleted_on_one_side_changed_on_the_other_is_a_conflict(team: Team) -> None:
    klaus, anna = team
    keep = klaus.add("acme", "2024-03-01 10:00", 30, "--new")
    sid = klaus.add("acme", "2024-03-02 10:00", 30)
    team.sync_all(1)
    klaus.ok("delete", sid, "--yes")
    anna.ok("edit", sid, "--note", "noch gebraucht")
    klaus.sync()
    result = anna.run("sync")
    assert result.exit_code == 1
    assert f"session {sid} is in conflict: deleted by theirs, changed by ours" in result.stdout
    assert "resolved session" in anna.ok("resolve", sid, "--take", "theirs").stderr
    assert set(anna.records("acme")) == {keep}
    anna.sync()
    klaus.sync()
    team.assert_identical()


def test_a_conflict_may_also_be_settled_by_editing_the_file(team: Team) -> None:
    klaus, anna = team
    sid = edited_by_both(team, ["--note", "b"], ["--note", "c"], "--note", "a")
    anna.run("sync")
    path = anna.root / "customers/acme/2024-03.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(ln for ln in text.splitlines() if not ln.startswith("conflict =")) + "\n")
    anna.sync()
    klaus.sync()
    assert klaus.records("acme")[sid]["note"] == "c"
    team.assert_identical()


def test_customer_and_settings_conflicts(team: Team) -> None:
    klaus, anna = team
    klaus.ok("customer", "add", "acme", "--name", "ACME", "--rate", "90")
    team.sync_all(1)
    klaus.ok("customer", "edit", "acme", "--rate", "95")
    anna.ok("customer", "edit", "acme", "--rate", "100", "--name", "ACME GmbH")
    for clone, rate in ((klaus, "120.00"), (anna, "110.00")):
        path = clone.root / "sessionlog.toml"
        path.write_text(path.read_text(encoding="utf-8") + f'\n[billing]\nrate = "{rate}"\n', encoding="utf-8")
    klaus.sync()
    result = anna.run("sync")
    assert result.exit_code == 1
    assert 'customer acme is in conflict: rate: ours "100.00", theirs "95.00"' in result.stdout
    assert "the settings is in conflict" in result.stdout or "the settings are in conflict" in result.stdout
    # Nothing bills while the settings are undecided; resolve and check still work.
    anna.refused("invoice", "2024-03", match="sessionlog.toml.*in conflict.*resolve settings")
    assert anna.run("check").exit_code == 1
    anna.ok("resolve", "settings", "--take", "theirs")
    anna.ok("resolve", "ACME", "--take", "ours")
    customer = tomllib.loads((anna.root / "customers/acme/customer.toml").read_text(encoding="utf-8"))
    assert customer == {"name": "ACME GmbH", "rate": "100.00"}
    settings = tomllib.loads((anna.root / "sessionlog.toml").read_text(encoding="utf-8"))
    assert settings["billing"]["rate"] == "120.00"
    anna.sync()
    klaus.sync()
    team.assert_identical()
    klaus.ok("check")


def test_resolve_refuses_what_is_not_in_conflict(team: Team) -> None:
    klaus, _ = team
    sid = klaus.add("acme", "2024-03-01 10:00", 30, "--new")
    klaus.refused("resolve", sid, "--take", "ours", match=f"nothing named '{sid}' is in conflict")
    klaus.refused("resolve", "ab", "--take", "ours", match="give at least 4 characters")
    klaus.refused("resolve", sid, match="Missing option '--take'", code=2)
    klaus.refused("resolve", sid, "--take", "mine", match="'mine' is not one of", code=2)


# --- talking to the remote ------------------------------------------------------------------------


def test_offline_the_work_is_committed_and_pushed_later(team: Team) -> None:
    klaus, anna = team
    klaus.offline(team.tmp)
    sid = klaus.add("acme", "2024-03-01 10:00", 30, "--new")
    result = klaus.sync()
    assert "committed 1 session(s) added" in result.stderr
    assert "warning: cannot reach origin" in result.stderr
    assert "go out with the next sync" in result.stderr
    assert sid in klaus.git("log", "-1", "--format=%B")
    anna.sync()
    assert anna.records("acme") == {}
    klaus.online(team.remote)
    assert "pushed to origin/main" in klaus.sync().stderr
    anna.sync()
    assert set(anna.records("acme")) == {sid}


def test_a_push_lost_to_a_colleague_merges_and_pushes_again(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    klaus, anna = team
    theirs = anna.add("acme", "2024-03-02 10:00", 30, "--new")
    mine = klaus.add("acme", "2024-03-01 10:00", 30, "--new")
    real_push = gitrepo.Git.push
    raced: list[str] = []

    def push(self: gitrepo.Git, remote: str, branch: str) -> gitrepo.Pushed:
        if not raced:  # Anna pushes between Klaus's fetch and his push
            raced.append("anna")
            anna.git("add", "-A")
            anna.git("-c", "user.name=Anna Weber", "-c", "user.email=a@x", "commit", "-qm", "Anna's work")
            anna.git("push", "-q", "origin", "HEAD:refs/heads/main")
        return real_push(self, remote, branch)

    monkeypatch.setattr(gitrepo.Git, "push", push)
    result = klaus.sync()
    assert raced and "received 1 commit(s) from origin (Anna Weber)" in result.stderr
    assert "pushed to origin/main" in result.stderr
    anna.sync()
    assert set(anna.records("acme")) == set(klaus.records("acme")) == {mine, theirs}
    team.assert_identical()


def test_the_commit_message_lists_the_sessions(team: Team) -> None:
    klaus, _ = team
    a = klaus.add("acme", "2024-03-01 10:00", 30, "--new", "--note", "Drucker")
    b = klaus.add("acme", "2024-03-02 10:00", 30)
    klaus.sync()
    klaus.ok("edit", a, "--note", "Drucker getauscht")
    klaus.ok("delete", b, "--yes")
    c = klaus.add("gamma", "2024-03-03 10:00", 30, "--new", "--note", "Server")
    klaus.ok("start", "acme", "--at", "11:00")
    klaus.sync()
    message = klaus.git("log", "-1", "--format=%B")
    subject = message.splitlines()[0]
    assert subject == "sessionlog: Klaus Hörner: 1 session(s) added, 1 changed, 1 deleted, 1 timer change(s), " \
        "customer gamma"  # fmt: skip
    assert f"added:    {c} gamma 03.03.2024 10:00 Klaus Hörner: Server" in message
    assert f"changed:  {a} acme: note" in message
    assert f"deleted:  {b} acme 02.03.2024 10:00" in message
    assert "timers:   Klaus Hörner started acme 05.03.2024 11:00" in message
    assert klaus.git("log", "-1", "--format=%an").strip() == "Klaus Hörner"


def test_status_all_shows_the_colleagues_timers_after_sync(team: Team) -> None:
    klaus, anna = team
    klaus.ok("start", "acme", "--at", "10:15", "--new")
    klaus.sync()
    anna.ok("start", "gamma", "--at", "11:00", "--new")
    anna.sync()
    lines = anna.ok("status", "--all").stdout.splitlines()
    assert any(
        ln.startswith("acme  running") and "since 05.03.2024 10:15" in ln and "Klaus Hörner" in ln for ln in lines
    )
    assert any(ln.startswith("gamma  running") and "Anna Weber" in ln for ln in lines)
    klaus.ok("stop", "--at", "11:30")
    klaus.sync()
    anna.sync()
    assert [ln for ln in anna.ok("status", "--all").stdout.splitlines() if "Klaus" in ln] == []


def test_a_ledger_with_another_history_is_refused(team: Team, tmp_path: Path) -> None:
    stranger = Clone(tmp_path / "stranger", tmp_path, "Uwe")
    stranger.root.mkdir()
    (stranger.root / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    stranger.ok("init", "--git", "--remote", str(team.remote))
    result = stranger.run("sync")
    assert result.exit_code == 1
    assert "no history in common" in result.stderr and "git clone URL FOLDER" in result.stderr


def test_sync_without_remote_commits_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git_env(tmp_path, monkeypatch)
    ledger = Clone(tmp_path / "solo", tmp_path, "Klaus Hörner")
    ledger.root.mkdir()
    (ledger.root / "sessionlog.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    ledger.ok("init", "--git")
    ledger.add("acme", "2024-03-01 10:00", 30, "--new")
    result = ledger.sync()
    assert "committed 1 session(s) added" in result.stderr and "no remote to sync with" in result.stderr
    assert ledger.git("status", "--porcelain") == ""


def test_plain_git_pull_uses_the_merge_driver(team: Team) -> None:
    """People who pull by hand get the same record-level merge: the driver is git's."""
    klaus, anna = team
    a = klaus.add("acme", "2024-03-01 10:00", 30, "--new")
    klaus.sync()
    b = anna.add("acme", "2024-03-02 10:00", 30, "--new")
    anna.git("add", "-A")
    anna.git("-c", "user.name=Anna", "-c", "user.email=a@x", "commit", "-qm", "mine")
    anna.git("-c", "user.name=Anna", "-c", "user.email=a@x", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert set(anna.records("acme")) == {a, b}
    anna.ok("check")


def test_check_json_names_the_conflict_kind(team: Team) -> None:
    _, anna = team
    edited_by_both(team, ["--note", "b"], ["--note", "c"], "--note", "a")
    anna.run("sync")
    findings = json.loads(anna.run("check", "--format", "json").stdout)
    kinds = {(f["kind"], f["severity"]) for f in findings}
    assert ("merge-conflict", "error") in kinds and ("merge-conflict", "warning") in kinds  # the waiting merge


# --- invoice numbers -------------------------------------------------------------------------------


def numbers(result_stderr: str) -> list[str]:
    return [ln.split(":")[0] for ln in result_stderr.splitlines() if ln.startswith("RE-")]


def test_finalize_loses_the_race_and_numbers_after_the_winner(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    klaus, anna = team
    klaus.ok("customer", "add", "acme", "--rate", "90")
    klaus.ok("customer", "add", "gamma", "--rate", "80")
    team.sync_all(1)
    klaus.add("acme", "2024-03-01 10:00", 30)
    anna.add("gamma", "2024-03-02 10:00", 30)
    real_push = gitrepo.Git.push
    won: list[str] = []

    def push(self: gitrepo.Git, remote: str, branch: str) -> gitrepo.Pushed:
        if not won and self.root == klaus.root and "invoices of" in self.out("log", "-1", "--format=%s"):
            won.append("racing")
            won[:] = numbers(anna.ok("invoice", "2024-03", "--customer", "gamma", "--finalize").stderr)
        return real_push(self, remote, branch)

    monkeypatch.setattr(gitrepo.Git, "push", push)
    # Klaus numbered acme RE-2024-0001, but Anna's gamma reached the remote first with that number.
    mine = numbers(klaus.ok("invoice", "2024-03", "--customer", "acme", "--finalize").stderr)
    assert won == ["RE-2024-0001"] and mine == ["RE-2024-0002"]
    team.sync_all()
    register = tomllib.loads((anna.root / "invoices/2024-03.toml").read_text(encoding="utf-8"))
    assert [(i["number"], i["customer"]) for i in register["invoice"]] == [
        ("RE-2024-0001", "gamma"),
        ("RE-2024-0002", "acme"),
    ]
    team.assert_identical()
    anna.ok("check")


def test_finalize_offline_numbers_nothing(team: Team) -> None:
    klaus, _ = team
    klaus.ok("customer", "add", "acme", "--rate", "90")
    klaus.add("acme", "2024-03-01 10:00", 30)
    klaus.offline(team.tmp)
    line = klaus.refused("invoice", "2024-03", "--finalize", match="cannot reach origin: .*nothing was numbered")
    assert "finalize when it can be reached" in line
    assert not (klaus.root / "invoices").exists()


def test_finalize_refuses_while_a_merge_waits(team: Team) -> None:
    klaus, anna = team
    klaus.ok("customer", "add", "acme", "--rate", "90")
    sid = edited_by_both(team, ["--note", "a"], ["--note", "b"], new=False)
    assert anna.run("sync").exit_code == 1  # the merge waits for Anna
    anna.refused("invoice", "2024-03", "--finalize", match="1 conflict\\(s\\) to settle first.*nothing was numbered")
    anna.ok("resolve", sid, "--take", "ours")
    assert numbers(anna.ok("invoice", "2024-03", "--finalize").stderr) == ["RE-2024-0001"]


def test_two_real_processes_finalizing_at_once_never_share_a_number(team: Team, cli_env: dict[str, str]) -> None:
    import subprocess

    from conftest import console_script

    klaus, anna = team
    for key in ("acme", "gamma", "delta"):
        klaus.ok("customer", "add", key, "--rate", "90")
    team.sync_all(1)
    for day, key in enumerate(("acme", "gamma", "delta"), 1):
        klaus.add(key, f"2024-03-0{day} 10:00", 30)
        anna.add(key, f"2024-03-0{day} 14:00", 30)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONLOG_")}
    env.update(SESSIONLOG_CONFIG=cli_env["SESSIONLOG_CONFIG"], SESSIONLOG_NOW="2024-04-01T09:00:00+02:00")
    runs = [
        subprocess.Popen(
            [console_script(), "--ledger", str(c.root), "invoice", "2024-03", "--finalize"],
            env={**env, "SESSIONLOG_SUPPORTER": c.supporter},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in (klaus, anna)
    ]
    reported = []
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        reported += numbers(err)
    team.sync_all()
    register = tomllib.loads((klaus.root / "invoices/2024-03.toml").read_text(encoding="utf-8"))
    issued = [i["number"] for i in register["invoice"]]
    assert sorted(issued) == sorted(reported) and len(set(issued)) == len(issued)
    billed = [s["id"] for i in register["invoice"] for s in i["session"]]
    assert len(billed) == len(set(billed)) == 6
    team.assert_identical()


def test_a_folder_one_side_emptied_is_not_taken_for_a_renamed_one(team: Team) -> None:
    """Klaus's stop empties running/ and writes a month file much like his timer file: git's
    folder-rename guess would then move Anna's new timer into customers/acme/. Sync forbids it."""
    klaus, anna = team
    klaus.ok("start", "acme", "--at", "10:00", "--new")
    team.sync_all(1)
    klaus.ok("stop", "--at", "11:00")
    anna.ok("start", "gamma", "--at", "11:30", "--new")
    anna.sync()
    klaus.sync()
    assert (klaus.root / "running/anna-weber.toml").is_file()
    assert not list((klaus.root / "customers").glob("*/anna-weber.toml"))
    assert "Anna Weber" in klaus.ok("status", "--all").stdout
    assert klaus.git("config", "merge.directoryRenames").strip() == "false"

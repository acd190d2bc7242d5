"""The running timer through the CLI: start, stop, pause, resume, cancel, status."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from conftest import Ledger

CET = timezone(timedelta(hours=1))


def test_start_stop_writes_the_month_file_with_offsets_and_note(ledger: Ledger) -> None:
    started = ledger.ok("start", "ACME", "--at", "01.03.2024 10:22")
    assert started.stdout == ""  # messages go to stderr, stdout is for data only
    assert "started acme" in started.stderr

    stopped = ledger.ok("stop", "--at", "01.03.2024 10:34:22", "--note", "IE aktualisiert")
    assert stopped.stdout == ""
    assert "stopped acme" in stopped.stderr

    path = ledger.month("acme", "2024-03")
    text = path.read_text(encoding="utf-8")
    assert "start = 2024-03-01T10:22:00+01:00" in text
    assert "end = 2024-03-01T10:34:22+01:00" in text
    [record] = ledger.records("acme", "2024-03")
    assert record["start"] == datetime(2024, 3, 1, 10, 22, tzinfo=CET)
    assert record["end"] == datetime(2024, 3, 1, 10, 34, 22, tzinfo=CET)
    assert record["note"] == "IE aktualisiert"
    assert record["supporter"] == "Klaus Hörner"
    assert record["billable"] is True
    # The timer is gone once the session is recorded.
    assert list(ledger.path("running").glob("*.toml")) == []
    [listed] = ledger.sessions()
    assert listed["id"] == record["id"]
    assert listed["duration_seconds"] == 12 * 60 + 22


def test_pauses_are_not_counted_as_worked_time(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "01.03.2024 10:00")
    ledger.ok("pause", "--at", "01.03.2024 10:10")
    ledger.ok("resume", "--at", "01.03.2024 10:25")
    ledger.ok("pause", "--at", "01.03.2024 10:40")
    ledger.ok("resume", "--at", "01.03.2024 10:45")
    ledger.ok("stop", "--at", "01.03.2024 11:00")
    [s] = ledger.sessions()
    assert s["duration_seconds"] == (60 - 15 - 5) * 60
    [record] = ledger.records("acme", "2024-03")
    assert record["pauses"] == [
        {"start": datetime(2024, 3, 1, 10, 10, tzinfo=CET), "end": datetime(2024, 3, 1, 10, 25, tzinfo=CET)},
        {"start": datetime(2024, 3, 1, 10, 40, tzinfo=CET), "end": datetime(2024, 3, 1, 10, 45, tzinfo=CET)},
    ]


def test_stop_while_paused_ends_the_pause_too(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "01.03.2024 10:00")
    ledger.ok("pause", "--at", "01.03.2024 10:30")
    ledger.ok("stop", "--at", "01.03.2024 10:45")
    [s] = ledger.sessions()
    assert s["duration_seconds"] == 30 * 60
    assert s["end"] == "2024-03-01T10:45:00+01:00"


def test_status_shows_customer_and_whether_running_or_paused(ledger: Ledger) -> None:
    # NOW is 05.03.2024 12:00.
    ledger.ok("start", "ACME", "--at", "05.03.2024 10:00")
    running = ledger.ok("status")
    assert "acme" in running.stdout
    assert "running" in running.stdout
    assert "2:00:00" in running.stdout  # two hours so far
    assert "paused" not in running.stdout

    ledger.ok("pause", "--at", "05.03.2024 11:00")
    paused = ledger.ok("status")
    assert "acme" in paused.stdout
    assert "paused" in paused.stdout
    assert "1:00:00" in paused.stdout  # the open pause does not count


def test_status_with_nothing_running_says_so_on_stderr(ledger: Ledger) -> None:
    result = ledger.ok("status")
    assert result.stdout == ""
    assert "nothing is running" in result.stderr


def test_status_all_lists_every_supporter(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.ok("start", "beta", "--at", "05.03.2024 11:00", supporter="Anna Schmidt")

    mine = ledger.ok("status", supporter="Anna Schmidt")
    assert "beta" in mine.stdout
    assert "acme" not in mine.stdout

    everyone = ledger.ok("status", "--all")
    lines = everyone.stdout.splitlines()
    assert len(lines) == 2
    acme = next(line for line in lines if "acme" in line)
    beta = next(line for line in lines if "beta" in line)
    assert "Klaus Hörner" in acme
    assert "Anna Schmidt" in beta


def test_start_on_a_new_ledger_creates_the_customer_with_a_notice(ledger: Ledger) -> None:
    result = ledger.ok("start", "ACME", "--at", "01.03.2024 10:00")
    assert "created customer acme" in result.stderr
    assert ledger.path("customers", "acme", "customer.toml").is_file()
    assert ledger.json("customer", "list")[0]["key"] == "acme"


def test_start_with_a_typo_of_an_existing_key_is_refused_with_a_suggestion(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme")
    line = ledger.refused("start", "ACEM", "--at", "01.03.2024 10:00", match="unknown customer 'acem'; did you mean")
    assert "acme" in line
    assert "--new" in line
    assert not ledger.path("customers", "acem").exists()


def test_start_new_creates_a_customer_that_looks_like_a_typo(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme")
    result = ledger.ok("start", "ACEM", "--new", "--at", "01.03.2024 10:00")
    assert "created customer acem" in result.stderr
    assert ledger.path("customers", "acem").is_dir()
    ledger.ok("stop", "--at", "01.03.2024 10:30")
    assert ledger.month("acem", "2024-03").is_file()


def test_customer_keys_are_case_insensitive(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "acme")
    result = ledger.ok("start", "Acme", "--at", "01.03.2024 10:00")
    assert "created" not in result.stderr
    ledger.ok("stop", "--at", "01.03.2024 10:30")
    assert sorted(p.name for p in ledger.path("customers").iterdir()) == ["acme"]
    assert [s["customer"] for s in ledger.sessions()] == ["acme"]


def test_an_alias_resolves_to_its_customer(ledger: Ledger) -> None:
    ledger.ok("customer", "add", "ACME", "--alias", "maier")
    result = ledger.ok("start", "MAIER", "--at", "01.03.2024 10:00")
    assert "created" not in result.stderr
    ledger.ok("stop", "--at", "01.03.2024 10:30")
    assert not ledger.path("customers", "maier").exists()
    assert len(ledger.records("acme", "2024-03")) == 1


def test_switch_stops_the_running_session_at_the_instant_the_next_one_starts(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "01.03.2024 10:00")
    ledger.ok("start", "beta", "--switch", "--at", "01.03.2024 10:30")
    ledger.ok("stop", "--at", "01.03.2024 11:00")
    by_customer = {s["customer"]: s for s in ledger.sessions()}
    assert by_customer["acme"]["end"] == by_customer["beta"]["start"] == "2024-03-01T10:30:00+01:00"
    assert by_customer["acme"]["duration_seconds"] == 1800
    assert by_customer["beta"]["duration_seconds"] == 1800


def test_switch_while_running_leaves_the_new_session_running(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.ok("start", "beta", "--switch", "--at", "05.03.2024 11:00")
    status = ledger.ok("status")
    assert "beta" in status.stdout
    assert "acme" not in status.stdout
    [acme] = ledger.records("acme", "2024-03")
    assert acme["end"] == datetime(2024, 3, 5, 11, 0, tzinfo=CET)


def test_cancel_throws_the_running_session_away(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "01.03.2024 10:00")
    result = ledger.ok("cancel")
    assert result.stdout == ""
    assert "cancelled" in result.stderr
    assert not ledger.month("acme", "2024-03").exists()
    assert ledger.sessions() == []
    assert "nothing is running" in ledger.ok("status").stderr


def test_start_relative_to_now(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "-15m")  # NOW is 05.03.2024 12:00 +01:00
    ledger.ok("stop")
    [s] = ledger.sessions()
    assert s["start"] == "2024-03-05T11:45:00+01:00"
    assert s["end"] == "2024-03-05T12:00:00+01:00"
    assert s["duration_seconds"] == 15 * 60


def test_a_running_session_is_listed_without_end_or_duration(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00", "--note", "läuft")
    [s] = ledger.sessions()
    assert s["customer"] == "acme"
    assert s["note"] == "läuft"
    assert s["end"] is None
    assert s["duration_seconds"] is None


# --- refused input: one error line, exit 1, nothing changed --------------------------------


@pytest.mark.parametrize("command", ["stop", "pause", "resume", "cancel"])
def test_commands_on_a_running_session_with_nothing_running(ledger: Ledger, command: str) -> None:
    ledger.add("acme", "01.03.2024 10:00", "01.03.2024 11:00")
    line = ledger.refused(command, match="nothing is running for Klaus Hörner")
    assert "nothing is running" in line


def test_pause_while_paused_is_refused(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.ok("pause", "--at", "05.03.2024 10:30")
    line = ledger.refused("pause", "--at", "05.03.2024 10:40", match="paused already")
    assert "paused already" in line


def test_resume_while_not_paused_is_refused(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    line = ledger.refused("resume", "--at", "05.03.2024 10:40", match="is not paused")
    assert "not paused" in line


def test_resume_before_the_pause_began_is_refused(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.ok("pause", "--at", "05.03.2024 10:30")
    ledger.refused("resume", "--at", "05.03.2024 10:20", match="must be after the pause began")


def test_pause_before_the_start_is_refused(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.refused("pause", "--at", "05.03.2024 09:00", match=r"pause cannot start at 05\.03\.2024 09:00, before")


def test_start_while_running_is_refused_and_mentions_switch(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    line = ledger.refused("start", "beta", "--at", "05.03.2024 10:30", match="a session for acme is running")
    assert "--switch" in line
    assert "acme" in line
    assert not ledger.path("customers", "beta").exists()


def test_stop_before_the_start_is_refused(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.refused("stop", "--at", "05.03.2024 09:59", match=r"stop time 05\.03\.2024 09:59 is not after the start")
    # zero length
    ledger.refused("stop", "--at", "05.03.2024 10:00", match=r"stop time 05\.03\.2024 10:00 is not after the start")


def test_unreadable_time_is_refused(ledger: Ledger) -> None:
    line = ledger.refused("start", "acme", "--at", "gestern um drei", match="cannot read time")
    assert "gestern um drei" in line
    assert not ledger.path("customers").exists()


def test_unreadable_stop_time_keeps_the_timer(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.refused("stop", "--at", "32.03.2024 10:00", match=r"'32\.03\.2024 10:00' is not a valid date")
    assert "running" in ledger.ok("status").stdout


@pytest.mark.parametrize(
    ("key", "match"),
    [
        ("..", r"customer key '\.\.' must be letters, digits"),
        ("a/b", "customer key 'a/b' must be letters, digits"),
        ("CON", "customer key 'CON' is a reserved device name"),
        ("nul.txt", r"customer key 'nul\.txt' is a reserved device name"),
        ("ab\x07cd", "customer key contains control characters"),
        ("a" * 65, "customer key is longer than 64 characters"),
        (".hidden", r"customer key '\.hidden' must be letters, digits"),
        # The message shows the key as Python's repr, the backslash doubled.
        ("a\\b", r"customer key 'a\\\\b' must be letters, digits"),
    ],
    ids=["dotdot", "slash", "CON", "nul.txt", "control-char", "65-chars", "leading-dot", "backslash"],
)
def test_customer_keys_unsafe_as_folder_names_are_refused(ledger: Ledger, key: str, match: str) -> None:
    ledger.refused("start", key, "--at", "05.03.2024 10:00", match=match)
    assert not ledger.path("customers").exists()
    assert not ledger.path("running").exists()


def test_a_64_character_key_is_accepted(ledger: Ledger) -> None:
    ledger.ok("start", "a" * 64, "--at", "05.03.2024 10:00")
    assert ledger.path("customers", "a" * 64).is_dir()


def test_stop_after_more_than_24_hours_needs_force(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "01.03.2024 10:00")
    line = ledger.refused("stop", "--at", "02.03.2024 10:01", match="over 24 hours")
    assert "24" in line and "--force" in line
    ledger.ok("stop", "--at", "02.03.2024 10:01", "--force")
    [s] = ledger.sessions()
    assert s["duration_seconds"] == 24 * 3600 + 60


def test_stop_into_a_broken_month_file_is_refused_and_keeps_the_timer(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    broken = ledger.write("customers/acme/2024-03.toml", "[[session]]\nid = \n")
    line = ledger.refused("stop", "--at", "05.03.2024 11:00", match="will not write to this file")
    assert f"{broken}:" in line
    assert "running" in ledger.ok("status").stdout


def test_a_refused_switch_creates_no_customer(ledger: Ledger) -> None:
    # The new session would start before the running one: stopping that one there is impossible.
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00")
    ledger.refused("start", "beta", "--switch", "--at", "05.03.2024 09:00", match=r"cannot switch at 05\.03\.2024")
    assert not ledger.path("customers", "beta").exists()
    status = ledger.ok("status")
    assert "acme" in status.stdout and "running" in status.stdout


def test_supporters_whose_names_have_no_latin_letters_keep_separate_timers(ledger: Ledger) -> None:
    ledger.ok("start", "acme", "--at", "05.03.2024 10:00", supporter="Иван Петров")
    ledger.ok("start", "beta", "--at", "05.03.2024 10:30", supporter="Ольга Смирнова")
    everyone = ledger.ok("status", "--all").stdout
    assert "Иван Петров" in everyone and "Ольга Смирнова" in everyone
    ledger.ok("stop", "--at", "05.03.2024 11:00", supporter="Ольга Смирнова")
    [stopped] = ledger.records("beta", "2024-03")
    assert stopped["supporter"] == "Ольга Смирнова"
    assert "acme" in ledger.ok("status", supporter="Иван Петров").stdout

"""`sessionlog insights`: repeat incidents, where the time goes, the trend, what is missing, and the
charts, on a ledger whose every figure is worked out by hand below.

The ledger bills 60.00 an hour per started minute (a minute is 1.00). ACME bills 1.5 times after
hours; BETA in steps of 15 minutes. Business hours are the default, Monday to Friday 08:00-18:00.

March 2024 (the period), net minutes:
  m1 acme Mon 04.03 09:00 30  PC-Empfang  drucker  "Drucker offline"
  m2 acme Fri 08.03 10:00 20  pc-empfang  drucker  "Drucker wieder offline"   4 days after m1: a repeat
  m3 acme Thu 21.03 19:00 45  PC-Empfang  drucker  (no note)  free, after hours  13 days after m2: a repeat
  m4 acme Tue 05.03 14:00 60  Server      backup   "Backup geprüft"
  m5 acme Wed 27.03 14:00 10  Server      (no tag) "Server neu gestartet"      21 days after m4: no repeat
  b1 beta Tue 12.03 08:30 30  Frau Roth   mail     "Outlook"
  b2 beta Mon 18.03 07:30 25  frau roth   (no tag) "Outlook-Profil neu"  free, after hours  6 days after b1
  b3 beta Sat 23.03 10:00 15  (nothing: no machine, contact, note or tag)  after hours (Saturday)
February 2024 (the period before): f1 acme 60 min billable; f2 beta 30 min free at 20:00 (after
hours); f3 acme 10 min billable on PC-Empfang on 28.02, 5 days before m1: a chain is counted
within the period, so m1 still starts one.
May 2023: o1 acme 120 min billable (in the chart's twelve months); March 2023: o2 acme 30 min
(outside them).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import Ledger, console_script
from insights_helpers import SETTINGS, record, write_sessions
from statement_helpers import CHROMIUM, chromium

NOW = "2024-04-10T12:00:00+02:00"
M = "+01:00"


def shop(ledger: Ledger, *, machine_m1: str = "PC-Empfang") -> Ledger:
    ledger.write("customers/acme/customer.toml", 'name = "ACME"\nafter_hours_factor = "1.5"\n')
    ledger.write("customers/beta/customer.toml", 'name = "Beta"\nincrement = 15\n')
    return write_sessions(
        ledger,
        [
            ("acme", record("m1", f"2024-03-04T09:00:00{M}", f"2024-03-04T09:30:00{M}", machine=machine_m1,
                            tags=("drucker",), note="Drucker offline")),
            ("acme", record("m2", f"2024-03-08T10:00:00{M}", f"2024-03-08T10:20:00{M}", machine="pc-empfang",
                            tags=("drucker",), note="Drucker wieder offline")),
            ("acme", record("m3", f"2024-03-21T19:00:00{M}", f"2024-03-21T19:45:00{M}", machine="PC-Empfang",
                            tags=("drucker",), free="goodwill")),
            ("acme", record("m4", f"2024-03-05T14:00:00{M}", f"2024-03-05T15:00:00{M}", machine="Server",
                            tags=("backup",), note="Backup geprüft")),
            ("acme", record("m5", f"2024-03-27T14:00:00{M}", f"2024-03-27T14:10:00{M}", machine="Server",
                            note="Server neu gestartet")),
            ("beta", record("b1", f"2024-03-12T08:30:00{M}", f"2024-03-12T09:00:00{M}", contact="Frau Roth",
                            tags=("mail",), note="Outlook")),
            ("beta", record("b2", f"2024-03-18T07:30:00{M}", f"2024-03-18T07:55:00{M}", contact="frau roth",
                            note="Outlook-Profil neu", free="warranty")),
            ("beta", record("b3", f"2024-03-23T10:00:00{M}", f"2024-03-23T10:15:00{M}")),
            ("acme", record("f1", f"2024-02-01T10:00:00{M}", f"2024-02-01T11:00:00{M}", note="x", tags=("y",))),
            ("beta", record("f2", f"2024-02-12T20:00:00{M}", f"2024-02-12T20:30:00{M}", note="x", tags=("y",),
                            free="goodwill")),
            ("acme", record("f3", f"2024-02-28T09:00:00{M}", f"2024-02-28T09:10:00{M}", machine="PC-Empfang",
                            note="x", tags=("y",))),
            ("acme", record("o1", "2023-05-15T10:00:00+02:00", "2023-05-15T12:00:00+02:00", note="x", tags=("y",))),
            ("acme", record("o2", f"2023-03-10T10:00:00{M}", f"2023-03-10T10:30:00{M}", note="x", tags=("y",))),
        ],
    )  # fmt: skip


def page(ledger: Ledger, *args: str, now: str = NOW) -> dict[str, Any]:
    result = ledger.ok("insights", *args, "--format", "json", now=now)
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


# --- the figures, through JSON ----------------------------------------------------------------


def test_the_trend_against_february(ledger: Ledger) -> None:
    data = page(shop(ledger), "2024-03")
    assert data["period"]["label"] == "2024-03"
    assert data["previous"] == {
        "label": "2024-02",
        "start": "2024-02-01T00:00:00+01:00",
        "end": "2024-03-01T00:00:00+01:00",
    }
    assert data["sessions"] == 8
    trend = {t["name"]: (t["current"], t["previous"], t["change"], t["percent"]) for t in data["trend"]}
    assert trend == {
        # 8 against 3: +5, 5 / 3 = +166.7 %
        "sessions": (8, 3, 5, "166.7"),
        # billable 30 + 20 + 60 + 10 + 30 + 15 = 165 min = 9900 s against 60 + 10 = 70 min = 4200 s
        "billable_seconds": (9900, 4200, 5700, "135.7"),
        # free 45 + 25 = 70 min = 4200 s against 30 min = 1800 s: +2400 s = +133.3 %
        "free_seconds": (4200, 1800, 2400, "133.3"),
        # 235 min / 8 = 1762.5 s -> 1763 s against 100 min / 3 = 2000 s: -237 s = -11.85 % -> -11.9 %
        "average_seconds": (1763, 2000, -237, "-11.9"),
        # m3 (19:00), b2 (07:30), b3 (Saturday): 3 of 8 = 37.5 % against f2: 1 of 3 = 33.3 %; in points
        "after_hours_percent": ("37.5", "33.3", "4.2", None),
    }


def test_repeat_incidents_and_the_rate_per_customer(ledger: Ledger) -> None:
    repeats = page(shop(ledger), "2024-03")["repeats"]
    assert repeats["within_days"] == 14
    chains = [(c["customer"], c["kind"], c["subject"], c["sessions"], c["repeats"]) for c in repeats["chains"]]
    assert chains == [
        # PC-Empfang and pc-empfang are one machine; m3 is 13 days after m2, within 14
        ("acme", "machine", "PC-Empfang", ["m1", "m2", "m3"], 2),
        # no machine: the contact, Frau Roth and frau roth alike
        ("beta", "contact", "Frau Roth", ["b1", "b2"], 1),
    ]
    assert repeats["chains"][0]["tags"] == ["drucker"]
    assert repeats["chains"][1]["starts"] == ["2024-03-12T08:30:00+01:00", "2024-03-18T07:30:00+01:00"]
    rates = [(r["customer"], r["sessions"], r["repeats"], r["chains"], r["rate_percent"]) for r in repeats["rates"]]
    # acme: 2 of its 5 sessions came back = 40.0 %; beta 1 of 3 = 33.3 %
    assert rates == [("acme", 5, 2, 1, "40.0"), ("beta", 3, 1, 1, "33.3")]
    assert repeats["without_machine_or_contact"] == 1  # b3


@pytest.mark.parametrize(
    ("within", "expected"),
    [
        ("3d", []),  # m1 -> m2 is 4 days and 30 minutes; b1 -> b2 5 days 22 h 30 min
        ("5d", [["m1", "m2"]]),
        # as long as each other: the one that came back last first (b2 on 18.03, m2 on 08.03)
        ("6", [["b1", "b2"], ["m1", "m2"]]),
        ("2w", [["m1", "m2", "m3"], ["b1", "b2"]]),
        ("1w", [["b1", "b2"], ["m1", "m2"]]),  # m2 -> m3 is 13 days
        ("14T", [["m1", "m2", "m3"], ["b1", "b2"]]),
    ],
)
def test_within_decides_what_comes_back(ledger: Ledger, within: str, expected: list[list[str]]) -> None:
    chains = page(shop(ledger), "2024-03", "--within", within)["repeats"]["chains"]
    assert [c["sessions"] for c in chains] == expected


def test_where_the_time_goes(ledger: Ledger) -> None:
    top = page(shop(ledger), "2024-03")["top"]

    def rows(key: str, ranking: str) -> list[tuple[Any, ...]]:
        return [
            (r.get("customer"), r["name"], r["sessions"], r["net_seconds"], r["free_seconds"], r["free_value"])
            for r in top[key][ranking]
        ]

    # acme 30 + 20 + 45 + 60 + 10 = 165 min; free m3 45 min after hours at 60.00 x 1.5 = 90.00/h: 67.50
    acme = (None, "acme", 5, 9900, 2700, {"EUR": "67.50"})
    # beta 30 + 25 + 15 = 70 min; free b2 25 min, in steps of 15: 30 min at 60.00 = 30.00
    beta = (None, "beta", 3, 4200, 1500, {"EUR": "30.00"})
    for ranking in ("by_sessions", "by_net_seconds", "by_free_seconds"):
        assert rows("customers", ranking) == [acme, beta], ranking
    # machines, as the first session wrote them; b1-b3 have none
    empfang = ("acme", "PC-Empfang", 3, 5700, 2700, {"EUR": "67.50"})
    server = ("acme", "Server", 2, 4200, 0, {})
    assert rows("machines", "by_sessions") == [empfang, server]
    assert rows("machines", "by_net_seconds") == [empfang, server]
    assert rows("machines", "by_free_seconds") == [empfang]
    # tags: drucker m1-m3; backup m4; mail b1 (a tie on sessions goes by name)
    drucker = (None, "drucker", 3, 5700, 2700, {"EUR": "67.50"})
    backup = (None, "backup", 1, 3600, 0, {})
    mail = (None, "mail", 1, 1800, 0, {})
    assert rows("tags", "by_sessions") == [drucker, backup, mail]
    assert rows("tags", "by_net_seconds") == [drucker, backup, mail]
    assert rows("tags", "by_free_seconds") == [drucker]


def test_tags_that_look_like_a_typo_are_named(ledger: Ledger) -> None:
    shop(ledger)
    ledger.write("customers/gamma/2024-03.toml", record("g1", f"2024-03-05T10:00:00{M}", f"2024-03-05T10:10:00{M}",
                                                         tags=("Druker",)))  # fmt: skip
    assert page(ledger, "2024-03")["look_alike_tags"] == [{"tag": "Druker", "like": "drucker"}]
    text = ledger.ok("insights", "2024-03", now=NOW).stdout
    assert "hint: 'Druker' (1) looks like 'drucker' (3): sessionlog tags --rename Druker drucker" in text
    assert "„Druker“ sieht aus wie ein Tippfehler für „drucker“." in html_page(ledger, "--language", "de")


def test_top_n(ledger: Ledger) -> None:
    top = page(shop(ledger), "2024-03", "--top", "1")["top"]
    assert [r["name"] for r in top["tags"]["by_sessions"]] == ["drucker"]
    assert [r["name"] for r in top["customers"]["by_net_seconds"]] == ["acme"]


def test_sessions_without_note_or_tag(ledger: Ledger) -> None:
    missing = page(shop(ledger), "2024-03")["missing"]
    # m3 no note; b2 and m5 no tag; b3 neither
    assert (missing["sessions"], missing["no_note"], missing["no_tag"], missing["neither"]) == (4, 2, 3, 1)
    assert [(g["id"], g["missing"]) for g in missing["list"]] == [
        ("m5", ["tag"]),
        ("b3", ["note", "tag"]),
        ("m3", ["note"]),
        ("b2", ["tag"]),
    ]


def test_chart_data(ledger: Ledger) -> None:
    chart = page(shop(ledger), "2024-03")["charts"]
    months = {m["month"]: (m["sessions"], m["billable_seconds"], m["free_seconds"]) for m in chart["months"]}
    # the twelve months up to March 2024: May 2023 in, March 2023 out
    assert list(months) == [f"2023-{m:02d}" for m in range(4, 13)] + ["2024-01", "2024-02", "2024-03"]
    assert months["2024-03"] == (8, 9900, 4200)
    assert months["2024-02"] == (3, 4200, 1800)
    assert months["2023-05"] == (1, 7200, 0)
    assert sum(s for s, _, _ in months.values()) == 12
    assert [d["sessions"] for d in chart["weekdays"]] == [2, 2, 1, 1, 1, 1, 0]  # Mon … Sun
    hours = {h["hour"]: h["sessions"] for h in chart["hours"] if h["sessions"]}
    assert hours == {"07:00": 1, "08:00": 1, "09:00": 1, "10:00": 2, "14:00": 2, "19:00": 1}


def test_one_customer(ledger: Ledger) -> None:
    data = page(shop(ledger), "2024-03", "--customer", "BETA")
    assert data["sessions"] == 3
    assert [c["sessions"] for c in data["repeats"]["chains"]] == [["b1", "b2"]]
    trend = {t["name"]: (t["current"], t["previous"]) for t in data["trend"]}
    assert trend["sessions"] == (3, 1)  # f2 in February


def test_the_default_is_this_year_so_far_against_the_same_days_last_year(ledger: Ledger) -> None:
    data = page(shop(ledger))
    assert data["period"]["label"] == "2024"
    assert data["current"]["label"] == "01.01.2024 to 10.04.2024"
    assert data["previous"]["label"] == "01.01.2023 to 10.04.2023"
    trend = {t["name"]: (t["current"], t["previous"]) for t in data["trend"]}
    assert trend["sessions"] == (11, 1)  # February and March 2024; o2 on 10.03.2023
    # --from alone: up to today, against as many days before it (1 March to 10 April: 41 days)
    data = page(ledger, "--from", "01.03.2024")
    assert (data["current"]["label"], data["previous"]["label"]) == (
        "01.03.2024 to 10.04.2024",
        "20.01.2024 to 29.02.2024",
    )
    assert {t["name"]: (t["current"], t["previous"]) for t in data["trend"]}["sessions"] == (8, 3)
    # a period open at the start has nothing before it
    data = page(ledger, "--to", "31.12.2024")
    assert data["previous"] is None
    assert all(t["previous"] is None and t["change"] is None for t in data["trend"])


# --- the terminal --------------------------------------------------------------------------------


def lines_of(ledger: Ledger, *args: str, columns: int = 80) -> list[str]:
    result = ledger.ok("insights", *args, now=NOW, env={"COLUMNS": str(columns)})
    assert result.stderr == ""
    return result.stdout.splitlines()


def chart_lines(lines: list[str], title: str) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    out = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        out.append(line)
    return out


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_the_bars_are_as_long_as_the_data_says(ledger: Ledger) -> None:
    lines = lines_of(shop(ledger), "2024-03", columns=80)
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    months = {line[:7]: line for line in chart_lines(lines, "Billable and free hours per month")}
    assert [*months][::11] == ["2023-04", "2024-03"]
    # room for a bar: 80 columns - "2024-03 " (8) - " " - the widest value, "2:45 + 1:10" (11) - 1 = 59
    room = 59
    most = 9900 + 4200  # March, the largest month: its bar fills the room

    def bar(line: str) -> tuple[int, int]:
        return line.count("█"), line.count("░")

    def expected(billable: int, free: int) -> tuple[int, int]:
        whole = half_up(Decimal(billable + free) * room / most)
        part = half_up(Decimal(billable) * room / most) if billable else 0
        return part, whole - part

    assert bar(months["2024-03"]) == expected(9900, 4200) == (41, 18)
    assert bar(months["2024-02"]) == expected(4200, 1800) == (18, 7)
    assert bar(months["2023-05"]) == expected(7200, 0) == (30, 0)
    assert bar(months["2023-04"]) == (0, 0)
    assert months["2024-03"].endswith("2:45 + 1:10") and months["2024-02"].endswith("1:10 + 0:30")
    # sessions per weekday: 2 2 1 1 1 1 0; room 80 - "Mon " - " " - "2" - 1 = 73; 1 of 2 is 36.5 -> 37
    days = {line[:3]: line.count("█") for line in chart_lines(lines, "Sessions per weekday")}
    assert days == {"Mon": 73, "Tue": 73, "Wed": 37, "Thu": 37, "Fri": 37, "Sat": 37, "Sun": 0}
    # sessions per hour, 07:00 to 19:00 (the working day widened to the data); room 80 - 6 - 1 - 1 - 1 = 71
    hours = {line[:5]: line.count("█") for line in chart_lines(lines, "Sessions per hour")}
    assert list(hours) == [f"{h:02d}:00" for h in range(7, 20)]
    assert (hours["10:00"], hours["14:00"], hours["07:00"], hours["12:00"]) == (71, 71, 36, 0)


def test_the_page_in_40_columns(ledger: Ledger) -> None:
    lines = lines_of(shop(ledger), "2024-03", columns=40)
    assert all(len(line) <= 40 for line in lines), [line for line in lines if len(line) > 40]
    months = {line[:7]: line for line in chart_lines(lines, "Billable and free hours per month")}
    # 40 - 8 - 1 - 11 - 1 = 19 cells for the largest month
    assert months["2024-03"].count("█") + months["2024-03"].count("░") == 19


def test_the_page_names_what_a_lead_looks_for(ledger: Ledger) -> None:
    text = "\n".join(lines_of(shop(ledger), "2024-03", columns=120))
    assert "Insights 2024-03: 8 session(s), 2024-03 against 2024-02" in text
    assert re.search(r"sessions\s+│\s+8 │\s+3 │\s+\+5 \(\+166\.7%\)", text)
    assert re.search(r"after-hours share\s+│\s+37\.5% │\s+33\.3% │\s+\+4\.2 points", text)
    assert re.search(r"acme\s+│ PC-Empfang\s+│ 3\s+│ 04\.03\.2024 │ 21\.03\.2024 │ drucker\s+│ m1, m2, m3", text)
    assert "3 of 8 session(s) came back within 14 days; 1 name neither machine nor contact" in text
    assert re.search(r"acme\s+│\s+5 \(#1\) │\s+2:45:00 \(#1\) │\s+0:45:00 \(#1\) │\s+67\.50 EUR", text)
    assert "Sessions without a note or a tag: 4 of 8" in text
    assert "no note 2, no tag 3, neither 1" in text


# --- a real terminal -----------------------------------------------------------------------------

needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="util-linux `script` is missing")


def terminal(cli_env: dict[str, str], columns: int, **env: str) -> str:
    line = f"stty cols {columns} rows 60; {console_script()} insights 2024-03"
    result = subprocess.run(
        ["script", "-qec", line, "/dev/null"],
        env={**{k: v for k, v in cli_env.items() if k != "NO_COLOR"}, "SESSIONLOG_NOW": NOW, "TERM": "xterm", **env},
        capture_output=True,
        timeout=60,
        check=True,
    )
    return result.stdout.decode("utf-8").replace("\r\n", "\n")


@needs_script
def test_in_a_real_terminal_with_and_without_colour(tmp_path: Path, cli_env: dict[str, str]) -> None:
    shop(Ledger(tmp_path / "ledger", tmp_path))
    shown = terminal(cli_env, 80)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert all(len(line) <= 80 for line in plain.splitlines())
    assert "\x1b[32m█" in shown and "\x1b[33m░" in shown  # billable green, free yellow
    march = next(line for line in plain.splitlines() if line.startswith("2024-03 "))
    assert (march.count("█"), march.count("░")) == (41, 18)
    bare = terminal(cli_env, 80, NO_COLOR="1")
    assert not re.search(r"\x1b\[(3[0-9]|9[0-7])m", bare)  # no colour at all
    march = next(line for line in bare.splitlines() if line.startswith("2024-03 "))
    assert (march.count("█"), march.count("░")) == (41, 18)  # the two parts differ by their characters
    narrow = re.sub(r"\x1b\[[0-9;]*m", "", terminal(cli_env, 50))
    assert all(len(line) <= 50 for line in narrow.splitlines())


# --- the HTML page --------------------------------------------------------------------------------


class Rects(HTMLParser):
    """The bars of the page's SVG charts: (chart, part, value, height)."""

    def __init__(self) -> None:
        super().__init__()
        self.chart = ""
        self.found: list[tuple[str, str, int, float]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self.chart = a.get("data-chart", "")
        if tag == "rect":
            self.found.append((self.chart, a["class"], int(a["data-value"]), float(a["height"])))


def html_page(ledger: Ledger, *args: str) -> str:
    result = ledger.ok("insights", "2024-03", "--format", "html", *args, now=NOW)
    assert result.stderr == ""
    return result.stdout


def test_the_html_page_carries_the_same_figures(ledger: Ledger) -> None:
    text = html_page(shop(ledger), "--language", "en")
    assert text.startswith("<!DOCTYPE html>")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in text
    assert "<script" not in text and "http://" not in text and "https://" not in text  # self-contained
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    for words in (
        "Insights 2024-03",
        "8 sessions · 2024-03 against 2024-02",
        "Sessions 8 before: 3 +5 (+166.7 %)",
        "After-hours share 37.5 % before: 33.3 % +4.2 points",
        "acme PC-Empfang 3 4 Mar 2024 21 Mar 2024 drucker m1, m2, m3",
        "3 of 8 sessions came back; 1 name neither machine nor contact.",
        "acme 5 (#1) 2:45:00 (#1) 0:45:00 (#1) €67.50",
        "4 of 8: no note 2, no tag 3, neither 1.",
    ):
        assert words in flat, words
    rects = Rects()
    rects.feed(text)
    # every bar's height is its value over the scale: 168 units for 4 hours (14 400 s) in the month chart
    months = [(part, value, height) for chart, part, value, height in rects.found if chart == "month"]
    assert sorted(months) == sorted(
        [("part0", 7200, 84.0), ("part0", 4200, 49.0), ("part1", 1800, 21.0), ("part0", 9900, 115.5),
         ("part1", 4200, 49.0)]
    )  # fmt: skip
    weekdays = [(value, height) for chart, _, value, height in rects.found if chart == "weekday"]
    # 2 sessions at most: the scale's top is 2 (steps of 1), 168 units high
    assert sorted(weekdays) == [(1, 84.0)] * 4 + [(2, 168.0)] * 2


def test_the_html_page_is_german_for_a_german_ledger_and_escapes_names(ledger: Ledger) -> None:
    shop(ledger, machine_m1="Kasse <b>1</b> & Co")
    ledger.write("sessionlog.toml", SETTINGS + '\n[csv]\nprofile = "de"\n')
    text = html_page(ledger)
    assert '<html lang="de">' in text
    assert "Wiederkehrende Störungen" in text and "67,50\xa0€" in text
    assert "Kasse &lt;b&gt;1&lt;/b&gt; &amp; Co" in text
    assert "<b>1</b>" not in text


def test_out_writes_the_file(ledger: Ledger) -> None:
    shop(ledger)
    target = ledger.tmp / "reports" / "insights.html"
    result = ledger.ok("insights", "2024-03", "--format", "html", "--out", str(target), now=NOW)
    assert result.stdout == ""
    assert result.stderr == f"wrote {target}\n"
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    text_file = ledger.tmp / "insights.txt"
    ledger.ok("insights", "2024-03", "--out", str(text_file), now=NOW)
    assert "Sessions without a note or a tag: 4 of 8" in text_file.read_text("utf-8")


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it)")

MEASURE = """<script>
(() => {
  const root = document.documentElement;
  const bars = [...document.querySelectorAll("svg[data-chart=month] rect")].map(r =>
    [Number(r.dataset.value), r.getBoundingClientRect().height]);
  window.parent.document.body.setAttribute("data-measure", JSON.stringify({
    viewport: root.clientWidth, scroll: root.scrollWidth, bars,
  }));
})();
</script>"""


def measure(text: str, width: int, tmp: Path) -> dict[str, Any]:
    import html

    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text).replace("</body>", MEASURE + "</body>")
    window = width
    if width < 500:  # headless Chromium keeps windows at least 500 px wide: a phone is a frame
        text = (
            '<!DOCTYPE html><html><body style="margin:0">'
            f'<iframe style="width:{width}px;height:3000px;border:0" srcdoc="{html.escape(text, quote=True)}">'
            "</iframe></body></html>"
        )
        window = 500
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / f"insights-{width}.html"
    path.write_text(text, encoding="utf-8")
    result = chromium([f"--window-size={window},1200", "--dump-dom", path.as_uri()], tmp / f"profile-{width}")
    found = re.search(r'data-measure="([^"]*)"', result.stdout)
    assert found, "the measuring script did not run"
    data = json.loads(html.unescape(found.group(1)))
    assert isinstance(data, dict)
    return data


@needs_chromium
def test_chromium_lays_the_page_out_on_a_desk_and_a_phone(ledger: Ledger) -> None:
    text = html_page(shop(ledger))
    for width in (1024, 390):
        sizes = measure(text, width, ledger.tmp)
        assert sizes["viewport"] == width
        assert sizes["scroll"] <= width, f"the page scrolls sideways at {width}: {sizes}"
        # drawn bars keep the proportions of their values
        bars = sizes["bars"]
        assert len(bars) == 5
        scale = bars[0][1] / bars[0][0]
        assert all(abs(height - value * scale) < 0.5 for value, height in bars), bars
    png = ledger.tmp / "insights.png"
    page_file = ledger.tmp / "insights.html"
    page_file.write_text(text, encoding="utf-8")
    chromium(["--window-size=1024,1400", f"--screenshot={png}", page_file.as_uri()], ledger.tmp / "profile-shot")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_chromium
def test_no_script_runs_in_the_page(ledger: Ledger) -> None:
    text = html_page(shop(ledger)).replace("</body>", MEASURE + "</body>")
    path = ledger.tmp / "csp.html"
    path.write_text(text, encoding="utf-8")
    result = chromium(["--window-size=800,600", "--dump-dom", path.as_uri()], ledger.tmp / "profile-csp")
    assert "data-measure" not in result.stdout.split("<script>")[0]  # the policy blocked it


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "match"),
    [
        (["--within", "abc"], 1, "--within must be days or weeks, like 14d or 2w, not 'abc'"),
        (["--within", "0d"], 1, "--within must be from 1 to 366 days"),
        (["--within", "53w"], 1, "--within must be from 1 to 366 days"),
        (["--top", "0"], 1, "--top must be from 1 to 100"),
        (["--format", "csv"], 2, "'csv' is not one of 'table', 'json', 'html'"),
        (["--customer", "ZETA"], 1, "no customer 'zeta'"),
        (["--language", "fr"], 2, "'fr' is not one of 'de', 'en'"),
    ],
)
def test_bad_input(ledger: Ledger, args: list[str], code: int, match: str) -> None:
    shop(ledger).refused("insights", "2024-03", *args, code=code, match=match, now=NOW)


def test_bad_period(ledger: Ledger) -> None:
    shop(ledger).refused("insights", "abc", match="cannot read period 'abc'", now=NOW)


def test_a_broken_file_refuses_unless_skipped(ledger: Ledger) -> None:
    shop(ledger)
    broken = ledger.write("customers/beta/2024-02.toml", "[[session]\n")
    ledger.refused("insights", "2024-03", match=re.escape(str(broken)), now=NOW)
    result = ledger.run("insights", "2024-03", "--skip-broken", "--format", "json", now=NOW)
    assert result.exit_code == 3
    assert "INCOMPLETE" in result.stderr
    data = json.loads(result.stdout)
    assert {t["name"]: t["previous"] for t in data["trend"]}["sessions"] == 2  # f1 and f3; f2 was in the file
    table = ledger.run("insights", "2024-03", "--skip-broken", now=NOW)
    assert table.exit_code == 3 and "INCOMPLETE" in table.stdout

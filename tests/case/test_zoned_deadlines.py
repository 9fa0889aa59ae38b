"""Filing deadlines count calendar days where the person lives, not UTC days.

Runs the real command line under TZ=UTC (as on a server). An incident typed 2026-09-25 20:00
by someone in America/Los_Angeles is 2026-09-26 03:00 UTC: counted by the UTC day, the EEOC's
300 days and CRD's 3 years came out one day late. East of UTC the error went the other way.
Worked by hand: 2026-09-25 + 300 days = 2027-07-22 (a Thursday); + 3 years = 2029-09-25.
2026-09-26 + 300 days = 2027-07-23 (a Friday); + 3 years = 2029-09-26.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

from icalendar import Calendar

from tests.inprocess import run_ally

PASSPHRASE = "correct horse battery staple twelve"
ANSWERS = (
    "pack: us-ca\nanswers:\n  in_danger_now: no\n  context: [work]\n  harasser: [boss]\n"
    "  threats: no\n  stalking: no\n  intimate_images: no\n  sexual: yes\n"
    "  federal_employee: no\n  employer_size: 40\n  last_incident: 2026-09-01\n"
)


def ally(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command line's entry point, in this process (tests/inprocess.py), under TZ=UTC;
    the journal is locked with scrypt's least work (its strength is tested in tests/vault)."""
    env = dict(os.environ, ALLY_PASSPHRASE=PASSPHRASE, COLUMNS="200", TZ="UTC")
    return run_ally(*args, env=env, cwd=cwd, weak_journals=True)


def add(vault: str, cwd: Path, name: str, entry: dict[str, object], *zone: str) -> None:
    path = cwd / f"{name}.json"
    path.write_text(json.dumps(entry), encoding="utf-8")
    made = ally("vault", "add", "incident", "--from", str(path), "--vault", vault, *zone, cwd=cwd)
    assert made.returncode == 0, made.stderr


def case_in(tmp_path: Path, zone: str, typed: str) -> str:
    """A vault with a work case and one work incident typed at ``typed`` in ``zone``."""
    vault = str(tmp_path / "vault")
    assert ally("vault", "init", "--vault", vault, cwd=tmp_path).returncode == 0
    incident = {"when": {"start": typed}, "what": "Shifts cut again.", "contexts": ["work"]}
    add(vault, tmp_path, "work", incident, "--timezone", zone)
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    started = ally(
        "case", "situation", str(answers), "--on", "2026-09-26", "--vault", vault, cwd=tmp_path
    )
    assert started.returncode == 0, started.stderr
    return vault


def deadline_rows(status: str) -> dict[str, str]:
    """The due date printed on each deadline's row of `ally case status`."""
    rows = {}
    for line in status.splitlines():
        for title in ("charge with the EEOC", "Civil Rights Department (work)"):
            if title in line and "Last day" in line:
                rows[title] = next(word for word in line.split() if word[:2] == "20")
    return rows


def calendar_days(path: Path) -> dict[str, dt.date]:
    found = {}
    for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
        summary = str(event["SUMMARY"])
        for title in ("charge with the EEOC", "Civil Rights Department (work)"):
            if title in summary:
                found[title] = event.decoded("DTSTART")
    return found


def reminder_days(tmp_path: Path, vault: str) -> dict[str, dt.date]:
    """The last days that `ally case reminders --ics` writes into the calendar file."""
    ics = tmp_path / "case.ics"
    made = ally(
        "case", "reminders", "--ics", str(ics), "--today", "2026-11-25", "--vault", vault,
        cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return calendar_days(ics)


def test_an_evening_in_california_is_counted_from_that_evenings_day(tmp_path: Path) -> None:
    vault = case_in(tmp_path, "America/Los_Angeles", "2026-09-25T20:00")
    status = ally("case", "status", "--today", "2026-11-25", "--vault", vault, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert deadline_rows(status.stdout) == {
        "charge with the EEOC": "2027-07-22",
        "Civil Rights Department (work)": "2029-09-25",
    }
    assert "2027-07-23" not in status.stdout and "2029-09-26" not in status.stdout

    assert reminder_days(tmp_path, vault) == {
        "charge with the EEOC": dt.date(2027, 7, 22),
        "Civil Rights Department (work)": dt.date(2029, 9, 25),
    }

    plan = ally("case", "plan", "--today", "2026-11-25", "--vault", vault, cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert "2027-07-22" in plan.stdout and "2029-09-25" in plan.stdout
    assert "2027-07-23" not in plan.stdout and "2029-09-26" not in plan.stdout


def test_an_early_morning_in_sydney_is_counted_from_that_mornings_day(tmp_path: Path) -> None:
    # 2026-09-26 07:00 in Sydney is 2026-09-25 21:00 UTC: the UTC day was one day early.
    vault = case_in(tmp_path, "Australia/Sydney", "2026-09-26T07:00")
    status = ally("case", "status", "--today", "2026-11-25", "--vault", vault, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert deadline_rows(status.stdout) == {
        "charge with the EEOC": "2027-07-23",
        "Civil Rights Department (work)": "2029-09-26",
    }
    assert reminder_days(tmp_path, vault)["charge with the EEOC"] == dt.date(2027, 7, 23)


def test_a_later_online_post_does_not_move_a_work_deadline(tmp_path: Path) -> None:
    vault = case_in(tmp_path, "America/Los_Angeles", "2026-09-25T20:00")
    post = {
        "when": {"start": "2026-10-03T09:00"},
        "what": "A stranger's post.",
        "contexts": ["online"],
    }
    add(vault, tmp_path, "online", post)
    status = ally("case", "status", "--today", "2026-11-25", "--vault", vault, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert deadline_rows(status.stdout) == {
        "charge with the EEOC": "2027-07-22",
        "Civil Rights Department (work)": "2029-09-25",
    }, "the online post (2026-10-03) would give 2027-07-30"

    # An incident recorded without a place still counts: Ally cannot tell it is not work.
    unplaced = {"when": {"start": "2026-10-01"}, "what": "He shouted at me."}
    add(vault, tmp_path, "unplaced", unplaced)
    later = ally("case", "status", "--today", "2026-11-25", "--vault", vault, cwd=tmp_path)
    # 2026-10-01 + 300 days = 2027-07-28 (a Wednesday); + 3 years = 2029-10-01.
    assert deadline_rows(later.stdout) == {
        "charge with the EEOC": "2027-07-28",
        "Civil Rights Department (work)": "2029-10-01",
    }

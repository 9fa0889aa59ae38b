"""One deadline everywhere: for the same answers and journal, the plan page, the case page,
the letter, the plan download, the calendars and the command line give the same last day,
each with a hint that says what was counted (``knowledge.deadlines.deadline_clock``)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from icalendar import Calendar

from ally.knowledge.deadlines import ClockFacts, deadline_clock
from ally.knowledge.loader import load_pack
from ally.model.answers import ApproxDate
from tests.web.conftest import Browser
from tests.web.test_case_pages import (  # noqa: F401  (case_app, person: the web fixtures)
    EEOC,
    PASSPHRASE,
    WORK,
    Today,
    answer_all,
    case_app,
    open_journal,
    person,
    text_of,
)

ANSWERS: dict[str, Any] = {**WORK, "last_incident": "2026-04"}  # only the month: from 1 April
JOURNAL_INCIDENT = dt.date(2026, 4, 25)  # later than 1 April: the clock starts here
DUE = dt.date(2026, 10, 22)  # 180 days after 25 April (a Thursday)
WITHOUT_JOURNAL = dt.date(2026, 9, 28)  # 180 days after 1 April (a Monday)
# No state given: the us pack also shows the 300-day limit of states with their own agency,
# a second deadline counted by the same clock from the same day.
DUE_IF_STATE_AGENCY = dt.date(2027, 2, 19)  # 300 days after 25 April (a Friday)
EEOC_DEADLINE = "Last day to file a charge with the EEOC"
EEOC_DEADLINE_300 = f"{EEOC_DEADLINE} if your state has its own agency"


def test_the_one_clock_counts_from_the_latest_recorded_incident() -> None:
    pack = load_pack("us")
    deadline = pack.deadline("eeoc-charge")
    given = {"last_incident": ApproxDate.parse("2026-04")}
    alone = deadline_clock(pack, deadline, given)
    assert (alone.start, alone.due, alone.basis) == (
        dt.date(2026, 4, 1),
        WITHOUT_JOURNAL,
        "answer_first_day",
    )
    journal = ClockFacts(journal_dates=(ApproxDate.parse(JOURNAL_INCIDENT),), journal="counted")
    moved = deadline_clock(pack, deadline, given, journal)
    assert (moved.start, moved.due, moved.basis) == (JOURNAL_INCIDENT, DUE, "journal")
    longer = deadline_clock(pack, pack.deadline("eeoc-charge-fepa"), given, journal)
    assert (longer.start, longer.due) == (JOURNAL_INCIDENT, DUE_IF_STATE_AGENCY)
    earlier = ClockFacts(journal_dates=(ApproxDate.parse("2026-03-02"),), journal="counted")
    assert deadline_clock(pack, deadline, given, earlier) == alone  # never earlier
    day = {"last_incident": ApproxDate.parse("2026-04-20")}
    assert deadline_clock(pack, deadline, day).basis == "answer"
    assert deadline_clock(pack, deadline, {}).basis == "not_yet"


@pytest.fixture
def today() -> Today:
    day = Today()
    day.day = dt.date(2026, 5, 2)
    return day


def _eeoc_row(page: str) -> str:
    # The plan's deadlines box repeats every last day at the top; the row read here is the
    # step's own, with what was counted.
    page = re.sub(r'<section class="deadlines-box".*?</section>', "", page, flags=re.S)
    words = text_of(page)
    index = words.index(EEOC_DEADLINE)
    return words[index : index + 600]


def _ics_days(data: bytes) -> dict[str, set[dt.date]]:
    """The days of the calendar's EEOC events, by deadline title (without "Deadline: ")."""
    days: dict[str, set[dt.date]] = {}
    for event in Calendar.from_ical(data).walk("VEVENT"):
        summary = str(event.get("summary"))
        if "EEOC" in summary:
            days.setdefault(summary.removeprefix("Deadline: "), set()).add(event.get("dtstart").dt)
    return days


def test_every_page_and_document_gives_the_same_last_day(
    person: Browser,  # noqa: F811 - the fixture
    case_app: FastAPI,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    answer_all(person, ANSWERS)
    locked_plan = _eeoc_row(person.open("/plan").text)
    assert "September 28, 2026" in locked_plan  # no journal yet: from the month given
    assert "the first day of the time you gave" in locked_plan
    open_journal(person)
    person.open("/journal/new")
    added = person.client.post(
        "/journal/new",
        data={"csrf": person.csrf, "when_date": JOURNAL_INCIDENT.isoformat(), "what": "Again."},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert added.status_code == 303
    shown = "October 22, 2026"
    plan = _eeoc_row(person.open("/plan").text)
    assert shown in plan and "your journal has an incident on that day" in plan
    case = _eeoc_row(person.open("/case").text)
    assert shown in case and "your journal has an incident on that day" in case
    assert "September 28, 2026" not in plan + case
    download = " ".join(person.get("/plan/download").text.split())  # wrapped for reading
    assert f"{EEOC_DEADLINE}: by {DUE.isoformat()}" in download
    assert f"{EEOC_DEADLINE_300}: by {DUE_IF_STATE_AGENCY.isoformat()}" in download
    both = {EEOC_DEADLINE: {DUE}, EEOC_DEADLINE_300: {DUE_IF_STATE_AGENCY}}
    calendar = person.post("/documents/calendar", {})
    assert _ics_days(calendar.content) == both
    reminders = person.get("/case/reminders.ics")
    assert _ics_days(reminders.content) == both
    letter = _eeoc_letter(person)
    assert f"{EEOC_DEADLINE}, with U.S. Equal Employment" in letter
    assert f"by {DUE.isoformat()}" in letter
    _command_line_agrees(case_app, tmp_path)


def _eeoc_letter(person: Browser) -> str:  # noqa: F811 - a Browser, not the fixture
    plan = person.open("/plan").text
    article = re.search(
        r'<article class="step"[^>]*>\s*<h3[^>]*>\d+\. ' + re.escape(EEOC) + r".*?</article>",
        plan,
        re.S,
    )
    assert article
    link = re.search(r'href="(/letters/\d+)"', article.group(0))
    assert link, "the EEOC step offers a letter"
    page = person.open(link.group(1)).text
    found = re.search(r'<section aria-labelledby="guide-heading">(.*?)</section>', page, re.S)
    assert found, "the letter says how to send it, with the time limit"
    return text_of(found.group(1))


def _command_line_agrees(app: FastAPI, tmp_path: Path) -> None:
    vault = app.state.web.vaults.location
    env = dict(os.environ, ALLY_PASSPHRASE=PASSPHRASE, COLUMNS="300")
    status = subprocess.run(
        [
            sys.executable,
            "-m",
            "ally.cli.main",
            "case",
            "status",
            "--vault",
            vault,
            "--today",
            "2026-05-02",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert status.returncode == 0, status.stderr
    assert DUE.isoformat() in status.stdout
    answers = tmp_path / "answers.yaml"
    answers.write_text("pack: us\ntoday: 2026-05-02\n" + yaml.safe_dump({"answers": ANSWERS}))
    alone = subprocess.run(
        [
            sys.executable,
            "-m",
            "ally.cli.main",
            "plan",
            "--answers",
            str(answers),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert alone.returncode == 0, alone.stderr
    assert WITHOUT_JOURNAL.isoformat() in alone.stdout  # no journal read: the month given

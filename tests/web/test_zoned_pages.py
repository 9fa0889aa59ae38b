"""Pages show times where the person lives, and deadlines count that day, on a UTC server.

The app runs in-process with TZ=UTC (as a hosted server does). A person in
America/Los_Angeles types an incident on 2026-04-25 at 20:00: that is 2026-04-26 03:00 UTC.
Every page shows "2026-04-25 20:00 (UTC-07:00)" (the report's wording), and the EEOC's 180
days run from 25 April: 2026-10-22 (a Thursday), not 2026-10-23. In Australia/Sydney, 26
April 07:00 is 25 April 21:00 UTC: the clock starts on the 26th, so the last day is
2026-10-23 (a Friday), not the 22nd.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from icalendar import Calendar
from starlette.testclient import TestClient

from ally.web import create_app
from tests.web.conftest import Browser, Clock, make_config
from tests.web.test_case_pages import PASSPHRASE, WORK, Today, answer_all, text_of
from tests.web.test_one_deadline import EEOC_DEADLINE, _eeoc_row

ANSWERS = {**WORK, "last_incident": "2026-04"}  # only the month: the journal moves the clock


@pytest.fixture(autouse=True)
def server_in_utc() -> Iterator[None]:
    """The process's zone is UTC, as on a hosted server, whatever this machine's is."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def person(tmp_path: object, clock: Clock) -> Iterator[Browser]:
    today = Today()
    today.day = dt.date(2026, 5, 2)
    app: FastAPI = create_app(make_config(tmp_path / "web.sqlite3", clock, today=today))  # type: ignore[operator]
    with TestClient(app) as client:
        yield Browser(client)


def journal_in(person: Browser, zone: str) -> None:
    person.open("/journal")
    made = person.submit(
        "/journal/create", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE, "timezone": zone}
    )
    assert made.status_code == 200, made.text[:300]


def add(person: Browser, **fields: str) -> None:
    person.open("/journal/new")
    added = person.client.post(
        "/journal/new",
        data={"csrf": person.csrf, **fields},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text[:300]


def eeoc_days(data: bytes) -> set[dt.date]:
    return {
        event.get("dtstart").dt
        for event in Calendar.from_ical(data).walk("VEVENT")
        if str(event.get("summary")).removeprefix("Deadline: ") == EEOC_DEADLINE
    }


def test_an_evening_in_california_shows_as_typed_and_starts_that_days_clock(
    person: Browser,
) -> None:
    answer_all(person, ANSWERS)
    journal_in(person, "America/Los_Angeles")
    add(person, when_date="2026-04-25", when_time="20:00", what="Shifts cut.", context="work")
    add(person, when_date="2026-04-10", what="A note on my desk.", context="work")

    page = person.open("/journal").text
    timeline = text_of(page)
    assert "2026-04-25 20:00 (UTC-07:00): Shifts cut." in timeline
    assert "2026-04-10: A note on my desk." in timeline, "a date stays a date"
    assert "April 26" not in timeline and "03:00" not in timeline
    link = re.search(r'href="(/journal/entries/\d+)">[^<]*Shifts cut', page)
    assert link, page
    entry = text_of(person.open(link.group(1)).text)
    assert "When it happened 2026-04-25 20:00 (UTC-07:00)" in entry
    export = text_of(person.open("/journal/export").text)
    assert "2026-04-25 20:00 (UTC-07:00): Shifts cut." in export

    due = "October 22, 2026"
    plan = _eeoc_row(person.open("/plan").text)
    assert due in plan and "October 23, 2026" not in plan
    case = _eeoc_row(person.open("/case").text)
    assert due in case and "October 23, 2026" not in case
    assert eeoc_days(person.get("/case/reminders.ics").content) == {dt.date(2026, 10, 22)}
    assert eeoc_days(person.post("/documents/calendar", {}).content) == {dt.date(2026, 10, 22)}


def test_an_early_morning_in_sydney_starts_that_mornings_clock(person: Browser) -> None:
    answer_all(person, ANSWERS)
    journal_in(person, "Australia/Sydney")
    add(person, when_date="2026-04-26", when_time="07:00", what="Shifts cut.", context="work")

    timeline = text_of(person.open("/journal").text)
    assert "2026-04-26 07:00 (UTC+10:00): Shifts cut." in timeline
    plan = _eeoc_row(person.open("/plan").text)
    assert "October 23, 2026" in plan and "October 22, 2026" not in plan
    assert eeoc_days(person.get("/case/reminders.ics").content) == {dt.date(2026, 10, 23)}

"""The case pages over a real vault, with a controllable "today": escalation, warnings, re-planning.

"Today" comes from the app's config (``WebConfig.today``), which these tests replace with a
settable day; nothing about the date travels in a URL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from icalendar import Calendar
from starlette.testclient import TestClient

from ally.case.store import VaultCase
from ally.model.case import AnswersEvent, CaseEvent, MarkEvent, StatusEvent, StepStatus
from ally.web import create_app
from ally.web.state import WebState
from tests.web.conftest import Browser, Clock, make_config

PASSPHRASE = "lantern orbit pepper quietly"
WORK: dict[str, Any] = {
    "in_danger_now": "no",
    "context": ["work"],
    "harasser": ["boss"],
    "what_happened": ["sexual"],
    "threats": "no",
    "stalking": "no",
    "sexual": "yes",
    "federal_employee": "no",
    "employer_size": "40",
    "last_incident": "2026-04-20",
}
HR = "Make a formal complaint to HR"
EEOC = "File a charge with the EEOC"


class Today:
    """A settable calendar day for the app."""

    def __init__(self) -> None:
        self.day = dt.date(2026, 4, 21)

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
def today() -> Today:
    return Today()


@pytest.fixture
def case_app(tmp_path: Path, clock: Clock, today: Today) -> FastAPI:
    return create_app(make_config(tmp_path / "web.sqlite3", clock, today=today))


@pytest.fixture
def person(case_app: FastAPI) -> Iterator[Browser]:
    with TestClient(case_app) as client:
        yield Browser(client)


def web(app: FastAPI) -> WebState:
    state: WebState = app.state.web
    return state


def open_journal(browser: Browser) -> httpx.Response:
    browser.open("/journal")
    return browser.submit("/journal/create", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE})


def answer_all(browser: Browser, answers: dict[str, Any], pack: str | None = "us") -> str:
    """Answer the interview with ``answers`` ("I'd rather not say" to the rest); the plan page."""
    if pack:
        browser.start(pack)
    page = browser.open("/interview")
    for _ in range(60):
        if str(page.url).endswith("/plan"):
            return page.text
        question = browser.question_id()
        assert question, page.text[:300]
        if question in answers:
            data = {"action": "answer", "question": question, "answer": answers[question]}
        else:
            data = {"action": "skip", "question": question}
        page = browser.submit("/interview", data)
    raise AssertionError("the interview did not end")


def mark_on_plan(browser: Browser, step_title: str, status: str) -> httpx.Response:
    plan = browser.open("/plan").text
    article = re.search(
        r'<article class="step"[^>]*>\s*<h3[^>]*>\d+\. ' + re.escape(step_title) + r".*?</article>",
        plan,
        re.S,
    )
    assert article, f"{step_title} is not on the plan"
    number = re.search(r'id="step-(\d+)"', article.group(0))
    assert number  # the buttons are on the step's own page
    step = re.search(
        r'name="step" value="([^"]+)"', browser.open(f"/plan/steps/{number.group(1)}").text
    )
    assert step
    return browser.post("/plan/status", {"step": step.group(1), "status": status})


def case_events(app: FastAPI) -> list[CaseEvent]:
    vaults = web(app).vaults
    assert vaults is not None
    (row,) = vaults._held  # the one journal these tests open
    with vaults.using(row) as vault:
        assert vault is not None
        return VaultCase(vault).events()


def text_of(html: str) -> str:
    """The page as words: tags removed, spaces collapsed, the way a person reads it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, heading_id: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, heading_id
    return text_of(found.group(0))


def test_without_an_open_journal_the_case_page_explains_and_leads_back(
    person: Browser, case_app: FastAPI
) -> None:
    page = person.open("/case")
    assert page.status_code == 200
    assert "You do not have a journal yet" in page.text
    assert 'href="/journal?next=/case"' in page.text
    person.open("/journal?next=/case")
    shown = person.submit(
        "/journal/create", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE, "next": "/case"}
    )
    assert 'href="/case"' in shown.text  # the recovery code first, then on to the case
    created = person.open("/case")
    assert "Answer the questions to get your plan" in created.text
    person.submit("/journal/lock", {})
    locked = person.open("/case")
    assert "Your journal is locked" in locked.text
    person.open("/journal?next=/case")
    unlocked = person.submit("/journal/unlock", {"passphrase": PASSPHRASE, "next": "/case"})
    assert str(unlocked.url).endswith("/case")
    # Only pages of this site are allowed as the way back.
    person.submit("/journal/lock", {})
    person.open("/journal?next=https://example.org/")
    away = person.post("/journal/unlock", {"passphrase": PASSPHRASE, "next": "//example.org"})
    assert away.headers["location"] == "/journal"
    assert '<a href="/case"' in person.open("/privacy").text  # in the navigation


def test_a_refusal_on_the_plan_page_puts_the_agency_first_with_the_reason(
    person: Browser, case_app: FastAPI, today: Today
) -> None:
    open_journal(person)
    plan = answer_all(person, WORK)
    assert 'href="/case"' in plan and "They refused" in plan and "Not for me" in plan
    [situation] = case_events(case_app)
    assert isinstance(situation, AnswersEvent) and situation.pack == "us"
    assert situation.answers["context"] == ["work"] and situation.on == dt.date(2026, 4, 21)
    person.open("/plan")
    assert len(case_events(case_app)) == 1  # the same answers are not recorded twice

    today.day = dt.date(2026, 5, 3)
    response = mark_on_plan(person, HR, "refused")
    assert response.status_code == 303 and response.headers["location"].startswith("/plan#step-")
    assert 'value="refused" class="secondary" aria-pressed="true"' in person.open("/plan").text
    status = case_events(case_app)[-1]
    assert isinstance(status, StatusEvent)
    assert (status.step, status.status, status.on) == (
        "employer-hr",
        StepStatus.REFUSED,
        dt.date(2026, 5, 3),
    )
    with web(case_app).storage.transaction() as db:  # the visit's own table keeps working too
        assert db.query("SELECT status, updated FROM step_status") == [("refused", "2026-05-03")]

    today.day = dt.date(2026, 5, 4)
    page = person.open("/case")
    assert page.status_code == 200
    first = re.search(
        r'<ol class="next-steps">\s*<li class="escalated">(.*?)</li>', page.text, re.S
    )
    assert first, page.text[:2000]
    words = text_of(first.group(1))
    assert EEOC in words
    assert f"You marked “{HR}” as refused on May 3, 2026." in words
    assert "If your employer refuses to act, you can file a charge with the EEOC." in words
    assert "Earlier steps" not in page.text


def test_a_waiting_step_escalates_once_its_window_has_passed(
    person: Browser, case_app: FastAPI, today: Today
) -> None:
    open_journal(person)
    answer_all(person, WORK)
    today.day = dt.date(2026, 4, 22)
    mark_on_plan(person, HR, "no_answer")
    assert case_events(case_app)[-1].status is StepStatus.WAITING  # type: ignore[union-attr]

    today.day = dt.date(2026, 5, 21)  # 29 days: the pack waits 30
    page = person.open("/case").text
    assert "waiting since April 22, 2026 (29 days)." in section(page, "waiting-heading")
    assert 'class="escalated"' not in page

    today.day = dt.date(2026, 5, 22)
    page = person.open("/case").text
    next_steps = section(page, "next-heading")
    assert next_steps.index(EEOC) < next_steps.index("Get support from an advocacy group")
    assert f"No answer to “{HR}” since April 22, 2026 (30 days)." in next_steps


def test_deadline_warnings_in_words_at_30_7_and_1_days_and_when_passed(
    person: Browser, today: Today
) -> None:
    open_journal(person)
    answer_all(person, WORK)  # EEOC: 180 days from 20 April 2026 is 19 October 2026
    page = person.open("/case").text
    assert "Deadlines to watch" not in page
    assert "October 19, 2026" in section(page, "deadlines-heading")
    today.day = dt.date(2026, 9, 30)
    warning = section(person.open("/case").text, "warnings-heading")
    assert "Less than 30 days left." in warning and "19 days left for" in warning
    today.day = dt.date(2026, 10, 13)
    warning = section(person.open("/case").text, "warnings-heading")
    assert "Less than a week left." in warning
    assert "6 days left for “Last day to file a charge with the EEOC”" in warning
    today.day = dt.date(2026, 10, 19)
    warning = section(person.open("/case").text, "warnings-heading")
    assert "Last day today or tomorrow." in warning and "Today is the last day for" in warning
    today.day = dt.date(2026, 10, 20)
    page = person.open("/case").text
    assert "Deadline passed." in section(page, "warnings-heading")
    assert "Passed" in section(page, "deadlines-heading")


def test_replanning_keeps_the_earlier_steps_and_their_history(
    person: Browser, case_app: FastAPI, today: Today
) -> None:
    open_journal(person)
    answer_all(person, WORK)
    today.day = dt.date(2026, 5, 1)
    mark_on_plan(person, EEOC, "done")
    today.day = dt.date(2026, 6, 1)
    # Back over "already tried" and the questions after it, to "Do you work for the federal
    # government?" (how many depends on the order the engine asks in; a few at most).
    for _ in range(8):
        person.post("/interview", {"action": "back", "question": person.question_id() or ""})
        person.open("/interview")
        if person.question_id() == "federal_employee":
            break
    assert person.question_id() == "federal_employee"
    answer_all(person, {**WORK, "federal_employee": "yes"}, pack=None)
    situations = [e for e in case_events(case_app) if isinstance(e, AnswersEvent)]
    assert [e.answers["federal_employee"] for e in situations] == ["no", "yes"]
    page = person.open("/case").text
    assert "Your situation changed on June 1, 2026" in page
    earlier = section(page, "earlier-heading")
    assert EEOC in earlier and "May 1, 2026: Done" in earlier
    assert EEOC not in section(page, "steps-heading")


def test_recording_a_status_with_a_date_note_and_answer(
    person: Browser, case_app: FastAPI, today: Today
) -> None:
    open_journal(person)
    answer_all(person, WORK)
    today.day = dt.date(2026, 5, 10)
    page = person.open("/case").text
    number = re.search(
        r'id="case-step-(\d+)" aria-labelledby="case-step-\d+-title">\s*<h3[^>]*>' + re.escape(HR),
        page,
    )
    assert number
    before = len(case_events(case_app))
    fields = {
        "step": "employer-hr",
        "status": "waiting",
        "on": "2026-05-02",
        "note": "Emailed Dana in HR",
        "answer": "",
    }
    saved = person.post("/case/status", fields)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/case#case-step-{number.group(1)}"
    event = case_events(case_app)[-1]
    assert isinstance(event, StatusEvent)
    assert (event.on, event.status, event.note, event.answer_received) == (
        dt.date(2026, 5, 2),
        StepStatus.WAITING,
        "Emailed Dana in HR",
        None,
    )
    page = person.open("/case").text
    assert "Emailed Dana in HR" in page
    assert "waiting since May 2, 2026 (8 days)." in section(page, "waiting-heading")

    for bad, message in [
        ("3rd of May", "Please give the date like 2026-05-03"),
        ("2026-05-11", "That date has not come yet"),
        ("1850-01-01", "Please check the year"),
    ]:
        refused = person.post("/case/status", {**fields, "on": bad, "note": "kept"})
        assert refused.status_code == 422 and message in refused.text
        assert 'aria-invalid="true"' in refused.text and ">kept</textarea>" in refused.text
        assert "<title>Error:" in refused.text
    long = person.post("/case/status", {**fields, "note": "x" * 2001})
    assert long.status_code == 422
    assert person.post("/case/status", {**fields, "step": "nope"}).status_code == 400
    assert person.post("/case/status", {**fields, "status": "meh"}).status_code == 400
    forged = person.client.post("/case/status", data=fields, follow_redirects=False)
    assert forged.status_code == 403
    assert len(case_events(case_app)) == before + 1  # nothing else was recorded


def test_an_event_that_starts_a_clock_is_chosen_from_the_plan(
    person: Browser, case_app: FastAPI, today: Today
) -> None:
    open_journal(person)
    today.day = dt.date(2026, 2, 2)
    answer_all(person, {**WORK, "federally_regulated": "yes"}, pack="ca")
    page = person.open("/case").text
    events = section(page, "clock-events-heading")
    assert "Investigation report received" in events
    assert "Ask the Federal Court to review an investigation report" in events
    assert 'value="investigation_report_received"' in page
    assert "Not known yet" in section(page, "deadlines-heading")
    wrong = person.post("/case/mark", {"name": "made_up", "on": "2026-02-01"})
    assert wrong.status_code == 422 and "choose one of the events" in wrong.text
    bad_day = person.post("/case/mark", {"name": "investigation_report_received", "on": "Feb"})
    assert bad_day.status_code == 422
    assert not any(isinstance(e, MarkEvent) for e in case_events(case_app))
    done = person.post("/case/mark", {"name": "investigation_report_received", "on": "2026-02-01"})
    assert done.status_code == 303 and done.headers["location"] == "/case#clock-events"
    page = person.open("/case").text
    assert "March 3, 2026" in section(page, "deadlines-heading")
    assert "Recorded for February 1, 2026." in page


def test_reminders_download_as_a_calendar_in_the_persons_language(
    person: Browser, today: Today
) -> None:
    open_journal(person)
    answer_all(person, WORK)
    today.day = dt.date(2026, 4, 22)
    mark_on_plan(person, HR, "no_answer")
    plain = person.get("/case/reminders.ics?discreet=yes")
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/calendar")
    assert plain.headers["content-disposition"] == 'attachment; filename="ally-reminders.ics"'
    calendar = Calendar.from_ical(plain.content)
    assert {str(event["summary"]) for event in calendar.walk("VEVENT")} == {"Reminder"}
    assert "EEOC" not in plain.text
    full = Calendar.from_ical(person.get("/case/reminders.ics").content)
    found = {str(event["summary"]): event for event in full.walk("VEVENT")}
    deadline = found["Deadline: Last day to file a charge with the EEOC"]
    assert deadline["dtstart"].dt == dt.date(2026, 10, 19)
    assert sorted(-alarm["trigger"].dt.days for alarm in deadline.walk("VALARM")) == [1, 7, 30]
    assert found[f"Follow up: {HR}"]["dtstart"].dt == dt.date(2026, 5, 22)
    person.submit("/language", {"lang": "es", "next": "/case"})
    spanish = Calendar.from_ical(person.get("/case/reminders.ics").content)
    titles = {str(event["summary"]) for event in spanish.walk("VEVENT")}
    assert any(title.startswith("Fecha límite: ") for title in titles), titles
    assert any(title.startswith("Hacer seguimiento: ") for title in titles), titles


def test_the_case_page_speaks_spanish(person: Browser, today: Today) -> None:
    open_journal(person)
    person.submit("/language", {"lang": "es", "next": "/journal"})
    answer_all(person, WORK)
    today.day = dt.date(2026, 5, 3)
    mark_on_plan(person, "Presente una queja formal ante Recursos Humanos", "refused")
    page = person.open("/case").text
    assert "<h1>Su caso</h1>" in page
    words = section(page, "next-heading")
    assert "Presente un cargo ante la EEOC" in words
    assert "como rechazado el 3 de mayo de 2026" in words


def test_the_plan_page_without_an_open_journal_keeps_marks_for_the_visit_only(
    person: Browser, case_app: FastAPI
) -> None:
    open_journal(person)
    person.submit("/journal/lock", {})
    plan = answer_all(person, WORK)
    assert "kept for this visit only" in plan
    assert mark_on_plan(person, HR, "resolved").status_code == 303
    with web(case_app).storage.transaction() as db:
        assert db.query("SELECT status FROM step_status") == [("resolved",)]
    person.open("/journal")
    person.submit("/journal/unlock", {"passphrase": PASSPHRASE})
    assert not any(isinstance(e, StatusEvent) for e in case_events(case_app))

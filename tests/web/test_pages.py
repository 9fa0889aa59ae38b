"""The person-facing pages through a form-aware client: interview, plan, save codes, idle lock."""

from __future__ import annotations

import datetime as dt
import re

from fastapi import FastAPI

from ally.knowledge.interview import Interview
from ally.knowledge.loader import load_pack
from ally.web.state import WebState
from tests.web.conftest import Browser, Clock


def state(app: FastAPI) -> WebState:
    web: WebState = app.state.web
    return web


def test_welcome_page_offers_a_start_and_a_quick_exit(browser: Browser) -> None:
    page = browser.open("/")
    assert page.status_code == 200
    assert 'href="/interview/start"' in page.text
    assert 'id="quick-exit" href="/exit"' in page.text


def test_skipping_every_question_still_gives_the_plan(browser: Browser) -> None:
    browser.start("us")
    plan = browser.skip_to_plan()
    assert "<h1>Your plan</h1>" in plan.text
    assert 'href="tel:911"' in plan.text
    assert "May apply" in plan.text


def test_the_web_interview_matches_the_engine(browser: Browser) -> None:
    """The pages drive the same Interview as the CLI: same questions in the same order."""
    browser.start("us")
    page = browser.open("/interview")
    engine = Interview(load_pack("us"))
    for _ in range(40):
        expected = engine.current()
        if expected is None:
            break
        assert browser.question_id() == expected.id
        value = "no" if expected.type.value == "yesno" else None
        if value is None:
            engine.skip(expected.id)
            page = browser.submit("/interview", {"action": "skip", "question": expected.id})
        else:
            engine.answer(expected.id, value)
            page = browser.submit(
                "/interview", {"action": "answer", "question": expected.id, "answer": value}
            )
    assert str(page.url).endswith("/plan")


def test_a_wrong_answer_is_explained_and_changes_nothing(browser: Browser) -> None:
    browser.start("us")
    browser.open("/interview")
    question = browser.question_id()
    assert question
    wrong = browser.post(
        "/interview", {"action": "answer", "question": question, "answer": "perhaps"}
    )
    assert wrong.status_code == 422
    assert 'role="alert"' in wrong.text
    assert browser.open("/interview").text.count(f'value="{question}"') == 1


def test_an_empty_answer_asks_again(browser: Browser) -> None:
    browser.start("us")
    browser.open("/interview")
    question = browser.question_id()
    empty = browser.post("/interview", {"action": "answer", "question": question})
    assert empty.status_code == 422
    assert "rather not say" in empty.text


def test_back_returns_to_the_previous_question_and_then_to_the_pack(browser: Browser) -> None:
    browser.start("us")
    browser.open("/interview")
    first = browser.question_id()
    browser.submit("/interview", {"action": "skip", "question": first})
    second = browser.question_id()
    assert second != first
    browser.submit("/interview", {"action": "back", "question": second})
    assert browser.question_id() == first
    page = browser.submit("/interview", {"action": "back", "question": first})
    assert str(page.url).endswith("/interview/start")
    assert 'value="us" checked' in page.text


def test_a_stale_form_cannot_answer_the_wrong_question(browser: Browser) -> None:
    browser.start("us")
    browser.open("/interview")
    first = browser.question_id()
    browser.submit("/interview", {"action": "skip", "question": first})
    second = browser.question_id()
    stale = browser.post("/interview", {"action": "answer", "question": first, "answer": "yes"})
    assert stale.headers["location"] == "/interview"
    assert browser.open("/interview") and browser.question_id() == second


def test_answers_never_travel_in_urls(browser: Browser) -> None:
    locations = set()
    browser.start("us")
    browser.open("/interview")
    for _ in range(40):
        question = browser.question_id()
        if question is None:
            break
        response = browser.post("/interview", {"action": "skip", "question": question})
        locations.add(response.headers["location"])
        browser.open(response.headers["location"])
    assert locations <= {"/interview", "/plan"}


def test_step_status_is_stored_with_the_date(browser: Browser, app: FastAPI) -> None:
    browser.start("us")
    browser.skip_to_plan()
    step = re.search(r'name="step" value="([^"]+)"', browser.open("/plan/steps/1").text)
    assert step
    response = browser.post("/plan/status", {"step": step.group(1), "status": "refused"})
    assert response.status_code == 303
    with state(app).storage.transaction() as db:
        rows = db.query("SELECT step, status, updated FROM step_status")
    assert rows == [(step.group(1), "refused", dt.date.today().isoformat())]
    page = browser.open("/plan")
    assert 'value="refused" class="secondary" aria-pressed="true"' in page.text
    # The refused step moved to "Already done": the redirect opens the page at it there.
    anchor = response.headers["location"].removeprefix("/plan#")
    moved = re.search(f'<article class="step done" id="{anchor}".*?</article>', page.text, re.S)
    assert moved and f'name="step" value="{step.group(1)}"' in moved.group(0)


def test_letter_links_open_their_step_after_the_plan_is_reordered(browser: Browser) -> None:
    """Marking a step refused reorders the plan; every letter link on the plan page must still
    open the letter for the step it sits under (the letter page numbers steps the same way)."""
    browser.start("us")
    browser.skip_to_plan()
    step = re.search(r'name="step" value="([^"]+)"', browser.open("/plan/steps/1").text)
    assert step
    browser.post("/plan/status", {"step": step.group(1), "status": "refused"})
    page = browser.open("/plan").text
    links = re.findall(
        r'<a href="/letters/(\d+)">Draft a letter for this step'
        r'<span class="visually-hidden">: ([^<]+)</span>',
        page,
    )
    assert len(links) >= 2
    for number, title in links:
        letter = browser.open(f"/letters/{number}")
        assert letter.status_code == 200, (number, title)
        assert f'For this step of your plan: <span lang="en">{title}</span>' in letter.text


def test_step_status_refuses_unknown_steps_and_statuses(browser: Browser) -> None:
    browser.start("us")
    browser.skip_to_plan()
    step = re.search(r'name="step" value="([^"]+)"', browser.open("/plan/steps/1").text)
    assert step
    assert browser.post("/plan/status", {"step": "nope", "status": "done"}).status_code == 400
    assert browser.post("/plan/status", {"step": step.group(1), "status": "meh"}).status_code == 400


def test_the_plan_downloads_as_markdown(browser: Browser) -> None:
    browser.start("us")
    browser.skip_to_plan()
    response = browser.get("/plan/download?format=md")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="ally-plan.md"'
    assert response.text.startswith("# ")


def test_no_plan_before_the_questions(browser: Browser) -> None:
    assert browser.get("/plan").headers["location"] == "/interview/start"
    assert browser.get("/plan/download").status_code == 404


def test_a_save_code_brings_the_answers_back_in_another_browser(app: FastAPI) -> None:
    from starlette.testclient import TestClient

    with TestClient(app) as first_client, TestClient(app) as second_client:
        first = Browser(first_client)
        first.start("us")
        first.skip_to_plan()
        page = first.submit("/privacy/code", {})
        code = re.search(r'<p class="code" id="code">([^<]+)</p>', page.text)
        assert code
        second = Browser(second_client)
        second.open("/resume")
        assert second.post("/resume", {"code": "AAAAA-AAAAA-AAAAA-AAAAA"}).status_code == 400
        restored = second.submit("/resume", {"code": code.group(1)})
        assert str(restored.url).endswith("/plan")


def test_idle_sessions_lock(browser: Browser, clock: Clock) -> None:
    browser.start("us")
    browser.skip_to_plan()
    clock.advance(15 * 60 + 5)
    response = browser.get("/plan")
    assert response.headers["location"] == "/locked"
    assert "Ally is locked" in browser.open("/locked").text
    assert browser.get("/plan").headers["location"] == "/locked"  # until the person moves on
    browser.submit("/start-again", {})
    assert browser.get("/plan").headers["location"] == "/interview/start"


def test_the_lock_time_can_be_changed(browser: Browser, clock: Clock) -> None:
    browser.start("us")
    browser.open("/privacy")
    assert browser.post("/privacy/lock", {"minutes": "60"}).status_code == 303
    assert browser.post("/privacy/lock", {"minutes": "7"}).status_code == 400
    clock.advance(50 * 60)
    assert browser.get("/interview").status_code == 200


def test_quick_exit_leaves_and_locks_when_there_is_a_code(browser: Browser) -> None:
    browser.start("us")
    browser.skip_to_plan()
    browser.submit("/privacy/code", {})
    response = browser.get("/exit")
    assert response.status_code == 303
    assert response.headers["location"] == "https://www.bbc.com/weather"
    assert response.headers["clear-site-data"] == '"cache"'
    assert browser.get("/plan").headers["location"] == "/locked"


def test_quick_exit_without_a_code_locks_too(browser: Browser, app: FastAPI) -> None:
    browser.start("us")
    browser.skip_to_plan()
    assert browser.get("/exit").status_code == 303
    assert browser.get("/plan").headers["location"] == "/locked"
    with state(app).storage.transaction() as db:  # nothing could open them: deleted
        assert db.query("SELECT COUNT(*) FROM web_sessions") == [(0,)]


def test_forgetting_deletes_everything(browser: Browser, app: FastAPI) -> None:
    browser.start("us")
    browser.skip_to_plan()
    browser.open("/privacy")
    page = browser.post("/privacy/forget", {})
    assert page.status_code == 200 and page.headers["clear-site-data"] == '"cache"'
    with state(app).storage.transaction() as db:
        assert db.query("SELECT COUNT(*) FROM web_sessions") == [(0,)]
    assert browser.get("/plan").headers["location"] == "/interview/start"


def test_choosing_another_pack_starts_the_questions_again(browser: Browser) -> None:
    browser.start("us")
    browser.open("/interview")
    browser.submit("/interview", {"action": "skip", "question": browser.question_id()})
    browser.start("gb")
    page = browser.open("/interview")
    assert "Question 1 of" in page.text


def test_unknown_pages_get_the_friendly_page(browser: Browser) -> None:
    page = browser.open("/no-such-page")
    assert page.status_code == 404
    assert "There is no page at this address." in page.text


def test_danger_now_shows_the_emergency_number_before_any_other_question(
    browser: Browser,
) -> None:
    browser.start("ie")
    browser.open("/interview")
    assert browser.question_id() == "in_danger_now"
    page = browser.submit(
        "/interview", {"action": "answer", "question": "in_danger_now", "answer": "yes"}
    )
    assert str(page.url).endswith("/interview/danger")
    assert "If you are in danger now" in page.text
    assert 'href="tel:999"' in page.text or "999 or 112" in page.text
    assert "Go somewhere safer" in page.text
    assert "Where is the harassment happening" not in page.text  # no other question first
    assert "Women&#39;s Aid" not in page.text and "Women's Aid" not in page.text
    assert 'href="/interview/danger?stopped=1"' in page.text
    stopped = browser.open("/interview/danger?stopped=1")
    assert "You stopped here. Your answers so far are kept" in stopped.text
    again = browser.open("/interview")  # the plan continues later, from where it was
    assert browser.question_id() != "in_danger_now"
    assert "Where is the harassment happening" in again.text


def test_back_shows_the_previous_answer_ticked(browser: Browser) -> None:
    browser.start("generic")
    browser.open("/interview")
    browser.submit("/interview", {"action": "answer", "question": "in_danger_now", "answer": "no"})
    assert browser.question_id() == "context"
    browser.submit(
        "/interview", {"action": "answer", "question": "context", "answer": ["work", "online"]}
    )
    third = browser.question_id()
    assert third not in (None, "context")
    page = browser.submit("/interview", {"action": "back", "question": third})
    assert browser.question_id() == "context"
    assert 'value="work" checked' in page.text and 'value="online" checked' in page.text
    assert 'value="school" checked' not in page.text
    page = browser.submit("/interview", {"action": "back", "question": "context"})
    assert browser.question_id() == "in_danger_now"
    assert 'value="no" checked' in page.text

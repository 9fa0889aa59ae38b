"""The plan page cache (issue 19 item 7): faster reloads, never another person's page.

Each test asserts what a person would see: their own form token and marks, a fresh page after
a change, and nothing left in memory once their session locks.
"""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter, FastAPI
from starlette.testclient import TestClient

from ally.knowledge.interview import Interview
from ally.knowledge.loader import load_pack
from ally.knowledge.schema import Question
from ally.web.pagecache import PageCache
from ally.web.pages import Visit
from ally.web.person.flow import finished
from ally.web.routing import add_routes
from ally.web.sessions import WebSession
from ally.web.state import WebState
from tests.web.conftest import Browser


def _state(app: FastAPI) -> WebState:
    state: WebState = app.state.web
    return state


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def test_the_cache_is_bounded_expires_and_answers_only_its_owner() -> None:
    now = [0.0]
    cache = PageCache(size=2, seconds=10, clock=lambda: now[0])
    first = cache.key("row-a", {"answers": 1})
    assert first != cache.key("row-b", {"answers": 1})  # same answers, another session
    cache.put("row-a", first, b"page a")
    assert cache.get("row-a", first) == b"page a"
    assert cache.get("row-b", first) is None  # a guessed key never opens someone else's page
    assert cache.get("row-a", first) is None  # ... and that lookup dropped the entry
    cache.put("row-a", first, b"page a")
    cache.put("row-a", "second", b"page 2")
    cache.put("row-a", "third", b"page 3")
    assert len(cache) == 2 and cache.get("row-a", first) is None  # the oldest went first
    now[0] = 11.0
    assert cache.get("row-a", "third") is None  # expired
    cache.put("row-a", "fourth", b"page 4")
    cache.put("row-b", "fifth", b"page 5")
    cache.forget("row-a")
    assert cache.get("row-a", "fourth") is None and cache.get("row-b", "fifth") == b"page 5"


def test_two_people_with_the_same_answers_each_get_their_own_page(app: FastAPI) -> None:
    with TestClient(app) as one, TestClient(app) as two:
        first, second = Browser(one), Browser(two)
        for person in (first, second):
            person.start("us")
            person.skip_to_plan()
        pages = {name: person.open("/plan").text for name, person in (("a", first), ("b", second))}
        again = {name: person.open("/plan").text for name, person in (("a", first), ("b", second))}
    assert _csrf(pages["a"]) != _csrf(pages["b"])
    assert again["a"] == pages["a"] and again["b"] == pages["b"]  # each reload is their own
    assert len(_state(app).pages) == 2


def test_a_reload_is_the_same_page_and_a_mark_shows_at_once(browser: Browser, app: FastAPI) -> None:
    browser.start("us")
    plan = browser.skip_to_plan()
    reload = browser.open("/plan")
    assert reload.text == plan.text
    assert reload.headers["content-security-policy"] == plan.headers["content-security-policy"]
    assert len(_state(app).pages) == 1
    step = re.search(r'name="step" value="([^"]+)"', browser.open("/plan/steps/1").text)
    assert step
    browser.post("/plan/status", {"step": step.group(1), "status": "refused"})
    marked = browser.open("/plan")
    assert 'value="refused" class="secondary" aria-pressed="true"' in marked.text
    assert 'aria-pressed="true"' not in plan.text
    browser.post("/plan/status", {"step": step.group(1), "status": "done"})
    done = browser.open("/plan")
    assert 'value="done" class="secondary" aria-pressed="true"' in done.text
    assert 'value="refused" class="secondary" aria-pressed="true"' not in done.text


def test_a_place_given_shows_its_services_at_once(browser: Browser) -> None:
    browser.start("us")
    plan = browser.skip_to_plan()
    assert browser.open("/plan").text == plan.text  # now cached
    browser.submit("/plan/place", {"action": "set", "place": "Oakland, CA"})
    near = browser.open("/plan")
    assert "Services near Oakland, CA" in near.text and "Services near" not in plan.text
    browser.submit("/plan/place", {"action": "forget"})
    assert "Services near" not in browser.open("/plan").text


def test_quick_exit_drops_the_session_pages(browser: Browser, app: FastAPI) -> None:
    browser.start("us")
    browser.skip_to_plan()
    browser.open("/plan")
    assert len(_state(app).pages) == 1
    browser.get("/exit")
    assert len(_state(app).pages) == 0
    assert browser.get("/plan").headers["location"] == "/locked"


def _all_skipped(pack_id: str) -> Interview:
    interview = Interview(load_pack(pack_id, "en"))
    while (question := interview.current()) is not None:
        interview.skip(question.id)
    return interview


def test_an_interview_is_known_over_only_for_the_same_session_and_answers() -> None:
    """``flow.finished`` skips the engine on a reload, never for changed answers or a stranger."""
    facts = PageCache()
    interview = _all_skipped("us")
    engine_runs: list[str] = []
    ask_engine = interview.current

    def counted() -> Question | None:
        engine_runs.append("run")
        return ask_engine()

    interview.current = counted  # type: ignore[method-assign]
    alex = Visit(WebSession("token-a", row="row-a"), "en")
    sam = Visit(WebSession("token-b", row="row-b"), "en")
    assert finished(facts, alex, interview) and len(engine_runs) == 1
    assert finished(facts, alex, interview) and len(engine_runs) == 1  # remembered
    assert finished(facts, sam, interview) and len(engine_runs) == 2  # not from Alex's entry
    first = next(iter(interview.answers))
    kept = interview.answers.pop(first)
    assert not finished(facts, alex, interview)  # a question is open again: the engine says so
    assert len(engine_runs) == 3
    interview.answers[first] = kept
    facts.forget("row-a")  # the session locked
    assert finished(facts, alex, interview) and len(engine_runs) == 4


def test_a_new_start_after_the_plan_asks_the_questions_again(
    browser: Browser, app: FastAPI
) -> None:
    browser.start("us")
    browser.skip_to_plan()
    assert browser.get("/plan").status_code == 200  # the interview is now known to be over
    assert len(_state(app).finished) == 1
    browser.submit("/interview/start", {"action": "answer", "answer": "gb"})
    moved = browser.get("/plan")
    assert moved.status_code == 303 and moved.headers["location"] == "/interview"
    question = browser.open("/interview")
    assert browser.question_id() is not None and "<h1>Your plan</h1>" not in question.text
    plan = browser.skip_to_plan()
    assert "<h1>Your plan</h1>" in plan.text


def test_going_back_from_the_plan_shows_the_question_again(browser: Browser) -> None:
    browser.start("us")
    browser.skip_to_plan()
    assert browser.get("/plan").status_code == 200
    browser.submit("/interview", {"action": "back", "question": ""})
    assert browser.get("/plan").headers["location"] == "/interview"


def test_quick_exit_drops_what_was_known_about_the_interview(
    browser: Browser, app: FastAPI
) -> None:
    browser.start("us")
    browser.skip_to_plan()
    browser.open("/plan")
    assert len(_state(app).finished) == 1
    browser.get("/exit")
    assert len(_state(app).finished) == 0


def test_the_pages_are_one_flat_route_table_and_not_in_the_api_description(app: FastAPI) -> None:
    """web/routing.py: page routes sit in the app's own table (one search per request), and
    /api's OpenAPI document still describes only /api."""
    own = {getattr(route, "path", None) for route in app.router.routes}
    assert {"/", "/plan", "/plan/steps/{number}", "/interview", "/journal"} <= own
    assert all(path.startswith("/api/") for path in app.openapi()["paths"])
    nested = APIRouter()
    nested.include_router(APIRouter())
    with pytest.raises(TypeError, match="only its own page routes"):
        add_routes(APIRouter(), [nested])

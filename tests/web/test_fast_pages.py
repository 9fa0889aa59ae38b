"""Reloads answered by web/fastpages.py (issue 19 item 7): the person's own page, never a stale one.

Each test first makes sure the reload it checks really was answered there (no session was
opened for it), then asserts what the person sees: their own form token and place, the new
plan after a changed answer, the locked page after the idle time or quick exit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.web.sessions import COOKIE, WebSession
from ally.web.state import WebState
from tests.web.conftest import JOURNAL_PASSPHRASE, Browser, Clock


def _state(app: FastAPI) -> WebState:
    state: WebState = app.state.web
    return state


@contextmanager
def _opened(app: FastAPI) -> Iterator[list[str | None]]:
    """Every session the ordinary path opens meanwhile (the fast path opens none)."""
    sessions = _state(app).sessions
    opened: list[str | None] = []
    real = sessions.open

    def counted(token: str | None) -> WebSession:
        opened.append(token)
        return real(token)

    sessions.open = counted  # type: ignore[method-assign]
    try:
        yield opened
    finally:
        del sessions.open


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def test_two_people_reloading_in_turn_each_get_their_own_page(app: FastAPI) -> None:
    with TestClient(app) as one, TestClient(app) as two:
        alex, sam = Browser(one), Browser(two)
        for person in (alex, sam):
            person.start("us")
            person.skip_to_plan()
        alex.submit("/plan/place", {"action": "set", "place": "Oakland, CA"})
        first = {"alex": alex.get("/plan").text, "sam": sam.get("/plan").text}
        with _opened(app) as opened:
            pages = [(name, person.get("/plan")) for _ in range(3) for name, person in
                     (("alex", alex), ("sam", sam))]  # fmt: skip
        assert opened == []  # every one of these reloads came from the fast path
        for name, page in pages:
            assert page.status_code == 200 and page.text == first[name]
        assert _csrf(first["alex"]) == alex.csrf != _csrf(first["sam"]) == sam.csrf
        assert "Services near Oakland, CA" in first["alex"]
        assert "Services near" not in first["sam"]
        with TestClient(app) as stranger:  # a made-up cookie finds nobody's page
            stranger.cookies.set(COOKIE, "x" * 43)
            guessed = stranger.get("/plan", follow_redirects=False)
        assert guessed.status_code == 303 and guessed.headers["location"] == "/interview/start"


def test_a_changed_answer_shows_the_new_plan_at_once(browser: Browser, app: FastAPI) -> None:
    browser.start("us")
    browser.skip_to_plan()
    with _opened(app) as opened:
        before = browser.get("/plan")
    assert opened == [] and "EEOC" in before.text and "Equality Act" not in before.text
    browser.submit("/interview/start", {"action": "answer", "answer": "gb"})  # the first answer
    assert browser.get("/plan").headers["location"] == "/interview"  # not the cached US plan
    browser.skip_to_plan()
    with _opened(app) as opened:
        after = browser.get("/plan")
    assert opened == [] and "Equality Act" in after.text and "EEOC" not in after.text
    browser.submit("/interview", {"action": "back", "question": ""})  # a question open again
    assert browser.get("/plan").headers["location"] == "/interview"


def test_the_first_screen_follows_the_language_and_the_camouflage(browser: Browser) -> None:
    browser.start("us")
    english = browser.get("/")
    with _opened(browser.client.app) as opened:  # type: ignore[arg-type]
        assert browser.get("/").text == english.text
    assert opened == [] and "<h1>Help to get harassment stopped</h1>" in english.text
    browser.submit("/language", {"lang": "es", "next": "/"})
    spanish = browser.get("/")
    assert "<h1>Ayuda para que el acoso pare</h1>" in spanish.text
    assert "Help to get harassment stopped" not in spanish.text
    browser.submit("/privacy/camouflage", {"name": "notes"})  # one setting for the whole app
    neutral = browser.get("/")
    assert "<h1>Notas</h1>" in neutral.text and "Ally" not in neutral.text


def test_the_idle_lock_and_its_activity_record_still_happen(
    browser: Browser, app: FastAPI, clock: Clock
) -> None:
    browser.start("us")
    plan = browser.skip_to_plan().text
    clock.advance(31)  # past the 30 s after which activity is recorded again
    with _opened(app) as opened:
        pages = [browser.get("/plan").text for _ in range(3)]
    # Recorded (a write: that page is not kept), then kept by the next reload, then fast.
    assert len(opened) == 2 and pages == [plan] * 3
    clock.advance(_state(app).config.lock_minutes * 60 + 1)
    locked = browser.get("/plan")
    assert locked.status_code == 303 and locked.headers["location"] == "/locked"
    assert "Your plan" not in browser.open("/plan").text


def test_after_quick_exit_the_old_cookie_gets_no_page(browser: Browser, app: FastAPI) -> None:
    browser.start("us")
    browser.skip_to_plan()
    old = browser.client.cookies[COOKIE]
    with _opened(app) as opened:
        assert "<h1>Your plan</h1>" in browser.get("/plan").text
    assert opened == []
    browser.get("/exit")
    assert len(_state(app).fast) == 0
    with TestClient(app) as replay:  # someone replays the cookie from before the exit
        replay.cookies.set(COOKIE, old)
        page = replay.get("/plan", follow_redirects=False)
    assert page.status_code == 303 and "Your plan" not in page.text


def test_a_fast_answer_is_the_ordinary_page_with_the_same_headers(
    browser: Browser, app: FastAPI
) -> None:
    browser.start("us")
    ordinary = browser.skip_to_plan()
    with _opened(app) as opened:
        fast = browser.get("/plan")
    assert opened == [] and fast.content == ordinary.content
    for name in ("content-type", "content-length", "content-security-policy", "cache-control"):
        assert fast.headers[name] == ordinary.headers[name], name
    assert fast.headers["cache-control"] == "no-store" and "set-cookie" not in fast.headers


def test_the_journal_locking_or_opening_shows_at_once(journal: Browser, app: FastAPI) -> None:
    """Open: every reload is built the ordinary way (the journal's head may move). Locked:
    reloads are fast and say the marks are kept for this visit only. Open again: not that."""
    keep_hint = "What you mark below is kept for this visit only"
    journal.start("us")
    journal.skip_to_plan()
    with _opened(app) as opened:
        open_pages = [journal.get("/plan").text for _ in range(2)]
    assert len(opened) == 2 and all(keep_hint not in page for page in open_pages)
    journal.submit("/journal/lock", {})
    journal.get("/plan")
    with _opened(app) as opened:
        locked = journal.get("/plan").text
    assert opened == [] and keep_hint in locked
    journal.open("/journal")
    journal.submit("/journal/unlock", {"passphrase": JOURNAL_PASSPHRASE})
    with _opened(app) as opened:
        reopened = journal.get("/plan").text
    assert len(opened) == 1 and keep_hint not in reopened and "<h1>Your plan</h1>" in reopened

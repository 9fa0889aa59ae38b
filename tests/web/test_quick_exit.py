"""Quick exit leaves nothing behind: the neutral page for every address, ways to carry on,
camouflage, and half-written incidents kept as encrypted drafts."""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.web.state import WebState
from tests.web.conftest import Browser, Clock

PERSONAL = "Sexual harassment"
"""A plan summary line that shows what the person told Ally (on the plan's review of answers)."""


def state(app: FastAPI) -> WebState:
    web: WebState = app.state.web
    return web


def _plan_with_answers(browser: Browser) -> str:
    browser.start("us")
    plan = browser.skip_to_plan()
    assert plan.status_code == 200
    return plan.text


def test_after_quick_exit_every_address_shows_the_neutral_page(browser: Browser) -> None:
    _plan_with_answers(browser)
    exited = browser.get("/exit")
    assert exited.status_code == 303
    assert "ally_left=1" in exited.headers.get("set-cookie", "")
    for path in ("/", "/plan", "/interview", "/case", "/journal", "/privacy", "/documents"):
        response = browser.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/locked", path
    page = browser.open("/locked")
    assert page.status_code == 200
    assert "Ally is locked" in page.text
    assert 'href="/plan"' not in page.text  # no menu into the person's pages
    assert "Continue where I left off" not in page.text  # not turned on


def test_starting_again_shows_the_pages_with_nothing_in_them(browser: Browser) -> None:
    _plan_with_answers(browser)
    browser.get("/exit")
    browser.open("/locked")
    home = browser.submit("/start-again", {})
    assert str(home.url).endswith("/") and "Help to get harassment stopped" in home.text
    assert browser.get("/plan").headers["location"] == "/interview/start"


def test_a_save_code_carries_on_after_quick_exit(browser: Browser) -> None:
    _plan_with_answers(browser)
    page = browser.submit("/privacy/code", {})
    found = re.search(r'<p class="code" id="code">([^<]+)</p>', page.text)
    assert found
    browser.get("/exit")
    browser.open("/locked")
    wrong = browser.post("/resume", {"code": "AAAAA-AAAAA-AAAAA-AAAAA", "from": "locked"})
    assert wrong.status_code == 400 and "Ally is locked" in wrong.text
    restored = browser.submit("/resume", {"code": found.group(1)})
    assert str(restored.url).endswith("/plan")
    assert browser.get("/plan").status_code == 200  # the marker is gone with the session back


def test_continue_where_i_left_off_only_in_this_browser_and_only_if_turned_on(
    app: FastAPI,
) -> None:
    with TestClient(app) as first_client, TestClient(app) as second_client:
        first = Browser(first_client)
        first.start("us")
        first.skip_to_plan()
        first.open("/privacy")
        turned_on = first.post("/privacy/continue", {"allow": "yes"})
        assert "ally_continue=" in turned_on.headers["set-cookie"]
        assert "It is on for this browser." in first.open("/privacy").text
        first.get("/exit")
        locked = first.open("/locked")
        assert "Continue where I left off" in locked.text
        with state(app).storage.transaction() as db:  # locked, not deleted
            assert db.query("SELECT cookie_key FROM web_sessions") == [(None,)]
        other = Browser(second_client)
        other.open("/locked")
        refused = other.post("/continue", {})
        assert refused.status_code == 400
        assert "There is nothing to continue in this browser." in refused.text
        carried_on = first.submit("/continue", {})
        assert str(carried_on.url).endswith("/plan")


def test_turning_continue_off_means_quick_exit_deletes_again(
    browser: Browser, app: FastAPI
) -> None:
    _plan_with_answers(browser)
    browser.open("/privacy")
    browser.post("/privacy/continue", {"allow": "yes"})
    browser.open("/privacy")
    browser.post("/privacy/continue", {"allow": "no"})
    browser.get("/exit")
    assert "Continue where I left off" not in browser.open("/locked").text
    with state(app).storage.transaction() as db:
        assert db.query("SELECT COUNT(*) FROM web_sessions") == [(0,)]
        assert db.query("SELECT COUNT(*) FROM web_continue") == [(0,)]


def test_the_idle_lock_also_leads_to_the_neutral_page(browser: Browser, clock: Clock) -> None:
    _plan_with_answers(browser)
    clock.advance(15 * 60 + 5)
    assert browser.get("/plan").headers["location"] == "/locked"
    browser.open("/locked")
    assert browser.get("/plan").headers["location"] == "/locked"


def test_camouflage_hides_the_name_on_the_first_screen_and_the_neutral_page(
    browser: Browser, app: FastAPI
) -> None:
    browser.open("/privacy")
    assert browser.post("/privacy/camouflage", {"name": "bogus"}).status_code == 400
    browser.post("/privacy/camouflage", {"name": "notes"})
    for path in ("/", "/locked"):
        page = browser.open(path)
        visible = re.sub(r"<[^>]+>", " ", page.text)  # text and title, not file names
        assert "Ally" not in visible, path
        assert "harass" not in visible.lower(), path
        assert "<title>" in page.text and "– Notes</title>" in page.text
        assert "neutral.svg" in page.text and "favicon.svg" not in page.text
        assert ">Close</a>" in page.text
    browser.submit("/start-again", {})  # the locked page is where quick exit leads
    assert "Help to get harassment stopped" in browser.open("/welcome").text
    browser.open("/privacy")
    browser.post("/privacy/camouflage", {"name": "off"})
    assert "Help to get harassment stopped" in browser.open("/").text
    assert state(app).settings.camouflage() is None


def test_camouflage_lasts_for_the_whole_app(tmp_path: object, app: FastAPI) -> None:
    with TestClient(app) as client:
        browser = Browser(client)
        browser.open("/privacy")
        browser.post("/privacy/camouflage", {"name": "recipes"})
    with TestClient(app) as client:  # another person, another browser
        assert "– Recipes</title>" in client.get("/").text


def _draft_fields(browser: Browser) -> tuple[str, str]:
    form = browser.open("/journal/new").text
    found = re.search(r'name="draft" value="([0-9a-f]{32})"', form)
    assert found and 'data-draft="/journal/draft"' in form
    return found.group(1), form


def test_a_half_written_incident_is_kept_encrypted_and_can_be_finished(
    journal: Browser, app: FastAPI
) -> None:
    draft_id, _ = _draft_fields(journal)
    what = "He waited by my car again and took photos of me."
    kept = journal.post("/journal/draft", {"draft": draft_id, "what": what, "where": "car park"})
    assert kept.status_code == 204
    with state(app).storage.transaction() as db:
        stored = repr(db.query("SELECT * FROM journal_drafts"))
    assert "waited by my car" not in stored and "car park" not in stored
    journal.get("/exit")  # quick exit locks the journal; its passphrase opens it again
    journal.open("/locked")
    journal.submit("/start-again", {})
    journal.open("/journal")
    from tests.web.conftest import JOURNAL_PASSPHRASE

    timeline = journal.submit("/journal/unlock", {"passphrase": JOURNAL_PASSPHRASE})
    assert "You have 1 unfinished incident." in timeline.text
    listing = journal.open("/journal/new").text
    assert "Unfinished incidents" in listing and "He waited by my car again" in listing
    resumed = journal.open(f"/journal/new?draft={draft_id}").text
    assert what in resumed and 'value="car park"' in resumed
    assert f'name="draft" value="{draft_id}"' in resumed
    saved = journal.client.post(
        "/journal/new",
        data={"csrf": journal.csrf, "draft": draft_id, "when_words": "last week", "what": what},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "Unfinished incidents" not in journal.open("/journal/new").text
    late = journal.post("/journal/draft", {"draft": draft_id, "what": what})
    assert late.status_code == 204
    assert "Unfinished incidents" not in journal.open("/journal/new").text  # not brought back


def test_a_draft_can_be_deleted_and_needs_the_journal_open(journal: Browser) -> None:
    draft_id, _ = _draft_fields(journal)
    journal.post("/journal/draft", {"draft": draft_id, "what": "Something to delete"})
    assert "Something to delete" in journal.open("/journal/new").text
    journal.submit(f"/journal/drafts/{draft_id}/delete", {})
    assert "Something to delete" not in journal.open("/journal/new").text
    journal.submit("/journal/lock", {})
    refused = journal.post("/journal/draft", {"draft": draft_id, "what": "x"})
    assert refused.status_code == 409
    assert journal.post("/journal/draft", {"draft": "not-an-id", "what": "x"}).status_code == 400

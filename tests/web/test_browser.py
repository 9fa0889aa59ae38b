"""The whole flow in Debian's Chromium: with JavaScript, without it, and by keyboard alone.

axe-core checks every page for WCAG 2.2 AA problems; every request is recorded and must go to
the app's own origin. Screenshots are kept in test-artifacts/web/.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser_support import RequestLog, answer_on_page, axe_violations, click_and_load
from tests.web.conftest import LiveServer, keep_screenshot

pytestmark = pytest.mark.slow


@pytest.fixture
def context(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1024, "height": 900}, locale="en-US")
    yield context
    context.close()


class Visit:
    """One page object with its request log, checking accessibility on every new page."""

    def __init__(self, context: Any, server: LiveServer, artifacts: Path, prefix: str) -> None:
        self.page = context.new_page()
        self.server = server
        self.artifacts = artifacts
        self.prefix = prefix
        self.requests = RequestLog(server.url, server.neutral)
        self.page.on("request", self.requests)
        self.console_errors: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        self.checked: list[str] = []

    def goto(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    def check(self, name: str) -> None:
        """axe on this page (zero violations) and a screenshot kept as an artifact."""
        keep_screenshot(self.page, self.artifacts / f"{self.prefix}-{name}.png", full_page=True)
        violations = axe_violations(self.page)
        assert violations == [], f"{name}: {violations}"
        self.checked.append(name)


def test_whole_flow_with_javascript(context: Any, live_server: LiveServer, artifacts: Path) -> None:
    visit = Visit(context, live_server, artifacts, "js")
    page = visit.page
    visit.goto("/")
    visit.check("welcome")
    click_and_load(page.get_by_role("link", name="Start"))
    visit.check("choose-pack")
    page.get_by_label("United States (federal)").check()
    click_and_load(page.get_by_role("button", name="Continue"))
    kinds_seen: set[str] = set()
    for _ in range(40):
        if page.url.endswith("/plan"):
            break
        kind = _kind(page)
        if kind not in kinds_seen:
            kinds_seen.add(kind)
            visit.check(f"question-{kind}")
            if kind == "text":
                click_and_load(page.get_by_role("button", name="Continue"))
                visit.check("question-error")
        if kind == "danger":  # a yes to danger: the emergency number first, then carry on
            assert "If you are in danger, call 911." in page.locator(".emergency").inner_text()
            assert page.get_by_role("link", name="Stop here for now").count() == 1
        answer_on_page(page)
    assert page.url.endswith("/plan")
    visit.check("plan")
    moved = _mark_first_step(page, "Done")
    assert moved.get_by_role("button", name="Done").get_attribute("aria-pressed") == "true"
    for path, name in [("/privacy", "privacy"), ("/resume", "resume"), ("/locked", "locked")]:
        visit.goto(path)
        visit.check(name)
    visit.goto("/no-such-page")
    visit.check("not-found")
    visit.goto("/privacy")
    click_and_load(page.get_by_role("button", name="Make a save code"))
    visit.check("save-code")
    _journal_flow(visit, artifacts, check=True)
    _case_flow(visit, check=True)
    _evidence_flow(visit, artifacts, check=True)
    _documents_flow(visit, check=True)
    _help_flow(visit, check=True)
    visit.goto("/plan")
    click_and_load(page.get_by_role("button", name="Español"))
    visit.check("plan-es")
    visit.goto("/")
    visit.check("welcome-es")
    assert visit.requests.foreign() == []
    # Error pages (404, 422) are expected; anything else, such as a CSP refusal, is not.
    expected = "Failed to load resource: the server responded with a status of"
    assert [text for text in visit.console_errors if not text.startswith(expected)] == []
    assert len(visit.checked) >= 30


def test_escape_leaves_and_replaces_the_history_entry(
    context: Any, live_server: LiveServer
) -> None:
    visit = Visit(context, live_server, Path(), "esc")
    page = visit.page
    visit.goto("/")
    click_and_load(page.get_by_role("link", name="Start"))
    page.get_by_label("United States (federal)").check()
    click_and_load(page.get_by_role("button", name="Continue"))
    visit.goto("/privacy")
    click_and_load(page.get_by_role("button", name="Make a save code"))
    visit.goto("/interview")
    click_and_load(page.get_by_role("button", name="I'd rather not say"))
    before = page.evaluate("history.length")
    page.keyboard.press("Escape")
    page.wait_for_url(live_server.neutral)
    assert page.evaluate("history.length") == before  # replaced, not added
    page.go_back()  # the question page before: Ally locked on exit, so only the locked page
    page.wait_for_url("**/locked")  # and loaded, before looking for what it must not show
    assert page.locator("input[name=answer]:checked").count() == 0
    assert visit.requests.foreign() == []


def test_the_idle_lock_warns_first_and_can_be_put_off(
    context: Any, live_server: LiveServer
) -> None:
    page = context.new_page()
    page.clock.install()
    page.goto(live_server.url + "/privacy")
    lock = int(page.locator("body").get_attribute("data-lock-seconds") or 0)
    assert lock == 15 * 60
    warning = page.get_by_role("alertdialog")
    assert warning.is_hidden()
    page.clock.run_for((lock - 119) * 1000)
    expect(warning).to_be_visible()
    with page.expect_response("**/still-here"):
        page.get_by_role("button", name="Stay unlocked").click()
    # The warning is hidden (and the lock put off) when the page has read the answer, a moment
    # after the response arrives.
    expect(warning).to_be_hidden()
    page.clock.run_for((lock + 5) * 1000)
    page.wait_for_url("**/locked")


def test_whole_flow_without_javascript(
    chromium: Any, live_server: LiveServer, artifacts: Path
) -> None:
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 800, "height": 900}
    )
    try:
        visit = Visit(context, live_server, artifacts, "nojs")
        page = visit.page
        visit.goto("/")
        assert page.locator(".exit-hint").is_hidden()
        click_and_load(page.get_by_role("link", name="Start"))
        page.get_by_label("United States (federal)").check()
        click_and_load(page.get_by_role("button", name="Continue"))
        click_and_load(page.get_by_role("button", name="I'd rather not say"))
        click_and_load(page.get_by_role("button", name="Back"))
        for _ in range(40):
            if page.url.endswith("/plan"):
                break
            answer_on_page(page)
        assert page.url.endswith("/plan")
        keep_screenshot(page, artifacts / "nojs-plan.png", full_page=True)
        refused = _mark_first_step(page, "They refused")
        assert "Where this stands: They refused" in refused.inner_text()
        _journal_flow(visit, artifacts, check=False)
        _case_flow(visit, check=False)
        _evidence_flow(visit, artifacts, check=False)
        _documents_flow(visit, check=False)
        _help_flow(visit, check=False)
        click_and_load(page.get_by_role("button", name="Español"))
        assert page.locator("html").get_attribute("lang") == "es"
        click_and_load(page.get_by_role("link", name="Salida rápida"))
        page.wait_for_url(live_server.neutral)
        assert visit.requests.foreign() == []
    finally:
        context.close()


def test_keyboard_alone_completes_the_interview(context: Any, live_server: LiveServer) -> None:
    page = context.new_page()
    page.goto(live_server.url + "/")
    _tab_to(page, "a[href='/interview/start'].button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/interview/start")
    _tab_to(page, "input[name=answer]")
    for _ in range(30):
        if page.evaluate("document.activeElement.value") == "us":
            break
        page.keyboard.press("ArrowDown")
    _tab_to(page, "button[value=answer]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    danger_pages = 0
    for _ in range(40):
        if page.url.endswith("/plan"):
            break
        if "/interview/danger" in page.url:
            # "Yes, in danger" shows what to do now first (issue 20); carry on by keyboard.
            danger_pages += 1
            assert "call" in page.content()
            _tab_to(page, "a.button[href='/interview']")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            continue
        _answer_by_keyboard(page)
    assert page.url.endswith("/plan")
    assert danger_pages == 1  # the first answer by Space is "Yes"
    assert page.get_by_role("heading", name="Your plan").count() == 1


PASSPHRASE = "copper window harbor seventeen"


def _journal_flow(visit: Visit, artifacts: Path, check: bool) -> None:
    """Open the journal, add an incident with a photo, see it, download it, verify the journal."""
    page = visit.page
    maybe_check = visit.check if check else (lambda name: None)
    visit.goto("/journal")
    if page.get_by_role("heading", name="Start your journal").count():
        maybe_check("journal-create")
        page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
        page.get_by_label("The same passphrase again").fill(PASSPHRASE)
        click_and_load(page.get_by_role("button", name="Start my journal"))
        maybe_check("journal-recovery-code")
        click_and_load(page.get_by_role("link", name="I have written it down. Continue"))
    else:
        maybe_check("journal-unlock")
        page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
        click_and_load(page.get_by_role("button", name="Unlock"))
    maybe_check("journal-timeline")
    click_and_load(page.get_by_role("link", name="Add an incident"))
    maybe_check("journal-new")
    page.get_by_label("Date", exact=True).fill("2026-05-03")
    page.get_by_label("What happened").fill("He followed me to the bus stop again.")
    photo = artifacts / "evidence-photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"pixels" * 50_000)
    page.get_by_label("Photos, screenshots or other files (optional)").set_input_files(str(photo))
    click_and_load(page.get_by_role("button", name="Save to the journal"))
    assert "/journal/entries/" in page.url
    maybe_check("journal-entry")
    with page.expect_download() as download:
        page.get_by_role("link", name="evidence-photo.png").click()
    assert Path(download.value.path()).read_bytes() == photo.read_bytes()
    click_and_load(page.get_by_role("link", name="Back to the timeline"))
    assert page.get_by_role("link", name="He followed me to the bus stop", exact=False).count() >= 1
    click_and_load(page.get_by_role("link", name="Check it is intact"))
    assert "Nothing in the journal was changed" in page.content()
    maybe_check("journal-integrity")
    visit.goto("/journal/export")
    maybe_check("journal-export")
    visit.goto("/journal")
    click_and_load(page.get_by_role("button", name="Lock the journal"))
    assert page.get_by_role("heading", name="Unlock your journal").count() == 1


def _case_flow(visit: Visit, check: bool) -> None:
    """The case page: explained while the journal is locked, then used with it open."""
    page = visit.page
    maybe_check = visit.check if check else (lambda name: None)
    visit.goto("/case")
    assert page.get_by_role("heading", name="Your case", exact=True).count() == 1
    maybe_check("case-locked")
    click_and_load(page.get_by_role("link", name="Unlock your journal"))
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    click_and_load(page.get_by_role("button", name="Unlock"))
    assert page.url.endswith("/case")
    visit.goto("/plan")
    refused = _mark_first_step(page, "They refused").locator("h3").inner_text()
    visit.goto("/case")
    assert page.get_by_role("heading", name="What to do next").count() == 1
    maybe_check("case")
    # The refused step keeps its status in the case, wherever the reordered plan lists it.
    kept = page.locator(
        "article.case-step", has=page.get_by_role("heading", name=refused, exact=True)
    )
    assert kept.locator("p").first.inner_text().startswith("Where it stands: They refused")
    step = page.locator("article.case-step").nth(1)
    step.locator("summary").click()
    step.get_by_label("What happened", exact=True).select_option("waiting")
    day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    step.get_by_label("On which day (optional)").fill(day)
    step.get_by_label("A note for yourself (optional)").fill("Phoned them; they will write back.")
    click_and_load(step.get_by_role("button", name="Save to your case"))
    assert page.url.split("#")[0].endswith("/case")
    assert "Phoned them; they will write back." in page.content()
    waiting = page.locator("section", has=page.get_by_role("heading", name="Waiting for an answer"))
    assert "(3 days)" in waiting.inner_text()
    step = page.locator("article.case-step").first
    step.locator("summary").click()
    step.get_by_label("A note for yourself (optional)").fill("x" * 2001)
    click_and_load(step.get_by_role("button", name="Save to your case"))
    assert page.get_by_role("alert").count() >= 1
    maybe_check("case-error")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download reminders").click()
    assert Path(download.value.path()).read_bytes().startswith(b"BEGIN:VCALENDAR")
    visit.goto("/journal")
    click_and_load(page.get_by_role("button", name="Lock the journal"))


CHAT = b"""1/15/26, 9:06 PM - Sam: Hey, are you there?
1/15/26, 9:07 PM - Sam: I know where you live and I will kill you
1/16/26, 12:01 AM - Alex: leave me alone
"""


def _evidence_flow(visit: Visit, artifacts: Path, check: bool) -> None:
    """Import a chat export, review the flagged message, search, and see a bad file refused."""
    page = visit.page
    maybe_check = visit.check if check else (lambda name: None)
    visit.goto("/evidence/import")
    assert page.get_by_role("heading", name="Import a chat or email export").count() == 1
    maybe_check("evidence-locked")
    click_and_load(page.get_by_role("link", name="Unlock your journal"))
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    click_and_load(page.get_by_role("button", name="Unlock"))
    assert page.url.endswith("/evidence/import")
    maybe_check("evidence-import")
    chat = artifacts / "WhatsApp Chat with Sam.txt"
    chat.write_bytes(CHAT)
    page.get_by_label("The exported file").set_input_files(str(chat))
    click_and_load(page.get_by_role("button", name="Import", exact=True))
    assert page.get_by_role("heading", name="Import finished").count() == 1
    assert "3 messages read" in page.content()
    maybe_check("evidence-result")
    click_and_load(page.get_by_role("link", name="Review the messages"))
    click_and_load(page.get_by_role("link", name="Show messages already reviewed too"))
    first = page.locator("article.message").first
    assert "I know where you live" in first.inner_text()
    assert "Threat" in first.inner_text()
    maybe_check("evidence-review")
    click_and_load(first.get_by_role("button", name="Keep as evidence"))
    assert "/evidence/review" in page.url
    assert page.locator("article.message").first.get_by_text("Kept as evidence").count() == 1
    click_and_load(page.get_by_role("link", name="Search the messages"))
    page.get_by_label("Who sent it (part of a name or number)").fill("Sam")
    click_and_load(page.get_by_role("button", name="Search", exact=True))
    assert page.url.endswith("/evidence/search")  # the search went in the body, not the URL
    assert "2 messages found." in page.get_by_role("status").inner_text()
    maybe_check("evidence-search")
    visit.goto("/evidence/import")
    broken = artifacts / "broken.json"
    broken.write_bytes(b'{"messages": [{"id": 1, "date": ')
    page.get_by_label("The exported file").set_input_files(str(broken))
    click_and_load(page.get_by_role("button", name="Import", exact=True))
    assert "nothing was added to your journal" in page.get_by_role("alert").inner_text()
    maybe_check("evidence-import-error")


def _documents_flow(visit: Visit, check: bool) -> None:
    """Draft a letter from the plan, change it and download it; the report and the calendar."""
    page = visit.page
    maybe_check = visit.check if check else (lambda name: None)
    visit.goto("/plan")
    drafts = page.get_by_role("link", name="Draft a letter for this step")
    assert drafts.count() >= 1  # a US work plan has letters (supervisor, HR, the agency)
    step_title = drafts.first.locator(".visually-hidden").inner_text().removeprefix(": ")
    click_and_load(drafts.first)
    assert "/letters/" in page.url
    # The letter is for the step whose link was followed, even after a step was marked refused
    # and the plan reordered: the letter page must number steps as the plan page does.
    assert page.locator("p.meta").inner_text() == f"For this step of your plan: {step_title}"
    maybe_check("letter")
    page.get_by_label("Your name", exact=True).fill("Ana Gómez")
    click_and_load(page.get_by_role("button", name="Write the draft again with these details"))
    letter = page.get_by_label("The letter. You can change anything in it before you download it.")
    assert "Ana Gómez" in letter.input_value()
    letter.fill("Subject: My complaint\n\nIn my own words.")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as text (.txt)").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert saved == "Subject: My complaint\n\nIn my own words.\n"
    visit.goto("/documents")
    maybe_check("documents")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report").click()
    report = Path(download.value.path())
    assert report.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is required (Debian package poppler-utils)"
    text = " ".join(
        subprocess.run(
            [pdftotext, str(report), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "I know where you live and I will kill you" in text  # kept as evidence above
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the calendar").click()
    calendar = Path(download.value.path()).read_text(encoding="utf-8")
    # A whole calendar from Ally (the interview was skipped, so it may hold no deadline yet).
    assert calendar.startswith("BEGIN:VCALENDAR") and calendar.rstrip().endswith("END:VCALENDAR")
    assert "PRODID:-//Ally//" in calendar
    visit.goto("/journal")
    click_and_load(page.get_by_role("button", name="Lock the journal"))


def _help_flow(visit: Visit, check: bool) -> None:
    """Search the directory, then give a place on the plan page (and a wrong one)."""
    page = visit.page
    maybe_check = visit.check if check else (lambda name: None)
    click_and_load(page.get_by_role("link", name="Find help", exact=True))
    maybe_check("help")
    page.get_by_label("Near (city or postcode, optional)").fill("Oakland, CA")
    page.get_by_label("Kind of help").select_option("advocacy")
    click_and_load(page.get_by_role("button", name="Search", exact=True))
    assert page.url.endswith("/help#results")  # the page jumps to the results (issue 18)
    assert page.locator("#results").inner_text() == "Results"
    # Nothing local with an address for this kind of help in the test directory: the page says
    # so for the place it understood, and lists the services that cover the state or country.
    assert "services for your state or country" in page.get_by_role("status").inner_text()
    assert "Nothing with an address was found near Oakland, CA." in page.content()
    maybe_check("help-results")
    visit.goto("/plan")
    page.get_by_label("Where are you? (city or postcode)").fill("94612")
    click_and_load(page.get_by_role("button", name="Show services near me"))
    assert page.url.split("#")[0].endswith("/plan")
    assert "the nearest ones to Oakland, CA 94612" in page.content()
    maybe_check("plan-nearby")
    page.get_by_label("Where are you? (city or postcode)").fill("Qqzzyx Nowhere")
    click_and_load(page.get_by_role("button", name="Show services near me"))
    assert "could not find that place" in page.get_by_role("alert").inner_text()
    maybe_check("plan-place-error")
    click_and_load(page.get_by_role("button", name="Forget this place"))


def _mark_first_step(page: Any, button: str) -> Any:
    """Press a status button under the plan's first step to do; return that step's article.

    A step marked done or refused leaves the steps to do for "Already done" (a refusal brings
    its escalation to the top), and the page opens at the step where it now is.
    """
    first = page.locator("article.step").first
    title = first.locator("h3").inner_text().split(". ", 1)[1]
    escalates = first.get_by_text("If they refuse:").count() > 0
    mark = first.locator("a[href^='/plan/steps/']")
    if mark.count():  # not a "Start here" step: its buttons are on its own page
        click_and_load(mark)
        first = page.locator("article.step")
    step_id = first.locator("input[name=step]").get_attribute("value")
    click_and_load(first.get_by_role("button", name=button))
    done = page.locator("section.section-done")
    expect(done.get_by_role("heading", name="Already done")).to_have_count(1)
    moved = done.locator("article.step", has=page.locator(f"input[value='{step_id}']"))
    assert moved.locator("h3").inner_text() == title
    assert page.url.endswith("#" + str(moved.get_attribute("id")))
    now_first = page.locator("article.step").first
    assert not now_first.locator("h3").inner_text().endswith(title)
    if button == "They refused" and escalates:  # the escalation now leads, saying why
        assert f"“{title}”: they refused" in now_first.inner_text()
    return moved


def _kind(page: Any) -> str:
    """The kind of page the interview shows now, to check each kind once."""
    if "/interview/danger" in page.url:
        return "danger"
    if page.locator("select[name^=tried-]").count():
        return "tried"
    if page.locator("input#answer").count():
        return "text"
    return str(page.locator("input[name=answer]").first.get_attribute("type"))


def _focused_matches(page: Any, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement?.matches(s) ?? false", selector))


def _tab_to(page: Any, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_matches(page, selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def _answer_by_keyboard(page: Any) -> None:
    if not page.locator("input[name=answer]").count():
        # The "already tried" question is a table of selects: skip it by keyboard.
        assert page.locator("select[name^=tried-]").count()
        _tab_to(page, "button[value=skip]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        return
    _tab_to(page, "input[name=answer]")
    kind = page.evaluate("document.activeElement.type")
    if kind == "text":
        hint = page.locator("#answer-hint").inner_text()
        page.keyboard.type("2026-05" if "2026" in hint else "20")
    else:
        page.keyboard.press("Space")
    _tab_to(page, "button[value=answer]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

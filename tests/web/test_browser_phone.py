"""The plan, case and letter pages on a phone (390×844), read as a frightened person would
(issue 15): the first screen shows where to start, quick exit stays in reach at every scroll
position, steps are folded so the plan is a few screens, and nothing is wider than the phone.

Three typical situations (``browser_support.PHONE_SITUATIONS``): a worker harassed by her
manager in California whose HR complaint was refused; online-only harassment by an anonymous
account in England; an ex-partner who stalks and threatens in Australia. Screenshots are kept
in test-artifacts/web/ (``scripts/phone_screenshots.py`` makes the ones in docs/).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser_support import PHONE_SITUATIONS, Situation, click_and_load, plan_as
from tests.web.conftest import LiveServer, keep_screenshot

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
PASSPHRASE = "copper window harbor seventeen"
FIRST_STEP = {
    # HR refused: the agency the refusal makes due comes first, not HR again.
    "california-work": "File a charge with the EEOC",
    "england-online": "Save online evidence before it disappears",
    "australia-ex-partner": "Make a safety plan",
}
NOT_TO_START = {
    # The step already tried (or for another situation) is not where to start.
    "california-work": "Make a formal complaint to HR",
    "england-online": "Tell a supervisor",
    "australia-ex-partner": "Tell a supervisor",
}


@pytest.fixture
def phone(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(viewport=PHONE, locale="en-GB")
    yield context
    context.close()


@pytest.mark.parametrize("situation", PHONE_SITUATIONS, ids=lambda s: s.name)
def test_the_plan_on_a_phone(
    phone: Any, live_server: LiveServer, artifacts: Path, situation: Situation
) -> None:
    page = phone.new_page()
    plan_as(page, live_server.url, situation)
    keep_screenshot(page, artifacts / f"phone-{situation.name}-plan.png")
    _first_screen_starts_here(page, situation)
    _steps_are_folded(page, situation)
    _quick_exit_in_reach_while_scrolling(page)
    assert _width(page) <= PHONE["width"], "plan"
    _linked_step_opens(page)
    _open_journal(page, live_server)
    page.goto(live_server.url + "/case")
    assert page.get_by_role("heading", name="What to do next").count() == 1
    assert _width(page) <= PHONE["width"], "case"
    _quick_exit_in_reach_while_scrolling(page)
    if situation.name == "california-work":  # the journal's pages are the same for all three
        for path in ("/journal/new", "/journal/timezone"):
            page.goto(live_server.url + path)
            page.wait_for_load_state()
            assert _width(page) <= PHONE["width"], path
    page.goto(live_server.url + "/plan")
    drafts = page.get_by_role("link", name="Draft a letter for this step")
    assert drafts.count() >= 1
    click_and_load(drafts.first)
    assert page.locator("textarea.letter-text").count() == 1
    assert _width(page) <= PHONE["width"], "letter"
    page.goto(live_server.url + "/plan")
    click_and_load(page.get_by_role("button", name="Español"))
    assert page.get_by_role("heading", name="Empiece aquí").count() == 1
    assert _width(page) <= PHONE["width"], "plan in Spanish"
    click_and_load(page.get_by_role("button", name="Français"))
    assert _width(page) <= PHONE["width"], "plan in French"
    click_and_load(page.get_by_role("button", name="English"))


def _first_screen_starts_here(page: Any, situation: Situation) -> None:
    """Without scrolling: the emergency number, "Start here" and its first step, whole."""
    assert page.evaluate("window.scrollY") == 0
    start = page.locator("section.start-here")
    assert start.get_by_role("heading", name="Start here").count() == 1
    first = start.locator("li").first
    assert first.get_by_role("link").inner_text() == FIRST_STEP[situation.name]
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    emergency = page.locator(".emergency").bounding_box()
    assert emergency is not None and emergency["y"] < box["y"]
    on_screen = _visible_text(page)
    assert FIRST_STEP[situation.name] in on_screen
    assert NOT_TO_START[situation.name] not in start.get_by_role("link").all_inner_texts()


def _steps_are_folded(page: Any, situation: Situation) -> None:
    """Every step's details are folded. "Start here" steps show title, summary and why; steps
    for later fold their summary too, so the plan reads as a list to scan."""
    assert page.locator("details.step-more[open]").count() == 0
    first = page.locator(
        "article.step", has=page.get_by_role("heading", name=FIRST_STEP[situation.name])
    )
    assert first.locator("p").first.is_visible()  # the summary stays in sight
    assert first.get_by_text("How to do it, who to contact").is_visible()
    later = page.locator(
        "section.section-soon article.step, section.section-when_ready article.step"
    )
    assert later.count() >= 3
    one = later.first
    assert one.locator("h3").is_visible()
    assert one.get_by_text("What this is, how to do it").is_visible()
    assert not one.locator("details.step-more > :not(summary)").first.is_visible()
    assert one.get_by_role("link", name="Mark where this step stands").is_visible()
    # Folded, the steps end within 8 screens and the page within 10 (unfolded they ran past 20
    # for these plans; with the first step open and every summary shown, 12 and 16).
    steps_end = page.evaluate(
        "(() => { const s = [...document.querySelectorAll('section.phase')].at(-1);"
        " return s.getBoundingClientRect().bottom + window.scrollY; })()"
    )
    assert steps_end < 8 * PHONE["height"], steps_end
    assert page.evaluate("document.scrollingElement.scrollHeight") < 10 * PHONE["height"]


def _quick_exit_in_reach_while_scrolling(page: Any) -> None:
    """At the top, a third of the way, half way and at the bottom, quick exit is on the screen,
    uncovered, and big enough to press with a thumb."""
    height = page.evaluate("document.scrollingElement.scrollHeight")
    for fraction in (0, 0.33, 0.5, 1):
        page.evaluate(f"window.scrollTo(0, {int(height * fraction)})")
        box = page.locator("#quick-exit").bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (fraction, box)
        assert box["x"] + box["width"] <= PHONE["width"], box
        assert box["height"] >= 44, box
        on_top = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('#quick-exit') !== null",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert on_top, fraction
    page.evaluate("window.scrollTo(0, 0)")


def _linked_step_opens(page: Any) -> None:
    """Following "Start here" to a folded step opens it, in view below the sticky bar."""
    links = page.locator("section.start-here li a")
    target = links.nth(links.count() - 1)
    anchor = str(target.get_attribute("href"))
    target.click()
    step = page.locator(anchor)
    # The page's hashchange handler opens the step, just after the click returns.
    expect(step.locator("details.step-more")).to_have_js_property("open", True)
    _until_still(page, f"{anchor} h3")
    title = step.locator("h3").bounding_box()
    bar = page.locator(".top-bar").bounding_box()
    assert title is not None and bar is not None
    assert bar["y"] + bar["height"] <= title["y"] < PHONE["height"], (bar, title)


def _until_still(page: Any, selector: str) -> None:
    """Wait until the page stops scrolling (a link to a step scrolls smoothly): the element
    stays put for ten frames in a row. Counted in frames the page draws rather than in seconds,
    so a busy machine on which the page draws nothing for a while cannot pass for a page at
    rest (two samples 0.2 s apart once could)."""
    still = page.locator(selector).evaluate(
        """(element) => new Promise((resolve) => {
            let top = null, same = 0, frames = 0;
            function look() {
                const now = element.getBoundingClientRect().top;
                same = now === top ? same + 1 : 0;
                top = now;
                frames += 1;
                if (same >= 10 || frames > 3000) {
                    resolve(same >= 10);
                } else {
                    requestAnimationFrame(look);
                }
            }
            requestAnimationFrame(look);
        })"""
    )
    assert still, f"the page kept scrolling to {selector}"


def _open_journal(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/journal")
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    again = page.get_by_label("The same passphrase again")
    if again.count():
        again.fill(PASSPHRASE)
        click_and_load(page.get_by_role("button", name="Start my journal"))
    else:
        click_and_load(page.get_by_role("button", name="Unlock"))


def _width(page: Any) -> int:
    width: int = page.evaluate("document.scrollingElement.scrollWidth")
    return width


def _visible_text(page: Any) -> str:
    """The text of the elements that are at least partly inside the first screen."""
    text: str = page.evaluate(
        """() => [...document.querySelectorAll('main h1, main h2, main li, main p')]
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.bottom > 0 && r.top < window.innerHeight; })
            .map(e => e.innerText).join('\\n')"""
    )
    return text

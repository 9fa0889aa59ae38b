"""The plan page carries the "where this stands" buttons only for its "Start here" steps and the
steps already marked; every other step links to its own page, which shows the step whole with
the buttons (issue 19 item 7: render less; issue 15: a shorter plan on a phone)."""

from __future__ import annotations

import re

from tests.web.conftest import Browser
from tests.web.test_case_pages import answer_all, text_of
from tests.web.test_one_deadline import ANSWERS

_ARTICLE = re.compile(r'<article class="step[^"]*" id="step-(\d+)".*?</article>', re.S)
_STATUS_FORM = 'action="/plan/status"'


def _articles(html: str) -> dict[int, str]:
    return {int(match.group(1)): match.group(0) for match in _ARTICLE.finditer(html)}


def _start_here(html: str) -> list[int]:
    section = re.search(r'<section class="start-here".*?</section>', html, re.S)
    assert section, "the plan has no Start here"
    return [int(n) for n in re.findall(r'href="#step-(\d+)"', section.group(0))]


def test_only_start_here_steps_carry_buttons_the_rest_link_to_their_page(browser: Browser) -> None:
    plan = answer_all(browser, ANSWERS)
    steps = _articles(plan)
    starting = _start_here(plan)
    assert 1 <= len(starting) <= 3 and len(steps) > len(starting)
    for number, article in steps.items():
        if number in starting:
            assert article.count(_STATUS_FORM) == 1, number
            assert f'href="/plan/steps/{number}"' not in article
        else:
            assert _STATUS_FORM not in article, number
            assert f'<a href="/plan/steps/{number}">Mark where this step stands' in article
    assert plan.count(_STATUS_FORM) == len(starting)


def test_a_step_page_shows_the_step_whole_and_marking_it_shows_on_the_plan(
    browser: Browser,
) -> None:
    plan = answer_all(browser, ANSWERS)
    starting = _start_here(plan)
    number = next(n for n in _articles(plan) if n not in starting)
    title = re.search(r"<h3[^>]*>\d+\. ([^<]+)</h3>", _articles(plan)[number])
    assert title
    page = browser.open(f"/plan/steps/{number}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert f"{number}. {title.group(1)}" in words
    assert "<details" not in page.text  # nothing folded: this page is the detail
    assert "If you are in danger, call 911" in words
    for button in ("Done", "They refused", "No answer yet", "Resolved", "Not for me"):
        assert f">{button}</button>" in page.text
    assert f'href="/plan#step-{number}">Back to your plan' in page.text
    step = re.search(r'name="step" value="([^"]+)"', page.text)
    assert step
    marked = browser.post("/plan/status", {"step": step.group(1), "status": "no_answer"})
    assert marked.status_code == 303 and marked.headers["location"].startswith("/plan#step-")
    again = browser.open("/plan").text
    anchor = int(marked.headers["location"].removeprefix("/plan#step-"))
    article = _articles(again)[anchor]
    assert title.group(1) in article
    assert "Where this stands:" in text_of(article) and "No answer yet" in text_of(article)
    assert 'value="no_answer" class="secondary" aria-pressed="true"' in article  # now marked


def test_a_step_page_needs_a_plan_and_a_step_in_it(browser: Browser) -> None:
    early = browser.get("/plan/steps/1")
    assert early.status_code == 303 and early.headers["location"] == "/interview/start"
    answer_all(browser, ANSWERS)
    missing = browser.get("/plan/steps/999")
    assert missing.status_code == 404
    assert "That step is not in your plan any more" in text_of(missing.text)

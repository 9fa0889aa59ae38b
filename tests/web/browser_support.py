"""Helpers for the Chromium tests: axe-core, request recording, answering a question page, and
clicking something that loads a new page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# axe-core as bundled in the axe-playwright-python wheel: installed with the dev dependencies,
# never fetched at run time.
_PACKAGE = find_spec("axe_playwright_python")
assert _PACKAGE is not None and _PACKAGE.origin, (
    "install the dev dependencies (axe-playwright-python)"
)
AXE_JS = (Path(_PACKAGE.origin).parent / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Any) -> list[str]:
    """Run axe-core on the page as it is now; one line per violation and element."""
    page.evaluate(AXE_JS)
    options = json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}})
    result = page.evaluate(f"axe.run(document, {options})")
    return [
        f"{violation['id']}: {violation['help']} at {node['target']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


class RequestLog:
    """Every request a page makes, to prove none leaves the app's own origin."""

    def __init__(self, origin: str, neutral: str) -> None:
        self.origin = origin
        self.neutral = neutral
        self.urls: list[str] = []

    def __call__(self, request: Any) -> None:
        self.urls.append(request.url)

    def foreign(self) -> list[str]:
        own = urlsplit(self.origin).netloc
        return [url for url in self.urls if urlsplit(url).netloc != own and url != self.neutral]


def click_and_load(target: Any) -> None:
    """Click a link, or a button that sends a form, and return once the page it leads to has
    loaded.

    Playwright's ``click()`` returns once the navigation has committed, not when the new page
    has loaded: on a busy machine it may still be parsing, and what does not wait (``count()``,
    ``is_visible()``, ``page.content()``, ``page.url``, ``inner_text()`` of something the old
    page also had, axe) reads the old page or half of the new one. CI failed so once (commit
    007f38b). Waiting for the navigation's load event, listened for before the click, closes
    the gap; a click that loads nothing fails here instead of passing by luck."""
    with target.page.expect_navigation(wait_until="load"):
        target.click()


def answer_on_page(page: Any) -> None:
    """Give a plausible answer to whatever question the page shows, then continue."""
    if "/interview/danger" in page.url:  # "what to do now" after a yes to danger
        click_and_load(page.locator("a.button[href='/interview']").first)
        return
    if page.locator("select[name^=tried-]").count():  # "already tried": skippable
        click_and_load(page.locator("button[value=skip]"))
        return
    text_input = page.locator("input#answer")
    if text_input.count():
        hint = page.locator("#answer-hint").inner_text()
        text_input.fill("2026-05" if "2026" in hint else "20")
    else:
        options = page.locator("input[name=answer]")
        no = page.locator("input[name=answer][value=no]")
        (no if no.count() else options.first).check()
    click_and_load(page.locator("button[value=answer]"))


@dataclass(frozen=True)
class Situation:
    """A person's answers by question id, as they would give them; a question not listed is
    skipped. ``tried`` is the "already tried" answer: route -> what came of it."""

    name: str
    pack: str
    answers: dict[str, Any]
    tried: dict[str, str] = field(default_factory=dict)


PHONE_SITUATIONS = (
    Situation(
        "california-work",
        "us",
        {
            "in_danger_now": "no",
            "context": ["work"],
            "harasser": ["boss"],
            "what_happened": ["sexual"],
            "threats": "no",
            "stalking": "no",
            "intimate_images": "no",
            "sexual": "yes",
            "last_incident": "2026-10",
            "state": "california",
            "federal_employee": "no",
            "employer_size": "40",
        },
        tried={"hr": "refused"},
    ),
    Situation(
        "england-online",
        "gb",
        {
            "in_danger_now": "no",
            "context": ["online"],
            "online_where": ["social"],
            "harasser": ["anonymous"],
            "what_happened": ["none"],
            "threats": "no",
            "stalking": "no",
            "intimate_images": "no",
            "sexual": "no",
            "protected_ground": "no",
            "under_18": "no",
            "last_incident": "2026-11",
        },
    ),
    Situation(
        "australia-ex-partner",
        "au",
        {
            "in_danger_now": "no",
            "context": ["private", "online"],
            "online_where": ["messaging"],
            "harasser": ["partner"],
            "what_happened": ["threats", "stalking"],
            "threats": "yes",
            "stalking": "yes",
            "intimate_images": "no",
            "sexual": "no",
            "protected_ground": "no",
            "under_18": "no",
            "last_incident": "2026-11",
        },
    ),
)
"""Three typical situations, read as a person on a phone would (issue 15)."""


def answer_as(page: Any, situation: Situation) -> None:
    """Answer the question on the page as the situation says (or skip it), then continue."""
    if "/interview/danger" in page.url:
        click_and_load(page.locator("a.button[href='/interview']").first)
        return
    question = page.locator("input[name=question]").get_attribute("value") or ""
    if question == "tried":
        for route, outcome in situation.tried.items():
            page.locator(f"select[name=tried-{route}]").select_option(outcome)
        click_and_load(
            page.locator("button[value=answer]" if situation.tried else "button[value=skip]")
        )
        return
    given = situation.answers.get(question)
    if given is None:
        click_and_load(page.locator("button[value=skip]"))
        return
    if page.locator("input#answer").count():
        page.locator("input#answer").fill(str(given))
    else:
        for value in given if isinstance(given, list) else [given]:
            page.locator(f"input[name=answer][value='{value}']").check()
    click_and_load(page.locator("button[value=answer]"))


def plan_as(page: Any, base_url: str, situation: Situation) -> None:
    """Choose the situation's pack and answer the interview until the plan shows."""
    page.goto(base_url + "/interview/start")
    page.locator(f"input[name=answer][value='{situation.pack}']").check()
    click_and_load(page.locator("button[value=answer]"))
    for _ in range(40):
        if page.url.split("#")[0].endswith("/plan"):
            return
        answer_as(page, situation)
    raise AssertionError(f"the interview did not end for {situation.name}: {page.url}")

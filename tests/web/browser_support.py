"""Helpers for the Chromium tests: axe-core, request recording and answering a question page."""

from __future__ import annotations

import json
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


def answer_on_page(page: Any) -> None:
    """Give a plausible answer to whatever question the page shows, then continue."""
    if "/interview/danger" in page.url:  # "what to do now" after a yes to danger
        page.locator("a.button[href='/interview']").first.click()
        return
    if page.locator("select[name^=tried-]").count():  # "already tried": skippable
        page.locator("button[value=skip]").click()
        return
    text_input = page.locator("input#answer")
    if text_input.count():
        hint = page.locator("#answer-hint").inner_text()
        text_input.fill("2026-05" if "2026" in hint else "20")
    else:
        options = page.locator("input[name=answer]")
        no = page.locator("input[name=answer][value=no]")
        (no if no.count() else options.first).check()
    page.locator("button[value=answer]").click()

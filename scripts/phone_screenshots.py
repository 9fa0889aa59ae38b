"""Screenshots of Ally's pages on a phone-sized screen (390×844), for reading them as a person
would on a phone, and for docs/screens.md.

Usage (from the repository, with the dev dependencies and Debian's chromium installed):

    python scripts/phone_screenshots.py /tmp/ally-phone

It serves Ally on loopback from a temporary folder (nothing is kept), answers the interview for
three typical situations (``tests/web/browser_support.PHONE_SITUATIONS``, the same as
``tests/web/test_browser_phone.py`` checks) and saves, for each, the plan page (the first
screen and a few scrolls, and the whole page), the case page (with a journal) and the first
letter page; then the journal's time-zone page and the incident form with its "after I
complained" tick. Nothing is mocked.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import sync_playwright

from ally.web import WebConfig, create_app

sys.path.insert(0, str(Path(__file__).parents[1]))  # the situations are the phone test's
from tests.web.browser_support import PHONE_SITUATIONS, Situation, plan_as

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
PASSPHRASE = "copper window harbor seventeen"


class Server:
    """Ally on loopback, in a background thread, on a temporary database and vault."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = WebConfig(
            database=folder / "web.sqlite3",
            vault=str(folder / "vault"),
            quick_exit_url="about:blank",
        )
        app = create_app(config)
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def shoot(page: Any, folder: Path, name: str) -> None:
    """A screenshot of what is on the screen now; says so if the page is wider than the phone."""
    page.screenshot(path=str(folder / f"{name}.png"))
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        print(f"{name}: the page is {width} px wide, wider than the phone")


def open_journal(page: Any, server: Server) -> None:
    """Start the journal (the first time) or unlock it, so the case page shows the case."""
    page.goto(server.url + "/journal")
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    if page.get_by_label("The same passphrase again").count():
        page.get_by_label("The same passphrase again").fill(PASSPHRASE)
        page.get_by_role("button", name="Start my journal").click()
    else:
        page.get_by_role("button", name="Unlock").click()


def one_situation(browser: Any, server: Server, situation: Situation, out: Path) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="en-GB")
    page = context.new_page()
    plan_as(page, server.url, situation)
    name = situation.name
    shoot(page, out, f"{name}-plan-1")
    height = page.evaluate("window.innerHeight")
    for scroll in range(2, 5):
        page.evaluate(f"window.scrollTo(0, {(scroll - 1) * (height - 80)})")
        shoot(page, out, f"{name}-plan-{scroll}")
    page.screenshot(path=str(out / f"{name}-plan-full.png"), full_page=True)
    open_journal(page, server)
    page.goto(server.url + "/case")
    shoot(page, out, f"{name}-case")
    page.goto(server.url + "/plan")
    drafts = page.get_by_role("link", name="Draft a letter for this step")
    if drafts.count():
        drafts.first.click()
        shoot(page, out, f"{name}-letter")
    context.close()


def journal_pages(browser: Any, server: Server, out: Path) -> None:
    """The journal's time-zone page, and the incident form scrolled to its "after I
    complained" tick (ticked), with the journal open."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="en-GB")
    page = context.new_page()
    open_journal(page, server)
    page.wait_for_load_state()
    page.goto(server.url + "/journal/timezone")
    shoot(page, out, "journal-timezone")
    page.goto(server.url + "/journal/new")
    shoot(page, out, "journal-new-1")
    tick = page.get_by_label("This happened after I complained or reported it (retaliation)")
    tick.check()
    page.evaluate("document.getElementById('retaliation').scrollIntoView({block: 'center'})")
    shoot(page, out, "journal-new-retaliation")
    page.screenshot(path=str(out / "journal-new-full.png"), full_page=True)
    context.close()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        Server(Path(folder)) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for situation in PHONE_SITUATIONS:
            one_situation(browser, server, situation, out)
        journal_pages(browser, server, out)
        browser.close()
    print(f"Screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ally-phone"))

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

With ``--hosted postgresql://...`` (an empty scratch database; drop it afterwards) it serves
the hosted mode instead: an organisation with open sign-up, its admin and an advocate (TOTP
codes computed as an authenticator app would), and saves a person's sign-up, sign-in (and a
failed one), account, activity and journal unlock pages, the advocate's sign-in with its
code, case key and caseload (with the person's shared case), and the admin's pages:

    createdb -h 127.0.0.1 -U postgres ally_phone
    python scripts/phone_screenshots.py /tmp/ally-phone-hosted \
        --hosted postgresql://postgres@127.0.0.1:5432/ally_phone
    dropdb -h 127.0.0.1 -U postgres ally_phone
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

from ally.hosted import totp
from ally.hosted.passwords import PasswordPolicy
from ally.web import WebConfig, create_app

sys.path.insert(0, str(Path(__file__).parents[1]))  # the situations are the phone test's
from tests.web.browser_support import PHONE_SITUATIONS, Situation, plan_as

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
PASSPHRASE = "copper window harbor seventeen"
PASSWORD = "correct horse battery"
CASE_KEY = "lantern orbit pepper quietly"
QUICK = PasswordPolicy(time_cost=1, memory_kib=1024, parallelism=1)
"""Cheap password hashing: these accounts live for a minute in a scratch database."""


class Server:
    """Ally on loopback, in a background thread, on a temporary database and vault."""

    def __init__(self, folder: Path, hosted: str = "") -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = WebConfig(
            database=folder / "web.sqlite3",
            vault=str(folder / "vault"),
            quick_exit_url="about:blank",
        )
        if hosted:
            config = WebConfig(
                database=hosted, hosted=True, passwords=QUICK, case_key_work_factor=12,
                allowed_hosts=("127.0.0.1",), quick_exit_url="about:blank",
                server_key_file=folder / "server.key",
            )  # fmt: skip
        app = create_app(config)
        self.app = app
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


def load(target: Any) -> None:
    """Click, and wait for the page it leads to."""
    target.click()
    target.page.wait_for_load_state()


def sign_in(page: Any, server: Server, name: str, secret: str = "") -> None:
    page.goto(server.url + "/account/sign-in?org=north")
    page.get_by_label("Sign-in name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    if secret:
        page.get_by_label("Code from your authenticator app").fill(
            totp.code_at(secret, time.time())
        )


def hosted_person(browser: Any, server: Server, out: Path) -> Any:
    """Sign-up, a failed sign-in, the account and activity pages, the journal (made, locked,
    the unlock page) and a share with the advocate; returns the person's context, open."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="en-GB")
    page = context.new_page()
    page.goto(server.url + "/account/sign-up?org=north")
    shoot(page, out, "hosted-sign-up")
    page.get_by_label("Sign-in name").fill("sam")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    load(page.get_by_role("button", name="Create the account"))
    open_journal(page, server)
    page.wait_for_load_state()
    page.goto(server.url + "/journal/new")
    page.get_by_label("Date", exact=True).fill("2026-11-20")
    page.get_by_label("What happened").fill("He waited at my car after work.")
    load(page.get_by_role("button", name="Save to the journal"))
    page.goto(server.url + "/share")
    page.get_by_label("Everyone on the team").check()
    page.locator("input[name=entry]").first.check()
    load(page.get_by_role("button", name="Share", exact=True))
    page.goto(server.url + "/account")
    shoot(page, out, "hosted-account")
    page.goto(server.url + "/account/activity")
    shoot(page, out, "hosted-activity")
    page.goto(server.url + "/journal")
    load(page.get_by_role("button", name="Lock the journal"))
    page.goto(server.url + "/journal")
    shoot(page, out, "hosted-journal-unlock")
    other = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="en-GB")
    wrong = other.new_page()
    sign_in(wrong, server, "sam")
    wrong.get_by_label("Password").fill("not the password")
    load(wrong.get_by_role("button", name="Sign in"))
    shoot(wrong, out, "hosted-sign-in-failed")
    other.close()
    return context


def hosted_pages(browser: Any, server: Server, out: Path) -> None:
    """The hosted pages, as a person, an advocate and an admin see them on a phone."""
    accounts = server.app.state.web.hosted.accounts
    north = accounts.create_org("Shelter North", "north", open_signup=True)
    admin = accounts.add_staff(north, "admin@north.example", "admin", PASSWORD)
    ada = accounts.add_staff(north, "ada@north.example", "advocate", PASSWORD)
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="en-GB")
    page = context.new_page()
    sign_in(page, server, "ada@north.example", ada.totp_secret)
    shoot(page, out, "hosted-advocate-sign-in")
    load(page.get_by_role("button", name="Sign in"))
    page.goto(server.url + "/advocate")
    shoot(page, out, "hosted-advocate-key")
    page.locator("input[name=passphrase]").fill(CASE_KEY)
    page.locator("input[name=confirm]").fill(CASE_KEY)
    load(page.locator("main button[type=submit]").first)
    person = hosted_person(browser, server, out)
    page.goto(server.url + "/advocate")
    shoot(page, out, "hosted-caseload")
    page.goto(server.url + "/account")
    shoot(page, out, "hosted-advocate-account")
    context.close()
    person.close()
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="en-GB")
    page = context.new_page()
    sign_in(page, server, "admin@north.example", admin.totp_secret)
    load(page.get_by_role("button", name="Sign in"))
    for name, path in (("admin", "/admin"), ("admin-audit", "/admin/audit")):
        page.goto(server.url + path)
        shoot(page, out, f"hosted-{name}")
        page.screenshot(path=str(out / f"hosted-{name}-full.png"), full_page=True)
    context.close()


def main(out: Path, hosted: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        Server(Path(folder), hosted) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        if hosted:
            hosted_pages(browser, server, out)
        else:
            for situation in PHONE_SITUATIONS:
                one_situation(browser, server, situation, out)
            journal_pages(browser, server, out)
        browser.close()
    print(f"Screenshots in {out}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    database = ""
    if "--hosted" in arguments:
        at = arguments.index("--hosted")
        database = arguments[at + 1]
        del arguments[at : at + 2]
    main(Path(arguments[0] if arguments else "/tmp/ally-phone"), database)

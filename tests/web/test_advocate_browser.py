"""Sharing with an advocate in Debian's Chromium with JavaScript turned off, on a hosted Ally
on real PostgreSQL: the person shares one entry from the share page, the advocate unlocks
their case key and reads it; every page passes axe (WCAG 2.2 AA) and no request leaves the
app's own origin."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.hosted.keys import CaseKeys
from ally.hosted.store import HostedStore
from ally.web import WebConfig, create_app
from tests.hosted.conftest import FAST, PASSWORD, WEAK, pg_url
from tests.web.browser_support import RequestLog, axe_violations, click_and_load
from tests.web.conftest import LiveServer, keep_screenshot

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
__all__ = ["pg_url"]  # a fixture, used by name

SHARED = "SHARED-IN-CHROMIUM-2291"
PRIVATE = "KEPT-PRIVATE-IN-CHROMIUM-5518"
KEY = "copper kettle winter sparrow"
JOURNAL = "lantern orbit pepper quietly"


@pytest.fixture
def hosted(pg_url: str, neutral_site: str) -> Iterator[tuple[LiveServer, str]]:
    store = HostedStore(pg_url)
    accounts = Accounts(store, FAST)
    north = accounts.create_org("Shelter North", "north", open_signup=True)
    accounts.sign_up(north, "alice", PASSWORD)
    ada = accounts.add_staff(north, "ada", "advocate", PASSWORD)
    CaseKeys(store, work_factor=WEAK).create(ada.account, KEY)
    config = WebConfig(
        database=pg_url, allowed_hosts=("127.0.0.1",), hosted=True, passwords=FAST,
        case_key_work_factor=WEAK, quick_exit_url=neutral_site,
    )  # fmt: skip
    with LiveServer(create_app(config), neutral_site) as server:
        yield server, ada.totp_secret
    store.close()


class Checker:
    """axe-core needs JavaScript, which the pages under test run without: each page's HTML is
    checked again in a second page of the same origin that has it (styles load the same)."""

    def __init__(self, chromium: Any, url: str, artifacts: Path) -> None:
        self.context = chromium.new_context(viewport={"width": 800, "height": 900})
        self.page = self.context.new_page()
        self.page.goto(f"{url}/account/sign-in")
        self.artifacts = artifacts

    def __call__(self, page: Any, name: str) -> None:
        keep_screenshot(page, self.artifacts / f"advocate-{name}.png", full_page=True)
        self.page.set_content(page.content())
        assert axe_violations(self.page) == [], name


def sign_in(page: Any, url: str, name: str, code: str = "") -> None:
    page.goto(f"{url}/account/sign-in?org=north")
    page.get_by_label("Sign-in name", exact=False).first.fill(name)
    page.locator("input[name=password]").fill(PASSWORD)
    if code:
        page.locator("input[name=code]").fill(code)
    click_and_load(page.locator("form[action='/account/sign-in'] button[type=submit]"))


def test_share_and_read_without_javascript(
    chromium: Any, hosted: tuple[LiveServer, str], artifacts: Path
) -> None:
    server, secret = hosted
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 800, "height": 900}
    )
    checked = Checker(chromium, server.url, artifacts)
    try:
        page = context.new_page()
        requests = RequestLog(server.url, server.neutral)
        page.on("request", requests)
        sign_in(page, server.url, "alice")
        page.goto(f"{server.url}/journal")
        page.locator("input[name=passphrase]").fill(JOURNAL)
        page.locator("input[name=confirm]").fill(JOURNAL)
        click_and_load(page.locator("form[action='/journal/create'] button[type=submit]"))
        for what in (f"At the gate. {SHARED}", f"My own note. {PRIVATE}"):
            page.goto(f"{server.url}/journal/new")
            page.locator("input[name=when_date]").fill("2026-05-03")
            page.locator("textarea[name=what]").fill(what)
            click_and_load(page.locator("form[action='/journal/new'] button[type=submit]").last)
        page.goto(f"{server.url}/share")
        checked(page, "share")
        page.get_by_label("ada").check()
        page.get_by_label(SHARED, exact=False).check()
        click_and_load(page.get_by_role("button", name="Share", exact=True))
        assert "With ada" in page.inner_text("main")
        checked(page, "shared")
        context.clear_cookies()
        sign_in(page, server.url, "ada", totp.code_at(secret, time.time()))
        page.goto(f"{server.url}/advocate")
        assert page.url.endswith("/advocate/key")
        checked(page, "key")
        page.locator("input[name=passphrase]").fill(KEY)
        click_and_load(page.get_by_role("button", name="Unlock"))
        assert page.url.endswith("/advocate")
        checked(page, "caseload")
        click_and_load(page.get_by_role("link", name="alice"))
        main = page.inner_text("main")
        assert SHARED in main and PRIVATE not in main
        checked(page, "case")
        page.get_by_label("Add a note").fill("I will call you on Monday.")
        click_and_load(page.get_by_role("button", name="Add the note"))
        assert "I will call you on Monday." in page.inner_text("main")
        assert requests.foreign() == []
    finally:
        context.close()
        checked.context.close()

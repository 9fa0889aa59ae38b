"""The hosted pages at 390×844 in Debian's Chromium, on real PostgreSQL: a person's account,
activity and journal pages and the admin's pages are no wider than the phone, and the admin's
"Disable the account" button is on the screen, not off to its right (the staff and audit
tables were 504 and 514 px wide before each row became a card on a phone)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.web import WebConfig, create_app
from tests.hosted.conftest import FAST, PASSWORD
from tests.web.browser_support import click_and_load
from tests.web.conftest import LiveServer, chromium  # noqa: F401 - the Chromium fixture

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def server(pg_url: str) -> Iterator[tuple[LiveServer, Accounts]]:
    config = WebConfig(database=pg_url, allowed_hosts=("127.0.0.1",), hosted=True, passwords=FAST)
    app = create_app(config)
    with LiveServer(app) as live:
        yield live, app.state.web.hosted.accounts


def width(page: Any) -> int:
    page.wait_for_load_state()
    found: int = page.evaluate("document.scrollingElement.scrollWidth")
    return found


def sign_in(page: Any, url: str, name: str, code: str = "") -> None:
    page.goto(url + "/account/sign-in?org=north")
    page.get_by_label("Sign-in name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(code)
    click_and_load(page.get_by_role("button", name="Sign in"))


def test_hosted_pages_fit_a_phone(
    chromium: Any,  # noqa: F811
    server: tuple[LiveServer, Accounts],
) -> None:
    live, accounts = server
    north = accounts.create_org("Shelter North", "north", open_signup=True)
    admin = accounts.add_staff(north, "admin@north.example", "admin", PASSWORD)
    accounts.add_staff(north, "advocate.with.a.long.name@north.example", "advocate", PASSWORD)
    context = chromium.new_context(viewport=PHONE, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(live.url + "/account/sign-up?org=north")
        assert width(page) <= PHONE["width"], "sign-up"
        page.get_by_label("Sign-in name").fill("sam")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        click_and_load(page.get_by_role("button", name="Create the account"))
        for path in ("/account", "/account/activity", "/journal"):
            page.goto(live.url + path)
            assert width(page) <= PHONE["width"], path
        context.clear_cookies()
        sign_in(page, live.url, "admin@north.example", totp.code_at(admin.totp_secret, time.time()))
        for path in ("/admin", "/admin/audit", "/account/activity"):
            page.goto(live.url + path)
            assert width(page) <= PHONE["width"], path
        page.goto(live.url + "/admin")
        page.wait_for_load_state()
        disable = page.get_by_role("button", name="Disable the account")
        box = disable.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        assert "advocate.with.a.long.name@north.example" in page.locator("table.staff").inner_text()
    finally:
        context.close()

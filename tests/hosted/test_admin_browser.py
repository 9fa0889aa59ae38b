"""The admin pages and an advocate's invitation in Debian's Chromium with JavaScript turned
off, on real PostgreSQL: every step works with plain forms, axe-core finds nothing on the
admin pages, and no request leaves the app's own address."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.web import WebConfig, create_app
from tests.hosted.conftest import FAST, PASSWORD
from tests.web.browser_support import RequestLog, axe_violations, click_and_load
from tests.web.conftest import LiveServer, chromium  # noqa: F401 - the Chromium fixture

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def server(pg_url: str) -> Iterator[tuple[LiveServer, Accounts]]:
    config = WebConfig(database=pg_url, allowed_hosts=("127.0.0.1",), hosted=True, passwords=FAST)
    app = create_app(config)
    with LiveServer(app) as live:
        yield live, app.state.web.hosted.accounts


def no_script(chromium: Any) -> Any:  # noqa: F811 - the fixture's value, passed on
    return chromium.new_context(java_script_enabled=False, locale="en-US")


def axe_on(chromium: Any, context: Any, url: str) -> list[str]:  # noqa: F811
    """axe-core on ``url`` as this context's account sees it (axe needs JavaScript, so it
    runs in a second context holding the same cookies)."""
    checker = chromium.new_context(locale="en-US")
    try:
        checker.add_cookies(context.cookies())
        page = checker.new_page()
        page.goto(url)
        return axe_violations(page)
    finally:
        checker.close()


def test_an_admin_invites_and_disables_an_advocate_without_javascript(
    chromium: Any,  # noqa: F811
    server: tuple[LiveServer, Accounts],
) -> None:
    live, accounts = server
    north = accounts.create_org("Shelter North", "north")
    admin = accounts.add_staff(north, "admin@n.example", "admin", PASSWORD)
    context, newcomer_context = no_script(chromium), no_script(chromium)
    log = RequestLog(live.url, "")
    try:
        page = context.new_page()
        page.on("request", log)
        page.goto(live.url + "/account/sign-in?org=north")
        page.get_by_label("Sign-in name").fill("admin@n.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Code from your authenticator app").fill(
            totp.code_at(admin.totp_secret, time.time())
        )
        click_and_load(page.get_by_role("button", name="Sign in"))
        click_and_load(page.get_by_role("link", name="Organisation admin"))
        assert page.url.endswith("/admin")
        assert axe_on(chromium, context, page.url) == []
        click_and_load(page.get_by_role("button", name="Make an invitation link"))
        link = page.get_by_label("Invitation link").input_value()
        assert link.startswith(live.url + "/account/invitation?token=")

        newcomer = newcomer_context.new_page()
        newcomer.on("request", log)
        newcomer.goto(link)
        secret = newcomer.locator("#setup-key").inner_text().replace(" ", "")
        newcomer.get_by_label("Sign-in name").fill("adv@n.example")
        newcomer.get_by_label("Password", exact=True).fill(PASSWORD)
        newcomer.get_by_label("Password again").fill(PASSWORD)
        newcomer.get_by_label("Code from your authenticator app").fill(
            totp.code_at(secret, time.time())
        )
        click_and_load(newcomer.get_by_role("button", name="Create the account"))
        assert newcomer.url.endswith("/account")
        assert "Invite a person" in newcomer.locator("main").inner_text()

        page.goto(live.url + "/admin")
        row = page.locator("tr", has_text="adv@n.example")
        click_and_load(row.get_by_role("button", name="Disable the account"))
        assert "(disabled)" in page.locator("tr", has_text="adv@n.example").inner_text()
        newcomer.reload()
        assert newcomer.url.endswith("/account/sign-in")  # refused at the next request

        click_and_load(page.get_by_role("link", name="Audit log"))
        click_and_load(page.get_by_role("button", name="Verify the chain"))
        result = page.locator("#chain-result").inner_text()
        assert "The chain holds" in result
        table = page.locator("table").inner_text()
        assert "Account disabled" in table and "adv@n.example" in table
        assert axe_on(chromium, context, live.url + "/admin/audit") == []
    finally:
        context.close()
        newcomer_context.close()
    assert log.urls and log.foreign() == []

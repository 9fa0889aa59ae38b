"""What reading the hosted pages on a phone found (390×844), checked in-process: quick exit
leaves no signed-in account behind the locked page, staff see a menu of their own pages, the
sign-in page has no menu that only leads back to it, and the admin's tables label every cell
so that they read as cards on a phone (the widths themselves: test_phone_browser.py)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from ally.hosted import totp
from ally.hosted.accounts import Accounts, NewStaff
from tests.hosted.conftest import PASSWORD, Clock
from tests.hosted.test_web import accounts, app, browser, sign_in, sign_up  # noqa: F401
from tests.web.conftest import Browser
from tests.web.test_case_pages import text_of

pytestmark = pytest.mark.postgres

PERSON_MENU = ('href="/plan"', 'href="/interview"', 'href="/journal"', 'href="/share"')


def nav_of(html: str) -> str:
    found = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def staff_in(
    app: FastAPI,  # noqa: F811
    accounts: Accounts,  # noqa: F811
    clock: Clock,
    role: str,
) -> tuple[Browser, NewStaff]:
    made = accounts.add_staff(accounts.org_by_slug("north"), f"{role}@n.example", role, PASSWORD)
    member = browser(app)
    code = totp.code_at(made.totp_secret, clock.now)
    assert sign_in(member, f"{role}@n.example", code=code) == 303
    return member, made


def test_quick_exit_signs_the_account_out(app: FastAPI, accounts: Accounts) -> None:  # noqa: F811
    """Whoever picks up the phone after quick exit and presses "Start again" finds the
    sign-in page, not an account that names the person, their organisation and their log."""
    alice = sign_up(app, "alice")
    assert "Signed in as alice with Shelter North" in text_of(alice.open("/account").text)
    assert alice.get("/exit").status_code == 303
    locked = alice.open("/locked")
    words = text_of(locked.text)
    assert "sign in again with your password" in words and "alice" not in words
    assert 'action="/resume"' not in locked.text  # a save code needs the account: not here
    alice.post("/start-again", {})
    after = alice.get("/account")
    assert after.status_code == 303 and after.headers["location"] == "/account/sign-in"
    page = alice.open("/account/activity")
    assert "alice" not in page.text and "Shelter North" not in page.text
    assert str(page.url).endswith("/account/sign-in")
    assert sign_in(alice, "alice") == 303  # the password opens it again, and says what happened
    assert "Signed out" in text_of(alice.open("/account/activity").text)


def test_staff_see_their_own_menu_and_people_theirs(
    app: FastAPI,  # noqa: F811
    accounts: Accounts,  # noqa: F811
    clock: Clock,
) -> None:
    admin, _ = staff_in(app, accounts, clock, "admin")
    menu = nav_of(admin.open("/admin").text)
    assert 'href="/admin/audit"' in menu and 'href="/account"' in menu
    assert not [link for link in PERSON_MENU if link in menu]
    advocate, _ = staff_in(app, accounts, clock, "advocate")
    menu = nav_of(advocate.open("/account").text)
    assert 'href="/advocate"' in menu and 'href="/advocate/key"' in menu
    assert not [link for link in PERSON_MENU if link in menu] and "/admin" not in menu
    person = sign_up(app, "sam")
    menu = nav_of(person.open("/account").text)
    assert 'href="/plan"' in menu and 'href="/share"' in menu and "/admin" not in menu


def test_no_menu_before_signing_in(app: FastAPI, accounts: Accounts) -> None:  # noqa: F811
    visitor = browser(app)
    for path in ("/account/sign-in?org=north", "/account/sign-up?org=north"):
        page = visitor.open(path)
        assert page.status_code == 200 and nav_of(page.text) == "", path
        assert "Quick exit" in page.text, path


def test_admin_tables_say_what_each_cell_is(
    app: FastAPI,  # noqa: F811
    accounts: Accounts,  # noqa: F811
    clock: Clock,
) -> None:
    """On a phone a row is a card: every cell carries its column's name."""
    admin, _ = staff_in(app, accounts, clock, "admin")
    accounts.add_staff(accounts.org_by_slug("north"), "ada@n.example", "advocate", PASSWORD)
    page = admin.open("/admin").text
    assert '<table class="staff records">' in page
    for label in ("Sign-in name", "Role", "Signed in now"):
        assert page.count(f'data-label="{label}"') == 2, label
    assert "Disable the account" in page
    audit = admin.open("/admin/audit").text
    assert '<table class="activity records">' in audit
    assert audit.count('data-label="When"') == audit.count('data-label="What happened"') >= 1

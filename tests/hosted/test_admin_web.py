"""The admin pages, invitations and audit pages on real PostgreSQL, through the web app as a
browser uses them (no JavaScript): counts but never contents, single-use expiring links, a
disabled advocate refused at their next request, and each organisation's own log."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from ally.hosted import totp
from ally.hosted.accounts import Accounts, NewStaff
from ally.hosted.invitations import LIFETIME
from tests.hosted.conftest import PASSWORD, Clock
from tests.hosted.test_web import (
    JOURNAL_A,
    add_incident,
    browser,
    create_journal,
    hosted_app,
    sign_in,
    sign_up,
)
from tests.web.conftest import Browser

pytestmark = pytest.mark.postgres

MARKER = "JOURNAL-MARKER-ADMIN-7730"
PERSON = "alice-wren-42"
LINK = re.compile(
    r'id="link" class="text-input" value="(http://testserver/account/invitation\?token=[^"]+)"'
)


@dataclass
class Org:
    app: FastAPI
    accounts: Accounts
    clock: Clock
    admin: NewStaff
    other_admin: NewStaff


@pytest.fixture
def org(pg_url: str, clock: Clock) -> Org:
    app = hosted_app(pg_url, clock)
    accounts: Accounts = app.state.web.hosted.accounts
    north = accounts.create_org("Shelter North", "north", open_signup=True)
    south = accounts.create_org("Clinic South", "south")
    admin = accounts.add_staff(north, "admin@n.example", "admin", PASSWORD)
    other = accounts.add_staff(south, "admin@s.example", "admin", PASSWORD)
    return Org(app, accounts, clock, admin, other)


def staff_browser(org: Org, staff: NewStaff, slug: str = "north") -> Browser:
    member = browser(org.app)
    code = totp.code_at(staff.totp_secret, org.clock())
    assert sign_in(member, staff.account.login, slug, code) == 303
    org.clock.advance(30)  # the next sign-in with this secret needs a fresh code
    member.open("/account")  # a form token of the new session, as a browser would have
    return member


def link_on(page: str) -> str:
    found = LINK.search(page)
    assert found, page[:2000]
    return found.group(1).removeprefix("http://testserver")


def join_as_advocate(org: Org, link: str, name: str) -> Browser:
    newcomer = browser(org.app)
    page = newcomer.open(link)
    assert page.status_code == 200 and "Your second factor" in page.text
    key = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page.text)
    assert key, page.text
    secret = key.group(1).replace(" ", "")
    token = link.split("token=")[1]
    wrong = newcomer.post(
        "/account/invitation",
        {"token": token, "name": name, "password": PASSWORD, "again": PASSWORD, "code": "000000"},
    )
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    done = newcomer.post(
        "/account/invitation",
        {"token": token, "name": name, "password": PASSWORD, "again": PASSWORD,
         "code": totp.code_at(secret, org.clock())},
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/account", done.text[:500]
    newcomer.open("/account")
    return newcomer


def test_admin_sees_counts_never_contents_and_manages_advocates(org: Org) -> None:
    alice = sign_up(org.app, PERSON)
    create_journal(alice, JOURNAL_A)
    entry = add_incident(alice, f"He followed me to the bus. {MARKER}")
    assert MARKER in alice.open(entry).text
    admin = staff_browser(org, org.admin)
    pages = []
    overview = admin.open("/admin")
    pages.append(overview.text)
    assert overview.status_code == 200
    assert re.search(r'id="count-people">1<', overview.text)
    assert re.search(r'id="count-sign-ins">1<', overview.text)  # the admin's own sign-in
    assert "admin@n.example" in overview.text

    made = admin.submit("/admin/invite", {})
    pages.append(made.text)
    link = link_on(made.text)
    advocate = join_as_advocate(org, link, "adv@n.example")
    assert "Invite a person" in advocate.open("/account").text
    again = browser(org.app).open(link)
    assert again.status_code == 404 and "does not work any more" in again.text  # used once

    stale = link_on(admin.submit("/admin/invite", {}).text)
    org.clock.advance(LIFETIME + 1)
    expired = browser(org.app).open(stale)
    assert expired.status_code == 404 and "does not work any more" in expired.text
    admin = staff_browser(org, org.admin)  # the admin's own session idled out meanwhile
    with org.accounts.store.transaction() as db:
        adv_id = str(db.query("SELECT id FROM hosted_accounts WHERE login = 'adv@n.example'")[0][0])
    overview = admin.open("/admin")
    pages.append(overview.text)
    assert "adv@n.example" in overview.text and "Advocate" in overview.text

    pages.append(admin.open("/admin/audit").text)
    verified = admin.post("/admin/audit/verify", {})
    pages.append(verified.text)
    assert "The chain holds" in verified.text
    assert "Account created from an invitation" in verified.text
    assert "A person (ref." in verified.text  # people are never named in the log

    disabled = admin.submit("/admin/accounts/disable", {"account": adv_id})
    pages.append(disabled.text)
    assert "(disabled)" in disabled.text
    assert "Account disabled" in admin.open("/admin/audit").text
    for text in pages:
        assert MARKER not in text
        assert PERSON not in text  # not even the person's sign-in name
        assert "followed me" not in text


def test_a_disabled_advocates_open_session_is_refused_at_the_next_request(org: Org) -> None:
    admin = staff_browser(org, org.admin)
    advocate = join_as_advocate(org, link_on(admin.submit("/admin/invite", {}).text), "adv@n")
    assert advocate.open("/account/invite").status_code == 200
    with org.accounts.store.transaction() as db:
        adv_id = str(db.query("SELECT id FROM hosted_accounts WHERE login = 'adv@n'")[0][0])
    assert "1</td>" in admin.open("/admin").text  # signed in now: one session
    admin.submit("/admin/accounts/disable", {"account": adv_id})
    refused = advocate.get("/account/invite")
    assert refused.status_code == 303 and refused.headers["location"] == "/account/sign-in"


def test_an_advocate_invites_a_person_who_makes_their_own_account_and_journal(org: Org) -> None:
    admin = staff_browser(org, org.admin)
    admin.submit("/admin/settings", {"open_signup": "off"})
    closed = browser(org.app).open("/account/sign-up?org=north")
    assert "does not let people create their own accounts" in closed.text
    advocate = join_as_advocate(org, link_on(admin.submit("/admin/invite", {}).text), "adv@n")
    page = advocate.submit("/account/invite", {})
    link = link_on(page.text)
    assert "Links not used yet" in page.text
    person = browser(org.app)
    form = person.open(link)
    assert "Your second factor" not in form.text and "Shelter North" in form.text
    token = link.split("token=")[1]
    short = person.post(
        "/account/invitation",
        {"token": token, "name": "kim", "password": "short", "again": "short"},
    )
    assert short.status_code == 400 and "at least 10 characters" in short.text
    done = person.post(
        "/account/invitation",
        {"token": token, "name": "kim", "password": PASSWORD, "again": PASSWORD},
    )
    assert done.status_code == 303 and done.headers["location"] == "/"
    create_journal(person, JOURNAL_A)  # their own journal, with their own passphrase
    assert "does not work any more" in browser(org.app).open(link).text
    assert "Links not used yet" not in advocate.open("/account/invite").text
    # A person may not make links, and reaches no admin page.
    assert person.get("/account/invite").status_code == 403
    assert person.get("/admin").status_code == 403


def test_the_person_sees_their_own_trail_and_nobody_elses(org: Org) -> None:
    alice = sign_up(org.app, PERSON)
    sign_up(org.app, "bob-other")
    failed = browser(org.app)
    assert sign_in(failed, PERSON, code="") == 303
    failed.open("/account")
    failed.post("/account/sign-out", {})
    stranger = browser(org.app)
    stranger.open("/account/sign-in?org=north")
    stranger.post(
        "/account/sign-in", {"org": "north", "name": PERSON, "password": "wrong password!!"}
    )
    trail = alice.open("/account/activity")
    assert trail.status_code == 200
    text = trail.text
    assert "A sign-in failed" in text and "Signed in" in text and "Signed out" in text
    assert "Account created" in text
    rows = re.findall(r"<tr><td[ >]", text)
    assert len(rows) == 4  # sign-up, sign-in, sign-out, the failed sign-in; nothing of Bob's
    assert text.index("A sign-in failed") < text.index("Account created")  # newest first
    failed_row = next(row for row in text.split("<tr>") if "A sign-in failed" in row)
    assert "Someone who typed your sign-in name" in failed_row  # not "You": not known who
    assert ">You</td>" not in failed_row
    assert text.count("Someone who typed your sign-in name") == 1
    anonymous = browser(org.app).get("/account/activity")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/account/sign-in"


def test_admin_pages_are_for_this_organisations_admins_only(org: Org) -> None:
    north_admin = staff_browser(org, org.admin)
    advocate = join_as_advocate(org, link_on(north_admin.submit("/admin/invite", {}).text), "adv@n")
    with org.accounts.store.transaction() as db:
        adv_id = str(db.query("SELECT id FROM hosted_accounts WHERE login = 'adv@n'")[0][0])
    for path in ("/admin", "/admin/audit"):
        assert advocate.get(path).status_code == 403
        gone = browser(org.app).get(path)
        assert gone.status_code == 303 and gone.headers["location"] == "/account/sign-in"
    south = staff_browser(org, org.other_admin, "south")
    page = south.open("/admin")
    assert "Clinic South" in page.text and "adv@n" not in page.text
    assert re.search(r'id="count-people">0<', page.text)
    south.submit("/admin/accounts/disable", {"account": adv_id})
    south.submit("/admin/accounts/end-sessions", {"account": adv_id})
    assert advocate.open("/account/invite").status_code == 200  # still signed in, enabled
    south_log = south.open("/admin/audit").text
    assert "adv@n" not in south_log and "Account disabled" not in south_log
    bad = south.post("/admin/settings", {})
    assert bad.status_code == 400
    # An admin session that began without a code (not possible by signing in) is refused.
    token, _ = org.app.state.web.hosted.sessions.start(org.admin.account)
    nocode = browser(org.app)
    nocode.client.cookies.set("ally_account", token)
    refused = nocode.get("/admin")
    assert refused.status_code == 403 and "need the code" in refused.text


def test_disabling_in_one_app_process_refuses_the_advocate_in_another(
    org: Org, pg_url: str
) -> None:
    """Two app processes share only the database: the refusal reaches the other one too."""
    admin = staff_browser(org, org.admin)
    link = link_on(admin.submit("/admin/invite", {}).text)
    second = hosted_app(pg_url, org.clock)  # another process on the same database
    advocate = join_as_advocate(
        Org(second, org.accounts, org.clock, org.admin, org.other_admin), link, "adv@n"
    )
    assert advocate.open("/account/invite").status_code == 200
    with org.accounts.store.transaction() as db:
        adv_id = str(db.query("SELECT id FROM hosted_accounts WHERE login = 'adv@n'")[0][0])
    admin.submit("/admin/accounts/end-sessions", {"account": adv_id})
    refused = advocate.get("/account/invite")
    assert refused.status_code == 303 and refused.headers["location"] == "/account/sign-in"
    assert "Signed out everywhere by an admin" in admin.open("/admin/audit").text

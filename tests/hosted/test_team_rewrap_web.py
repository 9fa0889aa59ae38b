"""A share with the team reaches advocates who join later, through the pages (issue 19 item
2), on real PostgreSQL: the late advocate's caseload says a team case is waiting, shows it once
the person unlocks their journal (or a colleague on the share unlocks their case key), and the
person's activity page names the new team member."""

from __future__ import annotations

import re

import pytest

from tests.hosted.conftest import PASSWORD
from tests.web.conftest import Browser
from tests.web.test_advocate_pages import (
    JOURNAL,
    KEY,
    SHARED,
    World,
    add_entry,
    case_link,
    person,
    root_id_of,
    staff,
    world,
)
from tests.web.test_case_pages import answer_all, text_of
from tests.web.test_one_deadline import ANSWERS

pytestmark = pytest.mark.postgres
__all__ = ["world"]  # a fixture, used by name

WAITING = "1 case shared with your team is not open to you yet."


def share_with_team(world: World) -> Browser:
    alice = person(world, "alice")
    answer_all(alice, ANSWERS)
    alice.open("/journal")
    created = alice.submit("/journal/create", {"passphrase": JOURNAL, "confirm": JOURNAL})
    assert created.status_code == 200
    add_entry(alice, f"He shouted at me in the office. {SHARED}")
    page = alice.open("/share")
    done = alice.submit(
        "/share", {"with": "team", "plan": "yes", "entry": root_id_of(page.text, SHARED)}
    )
    assert done.status_code == 200, done.text[:500]
    assert "With the whole team (ada)" in text_of(done.text)
    return alice


def join(world: World, name: str) -> Browser:
    """A new advocate of North signs in for the first time and makes their case key."""
    world.staff[name] = world.accounts.add_staff(
        world.accounts.org_by_slug("north"), name, "advocate", PASSWORD
    )
    return staff(world, name)


def activity(who: Browser) -> list[tuple[str, str]]:
    page = who.open("/account/activity").text
    rows = re.findall(
        r"<tr><td[^>]*><time[^>]*>[^<]+</time></td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td></tr>",
        page,
    )
    return [(what, whom) for what, whom in rows]


def test_a_late_advocate_sees_the_team_case_once_the_person_unlocks_their_journal(
    world: World,
) -> None:
    ada = staff(world, "ada")
    alice = share_with_team(world)
    cal = join(world, "cal")
    caseload = cal.open("/advocate")
    assert "alice" not in caseload.text and WAITING in text_of(caseload.text)
    # (Ada does not look at her caseload meanwhile: her key would bring Cal in too; nor does
    # Alice open /share with her journal open: that would too.)
    alice.submit("/journal/lock", {})
    [share_id] = re.findall(r'action="/share/([0-9a-f]+)/stop"', alice.open("/share").text)
    link = f"/advocate/cases/{share_id}"
    assert cal.get(link).status_code == 404
    # Alice unlocks her journal: the share follows the team.
    unlocked = alice.submit("/journal/unlock", {"passphrase": JOURNAL, "next": "/journal"})
    assert unlocked.status_code == 200
    caseload = cal.open("/advocate")
    assert "alice" in caseload.text and WAITING not in text_of(caseload.text)
    case = cal.open(link)
    assert case.status_code == 200 and SHARED in case.text
    assert SHARED in ada.open(link).text  # still there for Ada
    assert ("Shared with a new team member", "cal") in activity(alice)
    assert "With the whole team (ada, cal)" in text_of(alice.open("/share").text)
    # Stopping ends it for everyone, the new member included.
    alice.submit(f"/share/{share_id}/stop", {})
    for advocate in (ada, cal):
        assert advocate.get(link).status_code == 404
        assert "alice" not in advocate.open("/advocate").text


def test_a_colleague_unlocking_their_key_brings_the_late_advocate_in(world: World) -> None:
    ada = staff(world, "ada")
    alice = share_with_team(world)
    alice.submit("/journal/lock", {})  # Alice is away; her journal stays locked
    cal = join(world, "cal")
    assert WAITING in text_of(cal.open("/advocate").text)
    ada.submit("/advocate/key/lock", {})
    again = ada.post("/advocate/key/unlock", {"passphrase": KEY})
    assert again.status_code == 303 and again.headers["location"] == "/advocate"
    caseload = cal.open("/advocate")  # before Ada's caseload is shown: her unlock did it
    assert "alice" in caseload.text and WAITING not in text_of(caseload.text)
    assert SHARED in cal.open(case_link(caseload.text)).text
    assert ("Shared with a new team member", "cal") in activity(alice)

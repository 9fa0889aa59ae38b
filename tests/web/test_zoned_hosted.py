"""Hosted (real PostgreSQL, process zone UTC): the person's zone is asked for, filled in from
the browser by a same-origin script, changeable on a settings page, and the advocate reads the
person's local times and deadlines.

A person in America/Los_Angeles types 2026-04-25 20:00 (2026-04-26 03:00 UTC): the EEOC's
180 days run from 25 April to 2026-10-22, not 2026-10-23 (tests/web/test_zoned_pages).
"""

from __future__ import annotations

import re

import pytest

from tests.hosted.conftest import clock, pg_url
from tests.web.test_advocate_pages import (
    JOURNAL,
    World,
    case_link,
    person,
    root_id_of,
    staff,
    world,
)
from tests.web.test_case_pages import answer_all, text_of
from tests.web.test_one_deadline import ANSWERS, EEOC_DEADLINE
from tests.web.test_zoned_pages import add, server_in_utc

pytestmark = pytest.mark.postgres
__all__ = ["clock", "pg_url", "server_in_utc", "world"]  # fixtures, used by name

TYPED = "2026-04-25 20:00 (UTC-07:00)"


def test_the_zone_is_asked_for_with_the_browsers_filled_in_and_the_advocate_reads_it(
    world: World,
) -> None:
    ada = staff(world, "ada")
    alice = person(world, "alice")
    answer_all(alice, ANSWERS)
    form = alice.open("/journal").text
    assert "data-zone-from-browser" in form, "the same-origin script fills the browser's zone"
    assert "this computer's zone is used" not in form
    assert "the server's zone (UTC)" in text_of(form)
    script = alice.get("/static/ally.js").text
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in script
    made = alice.submit(
        "/journal/create",
        {"passphrase": JOURNAL, "confirm": JOURNAL, "timezone": "America/Los_Angeles"},
    )
    assert made.status_code == 200
    add(alice, when_date="2026-04-25", when_time="20:00", what="Shifts cut.", context="work")
    assert f"{TYPED}: Shifts cut." in text_of(alice.open("/journal").text)

    page = alice.open("/share")
    assert f"{TYPED}: Shifts cut." in text_of(page.text)
    done = alice.submit(
        "/share",
        {
            "with": world.staff["ada"].account.id,
            "plan": "yes",
            "entry": root_id_of(page.text, TYPED),
        },
    )
    assert done.status_code == 200, done.text[:300]
    caseload = text_of(ada.open("/advocate").text)
    assert f"October 22, 2026 : {EEOC_DEADLINE}" in caseload
    assert "October 23, 2026" not in caseload
    case = text_of(ada.open(case_link(ada.last.text if ada.last else "")).text)
    assert TYPED in case and "October 22, 2026" in case
    assert "April 26, 2026" not in case


def test_a_journal_without_a_zone_asks_and_the_zone_can_be_changed(world: World) -> None:
    alice = person(world, "alice")
    alice.open("/journal")
    made = alice.submit("/journal/create", {"passphrase": JOURNAL, "confirm": JOURNAL})
    assert made.status_code == 200
    add(alice, when_date="2026-04-25", when_time="20:00", what="Shifts cut.")
    timeline = text_of(alice.open("/journal").text)
    assert "Ally does not know your time zone yet, so times are read and shown in UTC" in timeline
    assert "Set your time zone" in timeline
    assert "2026-04-25 20:00 (UTC+00:00): Shifts cut." in timeline  # read on server time

    settings = alice.open("/journal/timezone")
    assert "data-zone-from-browser" in settings.text
    words = text_of(settings.text)
    assert "not when things happened" in words and "A date typed without a time" in words
    forged = alice.client.post(
        "/journal/timezone",
        data={"csrf": "0" * 32, "timezone": "Europe/London"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    wrong = alice.post("/journal/timezone", {"timezone": "Mars/Olympus"})
    assert wrong.status_code == 422 and "does not know that time zone" in wrong.text
    alice.open("/journal/timezone")
    saved = alice.submit("/journal/timezone", {"timezone": "America/Los_Angeles"})
    words = text_of(saved.text)
    assert "Times are shown in America/Los_Angeles." in words
    # Stored as an instant (20:00 UTC): shown at that moment in the new zone.
    assert "2026-04-25 13:00 (UTC-07:00): Shifts cut." in words
    add(alice, when_date="2026-04-26", when_time="09:15", what="Called again.")
    assert "2026-04-26 09:15 (UTC-07:00): Called again." in text_of(alice.open("/journal").text)
    again = alice.open("/journal/timezone")
    assert 'value="America/Los_Angeles"' in again.text
    assert "data-zone-from-browser" not in again.text
    assert re.search(r"reads and shows times in\s+America/Los_Angeles", text_of(again.text))

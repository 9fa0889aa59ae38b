"""Hosted (real PostgreSQL, process zone UTC): times are shown in the person's zone beyond the
journal too. Entries shared without the plan reach the advocate with the person's zone; the
account's activity and sessions show the journal's zone when it is open, else the browser's
(ally.js), else UTC, said so on the page.

A person in America/Los_Angeles types 2026-04-25 20:00 (2026-04-26 03:00 UTC).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

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
from tests.web.test_case_pages import text_of
from tests.web.test_zoned_pages import add, server_in_utc

pytestmark = pytest.mark.postgres
__all__ = ["clock", "pg_url", "server_in_utc", "world"]  # fixtures, used by name

TYPED = "2026-04-25 20:00 (UTC-07:00)"
LATER = "2026-04-26 09:15 (UTC-07:00)"
SCRIPT = Path(__file__).resolve().parents[2] / "src" / "ally" / "web" / "static" / "ally.js"


def test_entries_shared_without_the_plan_show_the_persons_own_times(world: World) -> None:
    ada = staff(world, "ada")
    alice = person(world, "alice")
    alice.open("/journal")
    made = alice.submit(
        "/journal/create",
        {"passphrase": JOURNAL, "confirm": JOURNAL, "timezone": "America/Los_Angeles"},
    )
    assert made.status_code == 200
    add(alice, when_date="2026-04-25", when_time="20:00", what="Shifts cut.")
    page = alice.open("/share")
    done = alice.submit(
        "/share",
        {
            "with": world.staff["ada"].account.id,
            "entry": root_id_of(page.text, TYPED),
            "new": "yes",
        },
    )
    assert done.status_code == 200, done.text[:300]
    listed = text_of(done.text)
    assert "1 entry, 0 files" in listed and "Your plan, 1 entry" not in listed, "no plan"
    add(alice, when_date="2026-04-26", when_time="09:15", what="Called again.")  # shared as new

    case = text_of(ada.open(case_link(ada.open("/advocate").text)).text)
    assert f"{TYPED}" in case and "Shifts cut." in case
    assert LATER in case and "Called again." in case
    assert "2026-04-26 03:00 (UTC+00:00)" not in case and "UTC+00:00" not in case


def _times(html: str) -> list[str]:
    return re.findall(r"<time datetime=\"[^\"]+\"( data-local)?>([^<]+)</time>", html)  # type: ignore[return-value]


def test_activity_and_sessions_show_the_journals_zone_else_utc_said_so(world: World) -> None:
    alice = person(world, "alice")
    locked = alice.open("/account/activity").text
    assert "Times are shown in UTC (Coordinated Universal Time)" in text_of(locked)
    shown = _times(locked)
    assert shown and all(flag == " data-local" and "(UTC+00:00)" in when for flag, when in shown)
    assert "When (UTC)" not in locked

    alice.open("/journal")
    made = alice.submit(
        "/journal/create",
        {"passphrase": JOURNAL, "confirm": JOURNAL, "timezone": "America/Los_Angeles"},
    )
    assert made.status_code == 200
    for path in ("/account/activity", "/account"):
        html = alice.open(path).text
        words = text_of(html)
        assert "Times are shown in America/Los_Angeles, your journal's time zone." in words, path
        assert "UTC (Coordinated Universal Time)" not in words, path
        shown = _times(html)
        assert shown, path
        for flag, when in shown:  # 2027-01-15 (the test clock): Pacific Standard Time
            assert not flag and when.endswith("(UTC-08:00)"), (path, when)
    moment = dt.datetime.fromtimestamp(world.clock(), dt.UTC).astimezone(
        dt.timezone(dt.timedelta(hours=-8))
    )
    assert f"Since {moment:%Y-%m-%d %H:%M} (UTC-08:00) (this browser)" in text_of(
        alice.open("/account").text
    )

    ada = staff(world, "ada")
    staff_page = ada.open("/account").text
    assert "Times are shown in UTC (Coordinated Universal Time)" in text_of(staff_page)
    assert all(flag for flag, _ in _times(staff_page)), "no journal: the browser's zone"


def test_the_browser_shows_utc_times_in_its_own_zone(world: World, chromium: Any) -> None:
    """ally.js rewrites the times the server could only write in UTC, as reports write
    them, and says which zone; without JavaScript the page keeps UTC, labelled."""
    html = person(world, "alice").open("/account/activity").text
    utc = _times(html)
    assert utc
    context = chromium.new_context(timezone_id="America/Los_Angeles", java_script_enabled=True)
    page = context.new_page()
    try:
        page.set_content(html.replace('<script src="/static/ally.js', '<script data-x="'))
        page.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
        shown = page.locator("time[data-local]").all_inner_texts()
        assert len(shown) == len(utc)
        for (_, before), after in zip(utc, shown, strict=True):
            instant = dt.datetime.strptime(before[:16], "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)
            local = instant.astimezone(dt.timezone(dt.timedelta(hours=-8)))
            assert after == f"{local:%Y-%m-%d %H:%M} (UTC-08:00)", (before, after)
        note = page.locator(".zone-note").inner_text()
        assert note == "Times are shown in your browser's time zone: America/Los_Angeles."
    finally:
        context.close()

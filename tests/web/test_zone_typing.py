"""The time-zone page as a person on a phone meets it: the zone is asked for (not "optional",
since saving nothing is refused), a name typed the way a phone keyboard types it is the zone
meant, and the incident form says what its retaliation tick is for."""

from __future__ import annotations

import pytest

from ally.web.person.journal import typed_zone
from tests.web.conftest import Browser, Clock
from tests.web.test_case_pages import text_of
from tests.web.test_zoned_pages import journal_in, person, server_in_utc

__all__ = ["Clock", "person", "server_in_utc"]  # fixtures, used by name


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("America/Los_Angeles", "America/Los_Angeles"),
        ("america/los angeles", "America/Los_Angeles"),
        ("  Europe / London ", "Europe/London"),
        ("Mars/Olympus", "Mars/Olympus"),  # no such zone: left as typed, then refused
    ],
)
def test_a_zone_typed_on_a_phone_is_the_zone_meant(typed: str, kept: str) -> None:
    assert typed_zone(typed) == kept


def test_the_zone_page_asks_plainly_and_takes_a_phone_typed_name(person: Browser) -> None:
    journal_in(person, "")
    page = person.open("/journal/timezone")
    words = text_of(page.text)
    assert "Your time zone (optional)" not in words
    assert "If you leave it empty" not in words
    assert "Capitals and spaces do not matter." in words
    assert words.index("Save my time zone") < words.index("What changing it does")
    assert 'autocapitalize="none"' in page.text and 'spellcheck="false"' in page.text
    saved = person.submit("/journal/timezone", {"timezone": "america/los angeles"})
    assert "Times are shown in America/Los_Angeles." in text_of(saved.text)
    form = text_of(person.open("/journal/new").text)
    assert (
        "This happened after I complained or reported it (retaliation) For example your shifts "
        "were cut, you were moved or left out after you complained. Your letters then say it "
        "was retaliation."
    ) in form

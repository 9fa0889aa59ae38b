"""The audit pages with sharing: the person sees who read what they shared and when; the
admin sees that it happened and the counts, never the shared content or the person's name."""

from __future__ import annotations

import re

import pytest

from ally.documents.evidence import MemoryEvidence
from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.hosted.keys import CaseKeys
from ally.hosted.sharing import ShareContent, Sharing
from ally.hosted.store import HostedStore
from ally.vault import Identity
from tests.hosted.conftest import PASSWORD, WEAK, Clock
from tests.hosted.test_web import browser, hosted_app, sign_in

pytestmark = pytest.mark.postgres

SHARED = "SHARED-WITH-ADA-MARKER-6604"
PERSON = "wren-alice-31"
KEY_PASS = "copper kettle winter sparrow"


def test_reads_of_a_shared_case_show_in_the_persons_trail_and_as_counts_for_the_admin(
    pg_url: str, clock: Clock
) -> None:
    app = hosted_app(pg_url, clock)
    accounts: Accounts = app.state.web.hosted.accounts
    north = accounts.create_org("Shelter North", "north", open_signup=True)
    alice = accounts.sign_up(north, PERSON, PASSWORD)
    ada = accounts.add_staff(north, "ada@n.example", "advocate", PASSWORD).account
    admin = accounts.add_staff(north, "admin@n.example", "admin", PASSWORD)
    store = HostedStore(pg_url)
    keys = CaseKeys(store, clock, work_factor=WEAK)
    identity = keys.create(ada, KEY_PASS)
    sharing = Sharing(store, keys, clock)
    evidence = MemoryEvidence()
    entry = evidence.add("note", {"text": f"He waited by the door. {SHARED}"})
    share = sharing.share(
        alice, Identity.generate().recipient, ada.id,
        ShareContent(case={"events": [], "journal_dates": []}, entries=[entry], files=[]),
        new_entries=False,
    )  # fmt: skip
    clock.advance(60)
    case = sharing.open_case(ada, identity, share.id)
    assert SHARED in str(case.entries[0].payload)

    person = browser(app)
    assert sign_in(person, PERSON) == 303
    trail = person.open("/account/activity").text
    rows = re.findall(
        r"<tr><td[^>]*><time[^>]*>([^<]+)</time></td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td></tr>",
        trail,
    )
    what_who = [(what, who) for _, what, who in rows]
    assert what_who[:3] == [("Signed in", "You"), ("Shared case read", "ada@n.example"),
                            ("Case shared", "You")]  # fmt: skip
    read_at = next(when for when, what, _ in rows if what == "Shared case read")
    assert re.search(r"\d\d:\d\d \(UTC[+-]\d\d:\d\d\)$", read_at)  # when, to the minute, zoned
    assert SHARED not in trail

    staff = browser(app)
    assert (
        sign_in(staff, admin.account.login, "north", totp.code_at(admin.totp_secret, clock()))
        == 303
    )
    overview = staff.open("/admin").text
    assert re.search(r'id="count-cases">1<', overview)
    assert re.search(r'id="count-shares">1<', overview)
    log = staff.open("/admin/audit").text
    assert "Shared case read" in log and "ada@n.example" in log and "A person (ref." in log
    cells = re.findall(
        r"<tr><td[^>]*><time[^>]*>[^<]+</time></td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td>"
        r"<td[^>]*>([^<]*)</td></tr>",
        log,
    )
    read = next(row for row in cells if row[0] == "Shared case read")
    assert read[1] == "ada@n.example" and read[2].startswith("A person (ref.")  # who, about whom
    for page in (overview, log):
        assert SHARED not in page and PERSON not in page and "waited by the door" not in page
    store.close()

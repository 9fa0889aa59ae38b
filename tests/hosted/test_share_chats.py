"""Sharing an imported chat with an advocate, on real PostgreSQL, in-process: the share page
offers the chat as one choice (not one per storage page), the advocate reads it a page at a
time with sender, text, time in the person's zone and the detector's flag and reason, and
the original file; "only the flagged messages" shares no other message's text; stopping
the share leaves the advocate "no such page"; each read is in the person's audit trail."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ally.evidence.detect import Detector
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.hosted import audit
from tests.evidence.conftest import FIXTURES
from tests.hosted.conftest import clock, pg_url
from tests.web.conftest import Browser
from tests.web.test_advocate_pages import JOURNAL, World, case_link, person, staff, world
from tests.web.test_case_pages import text_of

pytestmark = pytest.mark.postgres
__all__ = ["clock", "pg_url", "world"]  # fixtures, used by name

SNAP = FIXTURES / "snapshot"
URL = "https://forum.example.org/t/whos-the-new-hire/4417"
THREAT = "I know where you live and I will hurt you"
CALM = "okay CALM-{:04d} thanks"
COUNT = 300
THREATS = range(0, COUNT, 30)  # messages 0, 30, ..., 270: ten threats


def export(folder: Path) -> Path:
    """A WhatsApp export of COUNT messages from Sam, one a minute from 15 Jan 2026 09:00."""
    lines = []
    for number in range(COUNT):
        hour, minute = divmod(9 * 60 + number, 60)
        text = f"{THREAT} {number}" if number in THREATS else CALM.format(number)
        half = "AM" if hour < 12 else "PM"
        lines.append(f"1/15/26, {hour % 12 or 12}:{minute:02d} {half} - Sam: {text}")
    path = folder / "WhatsApp Chat with Sam.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_chat(world: World, path: Path) -> None:
    """Import into the person's unlocked journal as the worker would (in this process)."""
    held = list(world.app.state.web.vaults._held.values())
    assert len(held) == 1
    options = ImportOptions(timezone=ZoneInfo("Europe/Berlin"))
    done = import_file(held[0].vault, path, options, detector=Detector(), parallel=False)
    assert done.read == COUNT


def share(alice: Browser, world: World, choice: str, original: bool) -> str:
    page = alice.open("/share").text
    chat = re.search(r'name="(chat-[0-9a-f]{16})"', page)
    assert chat, page[:2000]
    fields = {"with": world.staff["ada"].account.id, chat.group(1): choice}
    if original:
        found = re.search(r'value="([0-9a-f]+)">\s*<label for="original-', page)
        assert found
        fields["entry"] = found.group(1)
    done = alice.submit("/share", fields)
    assert done.status_code == 200, done.text[:500]
    return page


def chat_pages(ada: Browser) -> tuple[str, list[str]]:
    """The case page and every page of its one shared chat, followed by their links."""
    case = ada.open(case_link(ada.open("/advocate").text))
    assert case.status_code == 200
    link = re.search(r'href="(/advocate/cases/[0-9a-f]{32}/chats/[0-9a-f]{16})"', case.text)
    assert link, case.text[:3000]
    pages, url = [], link.group(1)
    while url:
        shown = ada.open(url)
        assert shown.status_code == 200, shown.text[:300]
        pages.append(shown.text)
        more = re.search(r'href="([^"]+\?page=\d+)">Next page', shown.text)
        url = more.group(1).replace("&amp;", "&") if more else ""
    return case.text, pages


def reads(world: World, person_id: str) -> int:
    events = audit.events(world.store, world.org)
    return sum(1 for e in events if e.kind == "shared-case-read" and e.subject == person_id)


def test_a_shared_chat_reads_as_messages_and_flagged_only_shares_nothing_else(
    world: World, tmp_path: Path
) -> None:
    detector = Detector()
    assert all(not detector.assess(CALM.format(n)).flagged for n in (1, 2, 299))
    assert detector.assess(THREAT).flagged
    ada = staff(world, "ada")
    alice = person(world, "alice")
    alice.open("/journal")
    made = alice.submit(
        "/journal/create",
        {"passphrase": JOURNAL, "confirm": JOURNAL, "timezone": "Europe/Berlin"},
    )
    assert made.status_code == 200
    import_chat(world, export(tmp_path))

    # One choice for the chat, with its size, days and flags; no storage pages.
    page = share(alice, world, "all", original=True)
    words = text_of(page)
    assert "WhatsApp chat with Sam, 300 messages, January 15, 2026, 10 flagged" in words
    assert "Only the flagged messages (10)" in words
    assert "The original export file: WhatsApp Chat with Sam.txt" in words
    assert "imported messages" not in words and len(re.findall(r'name="entry"', page)) == 1

    # The advocate: sender, text, the person's time, the flag and its reason; two pages.
    case, pages = chat_pages(ada)
    assert "Only the flagged messages" not in text_of(case)
    assert "WhatsApp chat with Sam" in text_of(case)
    assert "The whole chat: 300 messages. 10 flagged." in text_of(case)
    assert len(pages) == 2
    first, both = text_of(pages[0]), text_of(pages[0] + pages[1])
    assert f"1. From Sam 2026-01-15 09:00 (UTC+01:00) {THREAT} 0 Flagged" in first
    assert "Threat : score 100% · threatens to hurt you" in first
    assert CALM.format(1) in first and CALM.format(299) in both
    assert "SHA-256" in text_of(case)  # the original file, with its hash, downloadable
    file_link = re.search(r'href="(/advocate/cases/[0-9a-f]{32}/files/[0-9a-f]+)"', case)
    assert file_link
    assert ada.get(file_link.group(1)).content == export(tmp_path).read_bytes()

    # Flagged only (sharing again replaces): no unflagged message's text reaches the advocate.
    share(alice, world, "flagged", original=False)
    case, pages = chat_pages(ada)
    shown = text_of(case + "".join(pages))
    assert "Only the flagged messages were shared: 10 of 300." in shown
    assert len(pages) == 1 and all(f"{THREAT} {n}" in shown for n in THREATS)
    assert "CALM-" not in shown and "/files/" not in case, "no other text, no original file"
    with world.store.transaction() as db:
        rows = db.query("SELECT sealed FROM hosted_share_items")
        alice_id = str(db.query("SELECT id FROM hosted_accounts WHERE login = 'alice'")[0][0])
    assert rows and not any(b"CALM-" in bytes(r[0]) or b"Sam" in bytes(r[0]) for r in rows)

    # Every page read is in Alice's trail; stopping leaves Ada nothing.
    before = reads(world, alice_id)
    chat_url = re.search(r"/advocate/cases/[0-9a-f]{32}/chats/[0-9a-f]{16}", case)
    assert chat_url
    assert ada.open(chat_url.group(0)).status_code == 200
    assert reads(world, alice_id) > before
    listed = alice.open("/share").text
    stop = re.search(r'action="(/share/[0-9a-f]{32}/stop)"', listed)
    assert stop and "1 chat" in text_of(listed)
    assert alice.submit(stop.group(1), {}).status_code == 200
    assert ada.get(chat_url.group(0)).status_code == 404
    assert ada.get(chat_url.group(0) + "?page=1").status_code == 404


def test_a_shared_web_page_shows_its_address_time_fingerprints_and_text(world: World) -> None:
    ada = staff(world, "ada")
    alice = person(world, "alice")
    alice.open("/journal")
    made = alice.submit(
        "/journal/create",
        {"passphrase": JOURNAL, "confirm": JOURNAL, "timezone": "Europe/Berlin"},
    )
    assert made.status_code == 200
    page = (SNAP / "forum-post.mhtml").read_bytes()
    alice.open("/evidence/snapshot")
    kept = alice.client.post(
        "/evidence/snapshot",
        data={"csrf": alice.csrf, "url": ""},
        files=[("page", ("forum-post.mhtml", page, "application/octet-stream"))],
        follow_redirects=False,
    )
    assert kept.status_code == 303, kept.text[:300]
    listed = alice.open("/share").text
    entry = re.search(r'name="entry" id="entry-\d+" value="([0-9a-f]+)"', listed)
    assert entry, listed[:2000]
    done = alice.submit("/share", {"with": world.staff["ada"].account.id, "entry": entry.group(1)})
    assert done.status_code == 200
    case = text_of(ada.open(case_link(ada.open("/advocate").text)).text)
    assert URL in case and "the MHTML Date header" in case
    assert f"SHA-256 {hashlib.sha256(page).hexdigest()}" in case
    assert "Dana Reyes" in case, "the page's text"
    assert "(UTC+01:00)" in case or "(UTC+02:00)" in case
    assert "UTC+00:00" not in case, "the person's zone, not UTC"

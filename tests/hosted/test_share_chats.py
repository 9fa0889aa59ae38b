"""Sharing an imported chat with an advocate, on real PostgreSQL, in-process: the share page
offers the chat as one choice (not one per storage page), the advocate reads it a page at a
time with sender, text, time in the person's zone and the detector's flag and reason, and
the original file; "only the flagged messages" shares no other message's text; stopping
the share leaves the advocate "no such page"; each read is in the person's audit trail."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ally.evidence.detect import Detector
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.hosted import audit
from ally.hosted.accounts import Accounts
from ally.hosted.sharing import NotSharedError
from ally.hosted.store import HostedStore
from ally.vault.crypto import open_sealed
from tests.evidence.conftest import FIXTURES
from tests.hosted.conftest import PASSWORD, Clock, clock, pg_url
from tests.hosted.test_sharing import KEY_PASS
from tests.hosted.test_sharing import World as CoreWorld
from tests.web.conftest import Browser
from tests.web.test_advocate_pages import JOURNAL, World, case_link, person, staff, world
from tests.web.test_case_pages import text_of
from tests.web.test_snapshot_pages import send

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


def keep_snapshot(alice: Browser) -> bytes:
    """Keep a saved web page (an MHTML file with its address and capture time)."""
    page = (SNAP / "forum-post.mhtml").read_bytes()
    kept = send(alice, {"page": ("forum-post.mhtml", page)})
    assert kept.status_code == 303, kept.text[:300]
    return page


def share(alice: Browser, world: World, choice: str, original: bool) -> str:
    page = alice.open("/share").text
    chat = re.search(r'name="(chat-[0-9a-f]{16})"', page)
    assert chat, page[:2000]
    fields: dict[str, Any] = {"with": world.staff["ada"].account.id, chat.group(1): choice}
    if original:  # with the original file and the web page
        found = re.search(r'value="([0-9a-f]+)">\s*<label for="original-', page)
        snapshot = re.search(r'name="entry" id="entry-\d+" value="([0-9a-f]+)"', page)
        assert found and snapshot
        fields["entry"] = [found.group(1), snapshot.group(1)]
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
    snapshot = keep_snapshot(alice)

    # One choice for the chat, with its size, days and flags; no storage pages.
    page = share(alice, world, "all", original=True)
    words = text_of(page)
    assert "WhatsApp chat with Sam, 300 messages, January 15, 2026, 10 flagged" in words
    assert "Only the flagged messages (10)" in words
    assert "The original export file: WhatsApp Chat with Sam.txt" in words
    assert "imported messages" not in words and len(re.findall(r'name="entry"', page)) == 2

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
    # The web page: its address, capture time in the person's zone, fingerprints and text.
    words = text_of(case)
    assert URL in words and "the MHTML Date header" in words and "Dana Reyes" in words
    assert f"SHA-256 {hashlib.sha256(snapshot).hexdigest()}" in words
    assert "(UTC+01:00)" in words or "(UTC+02:00)" in words
    assert "UTC+00:00" not in words, "the person's zone, not UTC"

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


def test_a_chat_in_the_core_reads_page_by_page_follows_the_team_and_goes_with_revoke(
    store: HostedStore, accounts: Accounts, clock: Clock
) -> None:
    """On SQLite and PostgreSQL: 450 messages are one summary and three sealed pages; only
    the share's readers open them; a team share re-wrapped for a new advocate covers every
    page; revoking removes all of it; an entry shared the older way still reads."""
    core = CoreWorld(store, accounts, clock)
    messages = [{"id": f"{n:016x}", "text": f"MSG-{n}", "sender": "Sam"} for n in range(450)]
    summary = {"id": "ab" * 8, "title": "WhatsApp chat with Sam", "count": 450}
    content = core.content()
    content.chats = [(summary, messages)]
    share = core.sharing.share(core.alice, core.journal.recipient, None, content, new_entries=False)
    assert core.sharing.counts(core.alice, share.id) == {
        "case": 1, "entry": 1, "file": 1, "chat": 1, "chatpage": 3,
    }  # fmt: skip
    ada = core.identity(core.ada)
    case = core.sharing.open_case(core.ada, ada, share.id)
    assert [c.summary["pages"] for c in case.chats] == [3] and len(case.entries) == 1
    _, chat, page = core.sharing.read_chat_page(core.ada, ada, share.id, "ab" * 8, 3)
    assert chat.summary["shared"] == 450 and [m["text"] for m in page][:1] == ["MSG-400"]
    for bad in ((core.sol, 1), (core.ada, 4)):
        with pytest.raises(NotSharedError):
            core.sharing.read_chat_page(bad[0], core.identity(bad[0]), share.id, "ab" * 8, bad[1])
    newcomer = accounts.add_staff(core.north, "ann", "advocate", PASSWORD).account
    ann = core.keys.create(newcomer, KEY_PASS)
    changed = core.sharing.refresh_for_person(
        core.alice, core.journal.recipient, lambda data: open_sealed(data, core.journal)
    )
    assert changed and newcomer.id in changed[0].added
    _, _, page = core.sharing.read_chat_page(newcomer, ann, share.id, "ab" * 8, 2)
    assert page[0]["text"] == "MSG-200"
    assert core.sharing.revoke(core.alice, share.id)
    with pytest.raises(NotSharedError):
        core.sharing.read_chat_page(core.ada, ada, share.id, "ab" * 8, 1)
    with store.transaction() as db:
        assert not db.query("SELECT 1 FROM hosted_share_items")

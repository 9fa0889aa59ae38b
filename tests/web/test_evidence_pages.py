"""Importing exports, reviewing and searching messages, over the real vault and pipeline.

Uploads go into memory only: these tests forbid temporary files, look for the text on disk,
and check that a broken, unknown or unchecked upload leaves the journal exactly as it was.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from ally.evidence.detect import CATEGORIES
from ally.evidence.pipeline import EXPORT_KIND
from ally.evidence.review import stored_messages
from ally.vault import Vault
from ally.web import memfiles
from ally.web.person import evidence
from ally.web.person.review import CATEGORY_LABELS
from ally.web.state import WebState
from tests.web.conftest import Browser
from tests.web.test_journal import PASSPHRASE, forbid_temp_files, vault_folder

MARKER = "PLAINTEXT-CHAT-MARKER-5521"
CHAT = f"""1/15/26, 9:06 PM - Sam: Hey, are you there? {MARKER}
1/15/26, 9:07 PM - Sam: I know where you live and I will kill you
1/16/26, 12:01 AM - Alex: leave me alone
1/20/26, 12:03 PM - Sam: you stupid ugly bitch
2/02/26, 8:00 AM - Jordan: see you at the meeting
""".encode()
CHAT_NAME = "WhatsApp Chat with Sam.txt"


@pytest.fixture
def journal(browser: Browser) -> Browser:
    browser.open("/journal")
    browser.submit("/journal/create", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE})
    return browser


def upload(
    browser: Browser,
    content: bytes,
    name: str = CHAT_NAME,
    csrf: bool = True,
    **fields: str,
) -> httpx.Response:
    """Post the import form as a browser does: the token, the choices, then the file."""
    browser.open("/evidence/import")
    data = {"csrf": browser.csrf} if csrf else {}
    data.update({"timezone": "UTC", **fields})
    return browser.client.post(
        "/evidence/import",
        data=data,
        files=[("export", (name, content, "text/plain"))],
        follow_redirects=False,
    )


def counts(app: FastAPI) -> tuple[int, int]:
    """Export and message entries in the journal, read with the passphrase."""
    with Vault.open(str(vault_folder(app)), PASSPHRASE) as vault:
        return len(vault.entries(kind=EXPORT_KIND)), len(stored_messages(vault))


def page_text(response: httpx.Response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def test_the_pages_need_the_journal_and_lead_back(browser: Browser) -> None:
    for path in ("/evidence/import", "/evidence/review", "/evidence/search"):
        page = browser.open(path)
        assert page.status_code == 200
        assert f'href="/journal?next={path}"' in page.text
    browser.open("/journal")
    created = browser.post(
        "/journal/create",
        {"passphrase": PASSPHRASE, "confirm": PASSPHRASE, "next": "/evidence/import"},
    )
    assert 'href="/evidence/import"' in created.text  # after the recovery code is shown


def test_an_export_is_imported_in_memory_and_kept_encrypted(
    journal: Browser, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    forbid_temp_files(monkeypatch)
    before = set(Path("/dev/shm").glob("ally-import-*"))
    response = upload(journal, CHAT)
    assert response.status_code == 303
    assert response.headers["location"] == "/evidence/import/result"
    result = page_text(journal.open("/evidence/import/result"))
    assert "5 messages read" in result and "5 messages added" in result
    assert "flagged for you to review" in result and CHAT_NAME in result
    assert "messages that are not flagged can still matter" in result
    assert set(Path("/dev/shm").glob("ally-import-*")) == before  # the link is gone too
    stored_files = [path for path in vault_folder(app).rglob("*") if path.is_file()]
    assert any(path.name == "vault.db" for path in stored_files)  # the folder really is the vault
    for stored in stored_files:
        assert MARKER.encode() not in stored.read_bytes(), stored
    with Vault.open(str(vault_folder(app)), PASSPHRASE) as vault:
        (export,) = vault.entries(kind=EXPORT_KIND)
        (original,) = export.attachments
        assert b"".join(vault.read_attachment(original.id)) == CHAT
        assert original.filename == CHAT_NAME
    progress = journal.open("/evidence/import/progress").json()
    assert progress["phase"] == "done" and progress["received"] == len(CHAT)
    assert (progress["done"], progress["total"]) == (5, 5)


def test_importing_the_same_export_again_adds_nothing(journal: Browser, app: FastAPI) -> None:
    upload(journal, CHAT)
    again = upload(journal, CHAT)
    assert again.status_code == 303
    result = page_text(journal.open("/evidence/import/result"))
    assert "0 messages added" in result and "5 messages were already there" in result
    assert counts(app) == (1, 5)


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("broken.json", b'{"messages": [{"id": 1, "type": "message", "date": ', "broken.json"),
        ("holiday.png", b"\x89PNG\r\n\x1a\n not a chat", "holiday.png"),
        ("damaged.zip", b"PK\x03\x04 cut short", "damaged.zip"),
        ("empty.txt", b"", "empty.txt"),
    ],
)
def test_a_corrupt_or_unknown_upload_is_explained_and_changes_nothing(
    journal: Browser, app: FastAPI, name: str, content: bytes, said: str
) -> None:
    upload(journal, CHAT)
    response = upload(journal, content, name)
    assert response.status_code == 422
    text = page_text(response)
    assert "nothing was added to your journal" in text and said in text
    assert 'role="alert"' in response.text
    assert counts(app) == (1, 5)


def test_a_telegram_export_cut_short_names_the_place_and_stores_nothing(
    journal: Browser, app: FastAPI
) -> None:
    whole = Path(__file__).parents[1] / "evidence" / "fixtures" / "telegram-result.json"
    content = whole.read_bytes()
    response = upload(journal, content[: len(content) * 2 // 3], "result.json")
    assert response.status_code == 422
    assert "result.json" in page_text(response)
    assert counts(app) == (0, 0)


def test_choices_are_checked_before_the_file_is_read(journal: Browser, app: FastAPI) -> None:
    zone = upload(journal, CHAT, timezone="Mars/Olympus", conversation="Sam")
    assert zone.status_code == 422
    assert "does not know that time zone" in zone.text
    assert 'value="Mars/Olympus"' in zone.text and 'value="Sam"' in zone.text  # kept
    long_name = upload(journal, CHAT, conversation="x" * 201)
    assert long_name.status_code == 422
    odd = upload(journal, CHAT, date_order="XYZ")
    assert odd.status_code == 400
    assert counts(app) == (0, 0)


def test_no_file_chosen_asks_for_one(journal: Browser, app: FastAPI) -> None:
    journal.open("/evidence/import")
    response = journal.client.post(
        "/evidence/import",
        data={"csrf": journal.csrf},
        files=[("export", ("", b"", "application/octet-stream"))],
    )
    assert response.status_code == 422
    assert "Please choose the exported file" in response.text
    assert counts(app) == (0, 0)


def test_an_upload_without_its_token_is_refused_and_changes_nothing(
    journal: Browser, app: FastAPI
) -> None:
    response = upload(journal, CHAT, csrf=False)
    assert response.status_code == 403
    journal.open("/evidence/import")
    wrong = journal.client.post(
        "/evidence/import",
        data={"csrf": "0" * 64},
        files=[("export", (CHAT_NAME, CHAT, "text/plain"))],
    )
    assert wrong.status_code == 403
    assert counts(app) == (0, 0)


def test_an_upload_over_the_limit_is_refused(
    journal: Browser, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "MAX_IMPORT_BYTES", 100)
    response = upload(journal, CHAT * 10)
    assert response.status_code == 413
    assert counts(app) == (0, 0)


def test_with_the_journal_locked_nothing_is_imported(journal: Browser, app: FastAPI) -> None:
    journal.open("/journal")
    csrf = journal.csrf
    journal.submit("/journal/lock", {})
    response = journal.client.post(
        "/evidence/import",
        data={"csrf": csrf},
        files=[("export", (CHAT_NAME, CHAT, "text/plain"))],
        follow_redirects=False,
    )
    assert response.headers["location"] == "/evidence/import"
    assert counts(app) == (0, 0)


def test_review_shows_flagged_messages_first_with_scores_and_reasons(journal: Browser) -> None:
    upload(journal, CHAT)
    page = journal.open("/evidence/review")
    text = page_text(page)
    assert "5 messages" in text and "2 flagged" in text
    first_flag = text.index("Flagged")
    assert text.index("I know where you live") < text.index("Hey, are you there?")
    assert text.index("you stupid ugly") < text.index("Hey, are you there?")
    assert first_flag < text.index("Hey, are you there?")
    assert "Threat" in text and re.search(r"score \d+%", text)
    assert "threatens to hurt you" in text  # the detector's own reason, in plain words
    assert "line 2" in text  # where it is in the export


def test_marking_keeps_a_dated_decision_as_a_new_version(journal: Browser, app: FastAPI) -> None:
    upload(journal, CHAT)
    page = journal.open("/evidence/review")
    entry = re.search(r'name="entry" value="([0-9a-f]+)"', page.text)
    assert entry
    done = journal.submit(
        "/evidence/review/mark", {"entry": entry.group(1), "decision": "evidence", "page": "1"}
    )
    assert "4 messages" in page_text(done)  # it left the queue
    everything = page_text(journal.open("/evidence/review?reviewed=yes"))
    assert "Kept as evidence" in everything
    with Vault.open(str(vault_folder(app)), PASSPHRASE) as vault:
        decided = [item for item in stored_messages(vault) if item.decision]
        assert [item.decision for item in decided] == ["evidence"]
        assert decided[0].entry_id == entry.group(1) and decided[0].page_id is not None
        assert len(vault.history(decided[0].page_id)) == 2  # its page, as a new version


def test_marks_refuse_bad_input_and_change_nothing(journal: Browser, app: FastAPI) -> None:
    upload(journal, CHAT)
    page = journal.open("/evidence/review")
    entry = re.search(r'name="entry" value="([0-9a-f]+)"', page.text)
    assert entry
    bad_decision = journal.post(
        "/evidence/review/mark", {"entry": entry.group(1), "decision": "delete"}
    )
    assert bad_decision.status_code == 400
    bad_entry = journal.post("/evidence/review/mark", {"entry": "../x", "decision": "evidence"})
    assert bad_entry.status_code == 400
    unknown = journal.post("/evidence/review/mark", {"entry": "abcdef12", "decision": "evidence"})
    assert unknown.status_code == 400
    no_token = journal.client.post(
        "/evidence/review/mark",
        data={"entry": entry.group(1), "decision": "evidence"},
        follow_redirects=False,
    )
    assert no_token.status_code == 403
    with Vault.open(str(vault_folder(app)), PASSPHRASE) as vault:
        assert not any(item.decision for item in stored_messages(vault))


def test_search_by_sender_words_and_dates_is_posted_never_in_the_url(journal: Browser) -> None:
    upload(journal, CHAT)
    journal.open("/evidence/search")
    found = journal.post("/evidence/search", {"sender": "sam", "until": "2026-01-16"})
    assert found.status_code == 200 and str(found.url).endswith("/evidence/search")
    text = page_text(found)
    assert "2 messages found" in text
    assert "Hey, are you there?" in text and "I know where you live" in text
    words = page_text(journal.post("/evidence/search", {"text": "MEETING"}))
    assert "1 message found" in words and "Jordan" in words
    flagged = page_text(journal.post("/evidence/search", {"flagged": "yes", "since": "2026-01-16"}))
    assert "1 message found" in flagged and "you stupid ugly" in flagged


def test_search_dates_are_checked(journal: Browser) -> None:
    journal.open("/evidence/search")
    bad = journal.post("/evidence/search", {"since": "15/01/2026"})
    assert bad.status_code == 422 and "like 2026-05-03" in bad.text
    reversed_dates = journal.post(
        "/evidence/search", {"since": "2026-02-01", "until": "2026-01-01"}
    )
    assert reversed_dates.status_code == 422 and "swap them" in reversed_dates.text
    no_token = journal.client.post("/evidence/search", data={"text": "x"})
    assert no_token.status_code == 403


def test_a_mark_from_the_results_keeps_the_search(journal: Browser) -> None:
    upload(journal, CHAT)
    journal.open("/evidence/search")
    found = journal.post("/evidence/search", {"sender": "jordan"})
    entry = re.search(r'name="entry" value="([0-9a-f]+)"', found.text)
    assert entry
    marked = journal.post(
        "/evidence/search",
        {"sender": "jordan", "entry": entry.group(1), "decision": "not_relevant"},
    )
    text = page_text(marked)
    assert "1 message found" in text and "Not relevant" in text and "see you at the meeting" in text


def test_every_detector_category_has_a_label() -> None:
    assert set(CATEGORY_LABELS) == set(CATEGORIES)


def test_memory_files_keep_names_safe() -> None:
    assert memfiles.link_name("..") == "export"
    assert memfiles.link_name("a/b\\c.txt") == "a_b_c.txt"
    long = memfiles.link_name("ñ" * 300 + ".json")
    assert long.endswith(".json") and len(long.encode()) <= memfiles.MAX_NAME_BYTES
    with memfiles.MemoryFile("chat.txt") as held:
        held.write(b"hello")
        assert held.path.read_bytes() == b"hello" and held.path.name == "chat.txt"
        folder = held.path.parents[len(memfiles.DEPTH)]
    assert not folder.exists()


def test_the_web_state_holds_no_upload_after_the_import(journal: Browser, app: FastAPI) -> None:
    upload(journal, CHAT)
    state: WebState = app.state.web
    assert state.vaults is not None
    imports = app.state.evidence_imports
    (held,) = imports.values()
    assert MARKER not in repr(held)


def test_quick_exit_never_waits_for_a_running_import(journal: Browser, app: FastAPI) -> None:
    state: WebState = app.state.web
    assert state.vaults is not None
    (row,) = state.vaults._held
    held = state.vaults._held[row]
    held.busy.acquire()  # as a long import holds it
    try:
        left = journal.get("/exit")
        assert left.status_code == 303
        assert not state.vaults.is_unlocked(row)
    finally:
        held.busy.release()
    deadline = time.monotonic() + 30  # "as soon as", on a machine that may be busy
    while held.vault.unlocked and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not held.vault.unlocked  # closed as soon as the work let go of it

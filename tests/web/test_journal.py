"""The journal pages over the real vault: unlock, incidents with files, integrity, export, share."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from ally.vault import Identity, Vault, verify_bundle
from ally.web.state import WebState
from tests.web.conftest import JOURNAL_PASSPHRASE as PASSPHRASE
from tests.web.conftest import Browser, Clock

MARKER = b"PLAINTEXT-EVIDENCE-MARKER-7731"


def vault_folder(app: FastAPI) -> Path:
    state: WebState = app.state.web
    assert state.vaults is not None
    return Path(state.vaults.location)


def add_incident(browser: Browser, files: list[tuple[str, bytes]], **fields: str) -> Iterator[str]:
    browser.open("/journal/new")
    data = {"csrf": browser.csrf, "when_date": "2026-05-03", "when_time": "14:30", **fields}
    data.setdefault("what", "He blocked the door and shouted at me.")
    # A browser sends an empty file part when no file was chosen; so does this.
    upload = [("files", (name, content, "application/octet-stream")) for name, content in files]
    response = browser.client.post(
        "/journal/new",
        data=data,
        files=upload or [("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    yield str(response.status_code)
    yield response.headers.get("location", "")


def test_creating_asks_for_the_passphrase_twice(browser: Browser) -> None:
    browser.open("/journal")
    mismatch = browser.post("/journal/create", {"passphrase": PASSPHRASE, "confirm": "other"})
    assert mismatch.status_code == 422 and "The two passphrases are not the same" in mismatch.text
    short = browser.post("/journal/create", {"passphrase": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "at least 12 characters" in short.text  # the same rule and words as the CLI
    digits = browser.post(
        "/journal/create", {"passphrase": "0115 496 0000 12", "confirm": "0115 496 0000 12"}
    )
    assert digits.status_code == 422 and "only digits" in digits.text


def forbid_temp_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any temporary file made from now on fails the test: an upload (victim data) must stay
    in memory until it is encrypted into the vault."""

    def no_temp_files(*args: object, **kwargs: object) -> None:
        raise AssertionError("an upload must never be written to a temporary file")

    for name in ("TemporaryFile", "SpooledTemporaryFile", "NamedTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, no_temp_files)


def test_an_incident_with_files_is_stored_encrypted_and_reads_back(
    journal: Browser, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    forbid_temp_files(monkeypatch)
    big = MARKER + bytes(range(256)) * 12_000 + MARKER  # about 3 MiB: several vault rows
    status, location = add_incident(journal, [("photo.jpg", big), ("note.txt", MARKER)])
    assert status == "303" and re.fullmatch(r"/journal/entries/\d+", location)
    page = journal.open(location)
    assert "He blocked the door" in page.text and "photo.jpg" in page.text
    links = re.findall(r'href="(/journal/attachments/[0-9a-f]+)"', page.text)
    assert len(links) == 2
    download = journal.get(links[0])
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.content == big
    for stored in vault_folder(app).rglob("*"):
        if stored.is_file():
            assert MARKER not in stored.read_bytes(), stored


def test_files_can_be_attached_later(journal: Browser) -> None:
    _, location = add_incident(journal, [])
    journal.open(location)
    response = journal.client.post(
        f"{location}/attach",
        data={"csrf": journal.csrf},
        files=[("files", ("later.png", b"\x89PNG more", "image/png"))],
        follow_redirects=True,
    )
    assert "later.png" in response.text


def test_an_incident_needs_what_happened_and_keeps_what_was_typed(journal: Browser) -> None:
    status, _ = add_incident(journal, [("a.txt", MARKER)], what="", where="the car park")
    assert status == "422"
    assert journal.last is not None
    page = journal.client.get("/journal").text
    assert "Nothing here yet" in page


def test_a_multipart_form_without_its_token_stores_nothing(journal: Browser) -> None:
    journal.open("/journal/new")
    response = journal.client.post(
        "/journal/new",
        data={"what": "x", "when_words": "yesterday"},
        files=[("files", ("a.txt", MARKER, "text/plain"))],
    )
    assert response.status_code == 403
    assert "This form could not be checked. Please reload the page." in response.text
    forged = journal.client.post(
        "/journal/new",
        data={"csrf": "0" * 64, "what": "x", "when_words": "yesterday"},
        files=[("files", ("a.txt", MARKER, "text/plain"))],
    )
    assert forged.status_code == 403 and "This form could not be checked" in forged.text
    assert "Nothing here yet" in journal.client.get("/journal").text


def test_the_timeline_lists_incidents_by_when_they_happened(journal: Browser) -> None:
    list(add_incident(journal, [], what="Second thing", when_date="2026-06-01"))
    list(add_incident(journal, [], what="First thing", when_date="2026-01-01"))
    page = journal.open("/journal").text
    assert page.index("Second thing") < page.index("First thing")  # newest first


def test_a_wrong_passphrase_does_not_unlock(journal: Browser) -> None:
    journal.submit("/journal/lock", {})
    wrong = journal.post("/journal/unlock", {"passphrase": "not the passphrase"})
    assert wrong.status_code == 400
    assert "Unlock your journal" in journal.open("/journal").text
    assert "Your journal" in journal.submit("/journal/unlock", {"passphrase": PASSPHRASE}).text


def test_the_journal_locks_when_idle_and_on_quick_exit(
    journal: Browser, app: FastAPI, clock: Clock
) -> None:
    state: WebState = app.state.web
    assert state.vaults is not None
    clock.advance(16 * 60)
    state.vaults.lock_idle()
    assert "Ally is locked" in journal.open("/journal").text
    journal.submit("/start-again", {})
    assert "Unlock your journal" in journal.open("/journal").text
    journal.submit("/journal/unlock", {"passphrase": PASSPHRASE})
    journal.get("/exit")
    assert "Ally is locked" in journal.open("/journal").text
    journal.submit("/start-again", {})
    assert "Unlock your journal" in journal.open("/journal").text


def test_integrity_needs_no_passphrase_and_codes_can_be_checked(journal: Browser) -> None:
    list(add_incident(journal, [("a.txt", b"evidence")]))
    page = journal.open("/journal/integrity").text
    assert "Nothing in the journal was changed" in page
    code = re.search(r'<p class="code">([^<]+)</p>', page)
    assert code
    journal.submit("/journal/lock", {})
    checked = journal.submit("/journal/integrity/check", {"code": code.group(1)})
    assert "still holds everything" in checked.text
    wrong = journal.submit("/journal/integrity/check", {"code": "1-AAAA-AAAA-AAAA-AAAA"})
    assert "does not match" in wrong.text


def test_a_full_export_downloads_a_verifiable_bundle(journal: Browser, tmp_path: Path) -> None:
    list(add_incident(journal, [("a.txt", MARKER)]))
    journal.open("/journal/export")
    response = journal.post("/journal/export", {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert all(MARKER not in archive.read(name) for name in archive.namelist())
        archive.extractall(tmp_path / "out")
    (bundle,) = (tmp_path / "out").iterdir()
    assert verify_bundle(bundle).ok


def test_sharing_makes_a_copy_for_the_advocates_key(journal: Browser, tmp_path: Path) -> None:
    list(add_incident(journal, [], what="For the advocate"))
    advocate = Identity.generate()
    journal.open("/journal/export")
    bad = journal.post("/journal/share", {"recipient": "age1nonsense"})
    assert bad.status_code == 400
    journal.open("/journal/export")
    response = journal.post("/journal/share", {"recipient": str(advocate.recipient), "entry": "2"})
    assert response.status_code == 200, response.text[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path / "out")
    (bundle,) = (tmp_path / "out").iterdir()
    assert verify_bundle(bundle).ok


def test_the_cases_records_never_show_as_journal_entries(journal: Browser) -> None:
    """Marking a step writes a case record into the journal; it is not an entry to show."""
    journal.start("us")
    journal.skip_to_plan()
    step = re.search(r'name="step" value="([^"]+)"', journal.open("/plan/steps/1").text)
    assert step
    journal.post("/plan/status", {"step": step.group(1), "status": "refused"})
    list(add_incident(journal, [], what="The one real incident"))
    timeline = journal.open("/journal").text
    assert timeline.count('href="/journal/entries/') == 1
    assert "The one real incident" in timeline
    picker = journal.open("/journal/export").text
    assert picker.count('name="entry"') == 1


def test_the_form_records_what_the_person_did_and_the_answer(
    journal: Browser, app: FastAPI
) -> None:
    """An action and a reply are their own kinds, with who and the reference, not incidents."""
    status, location = add_incident(
        journal,
        [],
        kind="action",
        what="Emailed HR a formal complaint.",
        to_whom="HR",
        did="complained",
    )
    assert status == "303"
    assert "Emailed HR a formal complaint." in journal.open(location).text
    status, _ = add_incident(
        journal,
        [],
        kind="reply",
        what="HR refused to investigate.",
        to_whom="Dana, HR",
        outcome="refused",
        reference="HR-77",
    )
    assert status == "303"
    bad, _ = add_incident(journal, [], kind="rumour", what="x")
    assert bad == "422"
    state: WebState = app.state.web
    assert state.vaults is not None
    (row,) = state.vaults._held  # the one journal this test opens
    with state.vaults.using(row) as vault:
        assert vault is not None
        saved = [e for e in vault.entries() if e.kind in ("action", "reply", "incident")]
    assert [e.kind for e in saved] == ["action", "reply"]
    assert saved[0].action().to == "HR" and saved[0].action().did == "complained"
    assert saved[1].reply().reference == "HR-77" and saved[1].reply().outcome == "refused"


def test_the_backup_button_downloads_a_complete_verified_copy(
    journal: Browser, tmp_path: Path
) -> None:
    list(add_incident(journal, [("a.txt", MARKER)]))
    list(add_incident(journal, [], what="The newest one"))
    page = journal.open("/journal/integrity").text
    assert "Make a backup" in page and 'action="/journal/integrity/backup"' in page
    code = re.search(r'<p class="code">([^<]+)</p>', page)
    assert code
    response = journal.post("/journal/integrity/backup", {})
    assert response.status_code == 200, response.text[:300]
    disposition = response.headers["content-disposition"]
    assert f"-{code.group(1)}.db" in disposition  # the journal code travels with the copy
    assert MARKER not in response.content  # ciphertext only
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "vault.db").write_bytes(response.content)
    report = Vault.verify_at(tmp_path / "copy")
    assert report.ok and report.head_code == code.group(1)
    with Vault.open(tmp_path / "copy", PASSPHRASE) as copy:
        assert "The newest one" in [e.incident().what for e in copy.entries("incident")]
    journal.submit("/journal/lock", {})
    journal.open("/journal/integrity")
    locked = journal.post("/journal/integrity/backup", {})
    assert locked.status_code == 303 and "/journal" in locked.headers["location"]

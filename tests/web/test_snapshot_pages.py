"""Keeping a web page from the browser: the saved page and a screenshot go into memory only,
become one journal entry with the address, the capture time and fingerprints, and a damaged
file or a missing address is explained with the journal left exactly as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from ally.model.snapshot import SNAPSHOT_KIND, Snapshot
from ally.vault import Vault
from tests.evidence.conftest import FIXTURES
from tests.web.conftest import Browser
from tests.web.test_evidence_pages import journal, page_text  # noqa: F401 (fixture)
from tests.web.test_journal import PASSPHRASE, vault_folder

SNAP = FIXTURES / "snapshot"
URL = "https://forum.example.org/t/whos-the-new-hire/4417"


def send(
    browser: Browser,
    files: dict[str, tuple[str, bytes]],
    url: str = "",
    csrf: bool = True,
    captured: str = "",
) -> httpx.Response:
    browser.open("/evidence/snapshot")
    data = {"csrf": browser.csrf} if csrf else {}
    data["url"] = url
    data["captured"] = captured
    parts = [
        (field, (name, content, "application/octet-stream"))
        for field, (name, content) in files.items()
    ]
    return browser.client.post("/evidence/snapshot", data=data, files=parts, follow_redirects=False)


def snapshots(app: FastAPI) -> list[Snapshot]:
    with Vault.open(str(vault_folder(app)), PASSPHRASE) as vault:
        return [Snapshot.model_validate(e.payload) for e in vault.entries(SNAPSHOT_KIND)]


def test_the_page_needs_the_journal(browser: Browser) -> None:
    page = browser.open("/evidence/snapshot")
    assert page.status_code == 200 and 'href="/journal?next=/evidence/snapshot"' in page.text


def test_a_page_and_screenshot_are_kept_in_memory_and_shown(
    journal: Browser,  # noqa: F811
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_temp_files(*args: object, **kwargs: object) -> None:
        raise AssertionError("an upload must never be written to a temporary file")

    for name in ("TemporaryFile", "SpooledTemporaryFile", "NamedTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, no_temp_files)
    page = (SNAP / "forum-post.mhtml").read_bytes()
    shot = (SNAP / "screenshot.png").read_bytes()
    response = send(journal, {"page": ("forum-post.mhtml", page), "screenshot": ("shot.png", shot)})
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/journal/entries/"
    )
    shown = page_text(journal.open(response.headers["location"]))
    assert URL in shown and "the MHTML Date header" in shown
    assert hashlib.sha256(page).hexdigest() in shown and hashlib.sha256(shot).hexdigest() in shown
    assert "Dana Reyes" in shown and "tracker" not in shown
    [kept] = snapshots(app)
    assert kept.url == URL and kept.screenshot is not None and kept.screenshot.name == "shot.png"
    for stored in vault_folder(app).rglob("*"):
        if stored.is_file():
            assert b"Dana Reyes" not in stored.read_bytes(), stored
    timeline = journal.open("/journal")
    assert 'href="/evidence/snapshot"' in timeline.text


def test_a_damaged_page_is_explained_and_changes_nothing(journal: Browser, app: FastAPI) -> None:  # noqa: F811
    cut = (SNAP / "forum-post.mhtml").read_bytes()[:900]
    response = send(journal, {"page": ("cut.mhtml", cut)}, url=URL)
    assert response.status_code == 422
    text = page_text(response)
    assert (
        "nothing was added to your journal" in text
        and "cut.mhtml: this MHTML file is cut short" in text
    )
    assert f'value="{URL}"' in response.text  # what was typed is kept
    assert snapshots(app) == []


def test_a_screenshot_alone_needs_the_address(journal: Browser, app: FastAPI) -> None:  # noqa: F811
    shot = (SNAP / "screenshot.png").read_bytes()
    missing = send(journal, {"screenshot": ("shot.png", shot)})
    assert missing.status_code == 422 and "does not say which address" in page_text(missing)
    nothing = send(journal, {"page": ("", b"")})  # a browser sends an empty file part
    assert nothing.status_code == 422 and "Please choose the saved page" in page_text(nothing)
    assert snapshots(app) == []
    done = send(journal, {"screenshot": ("shot.png", shot)}, url="https://x.example/p/1")
    assert done.status_code == 303
    assert [s.url for s in snapshots(app)] == ["https://x.example/p/1"]


def test_without_the_token_nothing_is_kept(journal: Browser, app: FastAPI) -> None:  # noqa: F811
    page = (SNAP / "forum-post.html").read_bytes()
    response = send(journal, {"page": ("p.html", page)}, csrf=False)
    assert response.status_code == 403
    assert "This form could not be checked. Please reload the page." in response.text
    forged = journal.client.post(
        "/evidence/snapshot",
        data={"csrf": "0" * 64, "url": "https://x.example/p/1"},
        files=[("page", ("p.html", page, "text/html"))],
    )
    assert forged.status_code == 403 and "This form could not be checked" in forged.text
    assert snapshots(app) == []


def test_a_capture_time_can_be_given_for_a_plain_page(journal: Browser, app: FastAPI) -> None:  # noqa: F811
    """A plain .html file records no time: the form's own field is kept, labelled as given,
    and shown back in the journal's zone; a time the form cannot read changes nothing."""
    form = journal.open("/evidence/snapshot")
    assert 'type="datetime-local" name="captured"' in form.text
    page = (SNAP / "forum-post.html").read_bytes()
    wrong = send(journal, {"page": ("p.html", page)}, url=URL, captured="yesterday-ish")
    assert wrong.status_code == 422 and "like 2026-03-02 14:30" in page_text(wrong)
    assert 'value="yesterday-ish"' in wrong.text and snapshots(app) == []
    done = send(journal, {"page": ("p.html", page)}, url=URL, captured="2026-03-02T14:30")
    assert done.status_code == 303
    [kept] = snapshots(app)
    assert kept.captured_at is not None and kept.captured_at_source == "given when it was imported"
    zone = kept.captured_at.tzinfo
    assert kept.captured_at.replace(tzinfo=None) == dt.datetime(2026, 3, 2, 14, 30) and zone
    shown = page_text(journal.open(done.headers["location"]))
    assert "2026-03-02 14:30" in shown and "given when it was imported" in shown

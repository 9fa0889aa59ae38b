"""The duress passphrase, the failure limit and the recovery code on the web (issue 16 item 2).

Set up on the safety page; the unlock page then opens the decoy for the duress passphrase
(every later page shows the decoy, never the real entries), and after too many wrong
passphrases only the recovery code opens the journal, also after a restart.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.vault import Vault
from ally.web import create_app
from ally.web.state import WebState
from tests.web.conftest import JOURNAL_PASSPHRASE, Browser, Clock, make_config

DURESS = "blue kettle on the windowsill"
REAL = "He took my phone and read my messages"
DECOY = "Dentist moved to Thursday"
CODE = re.compile(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){4}\b")


def _location(app: FastAPI) -> str:
    state: WebState = app.state.web
    assert state.vaults is not None
    return state.vaults.location


def _add_note(location: str, passphrase: str, text: str) -> None:
    with Vault.open(location, passphrase) as vault:
        vault.add_note(text)


def _unlock(browser: Browser, passphrase: str) -> str:
    browser.submit("/journal/lock", {})
    browser.open("/journal")
    response = browser.submit("/journal/unlock", {"passphrase": passphrase})
    return response.text


def test_the_duress_passphrase_opens_the_decoy_and_the_pages_show_only_it(
    journal: Browser, app: FastAPI
) -> None:
    location = _location(app)
    _add_note(location, JOURNAL_PASSPHRASE, REAL)
    page = journal.open("/privacy")
    assert "Save the duress passphrase" in page.text
    mismatch = journal.post(
        "/privacy/duress", {"passphrase": DURESS, "confirm": "other", "mode": "decoy"}
    )
    assert mismatch.status_code == 422 and "The two passphrases are not the same" in mismatch.text
    short = journal.post(
        "/privacy/duress", {"passphrase": "short", "confirm": "short", "mode": "wipe"}
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    same = journal.post(
        "/privacy/duress",
        {"passphrase": JOURNAL_PASSPHRASE, "confirm": JOURNAL_PASSPHRASE, "mode": "decoy"},
    )
    assert same.status_code == 422 and "must be different" in same.text
    saved = journal.submit(
        "/privacy/duress", {"passphrase": DURESS, "confirm": DURESS, "mode": "decoy"}
    )
    assert "A duress passphrase is set. It opens the decoy journal." in saved.text
    _add_note(location, DURESS, DECOY)

    decoy = _unlock(journal, DURESS)
    assert "Your journal" in decoy and DECOY in decoy and REAL not in decoy
    safety = journal.open("/privacy").text
    assert "A duress passphrase is set" not in safety  # like a journal without one
    assert "Save the duress passphrase" in safety and "No limit" in safety
    integrity = journal.open("/journal/integrity").text
    real_integrity = _integrity_of(location)

    real = _unlock(journal, JOURNAL_PASSPHRASE)
    assert REAL in real and DECOY not in real
    assert "A duress passphrase is set" in journal.open("/privacy").text
    assert journal.open("/journal/integrity").text != integrity  # each page shows its own
    assert real_integrity in journal.open("/journal/integrity").text

    journal.submit("/privacy/duress/off", {})
    wrong = _unlock(journal, DURESS)
    assert "did not open the journal" in wrong and DECOY not in wrong


def _integrity_of(location: str) -> str:
    with Vault.open(location) as vault:
        return vault.head_code()


def test_the_failure_limit_needs_the_recovery_code_also_after_a_restart(
    journal: Browser, app: FastAPI, tmp_path: Path, clock: Clock
) -> None:
    assert journal.last is not None  # the page shown when the journal was made: its code
    assert "shown only this once" in journal.last.text
    found = CODE.search(journal.last.text)
    assert found is not None
    _add_note(_location(app), JOURNAL_PASSPHRASE, REAL)
    shown = journal.post("/privacy/limit", {"failures": "3"})
    assert shown.status_code == 303 and not CODE.search(shown.text)  # it has one: none new
    assert "selected>3 wrong passphrases" in journal.open("/privacy").text
    journal.submit("/journal/lock", {})
    journal.open("/journal")
    for _ in range(2):
        wrong = journal.post("/journal/unlock", {"passphrase": "not it at all"})
        assert wrong.status_code == 400
    third = journal.post("/journal/unlock", {"passphrase": "not it at all"})
    assert third.status_code == 403 and "opens only with its recovery code" in third.text
    refused = journal.post("/journal/unlock", {"passphrase": JOURNAL_PASSPHRASE})
    assert refused.status_code == 403 and REAL not in refused.text

    with TestClient(create_app(make_config(tmp_path / "web.sqlite3", clock))) as client:
        restarted = Browser(client)
        restarted.open("/journal")
        again = restarted.post("/journal/unlock", {"passphrase": JOURNAL_PASSPHRASE})
        assert again.status_code == 403 and "recovery code" in again.text
        restarted.open("/journal/recover")
        bad = restarted.post(
            "/journal/recover",
            {"code": "00000-00000-00000-00000-00000", "passphrase": "x" * 3, "confirm": "x" * 3},
        )
        assert bad.status_code == 422
        new = "chosen after the recovery code"
        wrong_code = restarted.post(
            "/journal/recover",
            {"code": "00000-00000-00000-00000-00000", "passphrase": new, "confirm": new},
        )
        assert wrong_code.status_code == 400 and "did not open" in wrong_code.text
        opened = restarted.submit(
            "/journal/recover", {"code": found.group(0).lower(), "passphrase": new, "confirm": new}
        )
        assert REAL in opened.text
    with Vault.open(_location(app), "chosen after the recovery code") as vault:
        assert vault.failure_limit() == 3


def test_duress_settings_need_the_open_journal(browser: Browser) -> None:
    page = browser.open("/privacy")
    assert "Unlock your journal to set this up" in page.text
    refused = browser.post(
        "/privacy/duress", {"passphrase": DURESS, "confirm": DURESS, "mode": "decoy"}
    )
    assert refused.status_code == 403
    assert browser.post("/privacy/limit", {"failures": "3"}).status_code == 403

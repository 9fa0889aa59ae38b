"""Honest statuses: the person's mistakes are 4xx, a damaged journal or unusable database is
5xx with a page that says what to do, and a busy database is 503 with Retry-After."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from fastapi import FastAPI

from ally.case.tracker import CaseError
from ally.errors import AllyError, PackNotFoundError, UsageError
from ally.storage.database import DatabaseBusyError, StorageError
from ally.vault.errors import (
    EntryNotFoundError,
    InvalidEntryError,
    VaultDamagedError,
    WrongPassphraseError,
)
from ally.web.problems import RETRY_AFTER_SECONDS, problem_for, status_for
from tests.web.conftest import Browser
from tests.web.test_journal import add_incident, vault_folder

WHAT = "Kept following me from the bus stop to my door."


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (DatabaseBusyError(), 503),
        (StorageError("x"), 500),
        (VaultDamagedError("x"), 500),
        (EntryNotFoundError("x"), 404),
        (PackNotFoundError("x"), 404),
        (WrongPassphraseError(), 403),
        (CaseError("x"), 409),
        (InvalidEntryError("x"), 400),
        (UsageError("x"), 400),
        (AllyError("x"), 400),
    ],
)
def test_each_kind_of_error_gets_an_honest_status(error: AllyError, status: int) -> None:
    assert status_for(error) == status


def test_failures_on_allys_side_say_what_to_do_not_the_core_message() -> None:
    damaged = problem_for(VaultDamagedError("Entry 3 is damaged. Run `ally vault verify`."))
    assert damaged.status == 500 and "could not be read" in damaged.message
    assert any("ally vault verify" in item for item in damaged.advice)
    assert any("organisation" in item for item in damaged.advice)
    busy = problem_for(DatabaseBusyError())
    assert busy.retry_after == RETRY_AFTER_SECONDS and busy.advice == ()
    mistake = problem_for(UsageError("Please give a date."))
    assert (mistake.status, mistake.message, mistake.advice) == (400, "Please give a date.", ())


def _damage_last_chunk(folder: Path, blob_prefix_of: str) -> None:
    db = sqlite3.connect(folder / "vault.db")
    with db:
        blob, data = db.execute(
            "SELECT c.blob, c.data FROM vault_chunks c WHERE c.blob LIKE ? "
            "ORDER BY c.idx DESC LIMIT 1",
            (f"{blob_prefix_of}%",),
        ).fetchone()
        damaged = bytes(data[:-1]) + bytes([data[-1] ^ 1])
        db.execute("UPDATE vault_chunks SET data = ? WHERE blob = ?", (damaged, blob))
    db.close()


def _entry_id(folder: Path, seq: int) -> str:
    db = sqlite3.connect(folder / "vault.db")
    (record,) = db.execute("SELECT record FROM vault_records WHERE seq = ?", (seq,)).fetchone()
    db.close()
    match = re.search(r'"id":"([0-9a-f]+)"', record)
    assert match, record
    return match.group(1)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_damaged_entry_is_a_500_page_with_what_to_do(
    journal: Browser, app: FastAPI, language: str
) -> None:
    status, location = add_incident(journal, [], what=WHAT)
    assert status == "303"
    seq = int(location.rsplit("/", 1)[1])
    _damage_last_chunk(vault_folder(app), _entry_id(vault_folder(app), seq))
    page = journal.open(location, headers={"accept-language": language})
    assert page.status_code == 500
    assert WHAT not in page.text and "Traceback" not in page.text
    if language == "en":
        assert "Part of your journal could not be read" in page.text
        assert "What you can do" in page.text and "ally vault verify" in page.text
        assert "tell them the time this happened" in page.text
    else:
        assert "Una parte de su diario no se pudo leer" in page.text
        assert "Qué puede hacer" in page.text


def test_a_busy_database_is_503_with_retry_after_and_stores_nothing(
    journal: Browser, app: FastAPI
) -> None:
    folder = vault_folder(app)
    # The open journal's connection waits 0.1 s for a lock instead of 30 s.
    for held in app.state.web.vaults._held.values():
        held.vault.store.db._conn.execute("PRAGMA busy_timeout = 100")
    journal.open("/journal/new")
    holder = sqlite3.connect(folder / "vault.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = journal.client.post(
            "/journal/new",
            data={"csrf": journal.csrf, "when_date": "2026-05-03", "what": WHAT},
            files=[("files", ("", b"", "application/octet-stream"))],
            follow_redirects=False,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert "busy with another task" in response.text
    assert "try again in a minute" in response.text
    assert WHAT not in journal.open("/journal").text


def test_a_database_that_cannot_be_written_is_a_500_page_with_what_to_do(
    journal: Browser, app: FastAPI
) -> None:
    """The disk turned read-only (or full) under an open journal: not the person's mistake."""
    folder = vault_folder(app)
    journal.open("/journal/new")
    for held in app.state.web.vaults._held.values():
        db = held.vault.store.db
        db._conn.close()
        db._conn = sqlite3.connect(
            f"file:{folder / 'vault.db'}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,  # as Ally's own connection: requests run in a thread pool
        )
    response = journal.client.post(
        "/journal/new",
        data={"csrf": journal.csrf, "when_date": "2026-05-03", "what": WHAT},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert response.status_code == 500
    assert "retry-after" not in response.headers
    assert "Ally could not read or write its database" in response.text
    assert "check that the disk has free space" in response.text
    assert WHAT not in response.text and "Traceback" not in response.text
    assert "sqlite" not in response.text.lower()  # the driver's words are for the log, not here
    with sqlite3.connect(folder / "vault.db") as check:
        records = check.execute("SELECT record FROM vault_records").fetchall()
    assert records and not any(WHAT in record for (record,) in records)

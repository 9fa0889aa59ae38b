"""The web app's tables, on the shared Database, behind one lock.

Page handlers run in a thread pool and the Database holds a single connection, so every use
goes through ``WebStorage.transaction`` (a :class:`LockedConnection`): one thread at a time,
all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from ally.storage.database import Database, LockedConnection, schema_lock

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS web_sessions (
        id TEXT PRIMARY KEY,
        cookie_key TEXT UNIQUE,
        resume_key TEXT UNIQUE,
        cookie_wrap TEXT,
        resume_wrap TEXT,
        data TEXT NOT NULL,
        created BIGINT NOT NULL,
        last_seen BIGINT NOT NULL,
        lock_after BIGINT NOT NULL
    )""",
    # "Continue where I left off", when the person turned it on: the session's data key
    # wrapped under a secret that only this browser holds (a cookie), so quick exit and the
    # idle lock can lock the session without deleting it. See sessions.SessionStore.
    """CREATE TABLE IF NOT EXISTS web_continue (
        session TEXT PRIMARY KEY,
        lookup TEXT UNIQUE NOT NULL,
        wrap TEXT NOT NULL
    )""",
    # Hosted mode: the unlocked journal key of a session, wrapped under that session's cookie
    # token (which only the browser holds), so any app process can use it for that browser
    # and a copy of the database opens nothing. Deleted when the journal or the session
    # locks. ``used``: last use (idle lock); ``lock_after``: idle seconds. See vaults.py.
    """CREATE TABLE IF NOT EXISTS web_journal_keys (
        session TEXT PRIMARY KEY,
        wrap TEXT NOT NULL,
        used BIGINT NOT NULL,
        lock_after BIGINT NOT NULL
    )""",
    # Hosted mode: the counts of an upload in progress (phase, bytes), so any app process
    # can answer ally.js's "how far is it?". Numbers only. See progress.py.
    """CREATE TABLE IF NOT EXISTS web_upload_progress (
        session TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        updated BIGINT NOT NULL
    )""",
    # Half-written incidents (quick exit, the idle lock), encrypted to the journal's own key:
    # only its passphrase reads them. ``sealed`` is empty once the incident was saved, so a
    # draft that arrives late is not brought back. See drafts.py.
    """CREATE TABLE IF NOT EXISTS journal_drafts (
        id TEXT PRIMARY KEY,
        vault TEXT NOT NULL,
        saved BIGINT NOT NULL,
        sealed TEXT NOT NULL
    )""",
    # Settings of this Ally as a whole (camouflage), chosen on the safety page.
    """CREATE TABLE IF NOT EXISTS web_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # One row per plan step the person has marked; the case tracker builds on this table.
    """CREATE TABLE IF NOT EXISTS step_status (
        session TEXT NOT NULL,
        step TEXT NOT NULL,
        status TEXT NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (session, step)
    )""",
)


class WebStorage(LockedConnection):
    def __init__(self, database: Database | str | Path) -> None:
        super().__init__(database)
        self.writes = 0
        """How many transactions have written (or tried to) so far: ``fastpages`` answers a
        reload only while this has not moved since the page was made."""
        with self.transaction() as db:
            schema_lock(db)  # app processes started together on an empty database
            for statement in SCHEMA:
                db.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """As ``LockedConnection.transaction``, counting the ones that write (``writes``)."""
        with super().transaction() as db:
            counted = _Counted(db)
            try:
                yield cast(Database, counted)
            finally:
                if counted.wrote:
                    self.writes += 1


class _Counted:
    """A transaction's Database that notes whether anything was executed besides queries."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.wrote = False

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        self.wrote = True
        return self._db.execute(statement, params)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.wrote = True
        self._db.executemany(statement, rows)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._db.query(statement, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

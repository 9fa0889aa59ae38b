"""Server-side sessions: the cookie holds only a random token; answers stay on the server, sealed.

A session row is created the first time there is something to keep. It locks itself after
the person's chosen idle time, and on quick exit: the cookie stops working and only a save
code (if they made one) opens it again, or this browser's "continue where I left off" secret
if they turned that on. A locked session nobody can open is deleted at once. See ``sealing``
for how the keys are held.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ally.web import sealing
from ally.web.config import WebConfig
from ally.web.storage import WebStorage

COOKIE = "ally_session"
LEFT_COOKIE = "ally_left"
"""Set by quick exit and the lock: until the person chooses to carry on, every page in this
browser shows the neutral locked page, so Back and re-opening the address show nothing."""
CONTINUE_COOKIE = "ally_continue"
"""Holds the secret that reopens a locked session in this browser (if the person chose so)."""


@dataclass
class WebSession:
    """One visitor's session for the length of a request."""

    token: str
    row: str | None = None
    data_key: bytes | None = None
    data: dict[str, Any] = field(default_factory=dict)
    last_seen: float = 0.0
    lock_after: int = 0
    """Idle seconds before the session locks; 0 means the server's default."""
    has_code: bool = False
    can_continue: bool = False
    """The person let this browser continue where they left off after a lock."""
    new_cookie: bool = True
    locked_now: bool = False
    """True when the request that opened this session found the old one locked for idleness."""
    journal_key: str | None = None
    """Hosted mode: this session's unlocked journal key as stored, wrapped under ``token``
    (``web_journal_keys``, read with the session; see vaults.py)."""
    journal_used: int = 0
    journal_lock_after: int = 0

    @property
    def csrf(self) -> str:
        return sealing.csrf_token(self.token)

    def lock_seconds(self, config: WebConfig) -> int:
        return self.lock_after or config.lock_minutes * 60


class SessionStore:
    def __init__(
        self,
        storage: WebStorage,
        config: WebConfig,
        on_lock: Callable[[str], None] | None = None,
    ) -> None:
        self.storage = storage
        self.config = config
        self.on_lock = on_lock
        """Told the row id of every session that locks or is deleted (to lock its journal)."""
        self.on_use: Callable[[WebSession], None] | None = None
        """Told every session opened with its cookie, or given a row, for this request (the
        journal keeper checks whether its journal is still unlocked: vaults.py)."""

    def now(self) -> int:
        return int(self.config.clock())

    def open(self, token: str | None) -> WebSession:
        """The session for this cookie token, or a new one (flagged if the old one just locked)."""
        if not token or not sealing.looks_like_token(token):
            return WebSession(sealing.new_token())
        with self.storage.transaction() as db:
            rows = db.query(
                "SELECT s.id, s.cookie_wrap, s.data, s.last_seen, s.lock_after, s.resume_key,"
                " c.session, k.wrap, k.used, k.lock_after FROM web_sessions s"
                " LEFT JOIN web_continue c ON c.session = s.id"
                " LEFT JOIN web_journal_keys k ON k.session = s.id"
                " WHERE s.cookie_key = ?",
                (sealing.lookup_key(token, "cookie"),),
            )
        if not rows:
            # Nothing kept yet: keep the token so forms on open pages still match. It is replaced
            # when the first row is written, so a token planted in the browser is never used.
            return WebSession(token, new_cookie=False)
        row, wrapped, sealed, last_seen, lock_after, resume_key, continues = rows[0][:7]
        journal_key, journal_used, journal_lock_after = rows[0][7:]
        data_key = sealing.unwrap(token, wrapped)
        plain = sealing.unseal(data_key, sealed) if data_key else None
        if data_key is None or plain is None:
            return WebSession(sealing.new_token())
        session = WebSession(
            token,
            row,
            data_key,
            json.loads(plain),
            float(last_seen),
            int(lock_after),
            resume_key is not None,
            continues is not None,
            new_cookie=False,
            journal_key=journal_key,
            journal_used=int(journal_used or 0),
            journal_lock_after=int(journal_lock_after or 0),
        )
        if self.now() - session.last_seen > session.lock_seconds(self.config):
            self.lock(session)
            return WebSession(sealing.new_token(), locked_now=True)
        self._touch(session)
        self._used(session)
        return session

    def _used(self, session: WebSession) -> None:
        if self.on_use is not None:
            self.on_use(session)

    def _touch(self, session: WebSession) -> None:
        """Record activity, at most every 30 s (or a tenth of the lock time), to stay cheap."""
        now = self.now()
        if now - session.last_seen < min(30, session.lock_seconds(self.config) / 10):
            return
        with self.storage.transaction() as db:
            db.execute("UPDATE web_sessions SET last_seen = ? WHERE id = ?", (now, session.row))
        session.last_seen = now

    def save(self, session: WebSession) -> None:
        """Write the session's data, creating its row the first time."""
        now = self.now()
        if session.data_key is None:
            session.data_key = sealing.new_data_key()
        sealed = sealing.seal(session.data_key, json.dumps(session.data).encode())
        with self.storage.transaction() as db:
            if session.row is None:
                session.row = secrets.token_hex(16)
                session.token = sealing.new_token()
                session.new_cookie = True
                db.execute(
                    "INSERT INTO web_sessions"
                    " (id, cookie_key, cookie_wrap, data, created, last_seen, lock_after)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        session.row,
                        sealing.lookup_key(session.token, "cookie"),
                        sealing.wrap(session.token, session.data_key),
                        sealed,
                        now,
                        now,
                        session.lock_seconds(self.config),
                    ),
                )
                created = True
            else:
                created = False
                db.execute(
                    "UPDATE web_sessions SET data = ?, last_seen = ?, lock_after = ? WHERE id = ?",
                    (sealed, now, session.lock_seconds(self.config), session.row),
                )
        session.last_seen = now
        if created:
            self._used(session)

    def make_code(self, session: WebSession) -> str:
        """A new save code for this session (replacing any earlier one); shown once, never stored."""
        self.save(session)
        assert session.row is not None and session.data_key is not None
        code = sealing.new_code()
        with self.storage.transaction() as db:
            db.execute(
                "UPDATE web_sessions SET resume_key = ?, resume_wrap = ? WHERE id = ?",
                (
                    sealing.lookup_key(code, "code"),
                    sealing.wrap(code, session.data_key),
                    session.row,
                ),
            )
        session.has_code = True
        return code

    def resume(self, typed: str) -> WebSession | None:
        """Open a session with its save code, under a new cookie token; None if no such code."""
        code = sealing.normalise_code(typed)
        if code is None:
            return None
        with self.storage.transaction() as db:
            rows = db.query(
                "SELECT id, resume_wrap, data, lock_after FROM web_sessions WHERE resume_key = ?",
                (sealing.lookup_key(code, "code"),),
            )
        if not rows:
            return None
        row, wrapped, sealed, lock_after = rows[0]
        data_key = sealing.unwrap(code, wrapped)
        plain = sealing.unseal(data_key, sealed) if data_key else None
        if data_key is None or plain is None:
            return None
        return self._reopen(row, data_key, plain, int(lock_after), has_code=True)

    def _reopen(
        self, row: str, data_key: bytes, plain: bytes, lock_after: int, has_code: bool
    ) -> WebSession:
        """The locked session ``row`` in use again, under a new cookie token."""
        token = sealing.new_token()
        now = self.now()
        with self.storage.transaction() as db:
            db.execute(
                "UPDATE web_sessions SET cookie_key = ?, cookie_wrap = ?, last_seen = ? WHERE id = ?",
                (sealing.lookup_key(token, "cookie"), sealing.wrap(token, data_key), now, row),
            )
            # A journal left unlocked under the old cookie stays locked: its passphrase opens it.
            db.execute("DELETE FROM web_journal_keys WHERE session = ?", (row,))
        session = WebSession(
            token, row, data_key, json.loads(plain), now, lock_after, has_code, self._continues(row)
        )
        self._used(session)
        return session

    def _continues(self, row: str) -> bool:
        with self.storage.transaction() as db:
            return bool(db.query("SELECT 1 FROM web_continue WHERE session = ?", (row,)))

    def allow_continue(self, session: WebSession) -> str:
        """Let this browser reopen the session after a lock; returns the secret for its cookie.

        The secret lives only in the browser (a cookie that closing the browser forgets), so
        the database alone opens nothing; but anyone using this browser before it is closed
        can continue too, which is why it is the person's choice and off by default.
        """
        self.save(session)
        assert session.row is not None and session.data_key is not None
        secret = sealing.new_token()
        with self.storage.transaction() as db:
            db.execute("DELETE FROM web_continue WHERE session = ?", (session.row,))
            db.execute(
                "INSERT INTO web_continue (session, lookup, wrap) VALUES (?, ?, ?)",
                (
                    session.row,
                    sealing.lookup_key(secret, "continue"),
                    sealing.wrap(secret, session.data_key),
                ),
            )
        session.can_continue = True
        return secret

    def stop_continue(self, session: WebSession) -> None:
        if session.row is not None:
            with self.storage.transaction() as db:
                db.execute("DELETE FROM web_continue WHERE session = ?", (session.row,))
        session.can_continue = False

    def _continue_row(self, secret: str | None) -> tuple[str, str] | None:
        if not secret or not sealing.looks_like_token(secret):
            return None
        with self.storage.transaction() as db:
            rows = db.query(
                "SELECT session, wrap FROM web_continue WHERE lookup = ?",
                (sealing.lookup_key(secret, "continue"),),
            )
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    def can_continue_with(self, secret: str | None) -> bool:
        """Whether this browser's continue secret opens a locked session (for the locked page)."""
        return self._continue_row(secret) is not None

    def continue_with(self, secret: str | None) -> WebSession | None:
        """Reopen the locked session this browser may continue; None if there is none."""
        found = self._continue_row(secret)
        if found is None or secret is None:
            return None
        row, wrapped = found
        with self.storage.transaction() as db:
            rows = db.query(
                "SELECT data, lock_after, resume_key FROM web_sessions WHERE id = ?", (row,)
            )
        data_key = sealing.unwrap(secret, wrapped)
        if not rows or data_key is None:
            return None
        sealed, lock_after, resume_key = rows[0]
        plain = sealing.unseal(data_key, sealed)
        if plain is None:
            return None
        return self._reopen(row, data_key, plain, int(lock_after), resume_key is not None)

    def lock(self, session: WebSession) -> None:
        """Make the cookie useless; if neither a save code nor "continue" can open the
        session any more, delete it."""
        if session.row is None:
            return
        with self.storage.transaction() as db:
            db.execute(
                "UPDATE web_sessions SET cookie_key = NULL, cookie_wrap = NULL WHERE id = ?",
                (session.row,),
            )
            db.execute("DELETE FROM web_journal_keys WHERE session = ?", (session.row,))
        self._locked(session.row)
        if not session.has_code and not self._continues(session.row):
            self.forget(session)

    def forget(self, session: WebSession) -> None:
        """Delete everything kept for this session."""
        if session.row is None:
            return
        with self.storage.transaction() as db:
            db.execute("DELETE FROM step_status WHERE session = ?", (session.row,))
            db.execute("DELETE FROM web_continue WHERE session = ?", (session.row,))
            db.execute("DELETE FROM web_journal_keys WHERE session = ?", (session.row,))
            db.execute("DELETE FROM web_sessions WHERE id = ?", (session.row,))
        self._locked(session.row)
        session.row = None
        session.can_continue = False
        session.data_key = None
        session.data = {}

    def sweep(self) -> int:
        """Lock every idle session, then delete those nobody can open and those long unused.

        Runs at start-up and every minute, so a session left open on a shared computer locks on
        time even if nobody comes back to it.
        """
        now = self.now()
        cutoff = now - self.config.retention_days * 86400
        with self.storage.transaction() as db:
            idle = db.query(
                "SELECT id FROM web_sessions"
                " WHERE cookie_key IS NOT NULL AND last_seen + lock_after < ?",
                (now,),
            )
            db.execute(
                "UPDATE web_sessions SET cookie_key = NULL, cookie_wrap = NULL"
                " WHERE cookie_key IS NOT NULL AND last_seen + lock_after < ?",
                (now,),
            )
            rows = db.query(
                "SELECT id FROM web_sessions WHERE last_seen < ?"
                " OR (cookie_key IS NULL AND resume_key IS NULL"
                " AND id NOT IN (SELECT session FROM web_continue))",
                (cutoff,),
            )
            for (row,) in rows:
                db.execute("DELETE FROM step_status WHERE session = ?", (row,))
                db.execute("DELETE FROM web_continue WHERE session = ?", (row,))
                db.execute("DELETE FROM web_sessions WHERE id = ?", (row,))
            db.execute(
                "DELETE FROM web_upload_progress WHERE session NOT IN (SELECT id FROM web_sessions)"
            )
            # Journal keys of locked or deleted sessions, and of journals idle too long.
            db.execute(
                "DELETE FROM web_journal_keys WHERE used + lock_after < ? OR session NOT IN"
                " (SELECT id FROM web_sessions WHERE cookie_key IS NOT NULL)",
                (now,),
            )
        for (row,) in idle + rows:
            self._locked(row)
        return len(rows)

    def _locked(self, row: str) -> None:
        if self.on_lock is not None:
            self.on_lock(row)

"""Server-side sessions: the cookie holds only a random token; answers stay on the server, sealed.

A session row is created the first time there is something to keep. It locks itself after
the person's chosen idle time: the cookie stops working and only a save code (if they made
one) opens it again. A locked session without a save code can never be opened, so it is
deleted at once. See ``sealing`` for how the keys are held.
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
    new_cookie: bool = True
    locked_now: bool = False
    """True when the request that opened this session found the old one locked for idleness."""

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

    def now(self) -> int:
        return int(self.config.clock())

    def open(self, token: str | None) -> WebSession:
        """The session for this cookie token, or a new one (flagged if the old one just locked)."""
        if not token or not sealing.looks_like_token(token):
            return WebSession(sealing.new_token())
        with self.storage.transaction() as db:
            rows = db.query(
                "SELECT id, cookie_wrap, data, last_seen, lock_after, resume_key FROM web_sessions"
                " WHERE cookie_key = ?",
                (sealing.lookup_key(token, "cookie"),),
            )
        if not rows:
            # Nothing kept yet: keep the token so forms on open pages still match. It is replaced
            # when the first row is written, so a token planted in the browser is never used.
            return WebSession(token, new_cookie=False)
        row, wrapped, sealed, last_seen, lock_after, resume_key = rows[0]
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
            new_cookie=False,
        )
        if self.now() - session.last_seen > session.lock_seconds(self.config):
            self.lock(session)
            return WebSession(sealing.new_token(), locked_now=True)
        self._touch(session)
        return session

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
            else:
                db.execute(
                    "UPDATE web_sessions SET data = ?, last_seen = ?, lock_after = ? WHERE id = ?",
                    (sealed, now, session.lock_seconds(self.config), session.row),
                )
        session.last_seen = now

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
        token = sealing.new_token()
        now = self.now()
        with self.storage.transaction() as db:
            db.execute(
                "UPDATE web_sessions SET cookie_key = ?, cookie_wrap = ?, last_seen = ? WHERE id = ?",
                (sealing.lookup_key(token, "cookie"), sealing.wrap(token, data_key), now, row),
            )
        return WebSession(token, row, data_key, json.loads(plain), now, int(lock_after), True)

    def lock(self, session: WebSession) -> None:
        """Make the cookie useless; without a save code nothing can open the session, so delete it."""
        if session.row is None:
            return
        with self.storage.transaction() as db:
            db.execute(
                "UPDATE web_sessions SET cookie_key = NULL, cookie_wrap = NULL WHERE id = ?",
                (session.row,),
            )
        self._locked(session.row)
        if not session.has_code:
            self.forget(session)

    def forget(self, session: WebSession) -> None:
        """Delete everything kept for this session."""
        if session.row is None:
            return
        with self.storage.transaction() as db:
            db.execute("DELETE FROM step_status WHERE session = ?", (session.row,))
            db.execute("DELETE FROM web_sessions WHERE id = ?", (session.row,))
        self._locked(session.row)
        session.row = None
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
                " OR (cookie_key IS NULL AND resume_key IS NULL)",
                (cutoff,),
            )
            for (row,) in rows:
                db.execute("DELETE FROM step_status WHERE session = ?", (row,))
                db.execute("DELETE FROM web_sessions WHERE id = ?", (row,))
        for (row,) in idle + rows:
            self._locked(row)
        return len(rows)

    def _locked(self, row: str) -> None:
        if self.on_lock is not None:
            self.on_lock(row)

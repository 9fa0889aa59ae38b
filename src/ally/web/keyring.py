"""Advocates' unlocked case keys, by account session, usable from any app process.

Like an unlocked journal (``vaults.py``): the passphrase is used once and never kept. The
unlocked key is kept in the account session's row (``hosted_sessions.case_key``), wrapped
under the session's cookie token, which only the browser holds (``keywrap.py``): any app
process can unwrap it for a request that brings the cookie, and a copy of the database alone
opens nothing. It is deleted after 15 idle minutes, on "Lock my case key", and when the
account session ends (sign-out, "sign out everywhere", an admin, the session's own idle
limit: the same statement that ends it). A process keeps an unwrapped copy as a cache only,
checked against the row read with the session at every request, so a key locked in another
process is never used here.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ally.hosted.sessions import Current
from ally.hosted.store import HostedStore
from ally.vault.crypto import Identity
from ally.web import keywrap

IDLE_SECONDS = 15 * 60
TOUCH_SECONDS = 60
"""How often (at most) a key's use is written down for the idle lock."""


@dataclass
class _Held:
    identity: Identity
    stamp: str
    """The wrapped key this copy came from and the cookie that opened it (compared with the
    row and the cookie at every request)."""
    last_used: float


class CaseKeyring:
    def __init__(
        self,
        store: HostedStore,
        clock: Callable[[], float],
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.idle_seconds = idle_seconds
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()

    def keep(self, who: Current, identity: Identity) -> None:
        """Keep ``identity`` unlocked for this account session (wrapped under its token)."""
        secret = identity.identity_file().encode("ascii")
        blob = keywrap.wrap(who.token, keywrap.CASE_KEY, who.session, secret)
        now = int(self.clock())
        with self.store.transaction() as db:
            db.execute(
                "UPDATE hosted_sessions SET case_key = ?, case_key_used = ?"
                " WHERE id = ? AND revoked IS NULL",
                (blob, now, who.session),
            )
        with self._lock:
            self._held[who.session] = _Held(identity, _stamp(blob, who.token), now)

    def get(self, who: Current) -> Identity | None:
        """The key this account session unlocked, if it is still open (and not idle).

        ``who`` was read from the database at this request, with the key as it is stored
        now; a key that does not open with this session's token counts as locked.
        """
        now = self.clock()
        blob = who.case_key
        if blob is None:
            self._forget(who.session)
            return None
        if now - who.case_key_used > self.idle_seconds:
            self.lock(who)
            return None
        with self._lock:
            held = self._held.get(who.session)
        if held is None or held.stamp != _stamp(blob, who.token):
            try:
                plain = keywrap.unwrap(who.token, keywrap.CASE_KEY, who.session, blob)
                held = _Held(Identity.parse(plain.decode("ascii")), _stamp(blob, who.token), now)
            except (keywrap.UnwrapError, ValueError):
                self._forget(who.session)
                return None  # not this browser's key, or changed: nothing is changed
            with self._lock:
                self._held[who.session] = held
        held.last_used = now
        if now - who.case_key_used >= TOUCH_SECONDS:
            with self.store.transaction() as db:
                db.execute(
                    "UPDATE hosted_sessions SET case_key_used = ? WHERE id = ? AND case_key = ?",
                    (int(now), who.session, blob),
                )
        return held.identity

    def lock(self, who: Current | str) -> None:
        """Delete the key kept for this account session (every process stops using it)."""
        session = who if isinstance(who, str) else who.session
        with self.store.transaction() as db:
            db.execute(
                "UPDATE hosted_sessions SET case_key = NULL, case_key_used = NULL WHERE id = ?",
                (session,),
            )
        self._forget(session)

    def _forget(self, session: str) -> None:
        with self._lock:
            self._held.pop(session, None)

    def lock_idle(self) -> None:
        """Delete keys idle too long (or of ended sessions) in the database; drop copies
        this process has not used for as long."""
        now = self.clock()
        with self.store.transaction() as db:
            db.execute(
                "UPDATE hosted_sessions SET case_key = NULL, case_key_used = NULL"
                " WHERE case_key IS NOT NULL AND (revoked IS NOT NULL OR case_key_used < ?)",
                (int(now - self.idle_seconds),),
            )
        with self._lock:
            for session in [
                s for s, h in self._held.items() if now - h.last_used > self.idle_seconds
            ]:
                del self._held[session]

    def keep_only(self, live: set[str]) -> None:
        """Drop the copies of account sessions that have ended."""
        with self._lock:
            for session in [s for s in self._held if s not in live]:
                del self._held[session]


def _stamp(blob: str, token: str) -> str:
    return hashlib.sha256(f"{blob}\0{token}".encode()).hexdigest()

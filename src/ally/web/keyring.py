"""Advocates' case keys unlocked in this app process, by account session.

Like an unlocked journal (``vaults.py``): the passphrase is used once and never kept; the key
stays in this process's memory only, for the account session that unlocked it, and is
dropped after idle time, on "Lock my case key", and (at the next sweep, within a minute)
when the account session ends. A revoked session cannot reach it before then: the gate
refuses the session first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ally.vault.crypto import Identity

IDLE_SECONDS = 15 * 60


@dataclass
class _Held:
    identity: Identity
    last_used: float


class CaseKeyring:
    def __init__(self, clock: Callable[[], float], idle_seconds: float = IDLE_SECONDS) -> None:
        self.clock = clock
        self.idle_seconds = idle_seconds
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()

    def keep(self, session: str, identity: Identity) -> None:
        with self._lock:
            self._held[session] = _Held(identity, self.clock())

    def get(self, session: str) -> Identity | None:
        """The key this account session unlocked, if it is still open (and not idle)."""
        now = self.clock()
        with self._lock:
            held = self._held.get(session)
            if held is None:
                return None
            if now - held.last_used > self.idle_seconds:
                del self._held[session]
                return None
            held.last_used = now
            return held.identity

    def lock(self, session: str) -> None:
        with self._lock:
            self._held.pop(session, None)

    def lock_idle(self) -> None:
        now = self.clock()
        with self._lock:
            for session in [
                s for s, h in self._held.items() if now - h.last_used > self.idle_seconds
            ]:
                del self._held[session]

    def keep_only(self, live: set[str]) -> None:
        """Drop the keys of account sessions that have ended."""
        with self._lock:
            for session in [s for s in self._held if s not in live]:
                del self._held[session]

"""Unlocked journals, held in memory per session and locked again after idle time.

The passphrase is used once, to unlock, and never kept. The unlocked vault (its key) stays in
this process only while the person uses it: it is closed after the session's idle time, on
quick exit, on "Lock the journal", and when the server stops. One lock per vault keeps each
vault's work to one thread at a time.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread

from ally.storage.private import private_folder
from ally.vault import Vault, VaultNotFoundError, WrongPassphraseError
from ally.vault.keyslots import WrongRecoveryCodeError
from ally.vault.throttle import LocalGate, MemoryLedger, UnlockThrottle


@dataclass
class _Held:
    vault: Vault
    lock_after: float
    last_used: float
    busy: threading.Lock = field(default_factory=threading.Lock)


Locator = Callable[[str | None], str | None]
"""A session row -> where that session's journal lives (None: this session has no journal)."""


class VaultKeeper:
    """The journals this process holds open, by session.

    ``location`` is one place for every session (Ally on a person's own computer), or a
    :data:`Locator` (hosted mode: each signed-in person's own journal, found from the
    session, see ``web/accounts``).
    """

    def __init__(
        self,
        location: str | Locator,
        clock: Callable[[], float],
        throttle: UnlockThrottle | None = None,
    ) -> None:
        self.location = location if isinstance(location, str) else None
        """The one place of every session's journal (None in hosted mode)."""
        self.locate: Locator = (lambda _row: location) if isinstance(location, str) else location
        self.clock = clock
        self.throttle = throttle or UnlockThrottle(LocalGate(), MemoryLedger(), clock=clock)
        """Every passphrase check goes through it: a few at a time, with back-off."""
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()
        self._found: set[str] = set()

    def where(self, session: str | None) -> str:
        """Where this session's journal lives (VaultNotFoundError if it has none)."""
        location = self.locate(session)
        if location is None:
            raise VaultNotFoundError("There is no journal for this session.")
        return location

    def exists(self, session: str | None) -> bool:
        """Whether the session's journal has been created (remembered once found, as a
        journal is never removed while Ally runs)."""
        location = self.locate(session)
        if location is None:
            return False
        if location not in self._found:
            try:
                Vault.open(location).close()
            except VaultNotFoundError:
                return False
            self._found.add(location)
        return True

    def known(self, session: str | None) -> bool:
        """Whether the session's journal is already known to exist, without looking (for
        ``fastpages``, on the event loop, where no file or database may be opened)."""
        return session is not None and self.locate(session) in self._found

    def read_only(self, session: str | None = None) -> Vault:
        """The vault without its key: enough to verify it, never to read it.

        For a session that opened a journal, that journal (the decoy, if the duress
        passphrase opened it), so its pages agree with each other.
        """
        with self._lock:
            held = self._held.get(session) if session else None
        return Vault.open(held.vault.location if held else self.where(session))

    def create(self, session: str, passphrase: str, lock_after: float) -> str:
        """Create the journal, with a recovery code (as ``ally vault init`` does); returns
        the code, to be shown once and never kept."""
        location = self.where(session)
        if not location.startswith(("postgresql://", "postgres://")):
            private_folder(Path(location))
        with self.throttle.derivation():
            vault = Vault.create(location, passphrase, recovery=True)
        code, vault.recovery_code = vault.recovery_code, None
        assert code is not None
        self._keep(session, vault, lock_after)
        return code

    def unlock(self, session: str, passphrase: str, lock_after: float, client: str) -> None:
        """Open with the passphrase (WrongPassphraseError changes nothing).

        The duress passphrase opens the decoy journal the same way (Vault.open decides), so
        every page after this shows the decoy. RecoveryRequiredError: the failure limit
        was reached; only the recovery code opens now.

        ``UnlockRefusedError`` (nothing tried) when this session or client must wait after
        earlier failures, or when every passphrase check is taken.
        """
        location = self.where(session)
        with self.throttle.attempt({"session": session, "client": client}) as attempt:
            try:
                vault = Vault.open(location, passphrase)
            except WrongPassphraseError:
                attempt.failed()
                raise
            attempt.succeeded()
        self._keep(session, vault, lock_after)

    def recover(
        self, session: str, code: str, new_passphrase: str, lock_after: float, client: str
    ) -> None:
        """Open with the recovery code and set a new passphrase (WrongRecoveryCodeError
        changes nothing); throttled like an unlock."""
        location = self.where(session)
        with self.throttle.attempt({"session": session, "client": client}) as attempt:
            try:
                vault = Vault.recover(location, code, new_passphrase)
            except WrongRecoveryCodeError:
                attempt.failed()
                raise
            attempt.succeeded()
        self._keep(session, vault, lock_after)

    def _keep(self, session: str, vault: Vault, lock_after: float) -> None:
        with self._lock:
            old = self._held.pop(session, None)
            self._held[session] = _Held(vault, lock_after, self.clock())
        if old is not None:
            old.vault.close()

    def is_unlocked(self, session: str | None) -> bool:
        with self._lock:
            return session is not None and session in self._held

    @contextmanager
    def using(self, session: str | None) -> Iterator[Vault | None]:
        """The session's unlocked vault for one piece of work, or None if it is locked."""
        with self._lock:
            held = self._held.get(session) if session else None
        if held is None:
            yield None
            return
        with held.busy:
            held.last_used = self.clock()
            yield held.vault

    @asynccontextmanager
    async def using_async(self, session: str | None) -> AsyncIterator[Vault | None]:
        """Like ``using``, for async handlers: waits for the vault in a worker thread, so a
        long upload in one request never blocks the event loop for the others."""
        with self._lock:
            held = self._held.get(session) if session else None
        if held is None:
            yield None
            return
        await anyio.to_thread.run_sync(held.busy.acquire)
        try:
            held.last_used = self.clock()
            yield held.vault
        finally:
            held.busy.release()

    def lock(self, session: str | None, wait: bool = False) -> None:
        """Lock at once: the session cannot use the vault after this returns.

        If a long piece of work (an import, an upload) is using the vault, it finishes and
        the vault is closed right after, in the background: quick exit never waits for it.
        """
        with self._lock:
            held = self._held.pop(session, None) if session else None
        if held is None:
            return
        if not held.busy.acquire(blocking=wait):
            threading.Thread(target=_close_when_free, args=(held,), daemon=True).start()
            return
        try:
            held.vault.close()
        finally:
            held.busy.release()

    def lock_idle(self) -> None:
        now = self.clock()
        with self._lock:
            idle = [
                key for key, held in self._held.items() if now - held.last_used > held.lock_after
            ]
        for key in idle:
            self.lock(key)

    def lock_all(self) -> None:
        with self._lock:
            keys = list(self._held)
        for key in keys:
            self.lock(key, wait=True)


def _close_when_free(held: _Held) -> None:
    with held.busy:
        held.vault.close()

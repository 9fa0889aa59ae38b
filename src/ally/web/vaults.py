"""Unlocked journals, held per session and locked again after idle time.

The passphrase is used once, to unlock, and never kept. On a person's own computer the
unlocked vault (its key) stays in this process only while the person uses it: it is closed
after the session's idle time, on quick exit, on "Lock the journal", and when the server
stops. One lock per vault keeps each vault's work to one thread at a time.

In hosted mode any app process must serve any request (no sticky sessions), so the key is
also kept in the database, wrapped under the session's cookie token (:class:`JournalKeys`,
``keywrap.py``): the browser brings the secret with each request, the database holds only
the wrapped key. What a process holds in memory is then a cache, checked against the
database at every request (``sync``, fed by the session's own query): when another process
locks the journal (the lock button, quick exit, idle, a revoked account session), the key is
gone from the database and this process drops its copy before the request is served.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread

from ally.errors import AllyError
from ally.storage.private import private_folder
from ally.vault import Vault, VaultNotFoundError, WrongPassphraseError
from ally.vault.crypto import Identity
from ally.vault.keyslots import WrongRecoveryCodeError
from ally.vault.throttle import LocalGate, MemoryLedger, UnlockThrottle
from ally.web import keywrap
from ally.web.sessions import WebSession
from ally.web.storage import WebStorage

TOUCH_SECONDS = 30
"""How often (at most) a journal's use is written down for the idle lock."""


@dataclass
class _Held:
    vault: Vault
    lock_after: float
    last_used: float
    busy: threading.Lock = field(default_factory=threading.Lock)
    stamp: str | None = None
    """Hosted mode: the wrapped key this copy was opened from (compared at every request)."""
    touched: float = 0.0
    """Hosted mode: when the last use was written to the database."""


class JournalKeys:
    """Hosted mode: each session's unlocked journal key in ``web_journal_keys``, wrapped under
    the session's cookie token, so any app process can open the journal for that browser and
    a copy of the database alone opens nothing."""

    def __init__(self, storage: WebStorage, clock: Callable[[], float]) -> None:
        self.storage = storage
        self.clock = clock

    def put(self, session: WebSession, vault: Vault, lock_after: float) -> str:
        """Keep ``vault``'s key (and where it is: the decoy's, after the duress passphrase)
        for this session; returns what was stored."""
        assert session.row is not None
        payload = json.dumps({"where": vault.location, "key": vault.key().identity_file()})
        blob = keywrap.wrap(session.token, keywrap.JOURNAL, session.row, payload.encode())
        now = int(self.clock())
        with self.storage.transaction() as db:
            db.execute("DELETE FROM web_journal_keys WHERE session = ?", (session.row,))
            db.execute(
                "INSERT INTO web_journal_keys (session, wrap, used, lock_after)"
                " VALUES (?, ?, ?, ?)",
                (session.row, blob, now, int(lock_after)),
            )
        session.journal_key, session.journal_used = blob, now
        session.journal_lock_after = int(lock_after)
        return blob

    @staticmethod
    def open(session: WebSession) -> Vault:
        """The journal unlocked with the key kept for this session.

        :class:`keywrap.UnwrapError` when this session's token does not open it (another
        session's row, a changed blob); nothing is changed.
        """
        if session.row is None or session.journal_key is None:
            raise keywrap.UnwrapError()
        plain = keywrap.unwrap(session.token, keywrap.JOURNAL, session.row, session.journal_key)
        payload = json.loads(plain)
        return Vault.open_unlocked(str(payload["where"]), Identity.parse(str(payload["key"])))

    def touch(self, row: str, now: float) -> None:
        with self.storage.transaction() as db:
            db.execute("UPDATE web_journal_keys SET used = ? WHERE session = ?", (int(now), row))

    def drop(self, row: str) -> None:
        with self.storage.transaction() as db:
            db.execute("DELETE FROM web_journal_keys WHERE session = ?", (row,))


class _Visits:
    """The sessions of the requests in progress, by row, held weakly: the cookie token they
    carry is needed to wrap or unwrap a journal key, and is kept no longer than the request
    that brought it."""

    def __init__(self) -> None:
        self._refs: dict[str, dict[int, weakref.ref[WebSession]]] = {}
        self._lock = threading.RLock()  # the clean-up callback may run inside a locked section

    def add(self, session: WebSession) -> None:
        row, key = session.row, id(session)
        assert row is not None

        def gone(_ref: weakref.ref[WebSession]) -> None:
            with self._lock:
                refs = self._refs.get(row)
                if refs is not None and refs.get(key) is _ref:
                    del refs[key]
                    if not refs:
                        del self._refs[row]

        with self._lock:
            self._refs.setdefault(row, {})[key] = weakref.ref(session, gone)

    def get(self, row: str) -> WebSession | None:
        """The newest request's session for this row, if one is in progress."""
        with self._lock:
            refs = list(self._refs.get(row, {}).values())
        for ref in reversed(refs):
            found = ref()
            if found is not None and found.row == row:
                return found
        return None


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
        keys: JournalKeys | None = None,
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
        self.keys = keys
        """Hosted mode: unlocked keys kept wrapped in the database (None: this process only)."""
        self._visits = _Visits()

    def sync(self, session: WebSession) -> None:
        """At every request (hosted mode): drop this process's copy of the session's journal
        if its key is no longer the one in the database (locked elsewhere, or unlocked again),
        lock it if it was idle too long, and remember the session for this request so the
        key can be unwrapped on first use."""
        if self.keys is None or session.row is None:
            return
        row = session.row
        self._visits.add(session)
        if (
            session.journal_key is not None
            and self.clock() - session.journal_used > session.journal_lock_after
        ):
            self.keys.drop(row)
            session.journal_key = None
        with self._lock:
            held = self._held.get(row)
        if held is not None and held.stamp != session.journal_key:
            self._close(row, held)

    def _get(self, session: str | None) -> _Held | None:
        """What this session holds unlocked: this process's copy, else (hosted mode) the
        journal opened from the key kept for it."""
        if session is None:
            return None
        with self._lock:
            held = self._held.get(session)
        if held is not None or self.keys is None:
            return held
        visit = self._visits.get(session)
        if visit is None or visit.journal_key is None:
            return None
        try:
            vault = self.keys.open(visit)
        except (AllyError, ValueError, KeyError):
            return None  # not this browser's key, or changed: locked, nothing is changed
        fresh = _Held(vault, visit.journal_lock_after, self.clock(), stamp=visit.journal_key)
        fresh.touched = visit.journal_used
        with self._lock:
            held = self._held.get(session)
            if held is None or held.stamp != fresh.stamp:
                self._held[session], old = fresh, held
                held = fresh
            else:
                old = fresh  # another request opened it first: use theirs
        if old is not None:
            self._close(None, old)
        return held

    def _used(self, session: str, held: _Held) -> None:
        now = self.clock()
        held.last_used = now
        if self.keys is not None and now - held.touched >= min(TOUCH_SECONDS, held.lock_after / 10):
            held.touched = now
            self.keys.touch(session, now)

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
        held = self._get(session)
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
        held = _Held(vault, lock_after, self.clock())
        if self.keys is not None:
            visit = self._visits.get(session)
            if visit is None:  # every unlock comes with its request's session (sync)
                vault.close()
                raise RuntimeError("an unlock without its session: nothing was kept")
            held.stamp = self.keys.put(visit, vault, lock_after)
            held.touched = held.last_used
        with self._lock:
            old = self._held.pop(session, None)
            self._held[session] = held
        if old is not None:
            old.vault.close()

    def is_unlocked(self, session: str | None) -> bool:
        return self._get(session) is not None

    @contextmanager
    def using(self, session: str | None) -> Iterator[Vault | None]:
        """The session's unlocked vault for one piece of work, or None if it is locked."""
        held = self._get(session)
        if held is None or session is None:
            yield None
            return
        with held.busy:
            self._used(session, held)
            yield held.vault

    @asynccontextmanager
    async def using_async(self, session: str | None) -> AsyncIterator[Vault | None]:
        """Like ``using``, for async handlers: waits for the vault in a worker thread, so a
        long upload in one request never blocks the event loop for the others."""
        held = await anyio.to_thread.run_sync(self._get, session)
        if held is None or session is None:
            yield None
            return
        await anyio.to_thread.run_sync(held.busy.acquire)
        try:
            await anyio.to_thread.run_sync(self._used, session, held)
            yield held.vault
        finally:
            held.busy.release()

    def lock(self, session: str | None, wait: bool = False) -> None:
        """Lock at once: the session cannot use the vault after this returns.

        If a long piece of work (an import, an upload) is using the vault, it finishes and
        the vault is closed right after, in the background: quick exit never waits for it.
        """
        if session is not None and self.keys is not None:
            self.keys.drop(session)
        with self._lock:
            held = self._held.pop(session, None) if session else None
        if held is not None:
            _close_held(held, wait)

    def _close(self, session: str | None, held: _Held) -> None:
        """Close this process's copy only (the database's key is left as it is)."""
        if session is not None:
            with self._lock:
                if self._held.get(session) is not held:
                    return
                del self._held[session]
        _close_held(held, wait=False)

    def lock_idle(self) -> None:
        """Close what was not used for its idle time (in hosted mode, this process's copy:
        the session sweep deletes keys idle in every process)."""
        now = self.clock()
        with self._lock:
            idle = [
                (key, held)
                for key, held in self._held.items()
                if now - held.last_used > held.lock_after
            ]
        for key, held in idle:
            if self.keys is None:
                self.lock(key)
            else:
                self._close(key, held)

    def lock_all(self) -> None:
        """Close everything this process holds (the server stops). In hosted mode the keys
        kept for browsers stay: the other app processes go on serving them."""
        with self._lock:
            held = list(self._held.values())
            self._held.clear()
        for one in held:
            _close_held(one, wait=True)


def _close_held(held: _Held, wait: bool) -> None:
    """Close now, or (a long piece of work is using it) right after, in the background:
    quick exit never waits for an import to finish."""
    if not held.busy.acquire(blocking=wait):
        threading.Thread(target=_close_when_free, args=(held,), daemon=True).start()
        return
    try:
        held.vault.close()
    finally:
        held.busy.release()


def _close_when_free(held: _Held) -> None:
    with held.busy:
        held.vault.close()

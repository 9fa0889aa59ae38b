"""Unlock throttling: how many passphrase checks run at once, and back-off after failures.

Every unlock runs scrypt, which costs about a second of CPU and 256 MiB of memory. Without a
limit, a handful of concurrent guesses exhausts a small server (8 took one to 2.3 GB), and
guessing costs the guesser nothing but time. So every shell goes through one
:class:`UnlockThrottle`:

* a **gate** lets at most N derivations run at once (default 2) and keeps a short, bounded
  queue; a request that finds the queue full is told at once to try again shortly, so memory
  stays bounded (N x 256 MiB) and every request gets an answer;
* a **ledger** counts consecutive failures per key (a web session, a client address, or
  "this vault" for the command line); after a few free failures each further one doubles the
  wait before the next try for that key, up to a cap.

Both are small interfaces with in-process implementations here (:class:`LocalGate`,
:class:`MemoryLedger`) and one backed by a database table (:class:`SqlLedger`), which several
app processes (a hosted service) or successive command-line runs can share. A hosted service
can later swap in a gate shared between processes without touching the callers.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from ally.errors import AllyError
from ally.storage.database import Database, StorageError, schema_lock


class UnlockRefusedError(AllyError):
    """An unlock was not tried: the person (or Ally) must wait ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


class TooManyAttemptsError(UnlockRefusedError):
    """Too many wrong passphrases in a row from here: wait before the next try."""

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            f"Too many wrong passphrases in a row. Nothing was tried. Wait {_duration(seconds)} "
            "and try again; each further wrong try makes the wait longer.",
            seconds,
        )


class UnlockBusyError(UnlockRefusedError):
    """Every passphrase check is taken (by other people, or a flood of guesses)."""

    def __init__(self, retry_after: float = 5) -> None:
        super().__init__(
            "Ally is busy checking other passphrases. Nothing was tried. "
            "Try again in a few seconds.",
            retry_after,
        )


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


@dataclass(frozen=True)
class BackoffPolicy:
    """How long to wait after ``failures`` consecutive wrong passphrases for one key.

    The first ``free_failures`` cost nothing (typos happen); then 1, 2, 4 ... seconds, up to
    ``max_seconds``. A key with no failure for ``forget_after`` seconds starts afresh.
    """

    free_failures: int = 3
    base_seconds: float = 1.0
    max_seconds: float = 300.0
    forget_after: float = 3600.0

    def delay(self, failures: int) -> float:
        extra = failures - self.free_failures
        if extra <= 0:
            return 0.0
        return float(min(self.max_seconds, self.base_seconds * 2 ** min(extra - 1, 30)))


SESSION_POLICY = BackoffPolicy(free_failures=3)
CLIENT_POLICY = BackoffPolicy(free_failures=10, max_seconds=120)
"""A client address may be shared (a shelter's wifi), so it gets more free failures."""
VAULT_POLICY = BackoffPolicy(free_failures=3, max_seconds=300)


class FailureLedger(Protocol):
    """Where consecutive failures are counted, per key."""

    def get(self, key: str) -> tuple[int, float]:
        """(consecutive failures, when the last one happened); (0, 0) for a clean key."""

    def failed(self, key: str, now: float) -> None: ...

    def cleared(self, key: str) -> None: ...


class MemoryLedger:
    """Failures in this process's memory, for at most ``max_keys`` keys (oldest dropped).

    The bound keeps a flood of made-up sessions or addresses from growing memory without end;
    a dropped key only loses its back-off, never a person's data.
    """

    def __init__(self, max_keys: int = 10_000) -> None:
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def get(self, key: str) -> tuple[int, float]:
        with self._lock:
            return self._entries.get(key, (0, 0.0))

    def failed(self, key: str, now: float) -> None:
        with self._lock:
            count, _ = self._entries.pop(key, (0, 0.0))
            self._entries[key] = (count + 1, now)
            while len(self._entries) > self.max_keys:
                self._entries.popitem(last=False)

    def cleared(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


_UNWRITABLE = (StorageError, sqlite3.Error, OSError)


class SqlLedger:
    """Failures kept in a small table beside the data (SQLite or PostgreSQL).

    The command line uses the vault's own database, so back-off holds across runs; a hosted
    service can point several processes at one table. Writing is best effort: a read-only
    copy of a vault still opens, it just keeps no count.
    """

    TABLE = "unlock_failures"

    def __init__(self, database: Database) -> None:
        self.db = database
        self._ready = False

    def _ensure(self) -> bool:
        if not self._ready:
            try:
                with self.db.transaction() as tx:
                    schema_lock(tx)
                    tx.execute(
                        f"CREATE TABLE IF NOT EXISTS {self.TABLE} (key TEXT PRIMARY KEY, "
                        "failures INTEGER NOT NULL, last_failed DOUBLE PRECISION NOT NULL)"
                    )
            except _UNWRITABLE:  # read-only media: no count is kept
                return False
            self._ready = True
        return True

    def get(self, key: str) -> tuple[int, float]:
        if not self._ensure():
            return (0, 0.0)
        rows = self.db.query(
            f"SELECT failures, last_failed FROM {self.TABLE} WHERE key = ?", (key,)
        )
        return (int(rows[0][0]), float(rows[0][1])) if rows else (0, 0.0)

    def failed(self, key: str, now: float) -> None:
        if not self._ensure():
            return
        try:
            with self.db.transaction() as tx:
                rows = tx.query(f"SELECT failures FROM {self.TABLE} WHERE key = ?", (key,))
                count = int(rows[0][0]) + 1 if rows else 1
                tx.execute(f"DELETE FROM {self.TABLE} WHERE key = ?", (key,))
                tx.execute(
                    f"INSERT INTO {self.TABLE} (key, failures, last_failed) VALUES (?, ?, ?)",
                    (key, count, now),
                )
        except _UNWRITABLE:  # best effort, see the class docstring
            return

    def cleared(self, key: str) -> None:
        if not self._ensure():
            return
        try:
            with self.db.transaction() as tx:
                tx.execute(f"DELETE FROM {self.TABLE} WHERE key = ?", (key,))
        except _UNWRITABLE:  # best effort
            return


class DerivationGate(Protocol):
    """Admits at most a fixed number of passphrase derivations at a time."""

    def slot(self) -> AbstractContextManager[None]:
        """Hold one derivation slot; :class:`UnlockBusyError` if none comes free soon."""


class LocalGate:
    """At most ``concurrency`` derivations in this process, and at most ``queue`` waiting.

    A request that would be queued beyond ``queue``, or waits longer than ``wait_seconds``,
    gets :class:`UnlockBusyError` at once rather than holding a worker thread.
    """

    def __init__(self, concurrency: int = 2, queue: int = 16, wait_seconds: float = 30.0) -> None:
        if concurrency < 1:
            raise ValueError("at least one derivation must be allowed")
        self.concurrency = concurrency
        self.queue = queue
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._waiting = 0
        self.running = 0
        self.most_running = 0
        """The highest number of derivations seen at once (tests and benchmarks read it)."""

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._waiting >= self.queue + self.concurrency:
                raise UnlockBusyError()
            self._waiting += 1
        try:
            acquired = self._slots.acquire(timeout=self.wait_seconds)
        finally:
            with self._lock:
                self._waiting -= 1
        if not acquired:
            raise UnlockBusyError()
        with self._lock:
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._slots.release()


@dataclass
class Attempt:
    """One admitted unlock: say how it went, so the ledger counts it."""

    throttle: UnlockThrottle
    keys: Mapping[str, str]
    outcome: str | None = field(default=None)

    def failed(self) -> None:
        self.outcome = "failed"
        now = self.throttle.clock()
        for key in self._ledger_keys():
            self.throttle.ledger.failed(key, now)

    def succeeded(self) -> None:
        self.outcome = "succeeded"
        for key in self._ledger_keys():
            self.throttle.ledger.cleared(key)

    def _ledger_keys(self) -> list[str]:
        return [f"{kind}:{value}" for kind, value in self.keys.items()]


class UnlockThrottle:
    """The one way every shell tries a passphrase: back-off first, then a gate slot.

    ``keys`` name who is trying, by kind: ``{"session": ..., "client": ...}`` on the web,
    ``{"vault": ...}`` on the command line. Each kind has its own :class:`BackoffPolicy`.
    Kinds listed in ``exclusive`` may have one attempt in flight at a time (a person never
    unlocks twice at once; a flood from one session is refused without deriving anything).
    """

    def __init__(
        self,
        gate: DerivationGate,
        ledger: FailureLedger,
        policies: Mapping[str, BackoffPolicy] | None = None,
        clock: Callable[[], float] = time.time,
        exclusive: frozenset[str] = frozenset({"session"}),
    ) -> None:
        self.gate = gate
        self.ledger = ledger
        self.policies = dict(
            policies or {"session": SESSION_POLICY, "client": CLIENT_POLICY, "vault": VAULT_POLICY}
        )
        self.clock = clock
        self.exclusive = exclusive
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()

    def retry_after(self, keys: Mapping[str, str]) -> float:
        """Seconds before these keys may try again (0: now)."""
        now = self.clock()
        wait = 0.0
        for kind, value in keys.items():
            policy = self.policies.get(kind, SESSION_POLICY)
            failures, last = self.ledger.get(f"{kind}:{value}")
            if failures and now - last > policy.forget_after:
                continue
            wait = max(wait, last + policy.delay(failures) - now)
        return max(0.0, wait)

    def _check(self, keys: Mapping[str, str]) -> None:
        wait = self.retry_after(keys)
        if wait > 0:
            raise TooManyAttemptsError(wait)

    @contextmanager
    def attempt(self, keys: Mapping[str, str]) -> Iterator[Attempt]:
        """Admit one try, or raise :class:`UnlockRefusedError` without deriving anything.

        Back-off is checked before queueing and again once a slot is free (others from the
        same session or address may have failed meanwhile).
        """
        self._check(keys)
        held = self._claim(keys)
        try:
            with self.gate.slot():
                self._check(keys)
                yield Attempt(self, keys)
        finally:
            with self._lock:
                self._in_flight.difference_update(held)

    @contextmanager
    def derivation(self) -> Iterator[None]:
        """A gate slot alone, for derivations that are not guesses (creating a vault)."""
        with self.gate.slot():
            yield

    def _claim(self, keys: Mapping[str, str]) -> set[str]:
        held = {f"{kind}:{value}" for kind, value in keys.items() if kind in self.exclusive}
        with self._lock:
            if held & self._in_flight:
                raise TooManyAttemptsError(1)
            self._in_flight |= held
        return held

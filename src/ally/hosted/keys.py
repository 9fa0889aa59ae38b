"""Each advocate's case key: an age (X25519) key pair whose private half only their passphrase
opens.

What a person shares with an advocate is encrypted to the advocate's public key (``age1...``,
kept in clear: anyone may encrypt to it). The private key is stored as an age file locked
with the advocate's own case-key passphrase (age's scrypt recipient, as a journal's key is),
so the server holds no key that opens a shared case at rest. The passphrase is separate from
the sign-in password: the server keeps an Argon2id hash of the password, and an admin's reset
of the password must not hand anyone the key. Unlocking is throttled like a sign-in (a few
scrypt checks at a time, back-off per advocate and per client address, counted in the
database so every app process sees them).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from ally.hosted import audit
from ally.hosted.accounts import Account
from ally.hosted.errors import HostedError
from ally.hosted.sessions import CLIENT_POLICY, NAME_POLICY
from ally.hosted.store import HostedStore, LoginLedger
from ally.storage.database import schema_lock
from ally.vault import crypto
from ally.vault.crypto import Identity, Recipient
from ally.vault.errors import WrongPassphraseError
from ally.vault.throttle import LocalGate, UnlockThrottle

SCHEMA = (
    # One row per advocate: the public key in clear, the private key locked with their
    # case-key passphrase (an age file, scrypt stanza).
    """CREATE TABLE IF NOT EXISTS hosted_case_keys (
        account TEXT PRIMARY KEY REFERENCES hosted_accounts (id),
        org TEXT NOT NULL REFERENCES hosted_orgs (id),
        recipient TEXT NOT NULL,
        locked TEXT NOT NULL,
        created BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS hosted_case_keys_org ON hosted_case_keys (org)",
)
MIN_PASSPHRASE = 10


class CaseKeyError(HostedError):
    """Something about an advocate's case key needs attention."""


@dataclass(frozen=True)
class CaseKeyHolder:
    """An advocate who has a case key, and its public half."""

    account: str
    recipient: Recipient


class CaseKeys:
    """Making, finding and unlocking advocates' case keys."""

    def __init__(
        self,
        store: HostedStore,
        clock: Callable[[], float] = time.time,
        work_factor: int = crypto.DEFAULT_WORK_FACTOR,
    ) -> None:
        self.store = store
        self.clock = clock
        self.work_factor = work_factor
        self.throttle = UnlockThrottle(
            LocalGate(2),
            LoginLedger(store),
            policies={"key": NAME_POLICY, "client": CLIENT_POLICY},
            clock=clock,
            exclusive=frozenset({"key"}),
        )
        with store.transaction() as db:
            schema_lock(db)
            for statement in SCHEMA:
                db.execute(statement)

    def has_key(self, account: Account) -> bool:
        return self.recipient(account.id) is not None

    def recipient(self, account_id: str) -> Recipient | None:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT recipient FROM hosted_case_keys WHERE account = ?", (account_id,)
            )
        return Recipient.parse(str(rows[0][0])) if rows else None

    def create(self, account: Account, passphrase: str) -> Identity:
        """A new key pair for this advocate, locked with ``passphrase``; returned unlocked.

        Refused if they already have one: replacing it would make every case shared with
        them unreadable without telling the people who shared.
        """
        if account.role != "advocate":
            raise CaseKeyError("Only advocates have case keys.")
        if len(passphrase) < MIN_PASSPHRASE:
            raise CaseKeyError(
                f"Choose a passphrase of at least {MIN_PASSPHRASE} characters. A few unrelated "
                "words are easy to remember."
            )
        identity = Identity.generate()
        with self.throttle.derivation():
            locked = crypto.lock_identity(identity, passphrase, self.work_factor)
        with self.store.transaction() as db:
            if db.query("SELECT 1 FROM hosted_case_keys WHERE account = ?", (account.id,)):
                raise CaseKeyError("You already have a case key. Unlock it with its passphrase.")
            db.execute(
                "INSERT INTO hosted_case_keys (account, org, recipient, locked, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (account.id, account.org, str(identity.recipient), locked.hex(), self._now()),
            )
        audit.append(self.store, account.org, account.id, "case-key-made", self._now())
        return identity

    def unlock(self, account: Account, passphrase: str, client: str) -> Identity:
        """The advocate's private key; WrongPassphraseError (counted) if the passphrase does
        not fit, UnlockRefusedError (nothing tried) while they or this client must wait."""
        with self.store.transaction() as db:
            rows = db.query("SELECT locked FROM hosted_case_keys WHERE account = ?", (account.id,))
        if not rows:
            raise CaseKeyError("You have no case key yet. Make one first.")
        locked = bytes.fromhex(str(rows[0][0]))
        key = hashlib.sha256(f"case-key\0{account.id}".encode()).hexdigest()[:32]
        with self.throttle.attempt({"key": key, "client": f"case-key:{client}"}) as attempt:
            try:
                identity = crypto.unlock_identity(locked, passphrase)
            except WrongPassphraseError:
                attempt.failed()
                raise
            attempt.succeeded()
        return identity

    def holders(self, org: str) -> list[CaseKeyHolder]:
        """The organisation's enabled advocates who have a case key (the team)."""
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT k.account, k.recipient FROM hosted_case_keys k"
                " JOIN hosted_accounts a ON a.id = k.account"
                " WHERE k.org = ? AND a.org = ? AND a.role = 'advocate' AND a.disabled = 0"
                " ORDER BY a.login",
                (org, org),
            )
        return [CaseKeyHolder(str(r[0]), Recipient.parse(str(r[1]))) for r in rows]

    def _now(self) -> int:
        return int(self.clock())

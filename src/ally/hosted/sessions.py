"""Signing in, and account sessions kept in the database so they can be revoked.

The browser holds a random token (256 bits); the table holds only its SHA-256, so a copy of
the database cannot be used to sign in. A session ends when it is revoked (sign-out, "sign
out everywhere", an admin), after ``idle_seconds`` without use, or ``max_seconds`` after it
began; every app process checks the table on every request, so a revoked session is refused
everywhere at once.

Sign-in goes through :class:`ally.vault.throttle.UnlockThrottle`, as journal unlocks do: a
bounded number of Argon2id checks at a time, and back-off per sign-in name and per client
address after repeated failures, counted in the database (:class:`LoginLedger`).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ally.hosted import audit, totp
from ally.hosted.accounts import Account, Accounts, Organisation, _account, normalise_login
from ally.hosted.errors import HostedError, SignInError, SignInThrottledError
from ally.hosted.store import HostedStore, LoginLedger
from ally.vault.throttle import (
    BackoffPolicy,
    LocalGate,
    UnlockRefusedError,
    UnlockThrottle,
)

NAME_POLICY = BackoffPolicy(free_failures=5, base_seconds=2.0, max_seconds=900.0)
"""Per sign-in name: five free tries, then 2, 4, 8 ... seconds, up to 15 minutes."""
CLIENT_POLICY = BackoffPolicy(free_failures=20, base_seconds=1.0, max_seconds=300.0)
"""Per client address: more free tries, as a shelter's wifi is shared by many people."""
TOUCH_SECONDS = 60
ENDED = "revoked = ?, case_key = NULL, case_key_used = NULL"
"""What ending a session sets: when, and the unlocked case key kept for it is deleted."""


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: int = 2 * 3600
    max_seconds: int = 12 * 3600


@dataclass(frozen=True)
class Current:
    """A live account session: which row, and whose."""

    session: str
    account: Account
    second_factor: bool = False
    """Whether a TOTP code was checked when this session began (admin pages require it)."""
    token: str = field(default="", repr=False)
    """The cookie's token: the secret an unlocked case key is wrapped under (never stored)."""
    case_key: str | None = field(default=None, repr=False)
    """An advocate's unlocked case key as stored, wrapped under ``token`` (web/keyring.py)."""
    case_key_used: int = 0


@dataclass(frozen=True)
class SessionInfo:
    id: str
    created: int
    last_seen: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def name_key(org: Organisation, login: str) -> str:
    """The throttle key of a sign-in name: hashed, so the failure table names nobody."""
    return hashlib.sha256(f"{org.id}\0{login}".encode()).hexdigest()[:32]


class AccountSessions:
    def __init__(
        self,
        store: HostedStore,
        accounts: Accounts,
        *,
        clock: Callable[[], float] = time.time,
        policy: SessionPolicy = SessionPolicy(),
        concurrency: int = 4,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.clock = clock
        self.policy = policy
        self.throttle = UnlockThrottle(
            LocalGate(concurrency),
            LoginLedger(store),
            policies={"name": NAME_POLICY, "client": CLIENT_POLICY},
            clock=clock,
            exclusive=frozenset({"name"}),
        )

    def sign_in(
        self, org: Organisation, login: str, password: str, code: str, client: str
    ) -> tuple[str, Current]:
        """Check the password (and the TOTP code for staff, or a person who set one up);
        return a new session's token (to put in a cookie) and the session.

        Every failure raises the same :class:`SignInError` and counts towards back-off;
        :class:`SignInThrottledError` when this name or client must wait (nothing tried).
        """
        try:
            name = normalise_login(login)
        except HostedError:
            raise SignInError() from None
        keys = {"name": name_key(org, name), "client": client}
        try:
            with self.throttle.attempt(keys) as attempt:
                about, account, factor = self._check(org, name, password, code)
                if account is None:
                    attempt.failed()
                    self._audit(org.id, about, "sign-in-failed")
                    raise SignInError()
                attempt.succeeded()
        except UnlockRefusedError as refused:
            self._audit(org.id, self._known(org, name), "sign-in-refused")
            raise SignInThrottledError(refused.retry_after) from refused
        self._audit(org.id, account.id, "sign-in")
        return self.start(account, second_factor=factor)

    def _audit(self, org: str, account: str | None, kind: str) -> None:
        audit.append(self.store, org, account, kind, int(self.clock()))

    def _known(self, org: Organisation, name: str) -> str | None:
        """The id of the account with this name, if there is one (for the audit log)."""
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id FROM hosted_accounts WHERE org = ? AND login = ?", (org.id, name)
            )
        return str(rows[0][0]) if rows else None

    def _check(
        self, org: Organisation, name: str, password: str, code: str
    ) -> tuple[str | None, Account | None, bool]:
        """(the id of the account the name belongs to, if any; the account if every check
        passed, else None; whether a TOTP code was among the checks)."""
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, org, login, role, vault, password, totp_secret, totp_step"
                " FROM hosted_accounts WHERE org = ? AND login = ? AND disabled = 0",
                (org.id, name),
            )
        row = rows[0] if rows else None
        about = str(row[0]) if row else None
        stored = str(row[5]) if row else None
        if not self.accounts.passwords.verify(stored, password) or row is None:
            return about, None, False
        account = _account(row)
        if row[6] is None:  # staff always need a second factor
            return about, (None if account.is_staff else account), False
        secret = self.accounts.key.open(str(row[6]), account.id)
        last = int(row[7]) if row[7] is not None else None
        step = totp.matching_step(secret, code, self.clock(), last)
        if step is None:
            return about, None, False
        with self.store.transaction() as db:  # the code is spent, in every process
            used = db.execute(
                "UPDATE hosted_accounts SET totp_step = ? WHERE id = ?"
                " AND (totp_step IS NULL OR totp_step < ?)",
                (step, account.id, step),
            )
            if used.rowcount != 1:
                return about, None, False  # another request used this code at the same moment
        return about, account, True

    def start(self, account: Account, *, second_factor: bool = False) -> tuple[str, Current]:
        token = secrets.token_urlsafe(32)
        row = secrets.token_hex(16)
        now = int(self.clock())
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO hosted_sessions (id, token_hash, account, created, last_seen,"
                " second_factor) VALUES (?, ?, ?, ?, ?, ?)",
                (row, token_hash(token), account.id, now, now, int(second_factor)),
            )
        return token, Current(row, account, second_factor, token)

    def open(self, token: str | None) -> Current | None:
        """The live session for a cookie's token, or None (unknown, revoked, expired, or
        the account disabled)."""
        if not token or len(token) > 100:
            return None
        now = int(self.clock())
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT s.id, s.created, s.last_seen, a.id, a.org, a.login, a.role, a.vault,"
                " s.second_factor, s.case_key, s.case_key_used FROM hosted_sessions s"
                " JOIN hosted_accounts a ON a.id = s.account"
                " WHERE s.token_hash = ? AND s.revoked IS NULL AND a.disabled = 0",
                (token_hash(token),),
            )
            if not rows:
                return None
            row = rows[0]
            created, last_seen = int(row[1]), int(row[2])
            if (
                now - last_seen > self.policy.idle_seconds
                or now - created > self.policy.max_seconds
            ):
                db.execute(f"UPDATE hosted_sessions SET {ENDED} WHERE id = ?", (now, row[0]))
                return None
            if now - last_seen >= TOUCH_SECONDS:
                db.execute("UPDATE hosted_sessions SET last_seen = ? WHERE id = ?", (now, row[0]))
        return Current(
            str(row[0]),
            _account(row[3:8]),
            bool(row[8]),
            token,
            None if row[9] is None else str(row[9]),
            int(row[10] or 0),
        )

    def revoke(self, session: str, owner: Account, kind: str = "session-ended") -> bool:
        """End one of ``owner``'s sessions; False if it is not theirs (or already ended)."""
        with self.store.transaction() as db:
            done = db.execute(
                f"UPDATE hosted_sessions SET {ENDED} WHERE id = ? AND account = ?"
                " AND revoked IS NULL",
                (int(self.clock()), session, owner.id),
            )
            ended = bool(done.rowcount == 1)
        if ended:
            self._audit(owner.org, owner.id, kind)
        return ended

    def revoke_all(self, owner: Account, keep: str | None = None) -> int:
        """End every session of ``owner`` (but ``keep``, the one asking); how many ended."""
        with self.store.transaction() as db:
            done = db.execute(
                f"UPDATE hosted_sessions SET {ENDED} WHERE account = ? AND revoked IS NULL"
                " AND id <> ?",
                (int(self.clock()), owner.id, keep or ""),
            )
            ended = int(done.rowcount)
        for _ in range(ended):
            self._audit(owner.org, owner.id, "session-ended")
        return ended

    def live(self, owner: str) -> list[SessionInfo]:
        """``owner``'s sessions that have not ended, newest first."""
        now = int(self.clock())
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, created, last_seen FROM hosted_sessions"
                " WHERE account = ? AND revoked IS NULL ORDER BY created DESC, id",
                (owner,),
            )
        return [
            SessionInfo(str(r[0]), int(r[1]), int(r[2]))
            for r in rows
            if now - int(r[2]) <= self.policy.idle_seconds
            and now - int(r[1]) <= self.policy.max_seconds
        ]

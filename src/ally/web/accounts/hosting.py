"""What a hosted web app holds besides the person pages' own state: the account services and
the binding of each person-page visit to the account session that opened it.

A visit (a row of ``web_sessions``) is bound to exactly one account session; a person's
journal is found only through a live binding (:meth:`HostedWeb.locate`), so even a page that
forgot to ask who is signed in cannot reach anyone's journal but the one of the account
signed in with this browser.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ally.hosted import totp
from ally.hosted.accounts import Accounts, vault_location
from ally.hosted.errors import HostedDatabaseError
from ally.hosted.keys import CaseKeys
from ally.hosted.passwords import PasswordPolicy
from ally.hosted.sessions import CLIENT_POLICY, NAME_POLICY, AccountSessions
from ally.hosted.sharing import Sharing
from ally.hosted.store import HostedStore
from ally.web.config import WebConfig
from ally.web.keyring import CaseKeyring

FORGET_AFTER = max(NAME_POLICY.forget_after, CLIENT_POLICY.forget_after)


@dataclass
class HostedWeb:
    store: HostedStore
    accounts: Accounts
    sessions: AccountSessions
    case_key_work_factor: int = 18
    keys: CaseKeys = field(init=False)
    """Advocates' case keys (``hosted/keys.py``)."""
    sharing: Sharing = field(init=False)
    """What people share with advocates (``hosted/sharing.py``)."""
    keyring: CaseKeyring = field(init=False)
    """Advocates' case keys unlocked in this process, by account session."""

    def __post_init__(self) -> None:
        clock = self.accounts.clock
        self.keys = CaseKeys(self.store, clock, self.case_key_work_factor)
        self.sharing = Sharing(self.store, self.keys, clock)
        self.keyring = CaseKeyring(self.store, clock)

    @classmethod
    def create(cls, config: WebConfig, passwords: PasswordPolicy) -> HostedWeb:
        url = str(config.database)
        if not url.startswith(("postgresql://", "postgres://")):
            raise HostedDatabaseError(
                "A hosted Ally needs a PostgreSQL database: give --database postgresql://..."
            )
        store = HostedStore(url)
        key = totp.ServerKey.load(config.server_key_file)
        totp.bind_key(store, key)  # the same key as every other process; old secrets sealed
        accounts = Accounts(store, passwords, config.clock, key)
        sessions = AccountSessions(store, accounts, clock=config.clock)
        return cls(store, accounts, sessions, config.case_key_work_factor)

    def bound(self, visit: str) -> str | None:
        """The account session this visit belongs to, if any."""
        with self.store.transaction() as db:
            rows = db.query("SELECT session FROM hosted_bindings WHERE visit = ?", (visit,))
        return str(rows[0][0]) if rows else None

    def bind(self, visit: str, session: str) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO hosted_bindings (visit, session) VALUES (?, ?)", (visit, session)
            )

    def visits_of(self, sessions: Iterable[str]) -> list[str]:
        """The visits bound to these account sessions (to lock and forget them)."""
        wanted = list(sessions)
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        with self.store.transaction() as db:
            rows = db.query(f"SELECT visit FROM hosted_bindings WHERE session IN ({marks})", wanted)
        return [str(row[0]) for row in rows]

    def locate(self, visit: str | None) -> str | None:
        """Where the journal of the person signed in with this visit lives; None unless the
        visit is bound to a live session of an enabled person account."""
        if visit is None:
            return None
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT a.vault FROM hosted_bindings b"
                " JOIN hosted_sessions s ON s.id = b.session AND s.revoked IS NULL"
                " JOIN hosted_accounts a ON a.id = s.account AND a.disabled = 0"
                " WHERE b.visit = ? AND a.role = 'person' AND a.vault IS NOT NULL",
                (visit,),
            )
        return vault_location(self.store.url, str(rows[0][0])) if rows else None

    def sweep(self, now: float) -> None:
        """Forget bindings of visits that no longer exist (deleted by the person pages), and
        failed sign-ins older than any back-off remembers (they hold client addresses)."""
        with self.store.transaction() as db:
            db.execute(
                "DELETE FROM hosted_bindings WHERE visit NOT IN (SELECT id FROM web_sessions)"
            )
            db.execute(
                "DELETE FROM hosted_login_failures WHERE last_failed < ?", (now - FORGET_AFTER,)
            )
            # Journal keys kept for visits of ended account sessions (web/vaults.py).
            db.execute(
                "DELETE FROM web_journal_keys WHERE session IN (SELECT b.visit"
                " FROM hosted_bindings b JOIN hosted_sessions s ON s.id = b.session"
                " WHERE s.revoked IS NOT NULL)"
            )
            live = db.query("SELECT id FROM hosted_sessions WHERE revoked IS NULL")
        self.keyring.keep_only({str(row[0]) for row in live})
        self.keyring.lock_idle()

    def close(self) -> None:
        self.store.close()

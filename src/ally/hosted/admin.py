"""What an organisation's admin can see and do: staff, counts, disabling, sessions, settings.

An admin manages the organisation's staff (advocates and admins) and sees numbers, never
contents: how many people have accounts, how many cases are shared and how often people
signed in. Nothing here reads a journal, a share's items, or a person's sign-in name; every
query names the admin's own organisation, so an admin of another organisation reaches
nothing (an id from elsewhere simply matches no row).

Every change is recorded in the audit log, with the admin as the one who acted and the
account acted on as its subject.
"""

from __future__ import annotations

from dataclasses import dataclass

from ally.hosted import audit
from ally.hosted.accounts import Account, Role
from ally.hosted.errors import NotAllowedError
from ally.hosted.sessions import ENDED, AccountSessions
from ally.storage.database import Database

MONTH_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class StaffMember:
    id: str
    login: str
    role: Role
    created: int
    disabled: bool
    sessions: int
    """Sessions that have not ended (signed in somewhere now, or idle not yet timed out)."""


@dataclass(frozen=True)
class Counts:
    people: int
    """Person accounts that are not disabled."""
    active_cases: int
    """People who share their case with an advocate or the team now."""
    shares: int
    sign_ins: int
    """Sign-ins in the last 30 days, anyone's."""
    failed_sign_ins: int


class Admin:
    def __init__(self, sessions: AccountSessions) -> None:
        self.sessions = sessions
        self.store = sessions.store

    def _now(self) -> int:
        return int(self.sessions.clock())

    @staticmethod
    def _check(by: Account) -> None:
        if by.role != "admin":
            raise NotAllowedError()

    def staff(self, by: Account) -> list[StaffMember]:
        """The organisation's advocates and admins, admins first, then by name."""
        self._check(by)
        live = self._now() - self.sessions.policy.idle_seconds
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT a.id, a.login, a.role, a.created, a.disabled,"
                " (SELECT count(*) FROM hosted_sessions s WHERE s.account = a.id"
                "  AND s.revoked IS NULL AND s.last_seen >= ?)"
                " FROM hosted_accounts a WHERE a.org = ? AND a.role IN ('advocate', 'admin')"
                " ORDER BY CASE a.role WHEN 'admin' THEN 0 ELSE 1 END, a.login",
                (live, by.org),
            )
        return [
            StaffMember(str(r[0]), str(r[1]), "admin" if r[2] == "admin" else "advocate",
                        int(str(r[3])), bool(r[4]), int(str(r[5])))
            for r in rows
        ]  # fmt: skip

    def counts(self, by: Account) -> Counts:
        """Numbers only: nothing here can name a person or say what they wrote."""
        self._check(by)
        since = self._now() - MONTH_SECONDS
        with self.store.transaction() as db:
            people = _one(
                db,
                "SELECT count(*) FROM hosted_accounts WHERE org = ? AND role = 'person'"
                " AND disabled = 0",
                (by.org,),
            )
            signs = db.query(
                "SELECT kind, count(*) FROM hosted_audit WHERE org = ? AND at >= ?"
                " AND kind IN ('sign-in', 'sign-in-failed') GROUP BY kind",
                (by.org, since),
            )
            cases, shares = 0, 0
            if _has_table(db, "hosted_shares"):  # made by sharing.py on first use
                cases = _one(
                    db, "SELECT count(DISTINCT person) FROM hosted_shares WHERE org = ?", (by.org,)
                )
                shares = _one(db, "SELECT count(*) FROM hosted_shares WHERE org = ?", (by.org,))
        by_kind = {str(kind): int(str(n)) for kind, n in signs}
        return Counts(
            people, cases, shares, by_kind.get("sign-in", 0), by_kind.get("sign-in-failed", 0)
        )

    def _target(self, db: Database, by: Account, target: str) -> bool:
        """Whether ``target`` is staff of the admin's own organisation (and not the admin)."""
        return bool(
            db.query(
                "SELECT 1 FROM hosted_accounts WHERE id = ? AND org = ?"
                " AND role IN ('advocate', 'admin') AND id <> ?",
                (target[:64], by.org, by.id),
            )
        )

    def disable(self, by: Account, target: str) -> list[str]:
        """Disable a staff account of this organisation and end all its sessions at once.
        Returns the sessions ended (their visits are locked by the caller); [] if the
        account is not this organisation's staff, is the admin themselves, or was disabled."""
        self._check(by)
        now = self._now()
        with self.store.transaction() as db:
            if not self._target(db, by, target):
                return []
            done = db.execute(
                "UPDATE hosted_accounts SET disabled = 1 WHERE id = ? AND disabled = 0",
                (target,),
            )
            if done.rowcount != 1:
                return []
            ended = _end_sessions(db, target, now)
        audit.append(self.store, by.org, by.id, "account-disabled", now, subject=target)
        return ended

    def end_sessions(self, by: Account, target: str) -> list[str]:
        """Sign a staff member of this organisation out everywhere (a lost phone, say)."""
        self._check(by)
        now = self._now()
        with self.store.transaction() as db:
            if not self._target(db, by, target):
                return []
            ended = _end_sessions(db, target, now)
        if ended:
            audit.append(self.store, by.org, by.id, "sessions-revoked", now, subject=target)
        return ended

    def set_open_signup(self, by: Account, open_signup: bool) -> None:
        """Whether people may create their own accounts (else only by invitation)."""
        self._check(by)
        with self.store.transaction() as db:
            db.execute(
                "UPDATE hosted_orgs SET open_signup = ? WHERE id = ?", (int(open_signup), by.org)
            )
        kind = "signup-opened" if open_signup else "signup-closed"
        audit.append(self.store, by.org, by.id, kind, self._now())

    def log(self, by: Account, newest: int = 200) -> list[audit.AuditEvent]:
        """The organisation's audit events, newest last (what happened, never content)."""
        self._check(by)
        return audit.events(self.store, by.org, newest=newest)

    def verify(self, by: Account) -> int | None:
        """The first event that breaks the organisation's chain, or None if it holds."""
        self._check(by)
        return audit.verify(self.store, by.org)

    def event_count(self, by: Account) -> int:
        self._check(by)
        with self.store.transaction() as db:
            return _one(db, "SELECT count(*) FROM hosted_audit WHERE org = ?", (by.org,))

    def names(self, by: Account) -> dict[str, str]:
        """Sign-in names of the organisation's staff, to show who acted in the log. People's
        names are left out: the admin sees "a person", never who."""
        self._check(by)
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, login FROM hosted_accounts WHERE org = ?"
                " AND role IN ('advocate', 'admin')",
                (by.org,),
            )
        return {str(r[0]): str(r[1]) for r in rows}


def _end_sessions(db: Database, account: str, now: int) -> list[str]:
    rows = db.query(
        "SELECT id FROM hosted_sessions WHERE account = ? AND revoked IS NULL", (account,)
    )
    db.execute(
        f"UPDATE hosted_sessions SET {ENDED} WHERE account = ? AND revoked IS NULL",
        (now, account),
    )
    return [str(r[0]) for r in rows]


def _one(db: Database, sql: str, args: tuple[object, ...]) -> int:
    return int(str(db.query(sql, args)[0][0]))


def _has_table(db: Database, table: str) -> bool:
    if db.kind == "postgresql":
        return db.query("SELECT to_regclass(?) IS NOT NULL", (table,))[0][0] is True
    return bool(db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))

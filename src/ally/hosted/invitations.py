"""Invitations: how advocates join an organisation, and how a person joins without open
sign-up.

An admin invites an advocate; an advocate (or an admin) invites a person. The invitation is a
link with a random token (256 bits); the table keeps only its SHA-256, so a copy of the
database cannot be used to join. A link works once (marking it used and making the account
happen in one transaction, so two tabs cannot both use it), and not after ``LIFETIME`` or
after it was withdrawn.

The invitee chooses their own sign-in name and password; nobody else ever knows them. An
advocate also sets up their second factor on the invitation page: the TOTP secret is made
when the page is first opened, kept sealed with the server key in the invitation's row (so
every app process shows the same one), and the account is made only once a code from the
app matches it. That code's step is then spent, so it cannot be replayed at sign-in, and the
invitation's copy of the secret is deleted (the account row holds its own, sealed to it).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from ally.hosted import audit, totp
from ally.hosted.accounts import Account, Accounts, Organisation
from ally.hosted.errors import CodeNotRightError, InvitationError, NotAllowedError
from ally.storage.database import Database

LIFETIME = 3 * 24 * 3600
"""How long a link works: long enough to find a calm moment, short enough to go stale."""
MAX_TOKEN = 100

Invitee = Literal["person", "advocate"]


@dataclass(frozen=True)
class Invitation:
    id: str
    org: str
    role: Invitee
    made_by: str
    created: int
    expires: int


@dataclass(frozen=True)
class NewInvitation:
    """An invitation just made, with its token (shown once, in the link)."""

    invitation: Invitation
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitations:
    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self.store = accounts.store

    def _now(self) -> int:
        return int(self.accounts.clock())

    def make(self, by: Account, role: Invitee) -> NewInvitation:
        """A new link: admins invite advocates; advocates and admins invite people."""
        allowed = by.role == "admin" if role == "advocate" else by.is_staff
        if not allowed or role not in ("person", "advocate"):
            raise NotAllowedError()
        token = secrets.token_urlsafe(32)
        now = self._now()
        made = Invitation(secrets.token_hex(16), by.org, role, by.id, now, now + LIFETIME)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO hosted_invitations (id, token_hash, org, role, made_by, created,"
                " expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (made.id, _hash(token), by.org, role, by.id, now, made.expires),
            )
        audit.append(self.store, by.org, by.id, "invitation-made", now)
        return NewInvitation(made, token)

    def find(self, token: str) -> Invitation | None:
        """The invitation this token opens, if it still works."""
        if not token or len(token) > MAX_TOKEN:
            return None
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, org, role, made_by, created, expires FROM hosted_invitations"
                " WHERE token_hash = ? AND used IS NULL AND withdrawn IS NULL AND expires > ?",
                (_hash(token), self._now()),
            )
        return _invitation(rows[0]) if rows else None

    def pending(self, org: str, made_by: str | None = None) -> list[Invitation]:
        """Links of this organisation (or made by this account) not yet used, withdrawn or
        expired, newest first."""
        sql = (
            "SELECT id, org, role, made_by, created, expires FROM hosted_invitations"
            " WHERE org = ? AND used IS NULL AND withdrawn IS NULL AND expires > ?"
        )
        args: tuple[object, ...] = (org, self._now())
        if made_by is not None:
            sql += " AND made_by = ?"
            args = (*args, made_by)
        with self.store.transaction() as db:
            rows = db.query(sql + " ORDER BY created DESC, id", args)
        return [_invitation(r) for r in rows]

    def withdraw(self, by: Account, invitation_id: str) -> bool:
        """Stop a link working: its maker, or an admin of its organisation. False if this
        account may not (or it is not pending): nothing changes."""
        now = self._now()
        who = "" if by.role == "admin" else " AND made_by = ?"
        args: tuple[object, ...] = (now, invitation_id[:64], by.org, now)
        with self.store.transaction() as db:
            done = db.execute(
                "UPDATE hosted_invitations SET withdrawn = ?, totp_secret = NULL"
                " WHERE id = ? AND org = ?"
                " AND used IS NULL AND withdrawn IS NULL AND expires > ?" + who,
                (*args, by.id) if who else args,
            )
            withdrawn = bool(done.rowcount == 1)
        if withdrawn and by.is_staff:
            audit.append(self.store, by.org, by.id, "invitation-withdrawn", now)
        return withdrawn

    def setup_secret(self, token: str) -> str:
        """The TOTP secret an invited advocate puts in their app (made on first call, then
        the same one from every process until the link is used)."""
        found = self.find(token)
        if found is None or found.role != "advocate":
            raise InvitationError()
        key = self.accounts.key
        with self.store.transaction() as db:
            db.execute(
                "UPDATE hosted_invitations SET totp_secret = ? WHERE id = ?"
                " AND totp_secret IS NULL",
                (key.seal(totp.new_secret(), found.id), found.id),
            )
            rows = db.query("SELECT totp_secret FROM hosted_invitations WHERE id = ?", (found.id,))
        return key.open(str(rows[0][0]), found.id)

    def accept(self, token: str, login: str, password: str, code: str = "") -> Account:
        """The invitee's own account, made from the link (which then stops working).

        InvitationError if the link no longer works; CodeNotRightError if an advocate's code
        does not match the secret shown; the usual errors for a taken name or short password.
        """
        found = self.find(token)
        if found is None:
            raise InvitationError()
        org = self.accounts.org_by_id(found.org)
        secret, step = None, None
        if found.role == "advocate":
            secret = self.setup_secret(token)
            step = totp.matching_step(secret, code, self.accounts.clock(), None)
            if step is None:
                raise CodeNotRightError()

        def claim(db: Database, account: Account) -> bool:
            used = db.execute(
                "UPDATE hosted_invitations SET used = ?, used_by = ?, totp_secret = NULL"
                " WHERE id = ? AND used IS NULL AND withdrawn IS NULL AND expires > ?",
                (self._now(), account.id, found.id, self._now()),
            )
            if step is not None:
                db.execute(
                    "UPDATE hosted_accounts SET totp_step = ? WHERE id = ?", (step, account.id)
                )
            return bool(used.rowcount == 1)

        account = self.accounts.add_invited(org, login, found.role, password, secret, claim)
        audit.append(self.store, org.id, account.id, "invitation-used", self._now())
        return account

    def organisation(self, invitation: Invitation) -> Organisation:
        return self.accounts.org_by_id(invitation.org)


def _invitation(row: tuple[object, ...]) -> Invitation:
    role: Invitee = "advocate" if str(row[2]) == "advocate" else "person"
    return Invitation(
        str(row[0]), str(row[1]), role, str(row[3]), int(str(row[4])), int(str(row[5]))
    )

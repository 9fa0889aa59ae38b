"""Organisations and their accounts: admins, advocates, and the people they help.

Every account belongs to one organisation and has one role. Staff (advocates and admins) get
a TOTP secret when they are made and must give a code at every sign-in. A person gets their
own journal: a PostgreSQL schema named by a random id (``v_`` + 16 hex digits), created empty
with the account; the person creates the journal inside it with a passphrase only they know,
on the journal page, as on a laptop. The server never holds that passphrase or the key.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ally.hosted import totp
from ally.hosted.errors import (
    HostedError,
    InvitationError,
    NameTakenError,
    NoSuchOrganisationError,
    OrganisationExistsError,
    SignUpClosedError,
)
from ally.hosted.passwords import DEFAULT_POLICY, PasswordPolicy
from ally.hosted.store import HostedStore
from ally.storage.database import Database

Role = Literal["person", "advocate", "admin"]
ROLES: tuple[Role, ...] = ("person", "advocate", "admin")
STAFF: frozenset[str] = frozenset({"advocate", "admin"})
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
_VAULT = re.compile(r"^v_[0-9a-f]{16}$")
MAX_LOGIN = 200


@dataclass(frozen=True)
class Organisation:
    id: str
    slug: str
    name: str
    open_signup: bool


@dataclass(frozen=True)
class Account:
    id: str
    org: str
    login: str
    role: Role
    vault: str | None
    """The person's journal schema (None for staff)."""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF


@dataclass(frozen=True)
class NewStaff:
    """A staff account just made, with its TOTP secret (shown once, to be put in an app)."""

    account: Account
    totp_secret: str
    totp_uri: str


def normalise_login(login: str) -> str:
    """A sign-in name as stored: trimmed and case-folded (so "Sam" and "sam" are one name)."""
    name = " ".join(login.split()).casefold()
    if not name or len(name) > MAX_LOGIN:
        raise HostedError(f"Choose a sign-in name of 1 to {MAX_LOGIN} characters.")
    return name


def vault_location(store_url: str, vault: str) -> str:
    """Where a person's journal lives: the same PostgreSQL database with ``search_path`` set
    to their schema (or, on SQLite, a folder of its own beside the database file)."""
    if not _VAULT.match(vault):
        raise HostedError("This account's journal id is not valid.")
    if not store_url.startswith(("postgresql://", "postgres://")):
        return str(Path(store_url.removeprefix("sqlite:///")).parent / "journals" / vault)
    parts = urlsplit(store_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "options"]
    options = next((v for k, v in parse_qsl(parts.query) if k == "options"), "")
    options = f"{options} -csearch_path={vault}".strip()
    query.append(("options", options))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


class Accounts:
    """Making organisations and accounts, and looking them up by id."""

    def __init__(
        self,
        store: HostedStore,
        passwords: PasswordPolicy = DEFAULT_POLICY,
        clock: Callable[[], float] = time.time,
        key: totp.ServerKey | None = None,
    ) -> None:
        self.store = store
        self.passwords = passwords
        self.clock = clock
        self._key = key

    @property
    def key(self) -> totp.ServerKey:
        """The server key that seals TOTP secrets (loaded when first needed; see totp.py)."""
        if self._key is None:
            self._key = totp.ServerKey.load()
        return self._key

    def create_org(self, name: str, slug: str, *, open_signup: bool = False) -> Organisation:
        """A new organisation; ``slug`` is its short name in addresses (``shelter-north``)."""
        name = " ".join(name.split())
        if not name or len(name) > 200:
            raise HostedError("Give the organisation a name of 1 to 200 characters.")
        if not _SLUG.match(slug):
            raise HostedError(
                "The short name must be 3 to 40 lower-case letters, digits or hyphens, "
                "like shelter-north."
            )
        org = Organisation(secrets.token_hex(16), slug, name, open_signup)
        with self.store.transaction() as db:
            taken = db.query("SELECT 1 FROM hosted_orgs WHERE slug = ? OR name = ?", (slug, name))
            if taken:
                raise OrganisationExistsError(
                    "An organisation with that name or short name already exists. "
                    "Nothing was changed."
                )
            db.execute(
                "INSERT INTO hosted_orgs (id, slug, name, open_signup, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (org.id, slug, name, int(open_signup), int(self.clock())),
            )
        return org

    def org_by_id(self, org_id: str) -> Organisation:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, slug, name, open_signup FROM hosted_orgs WHERE id = ?", (org_id,)
            )
        if not rows:
            raise NoSuchOrganisationError()
        row = rows[0]
        return Organisation(str(row[0]), str(row[1]), str(row[2]), bool(row[3]))

    def org_by_slug(self, slug: str) -> Organisation:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, slug, name, open_signup FROM hosted_orgs WHERE slug = ?",
                (slug.strip().lower(),),
            )
        if not rows:
            raise NoSuchOrganisationError()
        row = rows[0]
        return Organisation(str(row[0]), str(row[1]), str(row[2]), bool(row[3]))

    def add_staff(self, org: Organisation, login: str, role: Role, password: str) -> NewStaff:
        """An advocate or admin, with a new TOTP secret (required at every sign-in)."""
        if role not in STAFF:
            raise HostedError("Staff accounts are advocates or admins.")
        secret = totp.new_secret()
        account = self._insert(org, login, role, password, secret=secret)
        uri = totp.provisioning_uri(secret, f"{account.login} ({org.slug})", "Ally")
        return NewStaff(account, secret, uri)

    def reset_second_factor(self, org: Organisation, login: str) -> NewStaff:
        """A new TOTP secret for a staff member who lost their app (the old one stops working
        at once). For ``ally admin``, run by whoever runs the server."""
        name = normalise_login(login)
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, org, login, role, vault FROM hosted_accounts WHERE org = ?"
                " AND login = ? AND role IN ('advocate', 'admin')",
                (org.id, name),
            )
            if not rows:
                raise HostedError("There is no advocate or admin with that sign-in name there.")
            account = _account(rows[0])
            secret = totp.new_secret()
            db.execute(
                "UPDATE hosted_accounts SET totp_secret = ?, totp_step = NULL WHERE id = ?",
                (self.key.seal(secret, account.id), account.id),
            )
        uri = totp.provisioning_uri(secret, f"{account.login} ({org.slug})", "Ally")
        return NewStaff(account, secret, uri)

    def sign_up(self, org: Organisation, login: str, password: str) -> Account:
        """A person making their own account (only where the organisation allows it)."""
        if not org.open_signup:
            raise SignUpClosedError()
        return self._insert(org, login, "person", password, secret=None)

    def invite_person(self, org: Organisation, login: str, password: str) -> Account:
        """A person's account made by staff (sign-up need not be open)."""
        return self._insert(org, login, "person", password, secret=None)

    def add_invited(
        self,
        org: Organisation,
        login: str,
        role: Role,
        password: str,
        secret: str | None,
        claim: Callable[[Database, Account], bool],
    ) -> Account:
        """An account made from an invitation: ``claim`` marks the invitation used in the
        same transaction, and returns False (nothing is made) if it was used meanwhile."""
        return self._insert(org, login, role, password, secret, claim=claim)

    def _insert(
        self,
        org: Organisation,
        login: str,
        role: Role,
        password: str,
        secret: str | None,
        claim: Callable[[Database, Account], bool] | None = None,
    ) -> Account:
        name = normalise_login(login)
        hashed = self.passwords.hash(password)  # before the transaction: it takes a while
        vault = f"v_{secrets.token_hex(8)}" if role == "person" else None
        account = Account(secrets.token_hex(16), org.id, name, role, vault)
        try:
            with self.store.transaction() as db:
                if db.query(
                    "SELECT 1 FROM hosted_accounts WHERE org = ? AND login = ?", (org.id, name)
                ):
                    raise NameTakenError()
                sealed = self.key.seal(secret, account.id) if secret is not None else None
                db.execute(
                    "INSERT INTO hosted_accounts (id, org, login, role, password, totp_secret,"
                    " vault, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (account.id, org.id, name, role, hashed, sealed, vault, int(self.clock())),
                )
                if claim is not None and not claim(db, account):
                    raise InvitationError()  # rolls the account back with it
                if vault is not None:
                    self._make_vault_place(db, vault)
        except Exception as error:
            if _is_conflict(error):  # the same name, taken by another process just now
                raise NameTakenError() from error
            raise
        return account

    def _make_vault_place(self, db: Database, vault: str) -> None:
        """The empty schema the person's journal will be created in (same transaction)."""
        if db.kind == "postgresql":
            db.execute(f"CREATE SCHEMA {vault}")  # the name is ours: v_ + 16 hex digits

    def account(self, account_id: str) -> Account | None:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, org, login, role, vault FROM hosted_accounts"
                " WHERE id = ? AND disabled = 0",
                (account_id,),
            )
        return _account(rows[0]) if rows else None

    def vault_location(self, account: Account) -> str | None:
        """Where this person's journal lives (None for staff, who have none)."""
        if account.vault is None:
            return None
        return vault_location(self.store.url, account.vault)


def _is_conflict(error: Exception) -> bool:
    import sqlite3

    import psycopg

    return isinstance(error, sqlite3.IntegrityError | psycopg.IntegrityError)


def _account(row: tuple[object, ...]) -> Account:
    vault = row[4]
    return Account(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        cast(Role, str(row[3])),
        str(vault) if vault is not None else None,
    )

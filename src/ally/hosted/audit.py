"""The audit log: an append-only, hash-chained record of sign-ins and other account events.

One chain per organisation (``hosted_audit``): each row holds its number, the account that
acted (if any), the person whose case it concerns (``subject``: set for sharing events, so an
advocate's read of a shared case is in that person's own log too), what happened, when, and
the SHA-256 of the previous row's hash and its own canonical JSON, so a changed, removed or
reordered row breaks every hash after it (:func:`verify`). PostgreSQL and SQLite refuse
UPDATE and DELETE (and PostgreSQL TRUNCATE) on the table by trigger, so Ally itself cannot
rewrite it; someone who owns the database can still drop the trigger or cut the newest rows,
which only a head hash kept elsewhere shows (as for the journal).

What is recorded never names what was typed: a failed sign-in for an unknown name is recorded
without the name, and no password, code or address is kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ally.hosted.store import HostedStore
from ally.storage.database import Database

KINDS = frozenset(
    {"sign-in", "sign-in-failed", "sign-in-refused", "sign-out", "session-ended", "sign-up"}
    | {"case-key-made", "case-shared", "case-share-updated", "case-share-revoked"}
    | {"shared-case-read", "shared-file-read", "shared-letter-drafted", "case-note-added"}
    # A team share encrypted again to the team as it is now (sharing.py): ``account`` is the
    # advocate added or taken out, ``subject`` the person.
    | {"case-share-extended", "case-share-narrowed"}
    # Admin and advocate actions (admin.py, invitations.py): ``account`` is who acted,
    # ``subject`` the account acted on (the one disabled, the one an invitation made).
    | {"invitation-made", "invitation-withdrawn", "invitation-used", "account-disabled"}
    | {"sessions-revoked", "signup-opened", "signup-closed", "chain-verified"}
)
RETRIES = 8
GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    org: str
    account: str | None
    kind: str
    at: int
    hash: str
    subject: str | None = None
    """The person whose case the event is about (sharing events), else None."""


def _digest(
    prev: str, seq: int, org: str, account: str | None, kind: str, at: int, subject: str | None
) -> str:
    fields: dict[str, object] = {"seq": seq, "org": org, "account": account, "kind": kind}
    fields["at"] = at
    if subject is not None:  # only when set, so rows written before the column still verify
        fields["subject"] = subject
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def append(
    store: HostedStore,
    org: str,
    account: str | None,
    kind: str,
    at: int,
    subject: str | None = None,
) -> AuditEvent:
    """Add one event at the end of the organisation's chain.

    Appenders to one organisation's chain take turns (PostgreSQL: a transaction-scoped
    advisory lock; SQLite: its write lock); should two still try the same number, the primary
    key lets one win and the other tries again on the new end, so the chain never forks.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown audit event {kind!r}")
    for _ in range(RETRIES):
        try:
            with store.transaction() as db:
                return _append(db, org, account, kind, at, subject)
        except Exception as error:
            if not _is_conflict(error):
                raise
    raise RuntimeError("the audit log is too busy to append to")  # pragma: no cover


def _append(
    db: Database, org: str, account: str | None, kind: str, at: int, subject: str | None
) -> AuditEvent:
    if db.kind == "postgresql":  # one appender per organisation at a time, until commit
        db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"hosted_audit:{org}",))
    rows = db.query(
        "SELECT seq, hash FROM hosted_audit WHERE org = ? ORDER BY seq DESC LIMIT 1", (org,)
    )
    seq, prev = (int(rows[0][0]) + 1, str(rows[0][1])) if rows else (1, GENESIS)
    digest = _digest(prev, seq, org, account, kind, at, subject)
    db.execute(
        "INSERT INTO hosted_audit (org, seq, account, kind, at, hash, subject)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (org, seq, account, kind, at, digest, subject),
    )
    return AuditEvent(seq, org, account, kind, at, digest, subject)


def _is_conflict(error: Exception) -> bool:
    import sqlite3

    import psycopg

    return isinstance(error, sqlite3.IntegrityError | psycopg.IntegrityError)


def events(
    store: HostedStore, org: str, account: str | None = None, *, newest: int | None = None
) -> list[AuditEvent]:
    """The organisation's events in order; with ``account``, only those that account did or
    that are about that person's case (an advocate reading what they shared); with
    ``newest``, only the last so many (still oldest first)."""
    sql = "SELECT seq, org, account, kind, at, hash, subject FROM hosted_audit WHERE org = ?"
    args: tuple[str, ...] = (org,)
    if account is not None:
        sql += " AND (account = ? OR subject = ?)"
        args = (org, account, account)
    sql += " ORDER BY seq" if newest is None else f" ORDER BY seq DESC LIMIT {int(newest)}"
    with store.transaction() as db:
        rows = db.query(sql, args)
    found = [
        AuditEvent(int(r[0]), str(r[1]), None if r[2] is None else str(r[2]), str(r[3]),
                   int(r[4]), str(r[5]), None if r[6] is None else str(r[6]))
        for r in rows
    ]  # fmt: skip
    return found if newest is None else found[::-1]


def verify(store: HostedStore, org: str) -> int | None:
    """The number of the first event that does not fit the chain, or None if all do."""
    prev, expected = GENESIS, 1
    for event in events(store, org):
        if event.seq != expected:
            return expected
        if (
            _digest(prev, event.seq, event.org, event.account, event.kind, event.at, event.subject)
            != event.hash
        ):
            return event.seq
        prev, expected = event.hash, expected + 1
    return None

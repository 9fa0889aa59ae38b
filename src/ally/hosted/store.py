"""The hosted tables on one shared Database, behind one lock.

Rows are keyed by organisation: every account row names its organisation, every session row
its account. Journals are not here: each person's journal is its own PostgreSQL schema (see
:func:`ally.hosted.accounts.vault_location`), so these tables hold no journal data at all.

Page handlers run in a thread pool and a Database holds one connection, so every use goes
through :meth:`HostedStore.transaction` (a :class:`LockedConnection`): one thread at a time,
all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from ally.storage.database import Database, LockedConnection, schema_lock

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS hosted_orgs (
        id TEXT PRIMARY KEY,
        slug TEXT UNIQUE NOT NULL,
        name TEXT UNIQUE NOT NULL,
        open_signup INTEGER NOT NULL,
        created BIGINT NOT NULL
    )""",
    # One row per account. ``vault`` is the person's journal schema (NULL for staff);
    # ``totp_step`` is the last step a code was used for (a code is never accepted twice).
    """CREATE TABLE IF NOT EXISTS hosted_accounts (
        id TEXT PRIMARY KEY,
        org TEXT NOT NULL REFERENCES hosted_orgs (id),
        login TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('person', 'advocate', 'admin')),
        password TEXT NOT NULL,
        totp_secret TEXT,
        totp_step BIGINT,
        vault TEXT UNIQUE,
        created BIGINT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        UNIQUE (org, login)
    )""",
    # The browser holds a random token; only its SHA-256 is kept.
    """CREATE TABLE IF NOT EXISTS hosted_sessions (
        id TEXT PRIMARY KEY,
        token_hash TEXT UNIQUE NOT NULL,
        account TEXT NOT NULL REFERENCES hosted_accounts (id),
        created BIGINT NOT NULL,
        last_seen BIGINT NOT NULL,
        revoked BIGINT
    )""",
    "CREATE INDEX IF NOT EXISTS hosted_sessions_account ON hosted_sessions (account)",
    # Which account session a person-page visit (web_sessions.id) belongs to.
    """CREATE TABLE IF NOT EXISTS hosted_bindings (
        visit TEXT PRIMARY KEY,
        session TEXT NOT NULL REFERENCES hosted_sessions (id)
    )""",
    "CREATE INDEX IF NOT EXISTS hosted_bindings_session ON hosted_bindings (session)",
    # The audit log: one hash chain per organisation (see audit.py). Append-only: the
    # triggers below refuse UPDATE and DELETE (and TRUNCATE, which PostgreSQL does not count
    # as a DELETE; SQLite has no TRUNCATE).
    """CREATE TABLE IF NOT EXISTS hosted_audit (
        org TEXT NOT NULL REFERENCES hosted_orgs (id),
        seq BIGINT NOT NULL,
        account TEXT,
        kind TEXT NOT NULL,
        at BIGINT NOT NULL,
        hash TEXT NOT NULL,
        subject TEXT,
        PRIMARY KEY (org, seq)
    )""",
    "CREATE INDEX IF NOT EXISTS hosted_audit_account ON hosted_audit (account)",
    # Facts about the server, one row per name: the check value that tells a process whether
    # its server key is the one the TOTP secrets were sealed with (totp.py).
    """CREATE TABLE IF NOT EXISTS hosted_meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # Invitations (invitations.py): only the SHA-256 of the token is kept; used once.
    """CREATE TABLE IF NOT EXISTS hosted_invitations (
        id TEXT PRIMARY KEY,
        token_hash TEXT UNIQUE NOT NULL,
        org TEXT NOT NULL REFERENCES hosted_orgs (id),
        role TEXT NOT NULL CHECK (role IN ('person', 'advocate')),
        made_by TEXT NOT NULL REFERENCES hosted_accounts (id),
        created BIGINT NOT NULL,
        expires BIGINT NOT NULL,
        used BIGINT,
        used_by TEXT,
        withdrawn BIGINT,
        totp_secret TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS hosted_invitations_org ON hosted_invitations (org)",
    # Failed sign-ins per key (a hashed name, a client address): shared by every process.
    """CREATE TABLE IF NOT EXISTS hosted_login_failures (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        last_failed DOUBLE PRECISION NOT NULL
    )""",
)


COLUMNS = (
    # (table, column, declaration): columns added after the first release, added in place.
    ("hosted_sessions", "second_factor", "INTEGER NOT NULL DEFAULT 0"),
    ("hosted_audit", "subject", "TEXT"),
    # An advocate's unlocked case key, wrapped under the session's cookie token (never kept
    # in clear or unwrapped here), and its last use, so any app process can use it.
    ("hosted_sessions", "case_key", "TEXT"),
    ("hosted_sessions", "case_key_used", "BIGINT"),
)
"""Added to existing tables by :func:`add_missing_columns` when a store opens."""


APPEND_ONLY = {
    "postgresql": (
        """CREATE OR REPLACE FUNCTION hosted_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
            RAISE EXCEPTION 'the audit log is append-only';
        END $$""",
        """CREATE OR REPLACE TRIGGER hosted_audit_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON hosted_audit
        FOR EACH STATEMENT EXECUTE FUNCTION hosted_audit_append_only()""",
    ),
    "sqlite": (
        """CREATE TRIGGER IF NOT EXISTS hosted_audit_no_update BEFORE UPDATE ON hosted_audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS hosted_audit_no_delete BEFORE DELETE ON hosted_audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    ),
}


class HostedStore(LockedConnection):
    """The hosted tables; created if missing when the store is made."""

    def __init__(self, database: Database | str | Path) -> None:
        super().__init__(database)
        with self.transaction() as db:
            schema_lock(db)
            for statement in (*SCHEMA, *APPEND_ONLY[db.kind]):
                db.execute(statement)
            add_missing_columns(db)
            db.execute("CREATE INDEX IF NOT EXISTS hosted_audit_subject ON hosted_audit (subject)")

    @property
    def kind(self) -> str:
        return "postgresql" if self.url.startswith(("postgresql://", "postgres://")) else "sqlite"


def add_missing_columns(db: Database) -> None:
    """Bring tables made by an older Ally up to date (each column added once)."""
    for table, column, declaration in COLUMNS:
        if db.kind == "postgresql":
            if not db.query(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = ? AND column_name = ?",
                (table, column),
            ):  # checked first: ALTER TABLE would lock the table at every start
                db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {declaration}")
        elif not any(row[1] == column for row in db.query(f"PRAGMA table_info({table})")):
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


class LoginLedger:
    """Failed sign-ins counted in ``hosted_login_failures`` (a :class:`FailureLedger`), so
    every app process and every restart sees the same back-off.

    ``prefix`` keeps another kind of attempt apart (journal unlocks: ``journal/``), so a
    failed journal passphrase never counts against the same address's sign-ins."""

    def __init__(self, store: HostedStore, prefix: str = "") -> None:
        self.store = store
        self.prefix = prefix

    def get(self, key: str) -> tuple[int, float]:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT failures, last_failed FROM hosted_login_failures WHERE key = ?",
                (self.prefix + key,),
            )
        return (int(rows[0][0]), float(rows[0][1])) if rows else (0, 0.0)

    def failed(self, key: str, now: float) -> None:
        # One statement, so two processes counting at once both count.
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO hosted_login_failures (key, failures, last_failed) VALUES (?, 1, ?)"
                " ON CONFLICT (key) DO UPDATE SET failures = hosted_login_failures.failures + 1,"
                " last_failed = excluded.last_failed",
                (self.prefix + key, now),
            )

    def cleared(self, key: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM hosted_login_failures WHERE key = ?", (self.prefix + key,))

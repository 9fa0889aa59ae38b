"""One small connection layer over SQLite and PostgreSQL.

Ally's stores (vault, directory, case) write plain SQL with ``?`` placeholders; this module
translates them for PostgreSQL, so each store has one implementation that runs on both.
SQLite is opened in WAL mode with ``synchronous=FULL`` so an acknowledged write survives a
crash or power loss.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ally.errors import AllyError
from ally.storage.private import private_file, private_folder, tighten


class StorageError(AllyError):
    """The database could not be opened or used."""


class DatabaseBusyError(StorageError):
    """Another task holds the database for longer than Ally waits; trying again later works."""

    def __init__(self) -> None:
        super().__init__(
            "Ally's database is busy with another task (an import, perhaps). "
            "Try again when it has finished."
        )


_PLACEHOLDER = re.compile(r"\?")
_UNUSABLE = (
    "Ally's database could not be read or written: the disk may be full or read-only, or the "
    "database damaged. Nothing was changed."
)
_PG_BUSY = frozenset({"55P03", "40P01", "40001", "57014", "53300"})
"""PostgreSQL SQLSTATEs that mean "busy, try again": lock not available, deadlock,
serialization failure, statement timeout, too many connections."""


_SQLITE_TROUBLE = (
    "disk i/o error",
    "database or disk is full",
    "readonly database",
    "unable to open database",
    "malformed",
    "not a database",
    "no such device",
    "out of memory",
)
"""SQLite messages that mean the file or disk cannot be used, as opposed to a bug in Ally's
SQL (no such table, a syntax error), which must reach a bug report unchanged."""


def _busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _sqlite_failure(error: sqlite3.Error) -> StorageError | None:
    """A busy database, or one that cannot be used (damaged file, full or read-only disk);
    None for anything else."""
    if isinstance(error, sqlite3.OperationalError) and _busy(error):
        return DatabaseBusyError()
    if any(marker in str(error).lower() for marker in _SQLITE_TROUBLE):
        return StorageError(_UNUSABLE)
    return None


def _postgres_failure(error: Exception) -> StorageError | None:
    """A busy or lost PostgreSQL server as a StorageError; None for other errors (bugs,
    constraint violations), which the caller re-raises as they are."""
    import psycopg

    if not isinstance(error, psycopg.OperationalError):
        return None
    if getattr(error, "sqlstate", None) in _PG_BUSY:
        return DatabaseBusyError()
    return StorageError(
        "Ally lost its connection to the PostgreSQL database, or the database refused the "
        "work. Nothing was changed. Try again; if it keeps happening, check the server."
    )


def _private_sqlite(path: Path) -> None:
    """The database file and its WAL files 0600, and folders made for it 0700 (see private)."""
    from ally.vault.location import data_dir

    home = data_dir().absolute()
    private_folder(path.parent.absolute(), ours_from=home)
    try:
        private_file(path)
    except OSError as error:
        raise StorageError(f"Ally cannot create or open {path}; check the folder.") from error
    for suffix in ("-wal", "-shm", "-journal"):
        tighten(path.with_name(path.name + suffix))


class Database:
    """A connection to SQLite (a file path or ``sqlite:///path``) or PostgreSQL (``postgresql://``)."""

    def __init__(self, url: str | Path, *, read_only: bool = False) -> None:
        self.url = str(url)
        self.kind = (
            "postgresql" if self.url.startswith(("postgresql://", "postgres://")) else "sqlite"
        )
        self.read_only = read_only
        self._conn: Any = self._connect_read_only() if read_only else self._connect()

    def _connect_read_only(self) -> Any:
        """A connection that cannot change anything (salvaging a damaged vault).

        SQLite: opened with ``mode=ro`` and no pragmas, so not a byte of the file changes;
        what its write-ahead log holds is still read. PostgreSQL: every transaction
        read-only.
        """
        if self.kind == "postgresql":
            conn = self._connect()
            conn.execute("SET default_transaction_read_only = on")
            return conn
        path = Path(self.url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise StorageError(f"There is no database at {path}.")
        try:
            uri = f"{path.absolute().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            # A truncated file can fail SQLite's checks of its table list before a single
            # row is read; relaxed, every row before the damage can still be read. (The
            # connection is read-only: nothing can be written through it.)
            conn.execute("PRAGMA writable_schema=ON")
            return conn
        except sqlite3.Error as error:
            raise StorageError(f"{path} is not an Ally database or is damaged.") from error

    def _connect(self) -> Any:
        if self.kind == "postgresql":
            try:
                import psycopg
            except ImportError as error:  # pragma: no cover - psycopg is a dependency
                raise StorageError("PostgreSQL support needs the psycopg package.") from error
            try:
                # Autocommit outside explicit transactions: a plain read must not leave the
                # connection idle inside a transaction, holding locks in a long-lived server.
                return psycopg.connect(self.url, autocommit=True)
            except psycopg.OperationalError as error:
                raise StorageError(
                    "Could not connect to the PostgreSQL database; check the address."
                ) from error
        path = self.url.removeprefix("sqlite:///")
        fresh = path == ":memory:" or not Path(path).is_file() or Path(path).stat().st_size == 0
        if path != ":memory:":
            _private_sqlite(Path(path))
        try:
            # Wait up to 30 s for another writer (an import holds the write lock while it runs).
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            if fresh:  # before the first table: lets reclaim() give freed space back
                conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.OperationalError as error:
            if _busy(error):
                raise DatabaseBusyError() from error
            raise StorageError(f"{path} is not an Ally database or is damaged.") from error
        except sqlite3.DatabaseError as error:
            raise StorageError(f"{path} is not an Ally database or is damaged.") from error
        return conn

    def sql(self, statement: str) -> str:
        """Translate ``?`` placeholders for PostgreSQL."""
        return _PLACEHOLDER.sub("%s", statement) if self.kind == "postgresql" else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        cursor = self._conn.cursor()
        with self._failures():
            cursor.execute(self.sql(statement), tuple(params))
        return cursor

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        cursor = self._conn.cursor()
        with self._failures():
            cursor.executemany(self.sql(statement), [tuple(row) for row in rows])

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """Database trouble (busy, damaged, full disk, lost server) as a StorageError.

        Anything else passes unchanged: constraint violations (callers test for them, see
        ``VaultStore.is_conflict``) and mistakes in the SQL, which are bugs to report.
        """
        try:
            yield
        except sqlite3.DatabaseError as error:
            mapped = _sqlite_failure(error)
            if mapped is None:
                raise
            raise mapped from error
        except Exception as error:
            mapped = _postgres_failure(error) if self.kind == "postgresql" else None
            if mapped is None:
                raise
            raise mapped from error

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.execute(statement, params).fetchall()]

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All or nothing: commit on success, roll back on any error."""
        if self.kind == "sqlite":
            with self._failures():
                self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return
        with self._conn.transaction():
            yield self

    @contextmanager
    def read_snapshot(self) -> Iterator[Database]:
        """Several reads that see one moment of the database, taking no write lock.

        ``verify`` and ``backup`` read the chain and then the files; without one snapshot an
        entry forgotten in between would look like a file gone missing. SQLite: a deferred
        transaction (in WAL mode writers carry on meanwhile). PostgreSQL: a read-only
        REPEATABLE READ transaction.
        """
        if self.kind == "sqlite":
            if self._conn.in_transaction:  # already inside one (a caller's transaction)
                yield self
                return
            with self._failures():
                self._conn.execute("BEGIN DEFERRED")
            try:
                yield self
            finally:
                with suppress(sqlite3.Error):
                    self._conn.execute("COMMIT")
            return
        if self._conn.info.transaction_status != 0:  # psycopg: 0 is idle, not in a transaction
            yield self
            return
        with self._failures(), self._conn.transaction():
            self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield self

    @contextmanager
    def rollback_journal(self) -> Iterator[bool]:
        """SQLite's rollback journal instead of the WAL for one big load, if nobody else is in.

        In WAL mode every new page is written twice, to the WAL and then to the file at the
        checkpoint; with a rollback journal a page that did not exist before the transaction
        is written once and the journal keeps only the pages that did. Both are atomic and,
        with ``synchronous=FULL``, durable. SQLite refuses the switch while another
        connection has the file open; the load then simply runs in WAL mode. Yields whether
        the switch happened; WAL mode is back afterwards (and every new connection asks for
        it anyway, so a crash in between changes nothing for long).
        """
        if self.kind != "sqlite" or self._conn.in_transaction:
            yield False
            return
        try:
            switched = self._conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:
            switched = False
        try:
            yield switched
        finally:
            if switched:
                # If someone opened the file meanwhile, their connection asks for WAL itself.
                with suppress(sqlite3.OperationalError):
                    self._conn.execute("PRAGMA journal_mode=WAL")

    def reclaim(self, worth_bytes: int = 16 << 20) -> None:
        """Give the space of deleted rows back to the file system (SQLite; a no-op otherwise).

        A web upload that broke off leaves its rows deleted but the file as large as it grew;
        this shrinks it again. Files made by Ally since incremental vacuum exist shrink at
        once; an older file is converted first with one full VACUUM, but only when at least
        ``worth_bytes`` are free. Then the WAL is checkpointed and truncated. When another
        connection is reading or writing, nothing is done now (the next call tries again).
        PostgreSQL reuses freed space by itself (autovacuum).
        """
        if self.kind != "sqlite" or self._conn.in_transaction:
            return
        self._conn.execute("PRAGMA busy_timeout=1000")  # never hold a page up for long
        try:
            page_size = self._conn.execute("PRAGMA page_size").fetchone()[0]
            free = self._conn.execute("PRAGMA freelist_count").fetchone()[0] * page_size
            if self._conn.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
                if free < worth_bytes:
                    return
                self._conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
                self._conn.execute("VACUUM")
            # executescript steps the pragma to its end (execute would free a single page).
            self._conn.executescript("PRAGMA incremental_vacuum;")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.OperationalError:
            return  # busy: someone else is using the file; it stays large until next time
        finally:
            self._conn.execute("PRAGMA busy_timeout=30000")

    def backup_to(self, path: Path) -> None:
        """SQLite: copy the whole database, as one consistent moment, into a new file.

        Uses SQLite's online backup API, which reads through the same pages every
        connection sees, so everything committed (also what still sits in the write-ahead
        log) is in the copy; writers carry on meanwhile. The copy is switched to a rollback
        journal, so it is one self-contained file.
        """
        if self.kind != "sqlite":
            raise StorageError("Only a SQLite database can be copied page by page.")
        target = sqlite3.connect(path, isolation_level=None)
        try:
            with self._failures():
                self._conn.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()

    def close(self) -> None:
        self._conn.close()


def schema_lock(db: Database) -> None:
    """Processes starting together take turns creating tables: PostgreSQL's CREATE TABLE IF
    NOT EXISTS is not safe against a concurrent twin (one fails on the catalogue's unique
    index). Held until the transaction ends; SQLite's write lock already serialises."""
    if db.kind == "postgresql":
        db.execute("SELECT pg_advisory_xact_lock(hashtext('ally-hosted-schema'))")


class LockedConnection:
    """One Database connection shared by many threads, opened when first needed.

    Thread safety: a Database holds a single connection, and page handlers (and a worker's
    threads) run at once, so every use goes through :meth:`transaction`, which takes a lock
    for the whole transaction: one thread at a time, all or nothing. The lock is re-entrant,
    so a thread that uses the connection again inside its own transaction is not left
    waiting for itself forever (PostgreSQL nests a savepoint; SQLite refuses at once).

    Lazy open: the connection is opened on first use and again on the first use after
    :meth:`close` (the server stopped, a worker retired), so a store that outlives a close
    still works instead of failing on a closed connection.
    """

    def __init__(self, database: Database | str | Path) -> None:
        self._db: Database | None = database if isinstance(database, Database) else None
        self.url = self._db.url if self._db else str(database)
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One transaction on the connection, (re)opened if it is not open."""
        with self._lock:
            if self._db is None:
                self._db = Database(self.url)
            with self._db.transaction() as db:
                yield db

    def close(self) -> None:
        """Close the connection; a later use opens a new one."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

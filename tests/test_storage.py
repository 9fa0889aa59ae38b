"""The shared connection layer: a busy database gets a clear error, not a driver traceback."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from ally.storage.database import Database, DatabaseBusyError, LockedConnection, StorageError
from tests.vault.conftest import new_pg_location, pg_location

__all__ = ["new_pg_location", "pg_location"]  # fixtures: a fresh PostgreSQL schema per test


@pytest.fixture
def pg_url(pg_location: str) -> str:
    return pg_location


def held_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Database, sqlite3.Connection]:
    """A database with a table, and a second connection holding its write lock; waits for
    the lock are cut to 0.1 s so a busy database is found at once."""
    path = tmp_path / "busy.sqlite3"
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: real_connect(*a, **{**k, "timeout": 0.1})
    )
    database = Database(path)
    database.execute("CREATE TABLE t (x INTEGER)")
    holder = real_connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return database, holder


def test_a_locked_database_gets_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, holder = held_database(tmp_path, monkeypatch)
    with pytest.raises(StorageError, match="busy with another task"), database.transaction():
        database.execute("INSERT INTO t VALUES (1)")
    holder.execute("ROLLBACK")
    with database.transaction():
        database.execute("INSERT INTO t VALUES (1)")
    assert database.query("SELECT count(*) FROM t") == [(1,)]


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def test_a_big_load_uses_the_rollback_journal_when_alone(tmp_path: Path) -> None:
    path = tmp_path / "ally.sqlite3"
    db = Database(path)
    db.execute("CREATE TABLE t (x INTEGER)")
    with db.rollback_journal() as switched, db.transaction():
        assert switched
        db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
    assert db.query("PRAGMA journal_mode") == [("wal",)]
    db.close()
    assert _journal_mode(path) == "wal"
    assert Database(path).query("SELECT COUNT(*) FROM t") == [(1000,)]


def test_a_big_load_stays_in_wal_mode_when_someone_else_is_in(tmp_path: Path) -> None:
    path = tmp_path / "ally.sqlite3"
    db = Database(path)
    db.execute("CREATE TABLE t (x INTEGER)")
    reader = Database(path)
    assert reader.query("SELECT COUNT(*) FROM t") == [(0,)]
    with db.rollback_journal() as switched, db.transaction():
        assert not switched
        db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(10)])
        # WAL mode: the reader still sees the last committed state while the load runs.
        assert reader.query("SELECT COUNT(*) FROM t") == [(0,)]
    assert reader.query("SELECT COUNT(*) FROM t") == [(10,)]
    assert db.query("PRAGMA journal_mode") == [("wal",)]


def test_a_failed_big_load_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ally.sqlite3"
    db = Database(path)
    db.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), db.rollback_journal(), db.transaction():
        db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(10)])
        raise RuntimeError("stop")
    assert db.query("SELECT COUNT(*) FROM t") == [(0,)]
    assert db.query("PRAGMA journal_mode") == [("wal",)]


def test_opening_during_a_big_load_says_the_database_is_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ally.sqlite3"
    db = Database(path)
    db.execute("CREATE TABLE t (x INTEGER)")
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: real_connect(*a, **{**k, "timeout": 0.1})
    )
    with db.rollback_journal() as switched, db.transaction():
        assert switched
        db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(StorageError, match="busy with another task"):
            Database(path)
    assert Database(path).query("SELECT COUNT(*) FROM t") == [(1,)]


def test_busy_is_its_own_error_and_keeps_its_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, holder = held_database(tmp_path, monkeypatch)
    with pytest.raises(DatabaseBusyError) as caught:
        database.execute("INSERT INTO t VALUES (1)")
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    holder.execute("ROLLBACK")


def test_a_read_only_database_is_a_storage_error_not_a_driver_error(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    Database(path).execute("CREATE TABLE t (x INTEGER)")
    database = Database(path)
    database._conn.close()
    database._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    with pytest.raises(StorageError, match="could not be read or written") as caught:
        database.execute("INSERT INTO t VALUES (1)")
    assert not isinstance(caught.value, DatabaseBusyError)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)


def test_a_file_that_is_not_a_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are not the pages of a database " * 200)
    with pytest.raises(StorageError, match="not an Ally database or is damaged") as caught:
        Database(path)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_constraint_violations_and_bugs_pass_unchanged(tmp_path: Path) -> None:
    database = Database(tmp_path / "c.sqlite3")
    database.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    database.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError):
        database.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.ProgrammingError):
        database.execute("INSERT INTO t VALUES (?)", (1, 2))


@pytest.mark.postgres
def test_a_postgres_lock_timeout_is_busy(pg_url: str) -> None:
    holder = Database(pg_url)
    waiter = Database(pg_url)
    holder.execute("CREATE TABLE busy_t (x INTEGER)")
    waiter.execute("SET lock_timeout = '100ms'")
    with holder.transaction():
        holder.execute("LOCK TABLE busy_t IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(DatabaseBusyError) as caught:
            waiter.execute("SELECT * FROM busy_t")
    assert type(caught.value.__cause__).__name__ == "LockNotAvailable"
    assert waiter.query("SELECT count(*) FROM busy_t") == [(0,)]


@pytest.mark.postgres
def test_a_lost_postgres_connection_is_a_storage_error(pg_url: str) -> None:
    victim = Database(pg_url)
    (pid,) = victim.query("SELECT pg_backend_pid()")[0]
    Database(pg_url).execute("SELECT pg_terminate_backend(?)", (pid,))
    with pytest.raises(StorageError, match="lost its connection") as caught:
        victim.execute("SELECT 1")
    assert not isinstance(caught.value, DatabaseBusyError)


def test_a_locked_connection_opens_on_first_use_and_again_after_close(tmp_path: Path) -> None:
    path = tmp_path / "lazy.sqlite3"
    shared = LockedConnection(path)
    assert not path.exists()  # nothing opened until it is used
    with shared.transaction() as db:
        db.execute("CREATE TABLE t (x INTEGER)")
        db.execute("INSERT INTO t VALUES (1)")
    shared.close()
    shared.close()  # closing twice is harmless
    with shared.transaction() as db:  # a use after close opens a new connection
        assert db.query("SELECT x FROM t") == [(1,)]
    shared.close()


def test_a_locked_connection_uses_the_database_it_is_given(tmp_path: Path) -> None:
    database = Database(tmp_path / "given.sqlite3")
    shared = LockedConnection(database)
    assert shared.url == database.url
    with shared.transaction() as db:
        assert db is database


def test_a_locked_connection_lets_one_thread_in_at_a_time(tmp_path: Path) -> None:
    shared = LockedConnection(tmp_path / "threads.sqlite3")
    with shared.transaction() as db:
        db.execute("CREATE TABLE t (who TEXT)")
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with shared.transaction() as db:
            inside.set()
            release.wait(30)
            db.execute("INSERT INTO t VALUES ('first')")
            order.append("first")

    def second() -> None:
        with shared.transaction() as db:
            db.execute("INSERT INTO t VALUES ('second')")
            order.append("second")

    one = threading.Thread(target=first)
    one.start()
    assert inside.wait(30)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.2)
    assert two.is_alive() and order == []  # the second waits for the first's transaction
    release.set()
    one.join(30)
    two.join(30)
    assert order == ["first", "second"]
    with shared.transaction() as db:
        assert db.query("SELECT who FROM t ORDER BY rowid") == [("first",), ("second",)]
    shared.close()

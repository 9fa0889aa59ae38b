"""The shared connection layer: a busy database gets a clear error, not a driver traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ally.storage.database import Database, StorageError


def test_a_locked_database_gets_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "busy.sqlite3"
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: real_connect(*a, **{**k, "timeout": 0.1})
    )
    database = Database(path)
    database.execute("CREATE TABLE t (x INTEGER)")
    holder = real_connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
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

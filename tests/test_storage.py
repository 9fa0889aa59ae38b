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

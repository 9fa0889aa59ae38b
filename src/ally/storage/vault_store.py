"""Where a vault's records and encrypted files live: five tables, same SQL on SQLite and PostgreSQL.

* ``vault_meta``     format version, vault id, and the chain head (``seq:hash``).
* ``vault_records``  the hash chain: one canonical JSON record per row (public metadata).
* ``vault_chunks``   every encrypted file (entries, attachments, the locked key), cut into rows
                     of at most 1 MiB, so a 2 GB video streams in and out in constant memory.
* ``vault_pending``  attachments being written; lets an interrupted upload be cleaned up.
* ``vault_grants``   re-wrapped headers that let a shared recipient read older files.

Nothing here is secret-bearing in clear: files arrive already encrypted. Writes that make an
entry exist (record + its files + new head) happen in one transaction, so a crash leaves
either the whole entry or nothing. A PostgreSQL vault lives in the schema the connection's
``search_path`` names, so a hosted service keeps one vault per schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from ally.storage.database import Database

CHUNK_ROW = 1 << 20
"""Bytes per stored row of an encrypted file."""

PAGE_BYTES = 16 << 20
"""Most bytes of file data read from the database in one query."""

DB_FILENAME = "vault.db"


def database_for(location: str | Path) -> Database:
    """A folder (SQLite file inside it) or a ``postgresql://`` URL."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return Database(text)
    folder = Path(text.removeprefix("sqlite:///"))
    if folder.suffix == ".db":
        return Database(folder)
    return Database(folder / DB_FILENAME)


def blob_key(record_id: str, name: str) -> str:
    return f"{record_id}:{name}"


class VaultStore:
    """SQL for one vault. All statements use ``?`` and run unchanged on both databases."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._binary = "BYTEA" if db.kind == "postgresql" else "BLOB"
        self._lock = " FOR UPDATE" if db.kind == "postgresql" else ""

    # --- schema -------------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether this database holds a vault (checked without causing an error)."""
        if self.db.kind == "postgresql":
            found = self.db.query(
                "SELECT 1 FROM information_schema.tables WHERE table_name = ? "
                "AND table_schema = current_schema()",
                ("vault_meta",),
            )
        else:
            found = self.db.query(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", ("vault_meta",)
            )
        return bool(found)

    def create_tables(self, tx: Database) -> None:
        b = self._binary
        tx.execute("CREATE TABLE vault_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        tx.execute(
            "CREATE TABLE vault_records (seq INTEGER PRIMARY KEY, record TEXT NOT NULL, "
            "hash TEXT NOT NULL)"
        )
        tx.execute(
            f"CREATE TABLE vault_chunks (blob TEXT NOT NULL, idx INTEGER NOT NULL, "
            f"data {b} NOT NULL, PRIMARY KEY (blob, idx))"
        )
        tx.execute("CREATE TABLE vault_pending (blob TEXT PRIMARY KEY, started_at TEXT NOT NULL)")
        tx.execute(
            f"CREATE TABLE vault_grants (blob TEXT NOT NULL, recipient TEXT NOT NULL, "
            f"header {b} NOT NULL, PRIMARY KEY (blob, recipient))"
        )

    # --- reading ------------------------------------------------------------------------------

    def snapshot(self) -> tuple[dict[str, str], list[tuple[int, str, str]]]:
        """Meta and all records, read by one statement so they agree with each other."""
        rows = self.db.query(
            "SELECT 0, name, value FROM vault_meta UNION ALL "
            "SELECT seq, record, hash FROM vault_records ORDER BY 1"
        )
        meta = {str(r[1]): str(r[2]) for r in rows if r[0] == 0}
        return meta, [(int(r[0]), str(r[1]), str(r[2])) for r in rows if r[0] != 0]

    def meta(self) -> dict[str, str]:
        return {str(r[0]): str(r[1]) for r in self.db.query("SELECT name, value FROM vault_meta")}

    def records_after(self, seq: int) -> list[tuple[int, str, str]]:
        rows = self.db.query(
            "SELECT seq, record, hash FROM vault_records WHERE seq > ? ORDER BY seq", (seq,)
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def head(self) -> str | None:
        rows = self.db.query("SELECT value FROM vault_meta WHERE name = ?", ("head",))
        return str(rows[0][0]) if rows else None

    def read_blob(self, key: str) -> Iterator[bytes]:
        """The stored bytes of one file, a row at a time (constant memory)."""
        idx = 0
        while True:
            rows = self.db.query(
                "SELECT data FROM vault_chunks WHERE blob = ? AND idx = ?", (key, idx)
            )
            if not rows:
                return
            yield bytes(rows[0][0])
            idx += 1

    def blob_bytes(self, key: str) -> bytes:
        return b"".join(self.read_blob(key))

    def has_blob(self, key: str) -> bool:
        return bool(self.db.query("SELECT 1 FROM vault_chunks WHERE blob = ? AND idx = 0", (key,)))

    def chunk_index(self) -> list[tuple[str, int, int]]:
        """(file, row number, size) of every stored row, in order."""
        rows = self.db.query("SELECT blob, idx, length(data) FROM vault_chunks ORDER BY blob, idx")
        return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]

    def total_bytes(self) -> int:
        rows = self.db.query("SELECT sum(length(data)) FROM vault_chunks")
        return int(rows[0][0] or 0)

    def iter_chunks(self) -> Iterator[tuple[str, int, bytes]]:
        """Every stored row in (file, number) order, in constant memory.

        SQLite steps one cursor through the rows; PostgreSQL's client would fetch a whole
        result at once, so there the rows are read in pages of at most PAGE_BYTES.
        """
        if self.db.kind == "sqlite":
            cursor = self.db.execute("SELECT blob, idx, data FROM vault_chunks ORDER BY blob, idx")
            for blob, idx, data in cursor:
                yield str(blob), int(idx), bytes(data)
            return
        index = self.chunk_index()
        start = 0
        while start < len(index):
            end, size = start, 0
            while end < len(index) and (end == start or size + index[end][2] <= PAGE_BYTES):
                size += index[end][2]
                end += 1
            first, last = index[start], index[end - 1]
            rows = self.db.query(
                "SELECT blob, idx, data FROM vault_chunks WHERE (blob, idx) >= (?, ?) "
                "AND (blob, idx) <= (?, ?) ORDER BY blob, idx",
                (first[0], first[1], last[0], last[1]),
            )
            for row in rows:
                yield str(row[0]), int(row[1]), bytes(row[2])
            start = end

    def grant(self, key: str, recipient: str) -> bytes | None:
        rows = self.db.query(
            "SELECT header FROM vault_grants WHERE blob = ? AND recipient = ?", (key, recipient)
        )
        return bytes(rows[0][0]) if rows else None

    def pending(self) -> list[tuple[str, str]]:
        rows = self.db.query("SELECT blob, started_at FROM vault_pending ORDER BY blob")
        return [(str(r[0]), str(r[1])) for r in rows]

    # --- writing (callers hold a transaction) -------------------------------------------------

    def init_meta(self, tx: Database, vault_id: str, format_version: int) -> None:
        tx.execute(
            "INSERT INTO vault_meta (name, value) VALUES (?, ?)", ("format", str(format_version))
        )
        tx.execute("INSERT INTO vault_meta (name, value) VALUES (?, ?)", ("vault_id", vault_id))
        tx.execute("INSERT INTO vault_meta (name, value) VALUES (?, ?)", ("head", "0:"))

    def locked_head(self, tx: Database) -> str:
        """The head, locked against concurrent appends until the transaction ends."""
        rows = tx.query(f"SELECT value FROM vault_meta WHERE name = ?{self._lock}", ("head",))
        if not rows:
            raise LookupError("head missing")
        return str(rows[0][0])

    def put_record(self, tx: Database, seq: int, record: str, digest: str) -> None:
        tx.execute(
            "INSERT INTO vault_records (seq, record, hash) VALUES (?, ?, ?)", (seq, record, digest)
        )
        tx.execute("UPDATE vault_meta SET value = ? WHERE name = ?", (f"{seq}:{digest}", "head"))

    def put_blob(self, tx: Database, key: str, data: bytes, first_idx: int = 0) -> int:
        """Store bytes as rows starting at ``first_idx``; returns the next free row number."""
        rows = [
            (key, first_idx + i, data[pos : pos + CHUNK_ROW])
            for i, pos in enumerate(range(0, len(data), CHUNK_ROW))
        ]
        if rows:
            tx.executemany("INSERT INTO vault_chunks (blob, idx, data) VALUES (?, ?, ?)", rows)
        return first_idx + len(rows)

    def start_pending(self, key: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO vault_pending (blob, started_at) VALUES (?, ?)",
                (key, dt.datetime.now(dt.UTC).isoformat()),
            )

    def put_pending_rows(self, key: str, rows: list[tuple[int, bytes]]) -> None:
        with self.db.transaction() as tx:
            tx.executemany(
                "INSERT INTO vault_chunks (blob, idx, data) VALUES (?, ?, ?)",
                [(key, idx, data) for idx, data in rows],
            )

    def finish_pending(self, tx: Database, key: str) -> None:
        tx.execute("DELETE FROM vault_pending WHERE blob = ?", (key,))

    def drop_pending(self, key: str) -> None:
        """Remove a file whose writing was abandoned (by an error or an earlier crash)."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM vault_chunks WHERE blob = ?", (key,))
            tx.execute("DELETE FROM vault_pending WHERE blob = ?", (key,))

    def delete_blob(self, tx: Database, key: str) -> None:
        tx.execute("DELETE FROM vault_chunks WHERE blob = ?", (key,))
        tx.execute("DELETE FROM vault_grants WHERE blob = ?", (key,))

    def put_grant(self, tx: Database, key: str, recipient: str, header: bytes) -> None:
        tx.execute("DELETE FROM vault_grants WHERE blob = ? AND recipient = ?", (key, recipient))
        tx.execute(
            "INSERT INTO vault_grants (blob, recipient, header) VALUES (?, ?, ?)",
            (key, recipient, header),
        )

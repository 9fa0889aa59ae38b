"""Where a vault's records and encrypted files live: a few tables, same SQL on SQLite and PostgreSQL.

* ``vault_meta``     format version, vault id, and the chain head (``seq:hash``).
* ``vault_records``  the hash chain: one canonical JSON record per row (public metadata).
* ``vault_chunks``   every encrypted file (entries, attachments, the locked key), cut into rows
                     of at most 1 MiB, so a 2 GB video streams in and out in constant memory.
* ``vault_pending``  attachments being written; lets an interrupted upload be cleaned up.
* ``vault_grants``   re-wrapped headers that let a shared recipient read older files.
* ``vault_lookup``   keyed digests (HMAC) of entries' natural keys, so an importer finds what is
                     already stored without decrypting every entry (see ``Vault.find``). Added
                     to older vaults on first use, with ``vault_lookup_state`` saying from which
                     entry number on it is complete. Bookkeeping, not evidence: not in the chain.

Nothing here is secret-bearing in clear: files arrive already encrypted. Writes that make an
entry exist (record + its files + new head) happen in one transaction, so a crash leaves
either the whole entry or nothing. A PostgreSQL vault lives in the schema the connection's
``search_path`` names, so a hosted service keeps one vault per schema.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ally.storage.database import Database

CHUNK_ROW = 1 << 20
"""Bytes per stored row of an encrypted file."""

PAGE_BYTES = 16 << 20
"""Most bytes of file data read from the database in one query."""

DB_FILENAME = "vault.db"

LOOKUP_PAGE = 500
"""Most digests looked up in one statement (well under SQLite's limit on parameters)."""


def database_for(location: str | Path, *, read_only: bool = False) -> Database:
    """A folder (SQLite file inside it) or a ``postgresql://`` URL."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return Database(text, read_only=read_only)
    folder = Path(text.removeprefix("sqlite:///"))
    if folder.suffix == ".db":
        return Database(folder, read_only=read_only)
    return Database(folder / DB_FILENAME, read_only=read_only)


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
        return self._has_table("vault_meta")

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

    def create_lookup_tables(self, tx: Database) -> None:
        """The lookup tables (additive: a vault made before them gets them on first use)."""
        tx.execute(
            "CREATE TABLE IF NOT EXISTS vault_lookup (digest TEXT PRIMARY KEY, entry TEXT NOT NULL)"
        )
        tx.execute("CREATE INDEX IF NOT EXISTS vault_lookup_entry ON vault_lookup (entry)")
        tx.execute(
            "CREATE TABLE IF NOT EXISTS vault_lookup_state "
            "(name TEXT PRIMARY KEY, value TEXT NOT NULL)"
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

    # --- reading for verify: bytes, never text -------------------------------------------------
    #
    # Someone editing the database by hand can leave bytes in a TEXT column that are not valid
    # UTF-8 (SQLite stores whatever it is given) or a number where text belongs. Decoding
    # such a value in the driver raises; verify must instead report the entry. So verify
    # reads every text column as bytes and decides itself what they mean.

    def _raw(self, column: str) -> str:
        """SQL giving a text column's stored bytes (PostgreSQL: in the database's encoding)."""
        if self.db.kind == "postgresql":
            return f"textsend({column})"
        return f"CAST({column} AS BLOB)"

    def raw_meta(self) -> dict[str, str]:
        """The vault's own information; undecodable bytes become U+FFFD (so nothing matches)."""
        rows = self.db.query(f"SELECT {self._raw('name')}, {self._raw('value')} FROM vault_meta")
        return {_text(r[0]): _text(r[1]) for r in rows}

    def raw_records(self) -> Iterator[tuple[int, bytes, bytes]]:
        """(number, record bytes, hash bytes) in number order, one row at a time.

        Read through a cursor in primary-key order (no sort), so a file damaged part-way
        still yields every row before the damage; the caller catches the error there.
        """
        cursor = self.db.execute(
            f"SELECT seq, {self._raw('record')}, {self._raw('hash')} FROM vault_records "
            "ORDER BY seq"
        )
        for seq, record, digest in cursor:
            yield int(seq), _bytes(record), _bytes(digest)

    def raw_chunks(self) -> Iterator[tuple[str, int, bytes]]:
        """Every stored file row as (file, row number, bytes); a damaged row number is -1."""
        if self.db.kind == "postgresql":
            yield from self.iter_chunks()
            return
        cursor = self.db.execute(
            f"SELECT {self._raw('blob')}, idx, CAST(data AS BLOB) FROM vault_chunks "
            "ORDER BY blob, idx"
        )
        for blob, idx, data in cursor:
            number = idx if isinstance(idx, int) and not isinstance(idx, bool) else -1
            yield _text(blob), number, _bytes(data)

    def chunk_rowids(self) -> Iterator[tuple[int, str, int]]:
        """SQLite, damaged file: (row id, file, row number) of every stored row, read from the
        table itself in storage order (its index may be what is damaged)."""
        cursor = self.db.execute(
            f"SELECT rowid, {self._raw('blob')}, idx FROM vault_chunks NOT INDEXED ORDER BY rowid"
        )
        for rowid, blob, idx in cursor:
            number = idx if isinstance(idx, int) and not isinstance(idx, bool) else -1
            yield int(rowid), _text(blob), number

    def chunk_at(self, rowid: int) -> bytes:
        """SQLite, damaged file: one stored row's bytes by its row id."""
        rows = self.db.query(
            "SELECT CAST(data AS BLOB) FROM vault_chunks WHERE rowid = ?", (rowid,)
        )
        return _bytes(rows[0][0]) if rows else b""

    def raw_grants(self) -> Iterator[tuple[str, str, bytes]]:
        """Every re-wrapped header as (file, recipient, header)."""
        cursor = self.db.execute(
            f"SELECT {self._raw('blob')}, {self._raw('recipient')}, "
            f"{'header' if self.db.kind == 'postgresql' else 'CAST(header AS BLOB)'} "
            "FROM vault_grants ORDER BY blob, recipient"
        )
        for blob, recipient, header in cursor:
            yield _text(blob), _text(recipient), _bytes(header)

    def raw_pending(self) -> set[str]:
        """Files of uploads that were started and never completed."""
        return {
            _text(r[0]) for r in self.db.query(f"SELECT {self._raw('blob')} FROM vault_pending")
        }

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

    def system_records(self) -> list[tuple[int, str, str]]:
        """Only the key, share and unshare records: who new content is encrypted to.

        Read without loading the whole chain, so a bulk write into a large vault stays small.
        (Records are canonical JSON and a kind holds no quotes, so the match is exact.)
        """
        kinds = ("key", "share", "unshare")
        where = " OR ".join("record LIKE ?" for _ in kinds)
        rows = self.db.query(
            f"SELECT seq, record, hash FROM vault_records WHERE {where} ORDER BY seq",
            tuple(f'%"kind":"{kind}",%' for kind in kinds),
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def has_kind(self, kind: str) -> bool:
        """Whether any record of this kind is stored (records are canonical JSON, so the
        match is exact)."""
        rows = self.db.query(
            "SELECT 1 FROM vault_records WHERE record LIKE ? LIMIT 1", (f'%"kind":"{kind}",%',)
        )
        return bool(rows)

    def lookup_state(self, name: str) -> str | None:
        """A lookup bookkeeping value, or None (also when the tables do not exist yet)."""
        if not self._has_table("vault_lookup_state"):
            return None
        rows = self.db.query("SELECT value FROM vault_lookup_state WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def _has_table(self, name: str) -> bool:
        if self.db.kind == "postgresql":
            statement = (
                "SELECT 1 FROM information_schema.tables WHERE table_name = ? "
                "AND table_schema = current_schema()"
            )
        else:
            statement = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return bool(self.db.query(statement, (name,)))

    def find_lookups(self, digests: list[str]) -> dict[str, str]:
        """digest -> entry id, for the digests that are stored."""
        found: dict[str, str] = {}
        for start in range(0, len(digests), LOOKUP_PAGE):
            page = digests[start : start + LOOKUP_PAGE]
            marks = ", ".join("?" for _ in page)
            rows = self.db.query(
                f"SELECT digest, entry FROM vault_lookup WHERE digest IN ({marks})", page
            )
            found.update((str(r[0]), str(r[1])) for r in rows)
        return found

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

    def put_records(self, tx: Database, rows: list[tuple[int, str, str]]) -> None:
        """Many (seq, record, hash) rows in one statement; the caller sets the head after."""
        if rows:
            tx.executemany("INSERT INTO vault_records (seq, record, hash) VALUES (?, ?, ?)", rows)

    def set_head(self, tx: Database, seq: int, digest: str) -> None:
        tx.execute("UPDATE vault_meta SET value = ? WHERE name = ?", (f"{seq}:{digest}", "head"))

    def put_chunks(self, tx: Database, rows: list[tuple[str, int, bytes]]) -> None:
        """Many (file, row number, data) rows in one statement."""
        if rows:
            tx.executemany("INSERT INTO vault_chunks (blob, idx, data) VALUES (?, ?, ?)", rows)

    def put_lookups(
        self, tx: Database, rows: list[tuple[str, str]], *, skip_existing: bool = False
    ) -> None:
        """(digest, entry id) rows. A digest already stored is an error unless ``skip_existing``."""
        if rows:
            tail = " ON CONFLICT (digest) DO NOTHING" if skip_existing else ""
            tx.executemany(f"INSERT INTO vault_lookup (digest, entry) VALUES (?, ?){tail}", rows)

    def is_conflict(self, error: Exception) -> bool:
        """Whether a database error means a unique key was already taken."""
        if self.db.kind == "postgresql":
            import psycopg

            return isinstance(error, psycopg.IntegrityError)
        return isinstance(error, sqlite3.IntegrityError)

    def delete_lookups(self, tx: Database, entry: str) -> None:
        tx.execute("DELETE FROM vault_lookup WHERE entry = ?", (entry,))

    def set_lookup_state(self, tx: Database, name: str, value: str) -> None:
        tx.execute("DELETE FROM vault_lookup_state WHERE name = ?", (name,))
        tx.execute("INSERT INTO vault_lookup_state (name, value) VALUES (?, ?)", (name, value))

    def put_blob(self, tx: Database, key: str, data: bytes, first_idx: int = 0) -> int:
        """Store bytes as rows starting at ``first_idx``; returns the next free row number."""
        rows = [
            (key, first_idx + i, data[pos : pos + CHUNK_ROW])
            for i, pos in enumerate(range(0, len(data), CHUNK_ROW))
        ]
        if rows:
            tx.executemany("INSERT INTO vault_chunks (blob, idx, data) VALUES (?, ?, ?)", rows)
        return first_idx + len(rows)

    def put_row(self, tx: Database, key: str, idx: int, data: bytes | bytearray) -> None:
        """Store one row of a file as given (an attachment's encrypted block, about 1 MiB)."""
        tx.execute("INSERT INTO vault_chunks (blob, idx, data) VALUES (?, ?, ?)", (key, idx, data))

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


def _bytes(value: Any) -> bytes:
    """A stored value as bytes (a NULL, which the schema forbids, as none)."""
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, int | float):
        return str(value).encode("ascii")
    return bytes(value)


def _text(value: object) -> str:
    """Stored bytes as text; bytes that are not UTF-8 become U+FFFD."""
    return _bytes(value).decode("utf-8", "replace")

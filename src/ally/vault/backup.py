"""Backups: a consistent, verified copy of the whole vault in one file.

Copying ``vault.db`` with the file manager while Ally runs can miss the newest entries: in
WAL mode SQLite keeps recent commits in ``vault.db-wal`` until a checkpoint, and a copy of the
main file alone opens and verifies fine, silently without them. ``backup`` instead copies one
consistent moment of the database:

* SQLite — SQLite's online backup API (sees the write-ahead log, so every acknowledged entry
  is in the copy) into a new single-file database;
* PostgreSQL — a logical copy of the vault's rows, read in one REPEATABLE READ snapshot, into
  a new SQLite vault file (the same tables; ``ally vault export`` and ``import`` move it back
  to any database).

Either way the result is an ordinary Ally vault file: it is verified right after writing,
and its journal code is given so it can be compared with a code noted elsewhere. The copy
is written beside the target under a temporary name and renamed into place only when
complete, so a half-written backup never looks like a backup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ally.storage.database import Database, StorageError
from ally.storage.private import private_file, private_folder
from ally.storage.vault_store import DB_FILENAME, VaultStore, database_for
from ally.vault.errors import VaultError, VaultExistsError
from ally.vault.verify import VerifyReport, verify_store


class BackupError(VaultError):
    """The backup could not be written (nothing was left behind)."""


@dataclass
class BackupResult:
    """Where the backup is, and how it verified."""

    path: Path
    report: VerifyReport

    @property
    def head_code(self) -> str | None:
        return self.report.head_code


_TABLES = (
    ("vault_meta", "name, value"),
    ("vault_records", "seq, record, hash"),
    ("vault_grants", "blob, recipient, header"),
)
_LOOKUP_TABLES = (("vault_lookup", "digest, entry"), ("vault_lookup_state", "name, value"))


def backup_target(path: str | Path) -> Path:
    """The file a backup goes to: ``PATH`` itself if it ends in .db, else ``PATH/vault.db``."""
    target = Path(path)
    return target if target.suffix == ".db" else target / DB_FILENAME


def backup(store: VaultStore, path: str | Path) -> BackupResult:
    """Write a verified copy of the vault in ``store`` to ``path`` (a new folder or .db file)."""
    target = backup_target(path)
    if target.exists():
        raise VaultExistsError(f"{target} already exists. Choose a new name for the backup.")
    private_folder(target.parent)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    private_file(partial)
    try:
        if store.db.kind == "sqlite":
            store.db.backup_to(partial)
        else:
            _logical_copy(store, partial)
        partial.replace(target)
    except (OSError, StorageError) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(
            "The backup could not be written (is the disk full or read-only?). "
            "Nothing was left behind; your vault is unchanged."
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    copy = VaultStore(database_for(target, read_only=True))
    try:
        return BackupResult(target, verify_store(copy))
    finally:
        copy.db.close()


def _logical_copy(store: VaultStore, path: Path) -> None:
    """Every row of the vault, read in one snapshot, into a new SQLite vault file."""
    target = VaultStore(Database(path))
    try:
        with store.db.read_snapshot(), target.db.transaction() as tx:
            target.create_tables(tx)
            for table, columns in _TABLES:
                _copy_table(store.db, tx, table, columns)
            if store.lookup_state("from") is not None:
                target.create_lookup_tables(tx)
                for table, columns in _LOOKUP_TABLES:
                    _copy_table(store.db, tx, table, columns)
            pending = {key for key, _ in store.pending()}
            for key, idx, data in store.iter_chunks():
                if key not in pending:  # an unfinished upload is not part of the journal
                    tx.execute(
                        "INSERT INTO vault_chunks (blob, idx, data) VALUES (?, ?, ?)",
                        (key, idx, data),
                    )
        target.db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.db.close()


def _copy_table(source: Database, tx: Database, table: str, columns: str) -> None:
    marks = ", ".join("?" for _ in columns.split(","))
    rows = source.query(f"SELECT {columns} FROM {table}")
    if rows:
        converted = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
        tx.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", converted)

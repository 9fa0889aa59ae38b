"""Salvage: copy what still verifies out of a damaged vault into a new one.

A truncated or partly unreadable vault file, or one damaged by hand, still holds entries
that verify. ``salvage`` copies the longest run of sound records from the start of the chain
(entries 1 to N, exactly as stored, so the new vault's journal codes up to N are the old
ones), and every encrypted file of those entries whose fingerprint still matches its record.
Files that do not match are left out and listed; the new vault's own verification then says
so too, rather than hiding the loss.

The damaged vault is opened read-only (SQLite ``mode=ro``; PostgreSQL read-only
transactions): salvaging never changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ally.storage.database import Database, StorageError
from ally.storage.vault_store import VaultStore, database_for
from ally.vault.chain import FORMAT_VERSION, Record
from ally.vault.crypto import Fingerprinter
from ally.vault.errors import VaultDamagedError, VaultError, VaultExistsError, VaultNotFoundError
from ally.vault.verify import (
    ChainState,
    Problem,
    Row,
    VerifyReport,
    check_chain,
    file_problem,
    forgotten_after,
    gather,
    replaced_keys,
    scattered_chunks,
    until_error,
    verify_store,
)


class SalvageError(VaultError):
    """Nothing could be salvaged (the vault's own information is unreadable)."""


@dataclass
class SalvageResult:
    """What was copied, what was not, and how the new vault verifies."""

    entries: int
    readable: int
    files: int
    lost_files: list[int] = field(default_factory=list)
    forgotten_later: list[int] = field(default_factory=list)
    first_problem: Problem | None = None
    report: VerifyReport = field(default_factory=VerifyReport)


def salvage(source: str | Path, dest: str | Path) -> SalvageResult:
    """Copy every entry of ``source`` that still verifies into a new vault at ``dest``."""
    if str(source) == str(dest):
        raise SalvageError("Salvage into a new place, not into the damaged vault itself.")
    src = _open_source(source)
    try:
        target = VaultStore(database_for(dest))
        try:
            if target.exists():
                raise VaultExistsError("A vault already exists there. Nothing was changed.")
            with src.db.read_snapshot():
                result = _copy(src, target)
            result.report = verify_store(target)
        finally:
            target.db.close()
    finally:
        src.db.close()
    return result


def _open_source(location: str | Path) -> VaultStore:
    try:
        store = VaultStore(database_for(location, read_only=True))
    except StorageError as error:
        raise SalvageError(
            "The vault file is damaged from its very first page: nothing in it can be read. "
            "Keep it, and any exports or backups you made."
        ) from error
    try:
        found = store.exists()
    except StorageError:
        found = True  # the table list itself is damaged: let the copy say how far it gets
    if not found:
        store.db.close()
        raise VaultNotFoundError("There is no vault there. Check the --vault location.")
    return store


def _copy(src: VaultStore, target: VaultStore) -> SalvageResult:
    metas: list[dict[str, str]] = []
    rows: list[Row] = []
    readable = gather(lambda: iter([src.raw_meta()]), metas) and gather(src.raw_records, rows)
    report = VerifyReport()
    state = check_chain(metas[0] if metas else {}, rows, report, complete=readable)
    keep = report.chain_intact_to
    if keep == 0:
        raise SalvageError(
            "No entry of this vault can be confirmed"
            + (f" ({report.first_problem})" if report.first_problem else "")
            + ", so nothing was copied. Keep the vault, and any exports or backups you made."
        )
    records = [r for r in state.records if r.seq <= keep]
    later = forgotten_after(state.records)
    result = SalvageResult(keep, len(rows), 0, first_problem=report.first_problem)
    with target.db.transaction() as tx:
        target.create_tables(tx)
        target.init_meta(tx, metas[0]["vault_id"], FORMAT_VERSION)
        for seq, text, digest in rows[:keep]:
            target.put_record(tx, seq, _str(text), _str(digest))
        copied = _copy_files(src, tx, _wanted(records))
        _copy_grants(src, tx, copied)
    result.files = len(copied)
    lost = {r.seq for key, r in _wanted(records).items() if key not in copied}
    result.forgotten_later = sorted(s for s in lost if _forgotten_by(state, s, later, keep))
    result.lost_files = sorted(lost - set(result.forgotten_later))
    return result


def _str(value: str | bytes) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else value


def _wanted(records: list[Record]) -> dict[str, Record]:
    """file key -> record, for every file a kept record should still have."""
    forgotten = forgotten_after(records)
    replaced = replaced_keys(records)
    wanted: dict[str, Record] = {}
    for record in records:
        gone = record.seq < forgotten.get(record.id, 0) or (
            record.of is not None and record.seq < forgotten.get(record.of, 0)
        )
        if not gone and record.id not in replaced:
            wanted.update((f"{record.id}:{name}", record) for name in record.blobs)
    return wanted


def _forgotten_by(state: ChainState, seq: int, later: dict[str, int], keep: int) -> bool:
    """Whether entry ``seq``'s files are missing because a record after the copied run
    forgot it (so its content was deleted on purpose, not lost)."""
    record = next((r for r in state.records if r.seq == seq), None)
    if record is None:
        return False
    mark = later.get(record.id, 0) or (later.get(record.of, 0) if record.of else 0)
    return mark > keep


class _FileCopier:
    """Streams one stored file into the new vault, keeping it only if it still verifies."""

    def __init__(self, tx: Database, wanted: dict[str, Record]) -> None:
        self.tx, self.wanted = tx, wanted
        self.copied: set[str] = set()
        self.key: str | None = None
        self._hasher = Fingerprinter()
        self._next = 0
        self._broken = False

    def row(self, key: str, idx: int, data: bytes) -> None:
        if key != self.key:
            self.finish()
            self.key = key if key in self.wanted else None
            self._hasher, self._next, self._broken = Fingerprinter(), 0, False
        if self.key is None or self._broken:
            return
        if idx != self._next:
            self._broken = True
            return
        try:
            self._hasher.update(data)
        except VaultDamagedError:
            self._broken = True
            return
        self._next += 1
        self.tx.execute(
            "INSERT INTO vault_chunks (blob, idx, data) VALUES (?, ?, ?)", (key, idx, data)
        )

    def finish(self, *, incomplete: bool = False) -> None:
        """End the current file: keep it if it matches its record, else remove its rows.
        ``incomplete``: reading broke off inside it (a damaged vault file)."""
        key, self.key = self.key, None
        if key is None:
            return
        ref = self.wanted[key].blobs[key.partition(":")[2]]
        try:
            fingerprint = self._hasher.finish()
        except VaultDamagedError:
            fingerprint = None
        broken = incomplete or self._broken or fingerprint is None
        sound = not broken and file_problem(fingerprint, ref, False, False, False) is None
        if sound:
            self.copied.add(key)
        else:
            self.tx.execute("DELETE FROM vault_chunks WHERE blob = ?", (key,))


def _copy_files(src: VaultStore, tx: Database, wanted: dict[str, Record]) -> set[str]:
    copier = _FileCopier(tx, wanted)
    failed: list[bool] = []
    for key, idx, data in until_error(src.raw_chunks, failed):
        copier.row(key, idx, data)
    copier.finish(incomplete=bool(failed))
    if failed and src.db.kind == "sqlite":  # damaged file: start again, row by row
        tx.execute("DELETE FROM vault_chunks")
        copier = _FileCopier(tx, wanted)
        for key, idx, data in scattered_chunks(src, []):
            copier.row(key, idx, data)
        copier.finish()
    return copier.copied


def _copy_grants(src: VaultStore, tx: Database, copied: set[str]) -> None:
    """Re-wrapped headers for shared readers (not evidence: copied as far as readable)."""
    grants: list[tuple[str, str, bytes]] = []
    gather(src.raw_grants, grants)
    for key, recipient, header in grants:
        if key in copied:
            tx.execute(
                "INSERT INTO vault_grants (blob, recipient, header) VALUES (?, ?, ?)",
                (key, recipient, header),
            )

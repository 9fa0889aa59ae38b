"""Streaming an attachment into the vault: encrypt, fingerprint and store, 1 MiB at a time.

Kept apart from :mod:`ally.vault.vault` because it is the one place where plaintext of any
size flows: it never holds more than a few blocks, never writes plaintext anywhere, and only
makes the attachment part of the journal once every byte is stored.

Speed (``benchmarks/vault.py``, "durable attach" against the stock ``age`` CLI): encryption
runs on the caller's thread and storage on a second one (``Pipeline``), so they overlap. Each
1 MiB row goes to the database as soon as it is cut, inside a transaction that commits every
``ROWS_PER_COMMIT`` rows, so few commits (and fsyncs) are paid without holding the rows in
memory. On SQLite the file is written with the rollback journal instead of the WAL while the
attachment streams, when no other connection has it open: the new pages are then written to
the file once, instead of to the WAL and again at the checkpoint.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Protocol

from ally.model.journal import Attachment
from ally.storage import vault_store
from ally.storage.vault_store import blob_key
from ally.vault import crypto
from ally.vault.envelope import envelope
from ally.vault.pipeline import Pipeline
from ally.vault.ports import AttachmentTarget

ROWS_PER_COMMIT = 64
"""Attachment rows (1 MiB each) written per transaction while streaming. Rows are written as
they are cut, so this costs no memory; it sets how often the data is made durable (each
commit syncs the file) and how long another writer may wait for the database."""


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def blocks(stream: Readable) -> Iterator[bytes | memoryview]:
    """Blocks of up to 1 MiB from a stream, reusing one buffer when the stream allows it."""
    readinto = getattr(stream, "readinto", None)
    if readinto is None:
        while block := stream.read(vault_store.CHUNK_ROW):
            yield block
        return
    buffer = bytearray(vault_store.CHUNK_ROW)
    with memoryview(buffer) as view:
        while size := readinto(buffer):
            yield view[:size]


class AttachmentWriter:
    """Streams one attachment into the vault: encrypt, fingerprint and store, 1 MiB at a time.

    Rows are committed as they fill (marked pending); the attachment only becomes part of the
    journal when :meth:`close` appends its record. If anything fails, the rows are removed.
    """

    def __init__(
        self, vault: AttachmentTarget, entry_id: str, filename: str | None, media_type: str | None
    ) -> None:
        self._vault = vault
        self._entry_id = entry_id
        self._meta = {"filename": filename, "media_type": media_type}
        self._id = secrets.token_hex(8)
        self._key = blob_key(self._id, "file")
        self._fingerprint = crypto.Fingerprinter()
        self._fill = 0
        self._next_row = 0
        self._finished = False
        self.size = 0
        self.result: Attachment | None = None
        self._journal = contextlib.ExitStack()
        self._journal.enter_context(vault.store.db.rollback_journal())
        self._rows = _RowTransactions(vault.store, self._key)
        try:
            vault.store.start_pending(self._key)
        except BaseException:
            self._journal.close()
            raise
        self._pipeline = Pipeline(self._store_row)
        self._row = self._pipeline.buffer(vault_store.CHUNK_ROW)
        self._block = bytearray(0)
        self._sealer = crypto.Sealer(vault._recipients(), self._cut, self._block_buffer)

    def _block_buffer(self, size: int) -> bytearray:
        """The sealer's output buffer: one, reused, since :meth:`_cut` copies each block out
        before the sealer asks for the next (a fresh 1 MiB buffer costs 256 zeroed pages)."""
        if len(self._block) != size:
            self._block = bytearray(size)
        return self._block

    def _cut(self, data: bytes | bytearray) -> None:
        """Runs on the caller's thread: fingerprint the ciphertext, cut it into rows and queue
        each full row for the storage thread.

        Rows are exactly ``CHUNK_ROW`` long (the last one shorter), whatever sizes the sealer
        hands over, so a file's rows are the same however it was written (a bundle's import
        cuts them the same way). Fingerprinting and cutting happen here rather than on the
        storage thread because storing is the slower side: the two threads' work is closer
        to even, and the caller's thread no longer waits for the storage thread as long.
        Blocks come in order, so the fingerprint and rows are the same as before."""
        self._fingerprint.update(data)
        size = len(self._row)
        with memoryview(data) as view:
            pos, end = 0, len(view)
            while pos < end:
                take = min(size - self._fill, end - pos)
                self._row[self._fill : self._fill + take] = view[pos : pos + take]
                self._fill += take
                pos += take
                if self._fill == size:
                    self._pipeline.put(self._row)
                    self._row = self._pipeline.buffer(size)
                    self._fill = 0

    def _store_row(self, data: bytes | bytearray) -> None:
        self._rows.add(self._next_row, data)
        self._next_row += 1

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.size += len(data)
        self._sealer.write(data)

    def finish(self) -> None:
        """Encrypt and store the rest of the file; it is not part of the journal yet."""
        if self._finished:
            return
        self._sealer.close()
        self._pipeline.close()
        if self._fill:
            self._store_row(self._row[: self._fill])
            self._fill = 0
        self._rows.commit()
        self._journal.close()
        self._finished = True

    def record_parts(self) -> tuple[str, bytes, crypto.Fingerprint]:
        """What the attachment's record holds: its id, its sealed details, its file's
        fingerprint. For files saved together with their entry (Vault.add_entry_with_files)."""
        self.finish()
        meta = crypto.seal(
            envelope({**self._meta, "size": self.size}, None), self._vault._recipients()
        )
        return self._id, meta, self._fingerprint.finish()

    def close(self) -> Attachment:
        """Finish the file and add the attachment to the journal (the acknowledgement)."""
        record_id, meta, fingerprint = self.record_parts()
        self._vault._append(
            "attachment",
            record_id=record_id,
            of=self._entry_id,
            small={"meta": meta},
            streamed={"file": fingerprint},
        )
        self.result = self._vault.attachment(self._id)
        return self.result

    def abort(self) -> None:
        with contextlib.suppress(Exception):  # the original error is what the caller sees
            self._pipeline.close()
        self._rows.rollback()
        self._journal.close()
        self._vault.store.drop_pending(self._key)

    def __enter__(self) -> AttachmentWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class _RowTransactions:
    """Rows written one by one inside a transaction that commits every ROWS_PER_COMMIT rows.

    Used from the pipeline's thread while the vault is busy with this attachment (the CLI
    and the web app give an attachment the vault to itself), then committed or rolled back
    once the pipeline has stopped."""

    def __init__(self, store: vault_store.VaultStore, key: str) -> None:
        self._store = store
        self._key = key
        self._open: contextlib.AbstractContextManager[object] | None = None
        self._count = 0

    def add(self, idx: int, data: bytes | bytearray) -> None:
        if self._open is None:
            self._open = self._store.db.transaction()
            self._open.__enter__()
        self._store.put_row(self._store.db, self._key, idx, data)
        self._count += 1
        if self._count >= ROWS_PER_COMMIT:
            self.commit()

    def commit(self) -> None:
        opened, self._open, self._count = self._open, None, 0
        if opened is not None:
            opened.__exit__(None, None, None)

    def rollback(self) -> None:
        opened, self._open, self._count = self._open, None, 0
        if opened is not None:
            with contextlib.suppress(Exception):
                error = RuntimeError("attachment abandoned")
                opened.__exit__(RuntimeError, error, None)

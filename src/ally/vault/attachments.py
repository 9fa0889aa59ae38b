"""Streaming an attachment into the vault: encrypt, fingerprint and store, 1 MiB at a time.

Kept apart from :mod:`ally.vault.vault` because it is the one place where plaintext of any
size flows: it never holds more than a few blocks, never writes plaintext anywhere, and only
makes the attachment part of the journal once every byte is stored.
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

ROWS_PER_COMMIT = 8
"""Attachment rows (1 MiB each) written per transaction while streaming."""


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
        self._buffer = bytearray()
        self._rows: list[tuple[int, bytes]] = []
        self._next_row = 0
        self._finished = False
        self.size = 0
        self.result: Attachment | None = None
        vault.store.start_pending(self._key)
        self._pipeline = Pipeline(self._sink)
        self._sealer = crypto.Sealer(vault._recipients(), self._pipeline.put, self._pipeline.buffer)

    def _sink(self, data: bytes | bytearray) -> None:
        """Runs on the pipeline's thread: fingerprint, cut into rows, commit every few rows."""
        self._fingerprint.update(data)
        self._buffer += data
        while len(self._buffer) >= vault_store.CHUNK_ROW:
            self._rows.append((self._next_row, bytes(self._buffer[: vault_store.CHUNK_ROW])))
            del self._buffer[: vault_store.CHUNK_ROW]
            self._next_row += 1
        if len(self._rows) >= ROWS_PER_COMMIT:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._vault.store.put_pending_rows(self._key, self._rows)
            self._rows = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.size += len(data)
        self._sealer.write(data)

    def finish(self) -> None:
        """Encrypt and store the rest of the file; it is not part of the journal yet."""
        if self._finished:
            return
        self._sealer.close()
        self._pipeline.close()
        if self._buffer:
            self._rows.append((self._next_row, bytes(self._buffer)))
            self._buffer = bytearray()
        self._flush()
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
        self._vault.store.drop_pending(self._key)

    def __enter__(self) -> AttachmentWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

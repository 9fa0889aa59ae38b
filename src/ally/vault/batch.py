"""Writing to the chain: one record at a time, or many in one all-or-nothing batch.

:class:`ChainWriter` turns record specs into chained records inside a transaction the caller
holds, and writes them a few hundred rows per statement. Every write of the vault goes
through it: a single note (one spec), and :class:`Batch`, which a bulk import uses to store a
million messages in one transaction: all of them are stored, or — after an error, Ctrl-C,
``kill -9`` or a power cut — none. Rows are sent to the database as they are made (SQLite
spills a large transaction to its write-ahead log), so memory stays flat however many
entries a batch holds. The head moves only at the end, and only the commit makes any of it
part of the journal.

While a batch is open it holds the vault's write lock: other writers (the web app, another
import) wait until it commits or rolls back.
"""

from __future__ import annotations

import re
import secrets
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ally.storage import vault_store
from ally.storage.database import Database
from ally.storage.vault_store import VaultStore, blob_key
from ally.vault import crypto
from ally.vault.attachments import Readable, blocks
from ally.vault.chain import BlobRef, Record, genesis_hash, now_text, text_digest
from ally.vault.envelope import envelope
from ally.vault.errors import VaultError
from ally.vault.ports import BatchTarget

FLUSH_RECORDS = 512
"""Records gathered before they are sent to the database in one statement."""

FLUSH_BYTES = 8 << 20
"""Encrypted bytes gathered before they are sent (large attachments go out row by row)."""

_ID = re.compile(r"^[0-9a-f]{16}$")


def _ref(fp: crypto.Fingerprint) -> BlobRef:
    return BlobRef(fp.header_hash, fp.payload_hash, fp.size)


@dataclass
class Spec:
    """One record to append: its kind, id, links, small files, streamed files, deletions."""

    kind: str
    id: str
    of: str | None = None
    to: str | None = None
    small: dict[str, bytes] = field(default_factory=dict)
    streamed: dict[str, crypto.Fingerprint] = field(default_factory=dict)
    deletes: tuple[str, ...] = ()

    def refs(self) -> dict[str, BlobRef]:
        refs = {name: _ref(crypto.fingerprint([data])) for name, data in self.small.items()}
        refs.update({name: _ref(fp) for name, fp in self.streamed.items()})
        return refs


class ChainWriter:
    """Chains specs onto the head inside ``tx``: records, files, lookups, deletions, new head.

    The head row is locked on creation (``FOR UPDATE`` on PostgreSQL; SQLite's transaction is
    already exclusive), so concurrent writers queue up instead of forking the chain.
    """

    def __init__(self, store: VaultStore, tx: Database, vault_id: str) -> None:
        self._store = store
        self._tx = tx
        seq_text, _, prev = store.locked_head(tx).partition(":")
        self.first = int(seq_text) + 1
        self.seq = int(seq_text)
        self.prev = prev or genesis_hash(vault_id)
        self._records: list[tuple[int, str, str]] = []
        self._chunks: list[tuple[str, int, bytes]] = []
        self._lookups: list[tuple[str, str]] = []
        self._streamed: list[str] = []
        self._bytes = 0

    def add(self, spec: Spec, lookup: str | None = None, more: Iterable[str] = ()) -> Record:
        """Append one record; ``lookup`` (and ``more``) are keyed digests to file it under
        (see Vault.find): a page of messages is found by each of its messages' keys."""
        refs = spec.refs()
        if spec.deletes or spec.kind == "forget":
            self.flush()  # deletions act on what is already stored
        self.seq += 1
        record = Record(self.seq, spec.id, spec.kind, now_text(), self.prev, spec.of, spec.to, refs)
        text = record.canonical()
        self.prev = text_digest(text)
        self._records.append((self.seq, text, self.prev))
        for name, data in spec.small.items():
            self.chunk(blob_key(spec.id, name), 0, data)
        self._streamed.extend(blob_key(spec.id, name) for name in spec.streamed)
        for key in spec.deletes:
            self._store.delete_blob(self._tx, key)
        if spec.kind == "forget" and spec.of:
            self._store.delete_lookups(self._tx, spec.of)  # forgotten means not findable either
        if lookup is not None:
            self._lookups.append((lookup, spec.id))
        self._lookups.extend((digest, spec.id) for digest in more)
        if len(self._records) >= FLUSH_RECORDS or self._bytes >= FLUSH_BYTES:
            self.flush()
        return record

    def chunk(self, key: str, first_idx: int, data: bytes) -> int:
        """Queue a file's bytes as rows from ``first_idx``; returns the next row number."""
        size = vault_store.CHUNK_ROW
        for pos in range(0, len(data), size):
            self._chunks.append((key, first_idx, data[pos : pos + size]))
            first_idx += 1
        self._bytes += len(data)
        if self._bytes >= FLUSH_BYTES:
            self.flush()
        return first_idx

    def flush(self) -> None:
        """Send what is queued to the database (still inside the transaction)."""
        self._store.put_records(self._tx, self._records)
        self._store.put_chunks(self._tx, self._chunks)
        try:
            self._store.put_lookups(self._tx, self._lookups)
        except Exception as error:
            if not self._store.is_conflict(error):
                raise
            raise VaultError(
                "Another entry already has the same lookup key (find it with Vault.find). "
                "Nothing was saved."
            ) from error
        for key in self._streamed:
            self._store.finish_pending(self._tx, key)
        self._records, self._chunks, self._lookups, self._streamed = [], [], [], []
        self._bytes = 0

    def finish(self) -> None:
        """Flush, then move the head to the last record written."""
        self.flush()
        if self.seq >= self.first:
            self._store.set_head(self._tx, self.seq, self.prev)


class _RowCutter:
    """The sink of an attachment's Sealer inside a batch: fingerprint, cut into rows, queue."""

    def __init__(self, writer: ChainWriter, key: str) -> None:
        self._writer = writer
        self._key = key
        self._fingerprint = crypto.Fingerprinter()
        self._buffer = bytearray()
        self._next = 0

    def write(self, data: bytes | bytearray) -> None:
        self._fingerprint.update(data)
        self._buffer += data
        size = vault_store.CHUNK_ROW
        if len(self._buffer) >= size:
            whole = len(self._buffer) - len(self._buffer) % size
            self._next = self._writer.chunk(self._key, self._next, bytes(self._buffer[:whole]))
            del self._buffer[:whole]

    def finish(self) -> crypto.Fingerprint:
        if self._buffer:
            self._next = self._writer.chunk(self._key, self._next, bytes(self._buffer))
            self._buffer = bytearray()
        return self._fingerprint.finish()


class Batch:
    """Entries and attachments added in one transaction. Get one from :meth:`Vault.batch`.

    Nothing is part of the journal until the ``with`` block ends without an error; then all of
    it is, in the order it was added. ``Vault.find`` sees what the batch added so far.
    """

    def __init__(
        self,
        vault: BatchTarget,
        writer: ChainWriter,
        recipients: list[crypto.Recipient],
        lookup_key: crypto.LookupKey,
    ) -> None:
        self._vault = vault
        self._writer = writer
        self._recipients = recipients
        self._lookup_key = lookup_key
        self._ids: array[int] = array("Q")  # 8 bytes per entry, for attach's check
        self.added = 0
        """Entries added so far."""

    def add(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        conversation_id: str | None = None,
        lookup: str | None = None,
        lookups: Iterable[tuple[str, str]] = (),
        extra: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str:
        """Add an entry; returns its id. ``lookup``: a value to find it by later (Vault.find),
        e.g. a message's natural key; it is stored only as a keyed digest. ``lookups``: more
        (kind, value) pairs to find it by (a page of messages, by each message's key).
        ``extra``: more small files of the same record, each encrypted on its own (a page's
        search index), read back with ``Vault.read_extra``."""
        sealed = self._vault._seal_entry(kind, payload, conversation_id, self._recipients)
        entry_id = secrets.token_hex(8)
        digest = self._lookup_key.digest(kind, lookup) if lookup is not None else None
        more = [self._lookup_key.digest(k, value) for k, value in lookups]
        small = {"content": sealed, **self._vault._seal_extra(extra, self._recipients)}
        self._writer.add(Spec(kind, entry_id, small=small), digest, more)
        self._ids.append(int(entry_id, 16))
        self.added += 1
        return entry_id

    def attach(
        self, entry_id: str, stream: Readable, filename: str | None, media_type: str | None = None
    ) -> str:
        """Encrypt a stream into an attachment of an entry (added in this batch, or stored
        before it); returns the attachment's id. Memory stays flat for any size."""
        of = self._root(entry_id)
        attachment_id = secrets.token_hex(8)
        rows = _RowCutter(self._writer, blob_key(attachment_id, "file"))
        size = 0
        with crypto.Sealer(self._recipients, rows.write) as sealer:
            for block in blocks(stream):
                size += len(block)
                sealer.write(block)
        meta = {"filename": filename, "media_type": media_type, "size": size}
        sealed = crypto.seal(envelope(meta, None), self._recipients)
        spec = Spec("attachment", attachment_id, of, small={"meta": sealed})
        spec.streamed["file"] = rows.finish()
        self._writer.add(spec)
        return attachment_id

    def _root(self, entry_id: str) -> str:
        if _ID.match(entry_id) and int(entry_id, 16) in self._ids:
            return entry_id
        self.flush()
        root = self._vault._root(entry_id)  # stored before the batch (may load the index)
        if self._vault.is_forgotten(root):
            raise VaultError("That entry was forgotten; nothing can be attached to it.")
        return root.id

    def flush(self) -> None:
        """Send queued rows to the database (the batch stays open and uncommitted)."""
        self._writer.flush()

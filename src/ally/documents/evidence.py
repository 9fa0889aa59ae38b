"""Where documents read the journal from: anything that lists entries and streams attachments.

The evidence vault (:class:`ally.vault.vault.Vault`) fits this protocol as it is, so reports and
letters are written against the protocol and never against the vault's storage. Tests, the
benchmark and previews use :class:`MemoryEvidence`, which holds a journal in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from ally.model.journal import Attachment, Entry


class EvidenceSource(Protocol):
    """What a report needs from a journal: the entries, the attachments, and the chain head."""

    def entries(self) -> list[Entry]:
        """Current versions of all entries (forgotten ones as tombstones), in recorded order."""
        ...

    def read_attachment(self, ref: str) -> Iterator[bytes]:
        """An attachment's plaintext, streamed in pieces so large files never sit in memory."""
        ...

    def head_code(self) -> str:
        """The short code of the chain head (``42-K7Q3-9XRT-M2PA-HW4D``)."""
        ...


PIECE = 64 * 1024


class MemoryEvidence:
    """A journal held in memory: for tests, benchmarks and previews of a draft journal."""

    def __init__(self, head: str = "0-0000-0000-0000-0000") -> None:
        self._entries: list[Entry] = []
        self._files: dict[str, bytes] = {}
        self._head = head
        self._seq = 0

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def add(
        self,
        kind: str,
        payload: Mapping[str, Any] | None,
        files: Iterable[tuple[str | None, str | None, bytes]] = (),
        *,
        recorded_at: dt.datetime | None = None,
        version: int = 1,
        conversation_id: str | None = None,
    ) -> Entry:
        """Add an entry with its files, each given as (filename, media type, bytes)."""
        seq = self._next()
        entry_id = f"{seq:016x}"
        moment = recorded_at or dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=seq)
        attachments = []
        for filename, media_type, data in files:
            number = self._next()
            attachment_id = f"{number:016x}"
            self._files[attachment_id] = data
            attachments.append(
                Attachment(
                    id=attachment_id,
                    entry_id=entry_id,
                    seq=number,
                    recorded_at=moment,
                    filename=filename,
                    media_type=media_type,
                    size=len(data),
                )
            )
        entry = Entry(
            id=entry_id,
            root_id=entry_id,
            seq=seq,
            version_seq=seq,
            kind=kind,
            version=version,
            recorded_at=moment,
            payload=dict(payload) if payload is not None else None,
            conversation_id=conversation_id,
            forgotten=payload is None,
            attachments=tuple(attachments),
        )
        self._entries.append(entry)
        return entry

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def read_attachment(self, ref: str) -> Iterator[bytes]:
        data = self._files[ref]
        for start in range(0, len(data), PIECE):
            yield data[start : start + PIECE]

    def head_code(self) -> str:
        return self._head

    def sha256(self, ref: str) -> str:
        """The SHA-256 of a stored file (for tests that compare against the report)."""
        return hashlib.sha256(self._files[ref]).hexdigest()

"""Import an export into the evidence vault: check it, keep the original, add what is new.

1. The whole export is read once without writing anything, so a damaged or cut-short file is
   refused before the vault changes (and the count drives the progress bar).
2. The original file is stored once as an attachment of an ``export`` entry, with its SHA-256;
   every message points back to it and to its exact place in it.
3. Each message becomes a ``message`` journal entry, grouped by conversation
   (``conversation_id`` = ``platform:name``), with the detector's scores and reasons.
   A message already in the vault — from this export or an earlier export of the same chat —
   is recognised by its natural key and skipped, so importing twice adds nothing and a later
   export adds only the new messages.

If an import is interrupted while writing (power cut, Ctrl-C), the messages written so far
stay and running the same import again adds only the rest. Making the write phase a single
all-or-nothing transaction needs a multi-entry transaction from the vault, which it does not
offer yet; each ``add_entry`` is its own committed transaction.

The pipeline needs only the small :class:`EvidenceStore` protocol below, which
:class:`ally.vault.Vault` provides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ally.evidence.detect import Assessment, Detector
from ally.evidence.importers import Export, ImportOptions, open_export
from ally.model.message import Message

MESSAGE_KIND = "message"
EXPORT_KIND = "export"
Progress = Callable[[int, int], None]


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class StoredEntry(Protocol):
    """What the pipeline reads back from a stored entry."""

    @property
    def id(self) -> str: ...
    @property
    def root_id(self) -> str:
        """The entry's id across edits (the first version's)."""

    @property
    def kind(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def payload(self) -> dict[str, Any] | None: ...
    @property
    def conversation_id(self) -> str | None: ...


class EvidenceStore(Protocol):
    """The part of the vault the importer and the review use."""

    def add_entry(
        self, kind: str, payload: Mapping[str, Any], *, conversation_id: str | None = None
    ) -> StoredEntry: ...

    def attach(
        self, entry_ref: str, stream: Readable, filename: str | None, media_type: str | None = None
    ) -> object: ...

    def entries(
        self, kind: str | None = None, conversation_id: str | None = None
    ) -> Sequence[StoredEntry]: ...

    def edit(
        self, ref: str, payload: Mapping[str, Any], *, conversation_id: str | None = None
    ) -> StoredEntry: ...


@dataclass
class ImportResult:
    """What an import did, for the summary shown to the person (no message content)."""

    file: str
    format: str
    sha256: str
    read: int = 0
    added: int = 0
    already_present: int = 0
    flagged: int = 0
    conversations: set[str] = field(default_factory=set)
    export_entry: str = ""
    original_stored: bool = False


def conversation_id(message: Message) -> str:
    return f"{message.platform}:{message.conversation}"


def keyed(messages: Iterator[Message]) -> Iterator[tuple[str, Message]]:
    """Each message with its import key: the natural key, plus a counter when identical
    messages repeat at the same moment ("ok", "ok"), so both are kept and a later export
    of the same chat produces the same keys again."""
    moment: dt.datetime | None = None
    seen: dict[str, int] = {}
    for message in messages:
        if message.timestamp != moment:
            moment, seen = message.timestamp, {}
        key = message.natural_key()
        count = seen.get(key, 0)
        seen[key] = count + 1
        if count:
            key = hashlib.sha256(f"{key}:{count}".encode()).hexdigest()
        yield key, message


def existing_keys(store: EvidenceStore) -> dict[str, set[str]]:
    """Keys of the messages already in the vault, by conversation."""
    found: dict[str, set[str]] = {}
    for entry in store.entries(kind=MESSAGE_KIND):
        payload = entry.payload or {}
        key = payload.get("key")
        if isinstance(key, str):
            found.setdefault(entry.conversation_id or "", set()).add(key)
    return found


def message_payload(
    message: Message, key: str, export_entry: str, assessment: Assessment
) -> dict[str, Any]:
    payload = message.to_payload()
    payload["key"] = key
    payload["export_entry"] = export_entry
    payload["detection"] = {
        "flagged": assessment.flagged,
        "scores": assessment.scores,
        "reasons": assessment.reasons(),
    }
    payload["review"] = None
    return payload


def _export_entry(store: EvidenceStore, export: Export, result: ImportResult) -> str:
    """The entry holding the original file: found again by hash, or created with the file."""
    for entry in store.entries(kind=EXPORT_KIND):
        if (entry.payload or {}).get("sha256") == export.source.sha256:
            return entry.id
    path = export.source.path
    entry = store.add_entry(
        EXPORT_KIND,
        {
            "file": path.name,
            "sha256": export.source.sha256,
            "size": path.stat().st_size,
            "format": export.importer.name,
            "imported_at": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    with path.open("rb") as handle:
        store.attach(entry.id, handle, path.name, "application/octet-stream")
    result.original_stored = True
    return entry.id


def import_file(
    store: EvidenceStore,
    path: Path,
    options: ImportOptions | None = None,
    fmt: str | None = None,
    detector: Detector | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one export file into the store; see the module docstring for the steps."""
    export = open_export(path, options, fmt)
    result = ImportResult(path.name, export.importer.name, export.source.sha256)
    total = sum(1 for _ in export.messages())  # full check before anything is written
    detector = detector or Detector()
    known = existing_keys(store)
    result.export_entry = _export_entry(store, export, result)
    for done, (key, message) in enumerate(keyed(export.messages()), start=1):
        result.read += 1
        conversation = conversation_id(message)
        result.conversations.add(conversation)
        seen = known.setdefault(conversation, set())
        if key in seen:
            result.already_present += 1
        else:
            assessment = detector.assess(message.text)
            result.flagged += assessment.flagged
            payload = message_payload(message, key, result.export_entry, assessment)
            store.add_entry(MESSAGE_KIND, payload, conversation_id=conversation)
            seen.add(key)
            result.added += 1
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
    return result

"""Import an export into the evidence vault: check it, keep the original, add what is new.

1. **Check** (first pass, nothing written): the whole export is parsed once, so a damaged or
   cut-short file is refused before the vault changes. Only counts are kept — no message —
   so memory stays flat for a million messages. The pass also counts how many messages are
   new, so importing the same export again writes nothing at all.
2. **Import** (second pass, one vault batch): the original file is stored once as an
   attachment of an ``export`` entry, with its SHA-256 (re-checked as it is stored); every
   message becomes a ``message`` journal entry, grouped by conversation
   (``conversation_id`` = ``platform:name``), with the detector's scores and reasons, and
   points back to the export entry and its exact place in the file.

The whole import is one transaction (:meth:`ally.vault.Vault.batch`): it is all stored, or —
after an error, Ctrl-C, ``kill -9`` or a power cut — none of it, and running it again starts
afresh. Messages are read, checked against the vault and written in chunks, so neither pass
holds more than a chunk in memory.

A message already in the vault — from this export or an earlier export of the same chat —
is recognised by its natural key (see :func:`keyed`), which each message entry is stored
under as a keyed digest (:meth:`ally.vault.Vault.find`): nothing is decrypted to find it.
Importing twice adds nothing, and a later export adds only the new messages. A first import
(the vault holds no messages yet) of an export in time order looks nothing up: its keys are
all different by construction (:class:`KeyOrder`), and the check pass needs no keys at all;
as soon as a message steps back in time the import looks keys up again.

A large import (10,000 new messages or more, on a computer with a second core) scores its
messages in a helper process (:mod:`ally.evidence.detecting`) while this process seals and
writes the chunks before: the same pages and detections, about half the wall-clock time, and
still one transaction (a helper that dies stops the import, and nothing is saved).

The pipeline needs only the small :class:`EvidenceStore` protocol below, which
:class:`ally.vault.Vault` provides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from ally.evidence.detect import Detector
from ally.evidence.detecting import (
    PARALLEL_BYTES,
    PARALLEL_FROM,
    Detection,
    Detections,
    InProcess,
    Pending,
    can_use_helper,
    open_detections,
)
from ally.evidence.errors import EvidenceError
from ally.evidence.importers import Export, ImportOptions, open_export
from ally.evidence.indexing import INDEX_BLOB, page_index
from ally.model.message import Message
from ally.model.pages import MESSAGE_KIND, PAGE_KIND, page_messages

EXPORT_KIND = "export"
PAGE_MESSAGES = 256
"""Most messages in one page (one encrypted journal entry)."""
PAGE_BYTES = 96 * 1024
"""A page is sealed once its messages' texts (plus their fields) come to about this much."""
PAGE_OVERHEAD = 600
"""About how many bytes a message's fields (sender, time, provenance, detection) add."""
CHUNK = 500
"""Messages read, looked up and written together."""
PROGRESS_EVERY = 200
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


class EvidenceBatch(Protocol):
    """Entries and attachments written in one all-or-nothing transaction."""

    def add(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        conversation_id: str | None = None,
        lookup: str | None = None,
        lookups: Iterable[tuple[str, str]] = (),
        extra: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str: ...

    def attach(
        self, entry_id: str, stream: Readable, filename: str | None, media_type: str | None = None
    ) -> str: ...


class EvidenceStore(Protocol):
    """The part of the vault the importer and the review use."""

    def batch(self) -> AbstractContextManager[EvidenceBatch]: ...

    def find(self, kind: str, lookups: Iterable[str]) -> dict[str, str]: ...

    def has_entries(self, kind: str) -> bool: ...

    def backfill_lookups(
        self,
        kind: str,
        key_of: Callable[[dict[str, Any]], str | list[str] | None],
        *,
        lookup_kind: str | None = None,
    ) -> int: ...

    def rewrite(
        self,
        ref: str,
        kind: str,
        payload: Mapping[str, Any],
        lookups: Iterable[tuple[str, str]],
        extra: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str: ...

    def entries(
        self, kind: str | None = None, conversation_id: str | None = None
    ) -> Sequence[StoredEntry]: ...

    def edit(
        self,
        ref: str,
        payload: Mapping[str, Any],
        *,
        conversation_id: str | None = None,
        extra: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> StoredEntry: ...

    def forget(self, ref: str) -> None: ...

    def entry(self, ref: str) -> StoredEntry: ...


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
    unreadable: int = 0
    """Stretches of the export that could not be read as messages, kept as written."""
    unreadable_lines: list[int] = field(default_factory=list)
    """Their line numbers (the first few), for the summary."""
    encoding: str | None = None
    """The text encoding used, when it was not UTF-8."""
    date_order: str | None = None
    date_order_ambiguous: bool = False
    date_order_reason: str | None = None
    platform_reason: str | None = None

    def notes(self, *, web: bool = False) -> list[str]:
        """What the person should know about how the file was read, in plain words (the way
        to change a choice is said for the command line, or for the web form)."""
        strict = "tick “Refuse unreadable lines”" if web else "use --strict"
        order = "choose the date order on the import form" if web else "use --date-order"
        platform = "choose the app on the import form" if web else "use --platform"
        signal = "choose “Signal” as the kind of export on the import form"
        notes = []
        if self.encoding:
            notes.append(f"The file was not UTF-8 text; it was read as {self.encoding}.")
        if self.unreadable:
            lines = ", ".join(str(n) for n in self.unreadable_lines[:MAX_LINES_SHOWN])
            more = " and more" if self.unreadable > MAX_LINES_SHOWN else ""
            notes.append(
                f"{self.unreadable} part(s) of the file could not be read as messages (line "
                f"{lines}{more}). They are kept in your vault exactly as written, so nothing "
                f"is lost. To refuse a file like this instead, import it again and {strict}."
            )
        if self.date_order_ambiguous and self.date_order:
            other = _OTHER_ORDER.get(self.date_order, "MDY")
            notes.append(
                f"The dates could be read more than one way. Ally read them as "
                f"{_ORDER_WORDS.get(self.date_order, self.date_order)} ({self.date_order}) "
                f"because {self.date_order_reason}. If that is wrong, import the file again "
                f"and {order} ({other})."
            )
        if self.platform_reason:
            reason = self.platform_reason.replace("use --platform", platform)
            if web:
                reason = reason.replace("use --format signal", signal)
            notes.append(f"The app: {reason}.")
        return notes


MAX_LINES_SHOWN = 10
_ORDER_WORDS = {
    "DMY": "day/month/year",
    "MDY": "month/day/year",
    "YMD": "year/month/day",
    "YDM": "year/day/month",
}
_OTHER_ORDER = {"DMY": "MDY", "MDY": "DMY", "YMD": "YDM", "YDM": "YMD"}


def conversation_id(message: Message) -> str:
    return f"{message.platform}:{message.conversation}"


@dataclass
class KeyOrder:
    """Whether the keys ``keyed`` gave so far are all different by construction.

    They are while the messages carry no app id, come in strictly increasing time (as their key
    writes it: the instant, or the wall-clock time when the zone was assumed) and hold no NUL
    (which separates a key's fields): repeats at one moment get a counter, and two moments give
    two keys. Then an import into a vault without messages needs no look-ups at all."""

    distinct: bool = True
    last: dt.datetime | None = None
    assumed: bool | None = None

    def moment(self, message: Message) -> None:
        """Note a message that starts a new moment (``keyed`` calls this)."""
        if not self.distinct:
            return
        stamp = message.timestamp
        if message.timezone_assumed:
            stamp = stamp.replace(tzinfo=None)
        if self.assumed is None:
            self.assumed = message.timezone_assumed
        if (
            message.message_id
            or message.timezone_assumed != self.assumed
            or (self.last is not None and not stamp > self.last)
        ):
            self.distinct = False
        self.last = stamp

    def check(self, message: Message) -> None:
        """Note any message: a NUL in a field, or an app id, ends the guarantee."""
        if (
            message.message_id
            or "\0" in message.text
            or "\0" in message.sender
            or "\0" in message.conversation
            or (message.attachments and any("\0" in a.name for a in message.attachments))
        ):
            self.distinct = False


def keyed(
    messages: Iterator[Message], order: KeyOrder | None = None
) -> Iterator[tuple[str, Message]]:
    """Each message with its import key: the natural key, plus a counter when identical
    messages repeat at the same moment ("ok", "ok"), so both are kept and a later export
    of the same chat produces the same keys again. ``order`` learns whether the keys are all
    different by construction (see ``KeyOrder``)."""
    moment: dt.datetime | None = None
    seen: dict[str, int] = {}
    for message in messages:
        if order is not None:
            order.check(message)
        if message.timestamp != moment:
            if order is not None:
                order.moment(message)
            moment, seen = message.timestamp, {}
        key = message.natural_key()
        count = seen.get(key, 0)
        seen[key] = count + 1
        if count:
            key = _counted(key, count)
        yield key, message


def _counted(key: str, count: int) -> str:
    return hashlib.sha256(f"{key}:{count}".encode()).hexdigest()


def legacy_keys(chunk: list[tuple[str, Message]]) -> dict[str, str]:
    """The key each message had before keys were time-zone-proof -> its key now.

    Only needed for vaults holding messages imported by an older Ally: a message found under
    its old key is already there. (Counters are repeated the same way.)"""
    out: dict[str, str] = {}
    moment: dt.datetime | None = None
    seen: dict[str, int] = {}
    for key, message in chunk:
        if message.timestamp != moment:
            moment, seen = message.timestamp, {}
        old = message.legacy_key()
        count = seen.get(old, 0)
        seen[old] = count + 1
        out[_counted(old, count) if count else old] = key
    return out


def chunks(items: Iterator[tuple[str, Message]]) -> Iterator[list[tuple[str, Message]]]:
    while chunk := list(islice(items, CHUNK)):
        yield chunk


def message_payload(
    message: Message, key: str, export_entry: str, detection: Detection
) -> dict[str, Any]:
    payload = message.to_payload()
    payload["key"] = key
    payload["export_entry"] = export_entry
    payload["detection"] = detection
    payload["review"] = None
    return payload


def _text(field_name: str) -> Callable[[dict[str, Any]], str | None]:
    def read(payload: dict[str, Any]) -> str | None:
        value = payload.get(field_name)
        return value if isinstance(value, str) else None

    return read


def _page_keys(payload: dict[str, Any]) -> list[str]:
    return [m["key"] for m in page_messages(payload) if isinstance(m.get("key"), str)]


def index_older_imports(store: EvidenceStore) -> None:
    """Make imports stored before the vault had lookups (or restored from a bundle, which
    leaves lookups out) findable (once; then instant)."""
    store.backfill_lookups(EXPORT_KIND, _text("sha256"))
    store.backfill_lookups(MESSAGE_KIND, _text("key"))
    store.backfill_lookups(PAGE_KIND, _page_keys, lookup_kind=MESSAGE_KIND)


def _note_reading(result: ImportResult, export: Export) -> None:
    report = export.source.report
    result.encoding = report.encoding
    result.date_order = report.date_order
    result.date_order_ambiguous = report.date_order_ambiguous
    result.date_order_reason = report.date_order_reason
    result.platform_reason = report.platform_reason


@dataclass
class _Check:
    """What the first pass learnt: how many messages, and how many not in the vault yet."""

    total: int = 0
    new: int = 0
    conversations: set[str] = field(default_factory=set)
    unreadable: int = 0
    unreadable_lines: list[int] = field(default_factory=list)


def present_keys(
    store: EvidenceStore, chunk: list[tuple[str, Message]], legacy: bool = True
) -> set[str]:
    """Which of the chunk's keys the vault already holds, under today's key or (``legacy``:
    the vault has messages imported by an older Ally) the time-zone-dependent key it gave
    the same message, found by digest."""
    if not legacy:
        return set(store.find(MESSAGE_KIND, {key for key, _ in chunk}))
    old = {legacy: key for legacy, key in legacy_keys(chunk).items() if legacy != key}
    found = store.find(MESSAGE_KIND, {key for key, _ in chunk} | set(old))
    return {old.get(key, key) for key in found}


def has_legacy_messages(store: EvidenceStore) -> bool:
    """Whether the vault holds messages imported one entry each (older Ally), whose keys
    may be the older, time-zone-dependent kind."""
    return store.has_entries(MESSAGE_KIND)


def holds_messages(store: EvidenceStore) -> bool:
    """Whether the vault holds imported messages (in pages, or one entry each)."""
    return store.has_entries(PAGE_KIND) or store.has_entries(MESSAGE_KIND)


def check_export(store: EvidenceStore, export: Export, legacy: bool = True) -> _Check:
    """Parse the whole export without writing (a damaged file raises here) and count."""
    found = _Check()
    if not holds_messages(store):
        # A first import: the vault holds none of these, so every message is new (repeats
        # inside the export are dropped when importing) and no key is needed here.
        for message in export.messages():
            found.total += 1
            found.conversations.add(conversation_id(message))
            if message.unreadable:
                found.unreadable += 1
                if len(found.unreadable_lines) < MAX_LINES_SHOWN and message.provenance.line:
                    found.unreadable_lines.append(message.provenance.line)
        found.new = found.total
        return found
    for chunk in chunks(keyed(export.messages())):
        present = present_keys(store, chunk, legacy)
        keys = set()
        for key, message in chunk:
            found.conversations.add(conversation_id(message))
            if message.unreadable:
                found.unreadable += 1
                if len(found.unreadable_lines) < MAX_LINES_SHOWN and message.provenance.line:
                    found.unreadable_lines.append(message.provenance.line)
            found.new += key not in present and key not in keys
            keys.add(key)
        found.total += len(chunk)
    return found


class _HashingReader:
    """Reads the original file while hashing it, so what is stored is what was checked."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1, /) -> bytes:
        data = self._handle.read(size)
        self.sha256.update(data)
        return data


def _store_original(batch: EvidenceBatch, export: Export) -> str:
    """The ``export`` entry holding the original file, with its hash and format."""
    path = export.source.path
    entry = batch.add(
        EXPORT_KIND,
        {
            "file": path.name,
            "sha256": export.source.sha256,
            "size": path.stat().st_size,
            "format": export.importer.name,
            "imported_at": dt.datetime.now(dt.UTC).isoformat(),
        },
        lookup=export.source.sha256,
    )
    with path.open("rb") as handle:
        reader = _HashingReader(handle)
        batch.attach(entry, reader, path.name, "application/octet-stream")
    if reader.sha256.hexdigest() != export.source.sha256:
        raise EvidenceError(
            f"{path.name}: the file changed while it was being imported. Nothing was saved."
        )
    return entry


class _PageWriter:
    """Gathers new messages into pages and adds each full page to the batch as one entry
    (see :mod:`ally.model.pages`): one age file per page instead of one per message."""

    def __init__(self, batch: EvidenceBatch, export_entry: str) -> None:
        self.batch = batch
        self.export_entry = export_entry
        self.messages: list[dict[str, Any]] = []
        self.times: list[float] = []
        self.keys: list[str] = []
        self.size = 0
        self.pending: set[str] = set()
        """Keys of the messages in the page being filled (not yet findable in the vault)."""

    def add(self, key: str, payload: dict[str, Any], length: int, moment: float) -> None:
        """Add a message's payload (``moment``: its time as a POSIX timestamp, for the index)."""
        payload["id"] = secrets.token_hex(8)
        self.messages.append(payload)
        self.times.append(moment)
        self.keys.append(key)
        self.pending.add(key)
        self.size += length + PAGE_OVERHEAD
        if len(self.messages) >= PAGE_MESSAGES or self.size >= PAGE_BYTES:
            self.seal()

    def seal(self) -> None:
        if not self.messages:
            return
        first = self.messages[0]
        count = len(self.messages)
        title = f"{count} imported message{'s' if count != 1 else ''}"
        payload = {
            "title": title,
            "sent_at": first.get("timestamp"),
            "export_entry": self.export_entry,
            "messages": self.messages,
        }
        lookups = [(MESSAGE_KIND, key) for key in self.keys]
        index = {INDEX_BLOB: page_index(self.messages, self.times)}
        self.batch.add(PAGE_KIND, payload, lookups=lookups, extra=index)
        self.messages, self.times, self.keys, self.size, self.pending = [], [], [], 0, set()


def _add_messages(
    store: EvidenceStore,
    batch: EvidenceBatch,
    export: Export,
    result: ImportResult,
    detections: Detections,
    progress: Progress | None,
    total: int,
) -> None:
    """The second pass, inside the batch: add each message the vault does not hold yet,
    gathered into pages. Each chunk's new messages are scored at once, by this process or a
    helper (``detections``); a chunk is written once its scores are back, in the order read,
    while later chunks are being scored."""
    pages = _PageWriter(batch, result.export_entry)
    legacy = has_legacy_messages(store)
    first = not holds_messages(store)  # read inside the batch: no other import can interleave
    order = KeyOrder()
    scoring: deque[tuple[list[tuple[str, Message]], Pending]] = deque()
    unwritten: set[str] = set()
    """Keys of new messages still being scored (not in a page yet, so not findable)."""
    for chunk in chunks(keyed(export.messages(), order)):
        if first and order.distinct:
            # Nothing was stored before this import and every key so far is different from
            # the others (``KeyOrder``): none of these can be present.
            present: set[str] = set()
        else:  # sees this batch too: the page being filled and the chunks being scored
            present = present_keys(store, chunk, legacy) | pages.pending | unwritten
        new: list[tuple[str, Message]] = []
        for key, message in chunk:
            result.read += 1
            if message.unreadable:
                result.unreadable += 1
                if len(result.unreadable_lines) < MAX_LINES_SHOWN and message.provenance.line:
                    result.unreadable_lines.append(message.provenance.line)
            result.conversations.add(conversation_id(message))
            if key in present:
                result.already_present += 1
            else:
                present.add(key)
                new.append((key, message))
            if progress is not None and (result.read % PROGRESS_EVERY == 0 or result.read == total):
                progress(result.read, total)
        scoring.append((new, detections.submit([message.text for _, message in new])))
        if detections.ahead:
            unwritten.update(key for key, _ in new)
        while len(scoring) > detections.ahead:
            _write(pages, result, *scoring.popleft(), unwritten)
    while scoring:
        _write(pages, result, *scoring.popleft(), unwritten)
    pages.seal()


def _write(
    pages: _PageWriter,
    result: ImportResult,
    new: list[tuple[str, Message]],
    scored: Pending,
    unwritten: set[str],
) -> None:
    """Add a chunk's new messages, with their detections, to the pages."""
    for (key, message), detection in zip(new, scored.result(), strict=True):
        result.flagged += detection["flagged"]
        payload = message_payload(message, key, result.export_entry, detection)
        pages.add(key, payload, len(message.text), message.timestamp.timestamp())
        result.added += 1
    if unwritten:
        unwritten.difference_update(key for key, _ in new)


def _use_helper(parallel: bool | None, detector: Detector | None, new: int) -> bool:
    """Whether a helper process should detect (``parallel``: None decides by size)."""
    if parallel is None:
        return new >= PARALLEL_FROM and can_use_helper(detector)
    return parallel


def import_file(
    store: EvidenceStore,
    path: Path,
    options: ImportOptions | None = None,
    fmt: str | None = None,
    detector: Detector | None = None,
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> ImportResult:
    """Import one export file into the store; see the module docstring for the steps.

    ``parallel``: detect in a helper process (:mod:`ally.evidence.detecting`); by default only
    for a large import of a plain ``Detector`` on a computer with more than one core."""
    export = open_export(path, options, fmt)
    result = ImportResult(path.name, export.importer.name, export.source.sha256)
    index_older_imports(store)
    early = (
        export.source.path.stat().st_size >= PARALLEL_BYTES
        and not holds_messages(store)  # a first import: about every message will be new
    )
    helper = _use_helper(parallel, detector, PARALLEL_FROM if early else 0)
    detections = open_detections(detector, helper)
    try:
        return _import(store, export, result, detector, detections, progress, parallel)
    finally:
        detections.close()


def _import(
    store: EvidenceStore,
    export: Export,
    result: ImportResult,
    detector: Detector | None,
    detections: Detections,
    progress: Progress | None,
    parallel: bool | None,
) -> ImportResult:
    """Check the export, then add what is new in one transaction (``detections``: helpers
    already started for a large first import, else detection here, unless the check finds
    enough new messages to start helpers now)."""
    check = check_export(store, export, has_legacy_messages(store))
    _note_reading(result, export)
    stored = store.find(EXPORT_KIND, [export.source.sha256]).get(export.source.sha256)
    if stored is not None and check.new == 0:  # nothing to write: no transaction at all
        result.export_entry = stored
        result.read = result.already_present = check.total
        result.conversations = check.conversations
        result.unreadable, result.unreadable_lines = check.unreadable, check.unreadable_lines
        if progress is not None:
            progress(check.total, check.total)
        return result
    late = None
    if isinstance(detections, InProcess) and _use_helper(parallel, detector, check.new):
        late = detections = open_detections(detector, True)
    try:
        with store.batch() as batch:
            if stored is None:
                stored = _store_original(batch, export)
                result.original_stored = True
            result.export_entry = stored
            _add_messages(store, batch, export, result, detections, progress, check.total)
    finally:
        if late is not None:
            late.close()
    return result

"""Review and search imported messages: flagged first, marked as evidence or not relevant.

A mark is saved as a new version of the message entry (the vault keeps every version), so
the original import stays in the journal's history and the decision is dated.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ally.errors import UsageError
from ally.evidence.pipeline import EvidenceStore, StoredEntry
from ally.model.message import Message
from ally.model.pages import MESSAGE_KIND, PAGE_KIND, page_messages

Decision = Literal["evidence", "not_relevant"]
DECISIONS: tuple[Decision, ...] = ("evidence", "not_relevant")


@dataclass(frozen=True)
class Reviewed:
    """A stored message with its detection result and review decision."""

    entry_id: str
    """The message's own id (a message in a page), or its entry's (older imports)."""
    seq: int
    message: Message
    flagged: bool
    top_score: float
    reasons: tuple[str, ...]
    decision: str | None
    scores: dict[str, float] = field(default_factory=dict, compare=False)
    page_id: str | None = None
    """The page entry holding it, or None for a message that is an entry of its own."""

    @property
    def conversation_id(self) -> str:
        return f"{self.message.platform}:{self.message.conversation}"


def reviewed(
    payload: dict[str, Any] | None, entry_id: str, seq: int, page_id: str | None = None
) -> Reviewed | None:
    """A stored message payload as a Reviewed item (None if it is not a message)."""
    if not payload:
        return None
    try:
        message = Message.from_payload(payload)
    except ValueError:
        return None
    detection: dict[str, Any] = payload.get("detection") or {}
    scores = {str(k): float(v) for k, v in (detection.get("scores") or {}).items()}
    review = payload.get("review") or {}
    return Reviewed(
        entry_id=entry_id,
        seq=seq,
        message=message,
        flagged=bool(detection.get("flagged")),
        top_score=max(scores.values(), default=0.0),
        reasons=tuple(str(r) for r in detection.get("reasons") or ()),
        decision=review.get("decision") if isinstance(review, dict) else None,
        scores=scores,
        page_id=page_id,
    )


_READ: weakref.WeakKeyDictionary[object, dict[str, list[Reviewed]]] = weakref.WeakKeyDictionary()
"""Per unlocked vault: the messages read from each entry version (id -> items), kept while
the vault object lives (the web app keeps it while the person's session is unlocked), so
a later search decrypts only what changed since. Plaintext stays in this process, like the
unlocked key; closing the vault drops it."""


def stored_messages(store: EvidenceStore) -> list[Reviewed]:
    """Every imported message still in the vault (forgotten ones are left out): the messages
    of every page, and entries of older imports that hold one message each.

    A vault that can list its entries without decrypting them (``heads``) is read once per
    entry version; later calls decrypt only new or changed pages."""
    heads = getattr(store, "heads", None)
    if heads is None:
        return _read_all(store)
    known = _READ.setdefault(store, {})
    found: list[Reviewed] = []
    fresh: dict[str, list[Reviewed]] = {}
    for kind in (MESSAGE_KIND, PAGE_KIND):
        for root_id, version_id, seq in heads(kind):
            items = known.get(version_id)
            if items is None:
                entry = store.entry(root_id)
                items = _items(entry.kind, entry.payload, root_id, seq)
            fresh[version_id] = items
            found.extend(items)
    _READ[store] = fresh
    return found


def _items(kind: str, payload: dict[str, Any] | None, root_id: str, seq: int) -> list[Reviewed]:
    if kind == PAGE_KIND:
        found = (reviewed(m, m["id"], seq, root_id) for m in page_messages(payload))
        return [item for item in found if item is not None]
    item = reviewed(payload, root_id, seq)
    return [item] if item is not None else []


def _read_all(store: EvidenceStore) -> list[Reviewed]:
    found: list[Reviewed] = []
    for kind in (MESSAGE_KIND, PAGE_KIND):
        for entry in store.entries(kind=kind):
            found.extend(_items(entry.kind, entry.payload, entry.root_id, entry.seq))
    return found


def review_queue(items: Iterable[Reviewed], include_reviewed: bool = False) -> list[Reviewed]:
    """Flagged messages first (strongest first), then the rest by time."""
    pending = [item for item in items if include_reviewed or item.decision is None]
    flagged = sorted(
        (i for i in pending if i.flagged), key=lambda i: (-i.top_score, i.message.timestamp)
    )
    rest = sorted((i for i in pending if not i.flagged), key=lambda i: i.message.timestamp)
    return flagged + rest


def _locate(store: EvidenceStore, entry_id: str) -> tuple[StoredEntry, int | None]:
    """The entry holding a message (by its id or the start of it), and its place in the
    page (None: the entry is the message). Found among what was read (see
    ``stored_messages``), so only the one entry is decrypted again."""
    if len(entry_id) >= 4:
        for item in stored_messages(store):
            if not item.entry_id.startswith(entry_id):
                continue
            entry = store.entry(item.page_id or item.entry_id)
            if item.page_id is None:
                return entry, None
            for place, payload in enumerate(page_messages(entry.payload)):
                if payload["id"] == item.entry_id:
                    return entry, place
    raise UsageError(
        f"No imported message has the id {entry_id!r}. Run `ally evidence search` to find ids."
    )


def mark(store: EvidenceStore, entry_id: str, decision: str, note: str | None = None) -> None:
    """Save the person's decision about one message as a new version of its entry (its page)."""
    if decision not in DECISIONS:
        raise UsageError("Mark a message as 'evidence' or 'not_relevant'.")
    entry, place = _locate(store, entry_id)
    review = {"decision": decision, "at": dt.datetime.now(dt.UTC).isoformat(), "note": note}
    payload = dict(entry.payload or {})
    if place is None:
        payload["review"] = review
    else:
        messages = list(payload["messages"])
        messages[place] = {**messages[place], "review": review}
        payload["messages"] = messages
    store.edit(entry.root_id, payload, conversation_id=entry.conversation_id)


def forget_message(store: EvidenceStore, entry_id: str) -> None:
    """Delete one imported message for good (a tombstone says something was forgotten).

    A message of an older import is its own entry and is forgotten as such. A message in a
    page is taken out: the page is forgotten and a new page holds the others, with their
    ids, reviews and lookups, in one transaction. The message can be imported again.
    """
    entry, place = _locate(store, entry_id)
    if place is None:
        store.forget(entry.root_id)
        return
    payload = dict(entry.payload or {})
    kept = [m for i, m in enumerate(page_messages(payload)) if i != place]
    if not kept:
        store.forget(entry.root_id)
        return
    payload["messages"] = kept
    payload["title"] = f"{len(kept)} imported message{'s' if len(kept) != 1 else ''}"
    lookups = [(MESSAGE_KIND, m["key"]) for m in kept if isinstance(m.get("key"), str)]
    store.rewrite(entry.root_id, PAGE_KIND, payload, lookups)


def search(
    items: Iterable[Reviewed],
    text: str | None = None,
    sender: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    conversation: str | None = None,
    flagged_only: bool = False,
) -> list[Reviewed]:
    """Messages matching every given filter (text and names: case-insensitive substrings)."""
    needle = text.casefold() if text else None
    who = sender.casefold() if sender else None
    chat = conversation.casefold() if conversation else None
    found = []
    for item in items:
        message = item.message
        if needle and needle not in message.text.casefold():
            continue
        if who and who not in message.sender.casefold():
            continue
        if chat and chat not in message.conversation.casefold():
            continue
        if since and message.timestamp < since:
            continue
        if until and message.timestamp > until:
            continue
        if flagged_only and not item.flagged:
            continue
        found.append(item)
    return sorted(found, key=lambda i: i.message.timestamp)

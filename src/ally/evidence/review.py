"""Review and search imported messages: flagged first, marked as evidence or not relevant.

A mark is saved as a new version of the message entry (the vault keeps every version), so
the original import stays in the journal's history and the decision is dated.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable
from typing import Literal

from ally.errors import UsageError
from ally.evidence.index import message_index
from ally.evidence.indexing import INDEX_BLOB, fold, page_index
from ally.evidence.pipeline import EvidenceStore, StoredEntry
from ally.evidence.reviewed import Reviewed, items_of, reviewed

__all__ = ["DECISIONS", "Reviewed", "mark", "review_queue", "reviewed", "search", "stored_messages"]
from ally.model.pages import MESSAGE_KIND, PAGE_KIND, page_messages

Decision = Literal["evidence", "not_relevant"]
DECISIONS: tuple[Decision, ...] = ("evidence", "not_relevant")


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
                items = items_of(entry.kind, entry.payload, root_id, seq)
            fresh[version_id] = items
            found.extend(items)
    _READ[store] = fresh
    return found


def _read_all(store: EvidenceStore) -> list[Reviewed]:
    found: list[Reviewed] = []
    for kind in (MESSAGE_KIND, PAGE_KIND):
        for entry in store.entries(kind=kind):
            found.extend(items_of(entry.kind, entry.payload, entry.root_id, entry.seq))
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
    page (None: the entry is the message). Found with the search index when the vault has
    one (``index.message_index``), else among what was read (``stored_messages``); only the
    one entry is decrypted again."""
    if len(entry_id) >= 4:
        if hasattr(store, "read_extra") and hasattr(store, "heads"):
            found = message_index(store).find_id(entry_id)  # type: ignore[arg-type]
            holder = (
                (found[0].root_id, found[0].data["ids"][found[1]], found[0].kind) if found else None
            )
        else:
            item = next(
                (i for i in stored_messages(store) if i.entry_id.startswith(entry_id)), None
            )
            holder = (
                (
                    item.page_id or item.entry_id,
                    item.entry_id,
                    PAGE_KIND if item.page_id else MESSAGE_KIND,
                )
                if item
                else None
            )
        if holder is not None:
            root, message_id, kind = holder
            entry = store.entry(root)
            if kind != PAGE_KIND:
                return entry, None
            for place, payload in enumerate(page_messages(entry.payload)):
                if payload["id"] == message_id:
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
        store.edit(entry.root_id, payload, conversation_id=entry.conversation_id)
        return
    messages = list(payload["messages"])
    messages[place] = {**messages[place], "review": review}
    payload["messages"] = messages
    index = {INDEX_BLOB: page_index(page_messages(payload))}
    store.edit(entry.root_id, payload, conversation_id=entry.conversation_id, extra=index)


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
    store.rewrite(
        entry.root_id, PAGE_KIND, payload, lookups, {INDEX_BLOB: page_index(page_messages(payload))}
    )


def search(
    items: Iterable[Reviewed],
    text: str | None = None,
    sender: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    conversation: str | None = None,
    flagged_only: bool = False,
) -> list[Reviewed]:
    """Messages matching every given filter (text and names: substrings, ignoring case and
    accents, as the search index does)."""
    needle = fold(text) if text else None
    who = fold(sender) if sender else None
    chat = fold(conversation) if conversation else None
    found = []
    for item in items:
        message = item.message
        if needle and needle not in fold(message.text):
            continue
        if who and who not in fold(message.sender):
            continue
        if chat and chat not in fold(message.conversation):
            continue
        if since and message.timestamp < since:
            continue
        if until and message.timestamp > until:
            continue
        if flagged_only and not item.flagged:
            continue
        found.append(item)
    return sorted(found, key=lambda i: i.message.timestamp)

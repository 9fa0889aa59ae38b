"""Pages of imported messages: how an import stores many messages in one journal entry.

Each journal entry is its own age file, and every age file needs a fresh X25519 key exchange
(about 60–130 µs here): one entry per message capped an import near 5,000 messages a second.
So an import stores its messages in *pages*: one entry of kind ``messages`` holds up to a few
hundred of them, in the order they were read, each with its own id (16 hex digits, like an
entry's), its natural key, detection and review. The page is chained and verified like any
entry, decrypts with the stock ``age`` tool, and is found by each of its messages' keys.

A decision about one message (evidence, not relevant) is saved as a new version of its page,
so the import itself stays in the journal's history and the decision is dated, as before.
Entries of kind ``message`` (one message each) written by older versions of Ally are read
alongside pages everywhere.

This module only reads and builds the plain data; it does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ally.model.journal import Entry

PAGE_KIND = "messages"
"""The entry kind of a page of imported messages."""
MESSAGE_KIND = "message"
"""The entry kind older versions of Ally gave each imported message."""


def page_messages(payload: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The message payloads of a page (an empty list for anything else)."""
    if not payload:
        return []
    messages = payload.get("messages")
    if not isinstance(messages, list):
        return []
    return [m for m in messages if isinstance(m, dict) and isinstance(m.get("id"), str)]


def message_entries(entry: Entry) -> Iterator[Entry]:
    """A page as one entry per message (for reports and lists that show messages one by
    one); any other entry as itself. The messages keep the page's number (``seq``), so a
    report cites where in the journal they are; their ids are the messages' own."""
    if entry.kind != PAGE_KIND:
        yield entry
        return
    for message in page_messages(entry.payload):
        yield entry.model_copy(
            update={
                "id": message["id"],
                "root_id": message["id"],
                "kind": MESSAGE_KIND,
                "payload": message,
                "attachments": (),
            }
        )

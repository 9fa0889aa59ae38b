"""Imported chats on the share page: one choice per conversation, not one per storage page.

An import keeps its messages in pages of a few hundred (``ally.model.pages``); listing those
pages made a 90,000-message chat 584 checkboxes, each decrypted to say "155 imported
messages". Here the page lists each conversation once, worked out from the search index
(``ally.evidence.chats``), with "all of it" or "only the flagged messages", and each
import's original file as its own choice. Messages are read only when the person shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ally.evidence.chats import ChatSummary, chat_messages, chat_summaries
from ally.evidence.index import message_index
from ally.evidence.pipeline import EXPORT_KIND, holds_messages
from ally.model.journal import Entry
from ally.model.pages import MESSAGE_KIND, PAGE_KIND
from ally.vault import Vault
from ally.web.pages import FormFields

MESSAGE_KINDS = (PAGE_KIND, MESSAGE_KIND)
"""Imported messages: shared as chats, never as entries (a page is storage, not a choice)."""
NOT_LISTED = (*MESSAGE_KINDS, EXPORT_KIND)
"""Entry kinds the share page lists as chats and original files, not as journal entries."""
ALL, FLAGGED = "all", "flagged"


@dataclass(frozen=True)
class Imported:
    """What the share page lists of the journal's imports."""

    chats: list[ChatSummary]
    originals: list[Entry]
    """The ``export`` entries: each import's original file, with its name and hash."""


def imported(vault: Vault) -> Imported:
    """The journal's chats (from the index: no message is decrypted) and original files."""
    if not holds_messages(vault):
        return Imported([], [])
    chats = chat_summaries(message_index(vault))
    originals = [e for e in vault.entries(kind=EXPORT_KIND) if not e.forgotten]
    return Imported(chats, originals)


def chosen_chats(
    vault: Vault, form: FormFields
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The chats the person chose (``chat-<id>``: "all" or "flagged"), with their messages."""
    if not holds_messages(vault):
        return []
    index = message_index(vault)
    found = []
    for chat in chat_summaries(index):
        choice = form.get(f"chat-{chat.id}")
        if choice not in (ALL, FLAGGED):
            continue
        only = choice == FLAGGED
        messages = chat_messages(index, chat.id, flagged_only=only)
        if messages:
            found.append((chat.as_shared(only, len(messages), 0), messages))
    return found


def day_span(chat: ChatSummary, zone: dt.tzinfo) -> tuple[dt.date, dt.date] | None:
    """The chat's first and last day, in the person's zone."""
    if chat.first is None or chat.last is None:
        return None
    return chat.first.astimezone(zone).date(), chat.last.astimezone(zone).date()

"""Imported chats as a person thinks of them: one conversation, not the storage pages it is in.

An import stores its messages in pages of a few hundred (``ally.model.pages``); a page is
storage, not something a person chose. This module lists each conversation once, with how
many messages it holds, their first and last day and how many were flagged, from the search
index alone (``ally.evidence.index``: a few KB per page, kept with the unlocked vault), so a
page listing 90,000 messages decrypts no message. Only when a chat is shared are its
messages read (``chat_messages``), as plain dicts a share can hold.

No I/O of its own: everything comes through the ``MessageIndex`` of an unlocked vault.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import weakref
from dataclasses import dataclass
from typing import Any

from ally.evidence.index import MessageIndex, Shard
from ally.model.message import Provenance

PLATFORM_NAMES = {
    "whatsapp": "WhatsApp",
    "signal": "Signal",
    "telegram": "Telegram",
    "facebook": "Facebook Messenger",
    "instagram": "Instagram",
    "discord": "Discord",
    "sms": "SMS",
    "email": "Email",
}
CHAT_FORMAT = "ally-shared-chat/1"
"""What a shared chat's summary holds (``ChatSummary.as_shared``)."""


@dataclass(frozen=True)
class ChatSummary:
    """One conversation of the journal's imported messages."""

    key: str
    """``platform\\x1fname``, as the index keeps it."""
    count: int
    flagged: int
    """Flagged by the detector and not marked "not relevant", or kept as evidence."""
    first: dt.datetime | None
    last: dt.datetime | None

    @property
    def id(self) -> str:
        """A short id for forms and addresses that says nothing of the chat's name."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:16]

    @property
    def platform(self) -> str:
        return self.key.split("\x1f", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split("\x1f", 1)[-1]

    @property
    def title(self) -> str:
        """'WhatsApp chat with Dee' (the name as the export gave it)."""
        app = PLATFORM_NAMES.get(self.platform, self.platform or "Imported")
        return f"{app} chat with {self.name}" if self.name else f"{app} chat"

    def as_shared(self, flagged_only: bool, shared: int, pages: int) -> dict[str, Any]:
        """The summary an advocate reads before opening any page of messages."""
        return {
            "format": CHAT_FORMAT,
            "id": self.id,
            "title": self.title,
            "platform": self.platform,
            "name": self.name,
            "count": self.count,
            "flagged": self.flagged,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "flagged_only": flagged_only,
            "shared": shared,
            "pages": pages,
        }


def _moment(seconds: float) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, dt.UTC) if seconds else None


def _chosen(index: MessageIndex, rank: int) -> bool:
    """Flagged and not set aside by the person, or kept as evidence by them."""
    decision = index.decision(rank)
    return decision == "evidence" or (bool(index.flag[rank]) and decision != "not_relevant")


Stats = dict[str, list[float]]
"""Per conversation of one page: [count, flagged, first time, last time] (0.0: no time)."""
_STATS: weakref.WeakKeyDictionary[MessageIndex, dict[str, Stats]] = weakref.WeakKeyDictionary()
"""Each page version's stats, kept with the index: a page changes only by a new version."""


def _page_stats(shard: Shard) -> Stats:
    """One page's conversations, counted from its index columns (no message is read)."""
    data = shard.data
    found: Stats = {}
    names = data["conversations"]
    for number, moment, flag, decision in zip(
        data["c"], data["t"], data["f"], data["d"], strict=True
    ):
        row = found.get(names[number])
        if row is None:
            row = found[names[number]] = [0.0, 0.0, 0.0, 0.0]
        row[0] += 1
        row[1] += decision == "evidence" or (bool(flag) and decision != "not_relevant")
        if moment:
            row[2] = min(row[2], moment) if row[2] else moment
            row[3] = max(row[3], moment)
    return found


def chat_summaries(index: MessageIndex) -> list[ChatSummary]:
    """Every conversation, the most recent first; nothing but the index is read, and each
    page's counts are kept until the page changes."""
    kept = _STATS.setdefault(index, {})
    fresh: dict[str, Stats] = {}
    totals: dict[str, list[float]] = {}
    for shard in index.shards:
        stats = fresh[shard.version_id] = kept.get(shard.version_id) or _page_stats(shard)
        for name, (count, flagged, first, last) in stats.items():
            total = totals.setdefault(name, [0.0, 0.0, 0.0, 0.0])
            total[0] += count
            total[1] += flagged
            if first:
                total[2] = min(total[2], first) if total[2] else first
            total[3] = max(total[3], last)
    _STATS[index] = fresh
    found = [
        ChatSummary(key, int(count), int(flagged), _moment(first), _moment(last))
        for key, (count, flagged, first, last) in totals.items()
    ]
    found.sort(key=lambda chat: chat.last or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    return found


def chat_messages(index: MessageIndex, chat_id: str, flagged_only: bool) -> list[dict[str, Any]]:
    """The messages of one conversation in time order, as a share holds them; with
    ``flagged_only`` only those flagged (and not set aside) or kept as evidence: no other
    message's text leaves the journal. Each page is decrypted once, only if it holds one."""
    for key, ranks in index.conversation_ranks().items():
        if ChatSummary(key, 0, 0, None, None).id != chat_id:
            continue
        chosen = [index.position(r) for r in ranks if not flagged_only or _chosen(index, r)]
        pages: dict[str, list[dict[str, Any]]] = {}
        for shard, _ in chosen:
            if shard.version_id not in pages:
                pages[shard.version_id] = index.payloads(shard)
        found = []
        for shard, place in chosen:
            stored = pages[shard.version_id]
            wanted = shard.data["ids"][place]
            payload = stored[place] if place < len(stored) else None
            if payload is None or payload.get("id") != wanted:  # older pages: find it by id
                payload = next((m for m in stored if m.get("id") == wanted), None)
            if payload is not None:
                found.append(shared_message(payload))
        return found
    return []


def shared_message(payload: dict[str, Any]) -> dict[str, Any]:
    """One stored message as an advocate reads it: when, who, what, the detector's finding
    and reason, the person's decision, and where it is in the export."""
    detection = payload.get("detection") or {}
    review = payload.get("review") or {}
    scores = {str(k): float(v) for k, v in (detection.get("scores") or {}).items() if v}
    provenance = payload.get("provenance") or {}
    try:
        where = Provenance(**provenance).where()
    except TypeError:
        where = ""
    return {
        "id": payload.get("id"),
        "at": payload.get("timestamp"),
        "sender": str(payload.get("sender") or ""),
        "text": str(payload.get("text") or ""),
        "system": bool(payload.get("system")),
        "deleted": bool(payload.get("deleted")),
        "attachments": [
            str(a.get("name", "")) for a in payload.get("attachments") or () if isinstance(a, dict)
        ],
        "flagged": bool(detection.get("flagged")),
        "scores": scores,
        "reasons": [str(r) for r in detection.get("reasons") or ()],
        "decision": review.get("decision") if isinstance(review, dict) else None,
        "where": where,
    }

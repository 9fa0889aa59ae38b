"""Review and search imported messages: flagged first, marked as evidence or not relevant.

A mark is saved as a new version of the message entry (the vault keeps every version), so
the original import stays in the journal's history and the decision is dated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ally.errors import UsageError
from ally.evidence.pipeline import MESSAGE_KIND, EvidenceStore, StoredEntry
from ally.model.message import Message

Decision = Literal["evidence", "not_relevant"]
DECISIONS: tuple[Decision, ...] = ("evidence", "not_relevant")


@dataclass(frozen=True)
class Reviewed:
    """A stored message with its detection result and review decision."""

    entry_id: str
    seq: int
    message: Message
    flagged: bool
    top_score: float
    reasons: tuple[str, ...]
    decision: str | None

    @property
    def conversation_id(self) -> str:
        return f"{self.message.platform}:{self.message.conversation}"


def _reviewed(entry: StoredEntry) -> Reviewed | None:
    payload = entry.payload
    if not payload:
        return None
    try:
        message = Message.from_payload(payload)
    except ValueError:
        return None
    detection: dict[str, Any] = payload.get("detection") or {}
    scores = detection.get("scores") or {}
    review = payload.get("review") or {}
    return Reviewed(
        entry_id=entry.root_id,
        seq=entry.seq,
        message=message,
        flagged=bool(detection.get("flagged")),
        top_score=max((float(v) for v in scores.values()), default=0.0),
        reasons=tuple(str(r) for r in detection.get("reasons") or ()),
        decision=review.get("decision") if isinstance(review, dict) else None,
    )


def stored_messages(store: EvidenceStore) -> list[Reviewed]:
    """Every imported message still in the vault (forgotten ones are left out)."""
    found = (_reviewed(entry) for entry in store.entries(kind=MESSAGE_KIND))
    return [item for item in found if item is not None]


def review_queue(items: Iterable[Reviewed], include_reviewed: bool = False) -> list[Reviewed]:
    """Flagged messages first (strongest first), then the rest by time."""
    pending = [item for item in items if include_reviewed or item.decision is None]
    flagged = sorted(
        (i for i in pending if i.flagged), key=lambda i: (-i.top_score, i.message.timestamp)
    )
    rest = sorted((i for i in pending if not i.flagged), key=lambda i: i.message.timestamp)
    return flagged + rest


def mark(store: EvidenceStore, entry_id: str, decision: str, note: str | None = None) -> None:
    """Save the person's decision about one message as a new version of its entry."""
    if decision not in DECISIONS:
        raise UsageError("Mark a message as 'evidence' or 'not_relevant'.")
    for entry in store.entries(kind=MESSAGE_KIND):
        if entry_id and entry.root_id.startswith(entry_id):
            payload = dict(entry.payload or {})
            payload["review"] = {
                "decision": decision,
                "at": dt.datetime.now(dt.UTC).isoformat(),
                "note": note,
            }
            store.edit(entry.root_id, payload, conversation_id=entry.conversation_id)
            return
    raise UsageError(
        f"No imported message has the id {entry_id!r}. Run `ally evidence search` to find ids."
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

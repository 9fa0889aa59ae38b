"""A stored message as review and search show it: the message, its detection, its decision.

Shared by ``review`` (queue, marks, forgetting) and ``index`` (search without reading every
message), which both build these from stored payloads. No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ally.model.message import Message
from ally.model.pages import PAGE_KIND, page_messages


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


def items_of(kind: str, payload: dict[str, Any] | None, root_id: str, seq: int) -> list[Reviewed]:
    if kind == PAGE_KIND:
        found = (reviewed(m, m["id"], seq, root_id) for m in page_messages(payload))
        return [item for item in found if item is not None]
    item = reviewed(payload, root_id, seq)
    return [item] if item is not None else []

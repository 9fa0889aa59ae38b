"""The plaintext inside an entry's encrypted file: the payload and its conversation id."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def envelope(payload: Mapping[str, Any], conversation_id: str | None) -> bytes:
    """Entries are stored as JSON: the payload as given, plus the conversation it belongs to."""
    body = {"payload": dict(payload), "conversation_id": conversation_id}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")

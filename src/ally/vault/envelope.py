"""The plaintext inside an entry's encrypted file: the payload and its conversation id."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def envelope(payload: Mapping[str, Any], conversation_id: str | None) -> bytes:
    """Entries are stored as JSON: the payload as given, plus the conversation it belongs to.

    orjson writes it (a page of imported messages is a few hundred of them, and orjson is
    about ten times faster than ``json``); text it cannot write as UTF-8 (a lone surrogate
    from a damaged export) goes through ``json``, which escapes it.
    """
    body = {"payload": dict(payload), "conversation_id": conversation_id}
    try:
        return orjson.dumps(body, option=_OPTIONS, default=str)
    except TypeError:
        return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode(
            "utf-8", "surrogatepass"
        )


def read_envelope(data: bytes) -> dict[str, Any]:
    """The stored JSON back as a dict (orjson, or ``json`` for what only it wrote)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = json.loads(data.decode("utf-8", "surrogatepass"))
    if not isinstance(value, dict):
        raise ValueError("not an entry")
    return value

"""Stream the message objects out of a large JSON export without loading the whole file.

ijson reads the file as a sequence of events; only one message object at a time is built.
Each comes with its JSON path (``$.chats.list[2].messages[17]``), which is the provenance the
person can use to find the original, and errors name the last message read successfully.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import ijson

from ally.evidence.importers.base import Source


@dataclass(frozen=True)
class JsonItem:
    """A finished message object, or a scalar outside messages (e.g. the chat's name)."""

    prefix: str
    path: str
    value: Any
    is_item: bool


def json_path(prefix: str, counters: dict[str, int]) -> str:
    """Turn an ijson prefix (``chats.list.item.messages.item``) into ``$.chats.list[0].messages[3]``."""
    parts = prefix.split(".") if prefix else []
    out = "$"
    for index, part in enumerate(parts):
        if part == "item":
            array = ".".join(parts[:index])
            out += f"[{counters.get(array, 1) - 1}]"
        else:
            out += f".{part}"
    return out


def top_level_message(prefix: str) -> bool:
    """An ``is_item`` for exports whose messages are the items of a top-level "messages"
    array (Discord, Messenger and Instagram)."""
    return prefix == "messages.item"


def stream(source: Source, handle: IO[bytes], is_item: Callable[[str], bool]) -> Iterator[JsonItem]:
    """Yield each object at a prefix for which ``is_item`` is true, and every other scalar."""
    last = "the start of the file"
    events = _events(handle, is_item)
    while True:
        try:
            item = next(events)
        except StopIteration:
            return
        except (ijson.JSONError, ValueError, OverflowError):
            # `from None`: ijson's message quotes the JSON around the fault (chat text).
            raise source.error(f"after {last}", "the JSON is damaged or cut short.") from None
        if item.is_item:
            last = item.path
        yield item


def _events(handle: IO[bytes], is_item: Callable[[str], bool]) -> Iterator[JsonItem]:
    counters: dict[str, int] = {}
    builder: Any = None
    item_prefix = ""
    for prefix, event, value in ijson.parse(handle, use_float=True):
        if builder is not None:
            builder.event(event, value)
            if prefix == item_prefix and event in ("end_map", "end_array"):
                yield JsonItem(prefix, json_path(prefix, counters), builder.value, True)
                builder = None
            continue
        if prefix.endswith("item") and event in (
            "start_map",
            "start_array",
            "string",
            "number",
            "boolean",
            "null",
        ):
            array = prefix[: -len("item")].rstrip(".")
            counters[array] = counters.get(array, 0) + 1
            if event == "start_array":
                counters[prefix] = 0
        elif event == "start_array":
            counters[prefix] = 0
        if is_item(prefix) and event in ("start_map", "start_array"):
            builder = ijson.ObjectBuilder()
            builder.event(event, value)
            item_prefix = prefix
        elif event in ("string", "number", "boolean", "null"):
            yield JsonItem(prefix, json_path(prefix, counters), value, is_item(prefix))

"""Telegram Desktop's "Export chat history" / "Export Telegram data" in JSON (result.json).

A single-chat export is ``{"name", "type", "id", "messages": [...]}``; a full export nests the
same under ``chats.list``. Messages carry ``date_unixtime`` (UTC) in current versions and only
a local ``date`` in old ones; ``text`` is a string or a list of plain strings and styled pieces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from ally.evidence.importers import fields as f
from ally.evidence.importers.base import ImportOptions, Probe, Source, from_seconds, parse_iso
from ally.evidence.importers.jsonstream import stream
from ally.model.message import Attachment, Message

_CHAT_TYPES = (
    b'"personal_chat"',
    b'"private_group"',
    b'"private_supergroup"',
    b'"public_supergroup"',
    b'"private_channel"',
    b'"public_channel"',
    b'"saved_messages"',
    b'"bot_chat"',
)
_NOT_INCLUDED = "(File not included"


class TelegramImporter:
    name = "telegram"
    label = "Telegram Desktop export (result.json)"

    def sniff(self, probe: Probe) -> bool:
        head = probe.json_object()
        if head is None:
            return False
        if b'"personal_information"' in head or b'"date_unixtime"' in head:
            return True
        return b'"messages"' in head and any(kind in head for kind in _CHAT_TYPES)

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        zone = options.zone()
        chat: dict[str, Any] = {}
        with source.path.open("rb") as handle:
            for item in stream(source, handle, lambda prefix: prefix.endswith("messages.item")):
                if not item.is_item:
                    _remember_chat(chat, item.prefix, item.value)
                    continue
                if not isinstance(item.value, dict):
                    raise source.error(item.path, "a message here is not a JSON object.")
                yield _message(source, options, zone, chat, item.path, item.value)


def _remember_chat(chat: dict[str, Any], prefix: str, value: Any) -> None:
    """Keep the current chat's name and id, which come before its messages."""
    owner, _, key = prefix.rpartition(".")
    if key in ("name", "id", "type") and (owner == "" or owner.endswith("list.item")):
        if chat.get("_owner") != owner or key in chat:
            chat.clear()
            chat["_owner"] = owner
        chat[key] = value


def _message(
    source: Source,
    options: ImportOptions,
    zone: dt.tzinfo,
    chat: dict[str, Any],
    path: str,
    raw: dict[str, Any],
) -> Message:
    when, assumed = _time(raw, "date", zone)
    if when is None:
        raise source.error(path, "this message has no readable date.")
    edited_at, _ = _time(raw, "edited", zone)
    service = raw.get("type") == "service"
    sender = (
        f.text(raw.get("actor") if service else raw.get("from"))
        or f.opt_text(raw.get("actor_id") if service else raw.get("from_id"))
        or "(unknown sender)"
    )
    body = flatten(raw.get("text"))
    if service:
        action = f.text(raw.get("action"), "event").replace("_", " ")
        body = f"[{action}] {body}".rstrip()
    reply = raw.get("reply_to_message_id")
    conversation = (
        options.conversation
        or f.opt_text(chat.get("name"))
        or (
            f"Telegram chat {f.opt_text(chat.get('id'))}"
            if f.opt_text(chat.get("id"))
            else source.path.stem
        )
    )
    return Message(
        platform="telegram",
        conversation=conversation,
        sender=sender,
        timestamp=when,
        text=body,
        attachments=_attachments(source, raw),
        message_id=f.opt_text(raw.get("id")),
        reply_to=f.opt_text(reply) if f.integer(reply) != 0 else None,
        edited=edited_at is not None,
        edited_at=edited_at,
        system=service,
        timezone_assumed=assumed,
        provenance=source.at(json_path=path),
    )


def _time(raw: dict[str, Any], key: str, zone: dt.tzinfo) -> tuple[dt.datetime | None, bool]:
    exact = (
        from_seconds(raw.get(f"{key}_unixtime")) if raw.get(f"{key}_unixtime") is not None else None
    )
    if exact is not None:
        return exact, False
    local = parse_iso(raw.get(key), zone)
    return (local[0], local[1]) if local else (None, False)


def flatten(value: Any) -> str:
    """Telegram text: a string, or a list of strings and ``{"type", "text"}`` pieces."""
    if isinstance(value, str):
        return value
    pieces = []
    for piece in f.items(value):
        if isinstance(piece, str):
            pieces.append(piece)
        elif isinstance(piece, dict):
            pieces.append(f.text(piece.get("text")))
    return "".join(pieces)


def _attachments(source: Source, raw: dict[str, Any]) -> tuple[Attachment, ...]:
    found = []
    base = source.path.parent
    for key in ("photo", "file"):
        where = raw.get(key)
        if not isinstance(where, str) or not where:
            continue
        name = f.text(raw.get("file_name")) or None if key == "file" else None
        kind = f.text(raw.get("mime_type")) or None
        if where.startswith(_NOT_INCLUDED):
            found.append(
                Attachment(name=name or key, media_type=kind, size=f.integer(raw.get("file_size")))
            )
        else:
            found.append(f.local_file(base, where, name, kind))
    return tuple(found)

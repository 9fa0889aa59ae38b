"""A message read from an export, the same shape whatever app it came from.

Importers turn WhatsApp, Telegram, Messenger, Instagram, Discord, SMS and email exports into
``Message`` values. Each one carries its provenance — the SHA-256 of the exported file and the
exact place in it (line and byte offset, or a JSON path) — so the original can be shown beside
the message and anyone can check that nothing was changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Platform = Literal["whatsapp", "telegram", "facebook", "instagram", "discord", "sms", "email"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provenance(_Frozen):
    """Where a message came from: which file (by hash) and where in it."""

    source_sha256: str = Field(description="SHA-256 of the exported file, hex.")
    source_name: str = Field(description="The exported file's name (no folders).")
    member: str | None = Field(None, description="The file inside a .zip export, if any.")
    line: int | None = Field(None, description="1-based line where the message starts.")
    byte_offset: int | None = Field(None, description="Byte offset where the message starts.")
    json_path: str | None = Field(None, description="JSON path of the message, e.g. $.messages[3].")

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


class Attachment(_Frozen):
    """A file sent with a message: inside the export, or only named by it."""

    name: str
    media_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    location: str | None = Field(
        None, description="Where the file is: a member of the .zip, or the path the export names."
    )
    included: bool = Field(False, description="True when the file's bytes are inside the export.")


class Message(_Frozen):
    """One normalized message."""

    platform: Platform
    conversation: str
    sender: str
    timestamp: AwareDatetime
    text: str
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = Field(None, description="The app's own id for the message, if any.")
    reply_to: str | None = Field(None, description="The app's id of the message this answers.")
    edited: bool = False
    edited_at: AwareDatetime | None = None
    deleted: bool = False
    system: bool = Field(False, description="Written by the app (e.g. 'X joined'), not a person.")
    outgoing: bool | None = Field(None, description="Sent by the person who made the export.")
    timezone_assumed: bool = Field(
        False, description="The export had no time zone; the importer's zone was assumed."
    )
    provenance: Provenance

    def natural_key(self) -> str:
        """What identifies this message across two exports of the same conversation.

        The app's own id when it has one; otherwise sender, time and content, which is what a
        later export repeats exactly. Positions and file hashes are left out on purpose: they
        change from one export to the next.
        """
        if self.message_id:
            basis = f"id\0{self.message_id}"
        else:
            stamp = self.timestamp.astimezone(dt.UTC).isoformat()
            names = "\0".join(attachment.name for attachment in self.attachments)
            basis = f"content\0{self.sender}\0{stamp}\0{self.text}\0{names}"
        raw = f"{self.platform}\0{self.conversation}\0{basis}"
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()

"""DiscordChatExporter exports, JSON and CSV.

JSON: ``{"guild", "channel", "messages": [{"id", "type", "timestamp", "timestampEdited",
"content", "author", "attachments", "reference", ...}]}`` with ISO 8601 times that carry their
offset. CSV: columns ``AuthorID, Author, Date, Content, Attachments, Reactions``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

from dateutil import parser as date_parser

from ally.evidence.importers import fields as f
from ally.evidence.importers.base import ImportOptions, Probe, Source, parse_iso
from ally.evidence.importers.jsonstream import stream, top_level_message
from ally.model.message import Attachment, Message

_SYSTEM_TYPES = {
    "RecipientAdd",
    "RecipientRemove",
    "Call",
    "ChannelNameChange",
    "ChannelIconChange",
    "ChannelPinnedMessage",
    "GuildMemberJoin",
    "ThreadCreated",
}
_CSV_COLUMNS = ["AuthorID", "Author", "Date", "Content", "Attachments", "Reactions"]
_ID_SUFFIX = re.compile(r"\s*\[\d+\]$")


class DiscordJsonImporter:
    name = "discord-json"
    label = "DiscordChatExporter JSON"

    def sniff(self, probe: Probe) -> bool:
        head = probe.json_object()
        return head is not None and b'"guild"' in head and b'"channel"' in head

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        zone = options.zone()
        names: dict[str, str] = {}
        with source.path.open("rb") as handle:
            for item in stream(source, handle, top_level_message):
                if not item.is_item:
                    if item.prefix in (
                        "guild.name",
                        "channel.name",
                        "channel.category",
                    ) and isinstance(item.value, str):
                        names[item.prefix] = item.value
                    continue
                if not isinstance(item.value, dict):
                    raise source.error(item.path, "a message here is not a JSON object.")
                conversation = options.conversation or _conversation(names, source)
                yield _json_message(source, zone, conversation, item.path, item.value)


def _conversation(names: dict[str, str], source: Source) -> str:
    channel = names.get("channel.name")
    guild = names.get("guild.name")
    if channel and guild and guild != "Direct Messages":
        return f"{guild} / #{channel}"
    return channel or guild or source.path.stem


def _sender(author: dict[str, Any]) -> str:
    name = f.text(author.get("nickname")) or f.text(author.get("name")) or "(unknown sender)"
    handle = f.text(author.get("name"))
    tag = f.text(author.get("discriminator"))
    if handle and handle != name:
        name = f"{name} ({handle})"
    if tag and tag != "0000" and tag != "0":
        name = f"{name}#{tag}"
    return name


def _json_message(
    source: Source, zone: dt.tzinfo, conversation: str, path: str, raw: dict[str, Any]
) -> Message:
    when = parse_iso(raw.get("timestamp"), zone)
    if when is None:
        raise source.error(path, "this message has no readable time.")
    edited = parse_iso(raw.get("timestampEdited"), zone)
    attachments = tuple(
        _attachment(f.mapping(entry))
        for entry in f.items(raw.get("attachments"))
        if isinstance(entry, dict)
    )
    body = f.text(raw.get("content"))
    stickers = [f.text(f.mapping(s).get("name")) for s in f.items(raw.get("stickers"))]
    if stickers and not body:
        body = " ".join(f"[sticker: {name}]" for name in stickers if name)
    return Message(
        platform="discord",
        conversation=conversation,
        sender=_sender(f.mapping(raw.get("author"))),
        timestamp=when[0],
        text=body,
        attachments=attachments,
        message_id=f.opt_text(raw.get("id")),
        reply_to=f.opt_text(f.mapping(raw.get("reference")).get("messageId")),
        edited=edited is not None,
        edited_at=edited[0] if edited else None,
        system=f.text(raw.get("type")) in _SYSTEM_TYPES,
        timezone_assumed=when[1],
        provenance=source.at(json_path=path),
    )


def _attachment(raw: dict[str, Any]) -> Attachment:
    url = f.text(raw.get("url"))
    name = f.text(raw.get("fileName")) or url.rsplit("/", 1)[-1] or "attachment"
    return Attachment(
        name=name,
        media_type=f.guess_type(name),
        size=f.integer(raw.get("fileSizeBytes")),
        location=url or None,
    )


class DiscordCsvImporter:
    name = "discord-csv"
    label = "DiscordChatExporter CSV"

    def sniff(self, probe: Probe) -> bool:
        first = probe.text().split("\n", 1)[0].strip()
        header = [cell.strip().strip('"') for cell in first.split(",")]
        return header[:4] == _CSV_COLUMNS[:4]

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        zone = options.zone()
        conversation = options.conversation or _ID_SUFFIX.sub("", source.path.stem)
        with source.path.open("rb") as raw_handle:
            handle = io.TextIOWrapper(raw_handle, encoding="utf-8-sig", newline="")
            reader = csv.reader(handle)
            try:
                yield from self._rows(source, reader, zone, conversation)
            except csv.Error as error:
                raise source.error(f"line {reader.line_num}", "this CSV row is damaged.") from error
            except UnicodeDecodeError as error:
                raise source.error(
                    f"after line {reader.line_num}", "this file is not valid UTF-8 text."
                ) from error

    def _rows(
        self, source: Source, reader: Any, zone: dt.tzinfo, conversation: str
    ) -> Iterator[Message]:
        header = next(reader, None)
        if header is None or [cell.strip() for cell in header[:4]] != _CSV_COLUMNS[:4]:
            raise source.error("line 1", "the header row is not DiscordChatExporter's.")
        start = reader.line_num + 1
        for row in reader:
            where = f"line {start}"
            if len(row) < 4:
                raise source.error(where, f"this row has {len(row)} columns, expected at least 4.")
            when = _csv_time(row[2], zone)
            if when is None:
                raise source.error(where, "the date is not readable.")
            attachments = tuple(
                Attachment(
                    name=url.rsplit("/", 1)[-1] or url, media_type=f.guess_type(url), location=url
                )
                for url in (part.strip() for part in (row[4] if len(row) > 4 else "").split(","))
                if url
            )
            yield Message(
                platform="discord",
                conversation=conversation,
                sender=row[1] or row[0] or "(unknown sender)",
                timestamp=when[0],
                text=row[3],
                attachments=attachments,
                timezone_assumed=when[1],
                provenance=source.at(line=start),
            )
            start = reader.line_num + 1


def _csv_time(value: str, zone: dt.tzinfo) -> tuple[dt.datetime, bool] | None:
    exact = parse_iso(value, zone)
    if exact is not None:
        return exact
    try:
        parsed = date_parser.parse(value)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone), True
    return parsed, False

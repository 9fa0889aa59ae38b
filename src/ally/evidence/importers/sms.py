"""SMS Backup & Restore (Android) XML: ``<smses>`` with ``<sms>`` and ``<mms>`` elements.

Read with expat in chunks, so a backup of any size streams; each message keeps the line and
byte offset of its element. DTDs and entity declarations are refused (no entity expansion
attacks). MMS parts: ``text/plain`` parts are the text, ``application/smil`` is layout and
skipped, anything else is an attachment whose base64 ``data`` is hashed.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.parsers import expat

from ally.evidence.importers.base import ImportOptions, Probe, Source, from_millis
from ally.model.message import Attachment, Message

CHUNK = 1 << 16
_UNKNOWN = {"", "null", "(Unknown)"}
_FROM = "137"


class _RefusedError(Exception):
    """A DTD or entity declaration was found; raised inside expat callbacks."""


@dataclass
class _Mms:
    attrs: dict[str, str]
    line: int
    offset: int
    parts: list[dict[str, str]] = field(default_factory=list)
    addrs: list[dict[str, str]] = field(default_factory=list)


class SmsBackupImporter:
    name = "sms"
    label = "SMS Backup & Restore XML"

    def sniff(self, probe: Probe) -> bool:
        return probe.zip_names is None and b"<smses" in probe.head[:4096]

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        with source.path.open("rb") as handle:
            yield from _Reader(source, options).run(handle)


class _Reader:
    def __init__(self, source: Source, options: ImportOptions) -> None:
        self.source = source
        self.options = options
        self.out: list[Message] = []
        self.mms: _Mms | None = None
        self.root_seen = False
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._refuse
        self.parser.EntityDeclHandler = self._refuse
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end

    def run(self, handle: IO[bytes]) -> Iterator[Message]:
        try:
            while chunk := handle.read(CHUNK):
                self.parser.Parse(chunk, False)
                yield from self._drain()
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            where = f"line {error.lineno}, column {error.offset + 1}"
            raise self.source.error(where, "the XML is damaged or cut short.") from error
        except LookupError as error:
            raise self.source.error(
                "line 1", "the XML declares a text encoding that does not exist."
            ) from error
        except _RefusedError:
            # `from None`: an internal signal, no more to say.
            where = f"line {self.parser.CurrentLineNumber}"
            raise self.source.error(
                where, "the file declares a DTD or entities, which a backup never does."
            ) from None
        yield from self._drain()
        if not self.root_seen:
            raise self.source.error(
                "line 1", "this XML is not an SMS Backup & Restore file (no <smses>)."
            )

    def _drain(self) -> Iterator[Message]:
        ready, self.out = self.out, []
        yield from ready

    def _refuse(self, *_args: object) -> None:
        raise _RefusedError

    def _where(self) -> tuple[int, int]:
        return self.parser.CurrentLineNumber, self.parser.CurrentByteIndex

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "smses":
            self.root_seen = True
        elif name == "sms":
            self.out.append(self._sms(attrs, *self._where()))
        elif name == "mms":
            self.mms = _Mms(attrs, *self._where())
        elif name == "part" and self.mms is not None:
            self.mms.parts.append(attrs)
        elif name == "addr" and self.mms is not None:
            self.mms.addrs.append(attrs)

    def _end(self, name: str) -> None:
        if name == "mms" and self.mms is not None:
            self.out.append(self._mms(self.mms))
            self.mms = None

    def _sms(self, attrs: dict[str, str], line: int, offset: int) -> Message:
        when = from_millis(attrs.get("date"))
        if when is None:
            raise self.source.error(f"line {line}", "this SMS has no readable date.")
        outgoing = attrs.get("type", "1") != "1"
        address = attrs.get("address", "")
        contact = _known(attrs.get("contact_name")) or _known(address) or "(unknown number)"
        return Message(
            platform="sms",
            conversation=self.options.conversation or contact,
            sender=self.options.owner if outgoing else contact,
            timestamp=when,
            text=attrs.get("body", ""),
            outgoing=outgoing,
            provenance=self.source.at(line=line, byte_offset=offset),
        )

    def _mms(self, mms: _Mms) -> Message:
        attrs = mms.attrs
        when = from_millis(attrs.get("date"))
        if when is None:
            raise self.source.error(f"line {mms.line}", "this MMS has no readable date.")
        outgoing = attrs.get("msg_box", "1") != "1"
        contact = (
            _known(attrs.get("contact_name")) or _known(attrs.get("address")) or "(unknown number)"
        )
        sender_address = next(
            (a.get("address", "") for a in mms.addrs if a.get("type") == _FROM), ""
        )
        sender = self.options.owner if outgoing else (_known(sender_address) or contact)
        if not outgoing and "~" not in contact and sender_address:
            sender = contact
        texts = [p.get("text", "") for p in mms.parts if p.get("ct") == "text/plain"]
        attachments = tuple(
            _part(p, i)
            for i, p in enumerate(mms.parts)
            if p.get("ct") not in ("text/plain", "application/smil")
        )
        return Message(
            platform="sms",
            conversation=self.options.conversation or contact,
            sender=sender,
            timestamp=when,
            text="\n".join(t for t in texts if t and t != "null"),
            attachments=attachments,
            outgoing=outgoing,
            provenance=self.source.at(line=mms.line, byte_offset=mms.offset),
        )


def _known(value: str | None) -> str | None:
    return None if value is None or value.strip() in _UNKNOWN else value.strip()


def _part(part: dict[str, str], index: int) -> Attachment:
    name = next((part[k] for k in ("cl", "name", "fn") if _known(part.get(k))), f"part {index}")
    kind = _known(part.get("ct"))
    data = part.get("data")
    if not data:
        return Attachment(name=name, media_type=kind, location=f"MMS part {index}")
    try:
        payload = binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        return Attachment(name=name, media_type=kind, location=f"MMS part {index}")
    return Attachment(
        name=name,
        media_type=kind,
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        location=f"MMS part {index}",
        included=True,
    )

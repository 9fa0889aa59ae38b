"""Email: a single message (.eml) or a mailbox (.mbox) of many.

An mbox is split on its ``From `` separator lines as it is read, so only one email is in
memory at a time; each keeps the line and byte offset where it starts. Python's email package
parses headers, bodies (plain text preferred, HTML reduced to text) and attachments (hashed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import IO

from ally.evidence.importers.base import ImportOptions, Probe, Source
from ally.model.message import Attachment, Message

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]?")
_KNOWN_HEADERS = (
    b"from:",
    b"to:",
    b"subject:",
    b"date:",
    b"message-id:",
    b"received:",
    b"mime-version:",
    b"return-path:",
    b"delivered-to:",
    b"content-type:",
)
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|tr|rv|res|enc)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
_FROM_ESCAPED = re.compile(rb"^>+From ")
_PARSER = BytesParser(policy=policy.default)


class EmlImporter:
    name = "eml"
    label = "email message (.eml)"

    def sniff(self, probe: Probe) -> bool:
        if probe.zip_names is not None or probe.head.startswith(b"From "):
            return False
        lines = probe.head.lstrip(b"\xef\xbb\xbf").split(b"\n")
        known = 0
        for line in lines[:200]:
            line = line.rstrip(b"\r")
            if not line:
                break
            if line[:1] in (b" ", b"\t"):
                continue
            if not _HEADER_LINE.match(line):
                return False
            known += line.lower().startswith(_KNOWN_HEADERS)
        return known >= 2 or (known >= 1 and probe.name.lower().endswith(".eml"))

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        raw = source.path.read_bytes()
        yield to_message(source, options, raw, line=1, offset=0, fallback=None)


class MboxImporter:
    name = "mbox"
    label = "mailbox (.mbox)"

    def sniff(self, probe: Probe) -> bool:
        return probe.zip_names is None and probe.head.startswith(b"From ")

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        with source.path.open("rb") as handle:
            yield from _split(source, options, handle)


def _split(source: Source, options: ImportOptions, handle: IO[bytes]) -> Iterator[Message]:
    lines: list[bytes] = []
    start_line = start_offset = 0
    separator = b""
    offset = 0
    previous_blank = True
    for number, raw in enumerate(handle, start=1):
        if raw.startswith(b"From ") and previous_blank:
            if separator:
                yield to_message(
                    source,
                    options,
                    _joined(lines),
                    start_line,
                    start_offset,
                    _from_line_date(separator),
                )
            separator, lines, start_line, start_offset = raw, [], number, offset
        elif not separator:
            raise source.error(f"line {number}", "a mailbox must start with a 'From ' line.")
        else:
            lines.append(raw[1:] if _FROM_ESCAPED.match(raw) else raw)
        previous_blank = raw in (b"\n", b"\r\n")
        offset += len(raw)
    if not separator:
        raise source.error("line 1", "this mailbox is empty.")
    yield to_message(
        source, options, _joined(lines), start_line, start_offset, _from_line_date(separator)
    )


def _joined(lines: list[bytes]) -> bytes:
    """One email's bytes, without the blank line that belongs to the next separator."""
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    return b"".join(lines)


def _from_line_date(separator: bytes) -> dt.datetime | None:
    parts = separator.decode("ascii", "replace").split(None, 2)
    if len(parts) < 3:
        return None
    try:
        return dt.datetime.strptime(" ".join(parts[2].split()[:5]), "%a %b %d %H:%M:%S %Y").replace(
            tzinfo=dt.UTC
        )
    except ValueError:
        return None


def to_message(
    source: Source,
    options: ImportOptions,
    raw: bytes,
    line: int,
    offset: int,
    fallback: dt.datetime | None,
) -> Message:
    """Parse one email. Python's email package can fail in many ways on damaged mail; any
    failure becomes an error naming the position."""
    where = f"line {line}"
    try:
        mail = _PARSER.parsebytes(raw)
        if not isinstance(mail, EmailMessage):
            raise TypeError("not an email")
        return _build(source, options, mail, line, offset, fallback)
    except _NoDateError:
        # `from None`: an internal signal, no more to say.
        raise source.error(where, "this email has no readable date.") from None
    except Exception as error:  # the email package raises many kinds of error on damaged mail
        # `from None`: the email package's messages quote the damaged header.
        raise source.error(
            where, f"this email could not be read ({type(error).__name__})."
        ) from None


class _NoDateError(Exception):
    """The email has no Date, no Received date and no mbox separator date."""


def _build(
    source: Source,
    options: ImportOptions,
    mail: EmailMessage,
    line: int,
    offset: int,
    fallback: dt.datetime | None,
) -> Message:
    when = _date(mail) or fallback
    if when is None:
        raise _NoDateError
    subject = str(mail.get("subject", "") or "")
    conversation = options.conversation or _REPLY_PREFIX.sub("", subject).strip() or "(no subject)"
    return Message(
        platform="email",
        conversation=conversation,
        sender=str(mail.get("from", "") or "") or "(unknown sender)",
        timestamp=when,
        text=_body(mail),
        attachments=_attachments(mail),
        message_id=(str(mail.get("message-id", "") or "").strip() or None),
        reply_to=(str(mail.get("in-reply-to", "") or "").strip() or None),
        provenance=source.at(line=line, byte_offset=offset),
    )


def _date(mail: EmailMessage) -> dt.datetime | None:
    candidates = [mail.get("date")]
    received = mail.get_all("received") or []
    candidates += [str(value).rsplit(";", 1)[-1] for value in received[:1]]
    for value in candidates:
        if not value:
            continue
        try:
            parsed = parsedate_to_datetime(str(value))
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _content(part)
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content


def _content(part: MIMEPart) -> str:
    try:
        value = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


def _attachments(mail: EmailMessage) -> tuple[Attachment, ...]:
    found = []
    for index, part in enumerate(mail.iter_attachments()):
        if not isinstance(part, EmailMessage):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        name = part.get_filename() or f"attachment {index + 1}"
        found.append(
            Attachment(
                name=str(name),
                media_type=part.get_content_type(),
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                location=f"MIME attachment {index + 1}",
                included=True,
            )
        )
    return tuple(found)


class _TextOnly(HTMLParser):
    _BLOCK = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML email body (tags dropped, blocks on their own lines)."""
    reader = _TextOnly()
    reader.feed(html)
    reader.close()
    text = "".join(reader.parts)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()

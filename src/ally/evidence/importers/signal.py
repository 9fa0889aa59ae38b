"""Signal: the text and JSON exports people make of their Signal chats.

Signal had no export of its own for years, so people use other tools; four forms are read:

* **signal-export** (``sigexport``, Signal Desktop): one folder per chat with ``chat.md``,
  lines ``[2024-03-05 14:30:12] Sam: text`` (older versions: ``[2024-03-05, 14:30] Sam:``),
  attachments as Markdown links to files beside it, and ``data.json``, one JSON object per
  line (``date``, ``sender``, ``body``, ``quote``, ``reactions``, ``attachments``, ``deleted``).
* **signalbackup-tools** ``--exporttxt`` (an Android backup): one ``Name (_id12).txt`` per
  chat, lines ``[Mar 05, 2024 14:30:12] <Sam> text``, ``*** <Sam> sent file "a.jpg"`` and
  ``*** `` status lines.
* **Signal's own export** (Signal Desktop and the phones, 2026: "Export chats"): a folder with
  ``main.jsonl``, one frame of Signal's backup format per line as JSON — ``recipient``,
  ``chat`` and ``chatItem`` frames — and ``files/``.

The first two write local times without a zone (the zone is assumed, like WhatsApp's);
Signal's own export writes milliseconds since 1970, an exact instant, and identifies a message
by its author and sent time, which becomes its natural key.

A Signal text line looks like a WhatsApp iOS line written with a year-first date, so Signal is
told apart by its own markers — a ``.md`` file, Markdown links to attachments, Signal's
wording ("This message was deleted"), a ``data.json`` beside it — and by the absence of
WhatsApp's (its left-to-right marks, "<attached: …>", "<Media omitted>", its encryption
notice). Lines that cannot be read are kept as written (lenient, the default) or refuse the
file (``--strict``), as for WhatsApp.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ally.evidence.importers import fields as f
from ally.evidence.importers.base import ImportOptions, Probe, Source, from_millis
from ally.evidence.importers.encoding import detect, open_text
from ally.model.message import Attachment, Message, Provenance

# --- telling Signal apart ----------------------------------------------------------------------

SIGEXPORT_LINE = re.compile(
    r"^\[(\d{4})-(\d{2})-(\d{2}),? (\d{2}):(\d{2})(?::(\d{2}))?\] (?=[^\n]*?: ?)"
)
BACKUPTOOLS_LINE = re.compile(
    r"^\[(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{2}), (\d{4}) "
    r"(\d{2}):(\d{2}):(\d{2})\] "
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
SIGNAL_MARKERS = ("](./", "(This message was deleted)", "\n(- ", " not exported)")
WHATSAPP_MARKERS = (
    "\u200e",
    "<attached:",
    "<Media omitted>",
    "end-to-end encrypted",
    "omitted>",
    "(file attached)",
)
_ID_SUFFIX = re.compile(r"\s*\(_id\d+\)$")
MAX_LINE = 64 << 20
"""A longer line means this is not a chat (memory stays bounded on hostile input)."""


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def looks_like_sigexport(probe: Probe, text: str) -> bool:
    """signal-export's chat.md: its line layout plus a Signal marker, never a WhatsApp one."""
    if probe.zip_names is not None or not SIGEXPORT_LINE.match(_first_line(text)):
        return False
    if any(marker in text for marker in WHATSAPP_MARKERS):
        return False
    name = probe.name.lower()
    return (
        name.endswith(".md")
        or any(marker in text for marker in SIGNAL_MARKERS)
        or named_signal(probe)
    )


def named_signal(probe: Probe) -> bool:
    """The file's name or a folder above it says Signal (``signal.txt``, ``signal-export/``)."""
    return "signal" in probe.name.lower() or "signal" in " ".join(probe.folders)


def shared_line_shape(probe: Probe, text: str) -> bool:
    """The file starts with a ``[YYYY-MM-DD, HH:MM] Name:`` line, which Signal's text exports
    and WhatsApp's (on iOS, in some locales) both write, and has no WhatsApp-only marks: read
    as WhatsApp, the app is a guess the summary must say."""
    if probe.zip_names is not None or not SIGEXPORT_LINE.match(_first_line(text)):
        return False
    return not any(marker in text for marker in WHATSAPP_MARKERS)


def named_whatsapp(probe: Probe) -> bool:
    """The file's name or a folder above it says WhatsApp: the app names its exports "WhatsApp
    Chat with Sam.txt" (or the zip), in every language we have seen ("WhatsApp Chat mit ...",
    "Chat de WhatsApp con ..."), so the name settles which app wrote it."""
    return "whatsapp" in probe.name.lower() or "whatsapp" in " ".join(probe.folders)


ASSUMED_WHATSAPP = (
    "read as WhatsApp. Its lines ([date, time] name: text) are written the same way by "
    "WhatsApp and by Signal's text exports, and nothing in the file tells them apart. If it "
    "is a Signal export, import it again and use --format signal"
)
"""The summary's note (``ReadReport.platform_reason``) when the app had to be assumed."""


# --- messages from text --------------------------------------------------------------------------


@dataclass
class _Pending:
    """A message whose header was read; its text may go on over the next lines."""

    line: int
    offset: int | None
    when: dt.datetime | None
    sender: str
    lines: list[str]
    raw_header: str
    kind: str
    """"message", "file", "status", or "unreadable"."""


class SignalTextImporter:
    name = "signal"
    label = "Signal chat export as text (signal-export chat.md, signalbackup-tools .txt)"

    def sniff(self, probe: Probe) -> bool:
        text = probe.text()
        if probe.zip_names is not None:
            return False
        return looks_like_sigexport(probe, text) or bool(BACKUPTOOLS_LINE.match(_first_line(text)))

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        encoding = detect(source.path)
        source.report.encoding = None if encoding.is_utf8 else encoding.name
        with open_text(source.path, encoding) as handle:
            head = handle.read(4096).decode("utf-8", "replace").lstrip("\ufeff")
        backuptools = bool(BACKUPTOOLS_LINE.match(_first_line(head)))
        conversation = options.conversation or _conversation(source.path, backuptools)
        reader = _TextReader(source, options, conversation, backuptools)
        with open_text(source.path, encoding) as handle:
            try:
                yield from reader.messages(_lines(handle, keep_offsets=encoding.is_utf8))
            except _LineTooLongError as error:
                raise source.error(
                    None, "one line is over 64 MiB long; this does not look like a chat."
                ) from error


def _conversation(path: Path, backuptools: bool) -> str:
    if backuptools:
        return _ID_SUFFIX.sub("", path.stem) or path.stem
    if path.stem.lower() in ("chat", "index"):
        return path.parent.name or path.stem
    return path.stem


class _LineTooLongError(Exception):
    """A line longer than MAX_LINE: not a chat."""


def _lines(handle: Any, keep_offsets: bool) -> Iterator[tuple[int, int | None, bytes]]:
    """(line number, byte offset or None, the line's bytes without its newline)."""
    offset = number = 0
    rest = b""
    while block := handle.read(1 << 16):
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        if len(rest) > MAX_LINE:
            raise _LineTooLongError
        for raw in lines:
            number += 1
            yield number, offset if keep_offsets else None, raw.removesuffix(b"\r")
            offset += len(raw) + 1
    if rest:
        yield number + 1, offset if keep_offsets else None, rest.removesuffix(b"\r")


class _TextReader:
    def __init__(
        self, source: Source, options: ImportOptions, conversation: str, backuptools: bool
    ) -> None:
        self.source = source
        self.options = options
        self.zone = options.zone()
        self.conversation = conversation
        self.backuptools = backuptools
        self.folder = source.path.parent
        self.last: dt.datetime | None = None

    def messages(self, lines: Iterable[tuple[int, int | None, bytes]]) -> Iterator[Message]:
        pending: _Pending | None = None
        for number, offset, raw in lines:
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                if self.options.strict:
                    raise self.source.error(
                        f"line {number}",
                        "this line is not valid UTF-8 text (damaged or cut short).",
                    ) from error
                line = raw.decode("utf-8", "replace")
                if pending is not None:
                    yield self.finish(pending)
                pending = _Pending(number, offset, None, "", [line], line, "unreadable")
                continue
            started = self.start(line, number, offset)
            if started is None:
                if pending is None:
                    if not line.strip():
                        continue
                    if self.options.strict:
                        raise self.source.error(
                            f"line {number}", "does not start like a Signal message."
                        )
                    pending = _Pending(number, offset, None, "", [line], line, "unreadable")
                else:
                    pending.lines.append(line)
                continue
            if pending is not None:
                yield self.finish(pending)
            pending = started
        if pending is not None:
            yield self.finish(pending)

    def start(self, line: str, number: int, offset: int | None) -> _Pending | None:
        """The message a header line starts, or None if the line is not a header."""
        if self.backuptools:
            return self._start_backuptools(line, number, offset)
        found = SIGEXPORT_LINE.match(line)
        if found is None:
            return None
        year, month, day, hour, minute, second = found.groups()
        when = self._when(number, line, year, month, day, hour, minute, second)
        sender, _, text = line[found.end() :].partition(": ")
        kind = "message" if when is not None else "unreadable"
        return _Pending(number, offset, when, sender.strip(), [text], line, kind)

    def _start_backuptools(self, line: str, number: int, offset: int | None) -> _Pending | None:
        found = BACKUPTOOLS_LINE.match(line)
        if found is None:
            return None
        month, day, year, hour, minute, second = found.groups()
        when = self._when(number, line, year, str(_MONTHS[month]), day, hour, minute, second)
        rest = line[found.end() :]
        kind = "message"
        if rest.startswith("*** "):
            rest = rest[4:]
            kind = "status"
            if rest.startswith("<") and "> sent file" in rest:
                kind = "file"
        sender = ""
        if rest.startswith("<") and ">" in rest:
            sender, _, rest = rest[1:].partition(">")
            rest = rest.removeprefix(" ")
        if when is None:
            kind = "unreadable"
        return _Pending(number, offset, when, sender.strip(), [rest], line, kind)

    def _when(self, number: int, line: str, *parts: str | None) -> dt.datetime | None:
        year, month, day, hour, minute, second = (int(p) if p else 0 for p in parts)
        try:
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=self.zone)
        except ValueError as error:
            if self.options.strict:
                raise self.source.error(
                    f"line {number}", "the date or time is not valid."
                ) from error
            return None

    def finish(self, pending: _Pending) -> Message:
        where = Provenance(
            self.source.sha256, self.source.name, self.source.member, pending.line, pending.offset
        )
        if pending.kind == "unreadable":
            when = self.last or dt.datetime(1970, 1, 1, tzinfo=self.zone)
            text = "\n".join([pending.raw_header, *pending.lines[1:]]).rstrip("\n")
            return Message(
                "signal",
                self.conversation,
                "",
                when,
                text,
                where,
                (),
                timezone_assumed=True,
                unreadable=True,
            )
        assert pending.when is not None
        self.last = pending.when
        text = "\n".join(pending.lines).strip("\n")
        if self.backuptools:
            return self._backuptools_message(pending, text, where)
        return self._sigexport_message(pending, text, where)

    def _sigexport_message(self, pending: _Pending, text: str, where: Provenance) -> Message:
        assert pending.when is not None
        body, attachments = _markdown_attachments(self.folder, _without_reactions(text))
        deleted = body.strip() == "(This message was deleted)"
        return Message(
            "signal",
            self.conversation,
            pending.sender,
            pending.when,
            body,
            where,
            attachments,
            deleted=deleted,
            outgoing=pending.sender == "Me",
            timezone_assumed=True,
        )

    def _backuptools_message(self, pending: _Pending, text: str, where: Provenance) -> Message:
        assert pending.when is not None
        attachments: tuple[Attachment, ...] = ()
        if pending.kind == "file":
            name = _quoted(text) or "(a file)"
            attachments = (
                f.local_file(self.folder, name) if _quoted(text) else Attachment(name=name),
            )
        return Message(
            "signal",
            self.conversation,
            pending.sender,
            pending.when,
            _without_reactions(text) if pending.kind == "message" else text,
            where,
            attachments,
            system=pending.kind == "status",
            timezone_assumed=True,
        )


_REACTIONS_MD = re.compile(r"\n\(- [^\n]* -\)\s*$")
_REACTIONS_TXT = re.compile(r" \((?:[^():;]+: [^()]+; )*[^():;]+: [^()]+\)$")
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\./([^)\n]+)\)\s*")
_NOT_EXPORTED = re.compile(r"\((\w+) not exported\)\s*")
_QUOTED = re.compile(r'sent file "([^"\n]+)"')


def _without_reactions(text: str) -> str:
    text = _REACTIONS_MD.sub("", text)
    return _REACTIONS_TXT.sub("", text)


def _quoted(text: str) -> str | None:
    found = _QUOTED.search(text)
    return found.group(1) if found else None


def _markdown_attachments(folder: Path, text: str) -> tuple[str, tuple[Attachment, ...]]:
    """Attachments written as Markdown links to files beside the chat, taken out of the text."""
    found = [
        f.local_file(folder, match.group(3), match.group(2) or None)
        for match in _LINK.finditer(text)
    ]
    found += [
        Attachment(name=f"({match.group(1)} not included in the export)")
        for match in _NOT_EXPORTED.finditer(text)
    ]
    if found:
        text = _NOT_EXPORTED.sub("", _LINK.sub("", text)).rstrip()
    return text, tuple(found)


# --- JSON lines ----------------------------------------------------------------------------------


class SignalJsonImporter:
    name = "signal-json"
    label = "Signal chat export as JSON (Signal's own main.jsonl, signal-export data.json)"

    def sniff(self, probe: Probe) -> bool:
        if probe.zip_names is not None:
            return False
        head = probe.utf8().lstrip(b" \t\r\n")
        if not head.startswith(b"{"):
            return False
        first = head.split(b"\n", 1)[0]
        if b'"backupTimeMs"' in first or first.startswith((b'{"recipient":', b'{"chatItem":')):
            return True
        return all(key in first for key in (b'"date": ', b'"sender": ', b'"body": '))

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        with source.path.open("rb") as handle:
            first = handle.readline()
        if b'"date": ' in first and b'"sender": ' in first and b'"backupTimeMs"' not in first:
            yield from _SigexportJson(source, options).messages()
        else:
            yield from _SignalBackupJson(source, options).messages()


def _json_lines(source: Source, strict: bool) -> Iterator[tuple[int, int, Any]]:
    """(line, byte offset, value) of each JSON line; a damaged one is kept as None (lenient)."""
    offset = 0
    with source.path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as error:
                if strict:
                    raise source.error(
                        f"line {number}", "this line is not valid JSON (damaged or cut short)."
                    ) from error
                value = raw
            yield number, start, value


def _unreadable(
    source: Source, conversation: str, when: dt.datetime, number: int, offset: int, raw: Any
) -> Message:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return Message(
        "signal",
        conversation,
        "",
        when,
        text.rstrip("\r\n"),
        Provenance(source.sha256, source.name, source.member, number, offset),
        (),
        unreadable=True,
    )


class _SigexportJson:
    """signal-export's data.json: one message per line, local times without a zone."""

    def __init__(self, source: Source, options: ImportOptions) -> None:
        self.source = source
        self.options = options
        self.zone = options.zone()
        self.conversation = options.conversation or source.path.parent.name or source.path.stem

    def messages(self) -> Iterator[Message]:
        last = dt.datetime(1970, 1, 1, tzinfo=self.zone)
        for number, offset, value in _json_lines(self.source, self.options.strict):
            message = self.message(number, offset, value)
            if message is None:
                if self.options.strict:
                    raise self.source.error(f"line {number}", "this message has no readable date.")
                yield _unreadable(self.source, self.conversation, last, number, offset, value)
                continue
            last = message.timestamp
            yield message

    def message(self, number: int, offset: int, value: Any) -> Message | None:
        if not isinstance(value, dict):
            return None
        try:
            when = dt.datetime.fromisoformat(f.text(value.get("date")))
        except ValueError:
            return None
        assumed = when.tzinfo is None
        when = when.replace(tzinfo=self.zone) if assumed else when
        sender = f.text(value.get("sender"))
        quote = f.text(value.get("quote")).strip()
        body = f.text(value.get("body"))
        text = f"{quote}\n\n{body}".strip("\n") if quote else body
        attachments = tuple(
            f.local_file(
                self.source.path.parent,
                f.text(item.get("path")).removeprefix("./"),
                f.text(item.get("name")) or None,
            )
            if f.text(item.get("path")) and not item.get("missing_kind")
            else Attachment(name=f.text(item.get("name")) or "(attachment)")
            for item in map(f.mapping, f.items(value.get("attachments")))
        )
        return Message(
            "signal",
            self.conversation,
            sender,
            when,
            text,
            Provenance(self.source.sha256, self.source.name, self.source.member, number, offset),
            attachments,
            deleted=bool(value.get("deleted")),
            system=bool(value.get("call")),
            outgoing=sender == "Me",
            timezone_assumed=assumed,
        )


class _SignalBackupJson:
    """Signal's own export (main.jsonl): frames of its backup format, one per line.

    Recipients and chats come before the chat items that refer to them, so one pass reads
    the file: names are remembered as they come, and each chat item becomes a message.
    """

    def __init__(self, source: Source, options: ImportOptions) -> None:
        self.source = source
        self.options = options
        self.names: dict[str, str] = {}
        self.me: set[str] = set()
        self.chats: dict[str, str] = {}
        self.own_name = "Me"
        self.files = _FileIndex(source.path.parent / "files")

    def messages(self) -> Iterator[Message]:
        last = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        for number, offset, value in _json_lines(self.source, self.options.strict):
            if not isinstance(value, dict):
                yield _unreadable(self.source, self._chat_name(""), last, number, offset, value)
                continue
            if "chatItem" in value:
                message = self.chat_item(f.mapping(value["chatItem"]), number, offset)
                if message is None:
                    if self.options.strict:
                        raise self.source.error(
                            f"line {number}", "this message has no readable time."
                        )
                    raw = orjson.dumps(value)
                    yield _unreadable(self.source, self._chat_name(""), last, number, offset, raw)
                    continue
                last = message.timestamp
                yield message
            else:
                self.remember(value)

    def remember(self, frame: dict[str, Any]) -> None:
        if "account" in frame:
            account = f.mapping(frame["account"])
            name = _person(account)
            self.own_name = name or self.own_name
        elif "recipient" in frame:
            recipient = f.mapping(frame["recipient"])
            key = str(recipient.get("id", ""))
            if "self" in recipient:
                self.me.add(key)
            elif "contact" in recipient:
                contact = f.mapping(recipient["contact"])
                self.names[key] = _person(contact) or f.text(contact.get("e164")) or "(unknown)"
            elif "group" in recipient:
                snapshot = f.mapping(f.mapping(recipient["group"]).get("snapshot"))
                title = f.text(f.mapping(snapshot.get("title")).get("title"))
                self.names[key] = title or "(group)"
        elif "chat" in frame:
            chat = f.mapping(frame["chat"])
            self.chats[str(chat.get("id", ""))] = str(chat.get("recipientId", ""))

    def _chat_name(self, chat_id: str) -> str:
        if self.options.conversation:
            return self.options.conversation
        recipient = self.chats.get(chat_id, "")
        if recipient in self.me:
            return "Note to Self"
        return self.names.get(recipient, "(unknown chat)")

    def _sender(self, author: str) -> str:
        if author in self.me:
            return self.own_name
        return self.names.get(author, "(unknown sender)")

    def chat_item(self, item: dict[str, Any], number: int, offset: int) -> Message | None:
        sent = f.integer(item.get("dateSent"))
        when = from_millis(sent) if sent is not None else None
        if when is None:
            return None
        author = str(item.get("authorId", ""))
        standard = f.mapping(item.get("standardMessage"))
        text = f.text(f.mapping(standard.get("text")).get("body"))
        system = "updateMessage" in item
        if system and not text:
            text = "(a change to the chat, e.g. a member or setting)"
        if "stickerMessage" in item:
            text = text or "(sticker)"
        attachments = tuple(
            self.attachment(f.mapping(entry.get("pointer")))
            for entry in map(f.mapping, f.items(standard.get("attachments")))
        )
        return Message(
            "signal",
            self._chat_name(str(item.get("chatId", ""))),
            "" if system else self._sender(author),
            when,
            text,
            Provenance(self.source.sha256, self.source.name, self.source.member, number, offset),
            attachments,
            message_id=f"{author}:{sent}",
            edited=bool(f.items(item.get("revisions"))),
            deleted="remoteDeletedMessage" in item,
            system=system,
            outgoing="outgoing" in item,
        )

    def attachment(self, pointer: dict[str, Any]) -> Attachment:
        name = f.text(pointer.get("fileName")) or "(attachment)"
        kind = f.text(pointer.get("contentType")) or None
        locator = f.mapping(pointer.get("locatorInfo"))
        digest = _hex(f.text(locator.get("plaintextHash")))
        size = f.integer(locator.get("size"))
        found = self.files.find(digest, size) if digest else None
        if found is not None:
            return Attachment(name, kind, size, digest, found, included=True)
        return Attachment(name, kind, size, digest, None, included=False)


def _person(value: dict[str, Any]) -> str:
    nickname = f.mapping(value.get("nickname"))
    for given, family in (
        (nickname.get("given"), nickname.get("family")),
        (value.get("systemGivenName"), value.get("systemFamilyName")),
        (value.get("profileGivenName"), value.get("profileFamilyName")),
        (value.get("givenName"), value.get("familyName")),
    ):
        name = " ".join(part for part in (f.text(given), f.text(family)) if part)
        if name:
            return name
    return ""


def _hex(text: str) -> str | None:
    if not text:
        return None
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        return None
    return raw.hex() if len(raw) == 32 else None


class _FileIndex:
    """The export's ``files/`` folder, found by content: each file named by a message is the
    one whose SHA-256 the export gives (only files of the right size are hashed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._by_size: dict[int, list[Path]] | None = None

    def find(self, digest: str, size: int | None) -> str | None:
        if size is None or not self.folder.is_dir():
            return None
        if self._by_size is None:
            self._by_size = {}
            for path in self.folder.rglob("*"):
                if path.is_file():
                    self._by_size.setdefault(path.stat().st_size, []).append(path)
        for path in self._by_size.get(size, []):
            attachment = f.local_file(self.folder.parent, str(path.relative_to(self.folder.parent)))
            if attachment.sha256 == digest:
                return attachment.location
        return None

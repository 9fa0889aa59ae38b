"""WhatsApp "Export chat": the .txt file, or the .zip with the chat and its media.

Each message starts with a header — date, time, then ``- Name:`` (Android) or ``] Name:``
(iOS) — and runs until the next header, so multi-line messages are lines without one.
Exports write local times with no zone, in the phone's locale: the date order (day/month/year,
month/day/year, year/month/day), a 12- or 24-hour clock, and the words for "media omitted"
all vary. The date order is worked out from the file itself (a first field above 12 cannot be
a month; dates in a chat only move forward) before any message is read, in a cheap first pass
that stops as soon as the answer is certain.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import re
import zipfile
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import IO

from ally.evidence.importers.base import (
    DAMAGED_ZIP,
    DAMAGED_ZIP_ERRORS,
    DAMAGED_ZIP_READ_ERRORS,
    PROBE_SIZE,
    ImportOptions,
    Probe,
    Source,
)
from ally.evidence.importers.encoding import (
    Encoding,
    Utf8Reader,
    detect,
    detect_stream,
    open_text,
)
from ally.evidence.importers.signal import (
    ASSUMED_WHATSAPP,
    named_signal,
    named_whatsapp,
    shared_line_shape,
)
from ally.evidence.importers.whatsapp_parse import HEADER, MARKS, Parser, Reopen, report_order
from ally.model.message import Attachment, Message

OMITTED = re.compile(
    r"<(?:Media omitted|Medien ausgeschlossen|Multimedia omitido|Médias omis|Mídia oculta|"
    r"Media omessi)>|"
    r"(?:image|video|audio|sticker|GIF|document|Contact card|Bild|Video|Audio|Sticker|Dokument|"
    r"imagen|vídeo|documento|vidéo|imagem|áudio|figurinha) "
    r"(?:omitted|weggelassen|omitida|omitido|absente|omis|omise|ocultada|ocultado|oculto)",
    re.IGNORECASE,
)
ATTACHED_IOS = re.compile(
    r"<(?:attached|Anhang|adjunto|pièce jointe|anexado|allegato) ?: ?([^<>]+?)>", re.IGNORECASE
)
ATTACHED_ANDROID = re.compile(
    r"^(.+?\.\w{1,5}) \((?:file attached|Datei angehängt|archivo adjunto|fichier joint|"
    r"arquivo anexado|file allegato)\)",
    re.IGNORECASE,
)
FILE_TITLE = re.compile(
    r"^(?:WhatsApp Chat with |WhatsApp Chat - |WhatsApp-Chat mit |Chat de WhatsApp con |"
    r"Discussion WhatsApp avec |Conversa do WhatsApp com |Chat WhatsApp con )(.+)$"
)


SNIFF_LINES = 8
"""Lines looked at for a message header when telling the format (text may come first)."""


def conversation_from_name(name: str) -> str:
    """The chat's name from the export's file name, e.g. 'WhatsApp Chat with Sam.txt' → 'Sam'."""
    stem = Path(name).stem
    found = FILE_TITLE.match(stem)
    return found.group(1).strip() if found else stem


class WhatsAppImporter:
    name = "whatsapp"
    label = "WhatsApp chat export (.txt or .zip)"

    def sniff(self, probe: Probe) -> bool:
        names = probe.zip_names
        if names is not None and _chat_member(names) is None:
            return False
        # The first message, or (a lenient reading keeps it) one of the next few lines.
        lines = [line for line in probe.utf8().splitlines()[:SNIFF_LINES] if line.strip()]
        return any(HEADER.match(line) is not None for line in lines[:SNIFF_LINES])

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        # Chained in C: handing a message on runs no Python code (see Parser.block_messages).
        return chain.from_iterable(self._blocks(source, options))

    def _blocks(self, source: Source, options: ImportOptions) -> Iterator[Iterator[Message]]:
        if is_zip(source.path):
            yield from self._zip_blocks(source, options)
            return
        conversation = options.conversation or conversation_from_name(source.name)
        _note_assumed_app(source)
        encoding = detect(source.path)
        note_encoding(source, encoding)
        with open_text(source.path, encoding) as handle:
            order = _order(source, handle, options, lambda: _reopened_file(source.path, encoding))
        with open_text(source.path, encoding) as handle:
            parser = Parser(
                source,
                order,
                options.zone(),
                conversation,
                _Media().find,
                strict=options.strict,
            )
            blocks = parser.block_messages(handle)  # type: ignore[arg-type]
            yield from blocks if encoding.is_utf8 else map(_without_offsets, blocks)

    def _zip_blocks(self, source: Source, options: ImportOptions) -> Iterator[Iterator[Message]]:
        try:
            archive = zipfile.ZipFile(source.path)
        except DAMAGED_ZIP_ERRORS as error:
            raise source.error(None, DAMAGED_ZIP) from error
        with archive:
            member = _chat_member(tuple(archive.namelist()))
            if member is None:
                raise source.error(None, "this .zip has no WhatsApp chat (.txt) inside.")
            inner = source.inside(member)
            conversation = options.conversation or conversation_from_name(source.name)
            media = _ZipMedia(archive, inner)
            try:
                with archive.open(member) as handle:
                    encoding = detect_stream(handle)
                note_encoding(source, encoding)
                with archive.open(member) as raw:
                    order = _order(
                        inner,
                        _text(raw, encoding),
                        options,
                        lambda: _reopened(archive, member, encoding),
                    )
                with archive.open(member) as raw:
                    parser = Parser(
                        inner,
                        order,
                        options.zone(),
                        conversation,
                        media.find,
                        strict=options.strict,
                    )
                    blocks = parser.block_messages(_text(raw, encoding))
                    yield from blocks if encoding.is_utf8 else map(_without_offsets, blocks)
            except DAMAGED_ZIP_READ_ERRORS as error:
                raise inner.error(None, DAMAGED_ZIP) from error


def _note_assumed_app(source: Source) -> None:
    """Say in the summary when the file could as well be a Signal text export (the same line
    shape, no WhatsApp-only marks, nothing in its name): the evidence record names the app."""
    try:
        with source.path.open("rb") as handle:
            head = handle.read(PROBE_SIZE)
    except OSError:
        return
    folders = tuple(part.lower() for part in source.path.resolve().parent.parts[-4:])
    probe = Probe(source.name, head, None, folders)
    if shared_line_shape(probe, probe.text()) and not (
        named_signal(probe) or named_whatsapp(probe)
    ):
        source.report.platform_reason = ASSUMED_WHATSAPP


def _order(
    source: Source,
    handle: IO[bytes] | Utf8Reader,
    options: ImportOptions,
    reopen: Reopen | None = None,
) -> str:
    if options.date_order:
        source.report.date_order = options.date_order
        source.report.date_order_reason = "you chose it"
        return options.date_order
    return report_order(source, handle, strict=options.strict, reopen=reopen)  # type: ignore[arg-type]


@contextlib.contextmanager
def _reopened_file(path: Path, encoding: Encoding) -> Iterator[IO[bytes]]:
    with open_text(path, encoding) as handle:
        yield handle  # type: ignore[misc]


@contextlib.contextmanager
def _reopened(archive: zipfile.ZipFile, member: str, encoding: Encoding) -> Iterator[IO[bytes]]:
    with archive.open(member) as raw:
        yield _text(raw, encoding)


def _text(handle: IO[bytes], encoding: Encoding) -> IO[bytes]:
    return handle if encoding.is_utf8 else Utf8Reader(handle, encoding)  # type: ignore[return-value]


def _without_offsets(block: Iterator[Message]) -> Iterator[Message]:
    """Byte offsets in re-encoded text would not point into the original file: leave them
    out (line numbers still do)."""
    for message in block:
        yield message._replace(provenance=message.provenance._replace(byte_offset=None))


def note_encoding(source: Source, encoding: Encoding) -> None:
    """Say in the summary which encoding was used, when it was not UTF-8."""
    source.report.encoding = None if encoding.is_utf8 else encoding.name


def is_zip(path: Path) -> bool:
    """Whether the file is a .zip (by its first bytes: a damaged zip is still a zip)."""
    try:
        with path.open("rb") as handle:
            return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _chat_member(names: tuple[str, ...]) -> str | None:
    texts = [name for name in names if name.lower().endswith(".txt") and not name.endswith("/")]
    for name in texts:
        if Path(name).name == "_chat.txt":
            return name
    for name in texts:
        if FILE_TITLE.match(Path(name).stem):
            return name
    return texts[0] if len(texts) == 1 else None


class _Media:
    """Finds the files a message names; the zip variant also hashes the ones it contains."""

    def find(self, body: str) -> tuple[Attachment, ...]:
        found: list[Attachment] = []
        head = body.lstrip(MARKS)
        for name in _named_files(head):
            found.append(self.attachment(name))
        if not found and OMITTED.search(head[:80]):
            found.append(Attachment(name="(media not included in the export)", included=False))
        return tuple(found)

    def attachment(self, name: str) -> Attachment:
        return Attachment(name=name, included=False)


def _named_files(body: str) -> Iterable[str]:
    for found in ATTACHED_IOS.finditer(body):
        yield found.group(1).strip()
    first_line = body.split("\n", 1)[0]
    android = ATTACHED_ANDROID.match(first_line)
    if android:
        yield android.group(1).strip(MARKS + " ")


class _ZipMedia(_Media):
    def __init__(self, archive: zipfile.ZipFile, source: Source) -> None:
        self.archive = archive
        self.source = source
        self.by_name = {
            Path(info.filename).name: info for info in archive.infolist() if not info.is_dir()
        }

    def attachment(self, name: str) -> Attachment:
        info = self.by_name.get(name)
        if info is None:
            return Attachment(name=name, included=False)
        digest = hashlib.sha256()
        try:
            with self.archive.open(info) as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except DAMAGED_ZIP_READ_ERRORS as error:
            # Raised here, not only around the chat's reading: messages are built lazily.
            raise self.source.error(None, DAMAGED_ZIP) from error
        return Attachment(
            name=name,
            media_type=_media_type(name),
            size=info.file_size,
            sha256=digest.hexdigest(),
            location=info.filename,
            included=True,
        )


def _media_type(name: str) -> str | None:
    return mimetypes.guess_type(name)[0]

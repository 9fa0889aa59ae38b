"""Importers for chat, SMS and email exports, and automatic format detection.

Each format lives in its own module and registers one importer object here, in the order they
are tried when guessing a file's format (most specific first).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ally.evidence.errors import DamagedZipError, EvidenceError, UnknownFormatError
from ally.evidence.importers.base import (
    PROBE_SIZE,
    Importer,
    ImportOptions,
    Probe,
    Source,
    sha256_file,
)
from ally.evidence.importers.discord import DiscordCsvImporter, DiscordJsonImporter
from ally.evidence.importers.mail import EmlImporter, MboxImporter
from ally.evidence.importers.meta import MetaImporter
from ally.evidence.importers.signal import SignalJsonImporter, SignalTextImporter
from ally.evidence.importers.sms import SmsBackupImporter
from ally.evidence.importers.telegram import TelegramImporter
from ally.evidence.importers.whatsapp import WhatsAppImporter
from ally.model.message import Message

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
"""How every .zip starts (a local file header, or the end record of an empty zip)."""

IMPORTERS: tuple[Importer, ...] = (
    TelegramImporter(),
    MetaImporter(),
    SignalJsonImporter(),
    DiscordJsonImporter(),
    DiscordCsvImporter(),
    SmsBackupImporter(),
    MboxImporter(),
    EmlImporter(),
    SignalTextImporter(),  # before WhatsApp: Signal's text lines look like WhatsApp's
    WhatsAppImporter(),
)
__all__ = ["IMPORTERS", "Export", "ImportOptions", "detect_format", "get_importer", "open_export"]


def get_importer(name: str) -> Importer:
    """The importer called ``name`` (as shown by ``ally evidence import --help``)."""
    for importer in IMPORTERS:
        if importer.name == name:
            return importer
    known = ", ".join(importer.name for importer in IMPORTERS)
    raise UnknownFormatError(f"There is no importer called {name!r}. Known formats: {known}.")


def probe_file(path: Path) -> Probe:
    """Read just enough of a file to tell its format."""
    folders = tuple(part.lower() for part in path.resolve().parent.parts[-4:])
    try:
        with path.open("rb") as handle:
            head = handle.read(PROBE_SIZE)
        if head.startswith(ZIP_MAGIC):
            return _probe_zip(path, folders)
    except OSError as error:
        raise EvidenceError(
            f"{path.name}: could not be read ({error.strerror or 'error'})."
        ) from error
    return Probe(path.name, head, None, folders)


def _probe_zip(path: Path, folders: tuple[str, ...]) -> Probe:
    try:
        with zipfile.ZipFile(path) as archive:
            names = tuple(archive.namelist())
            texts = [n for n in names if n.lower().endswith(".txt")]
            chat = next(
                (n for n in texts if Path(n).name == "_chat.txt"), texts[0] if texts else None
            )
            head = b""
            if chat is not None:
                with archive.open(chat) as handle:
                    head = handle.read(PROBE_SIZE)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise DamagedZipError(
            f"{path.name}: this zip is damaged (cut short or changed), so it cannot be "
            "opened. Nothing was added. If you still have the chat, export it again; if "
            "the zip came by download or e-mail, fetch it again."
        ) from error
    return Probe(path.name, head, names, folders)


def detect_format(path: Path) -> Importer:
    """The importer whose format this file has, or a clear error if none fits."""
    probe = probe_file(path)
    for importer in IMPORTERS:
        if importer.sniff(probe):
            return importer
    known = ", ".join(importer.label for importer in IMPORTERS)
    raise UnknownFormatError(
        f"{path.name}: this is not an export Ally can read. Ally reads: {known}. "
        "If it is one of these, name the format with --format."
    )


@dataclass(frozen=True)
class Export:
    """An export file opened for reading: its format, hash, and a stream of its messages."""

    source: Source
    importer: Importer
    options: ImportOptions

    def messages(self) -> Iterator[Message]:
        return self.importer.read(self.source, self.options)


def open_export(path: Path, options: ImportOptions | None = None, fmt: str | None = None) -> Export:
    """Hash the file, pick its importer, and get ready to stream its messages."""
    if not path.is_file():
        raise EvidenceError(f"{path.name}: no such file.")
    importer = get_importer(fmt) if fmt else detect_format(path)
    try:
        digest = sha256_file(path)
    except OSError as error:
        raise EvidenceError(
            f"{path.name}: could not be read ({error.strerror or 'error'})."
        ) from error
    return Export(Source(path, digest), importer, options or ImportOptions())

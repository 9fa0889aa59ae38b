"""Importers for chat, SMS and email exports, and automatic format detection.

Each format lives in its own module. Ally's own importers (``builtin.py``, in the order they
are tried when guessing a file's format, most specific first) and those of installed plugin
packages are found through the ``ally.importers`` entry points (:mod:`ally.plugins`); Ally's
come first, so a plugin adds formats without changing how the built-in ones are recognised.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from ally.evidence.errors import DamagedZipError, EvidenceError, UnknownFormatError
from ally.evidence.importers.base import (
    DAMAGED_ZIP_ERRORS,
    PROBE_SIZE,
    Importer,
    ImportOptions,
    Probe,
    Source,
    sha256_file,
)
from ally.evidence.importers.builtin import importers as builtin_importers
from ally.model.message import Message
from ally.plugins import IMPORTERS as GROUP
from ally.plugins import Provided, provided

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
"""How every .zip starts (a local file header, or the end record of an empty zip)."""

__all__ = [
    "IMPORTERS",
    "Export",
    "ImportOptions",
    "detect_format",
    "get_importer",
    "installed_importers",
    "open_export",
]


def _is_importer(candidate: object) -> bool:
    return (
        isinstance(getattr(candidate, "name", None), str)
        and isinstance(getattr(candidate, "label", None), str)
        and callable(getattr(candidate, "sniff", None))
        and callable(getattr(candidate, "read", None))
    )


def _as_importers(loaded: object) -> list[Importer]:
    """The importers an ``ally.importers`` entry point gives: one, a class, or a function."""
    if isinstance(loaded, type) or (callable(loaded) and not _is_importer(loaded)):
        loaded = loaded()
    items: list[object] = [loaded] if _is_importer(loaded) else list(loaded)  # type: ignore[call-overload]
    if not all(_is_importer(item) for item in items):
        raise TypeError("an ally.importers entry point must give importers")
    return cast(list[Importer], items)


def _name(importer: Importer) -> str:
    return importer.name


def installed_importers() -> tuple[Provided[Importer], ...]:
    """Every importer, with the package that provides it: Ally's own first."""
    return provided(GROUP, _as_importers, key=_name, fallback=builtin_importers)


def __getattr__(name: str) -> tuple[Importer, ...]:
    """``IMPORTERS``: the importers in the order formats are guessed (worked out on first use,
    so that a plugin's module may itself import from this package)."""
    if name == "IMPORTERS":
        return tuple(entry.item for entry in installed_importers())
    raise AttributeError(name)


def get_importer(name: str) -> Importer:
    """The importer called ``name`` (as shown by ``ally evidence import --help``)."""
    importers = tuple(entry.item for entry in installed_importers())
    for importer in importers:
        if importer.name == name:
            return importer
    known = ", ".join(importer.name for importer in importers)
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
    except DAMAGED_ZIP_ERRORS as error:
        raise DamagedZipError(
            f"{path.name}: this zip is damaged (cut short or changed), so it cannot be "
            "opened. Nothing was added. If you still have the chat, export it again; if "
            "the zip came by download or e-mail, fetch it again."
        ) from error
    return Probe(path.name, head, names, folders)


def detect_format(path: Path) -> Importer:
    """The importer whose format this file has, or a clear error if none fits."""
    probe = probe_file(path)
    importers = tuple(entry.item for entry in installed_importers())
    for importer in importers:
        if importer.sniff(probe):
            return importer
    known = ", ".join(importer.label for importer in importers)
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

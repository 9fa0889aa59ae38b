"""What every importer shares: the file being read, options, and the importer contract.

An importer is a small object with a ``sniff`` (is this file mine?) and a ``read`` that yields
messages one at a time, so an export with a million messages never sits whole in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from dateutil import tz as dateutil_tz

from ally.evidence.errors import ImportFormatError
from ally.model.message import Message, Provenance

PROBE_SIZE = 64 * 1024
DATE_ORDERS = ("DMY", "MDY", "YMD", "YDM")


@dataclass(frozen=True)
class ImportOptions:
    """Choices the person can make when an export leaves something open."""

    timezone: dt.tzinfo | None = None
    """Zone for exports that write local times without one (WhatsApp); default: this computer's."""
    conversation: str | None = None
    """Name for the conversation when the export does not say it (or to override it)."""
    date_order: str | None = None
    """Force the date order of a WhatsApp export: one of DMY, MDY, YMD, YDM."""
    platform: str | None = None
    """Force the platform of a Messenger-style export: facebook or instagram."""
    owner: str = "me"
    """How to name the person who made the export, for apps that only say 'sent'."""

    def zone(self) -> dt.tzinfo:
        return self.timezone if self.timezone is not None else dateutil_tz.tzlocal()


@dataclass(frozen=True)
class Source:
    """The export file: where it is, its hash, and how to point into it."""

    path: Path
    sha256: str
    member: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def at(
        self,
        *,
        line: int | None = None,
        byte_offset: int | None = None,
        json_path: str | None = None,
        member: str | None = None,
    ) -> Provenance:
        return Provenance(
            source_sha256=self.sha256,
            source_name=self.name,
            member=member if member is not None else self.member,
            line=line,
            byte_offset=byte_offset,
            json_path=json_path,
        )

    def error(self, where: str | None, problem: str) -> ImportFormatError:
        place = where
        if self.member:
            place = f"{self.member}, {where}" if where else self.member
        return ImportFormatError(self.name, place, problem)


@dataclass(frozen=True)
class Probe:
    """The first bytes of a file and, for a zip, the names inside: enough to tell formats apart."""

    name: str
    head: bytes
    zip_names: tuple[str, ...] | None = None
    folders: tuple[str, ...] = field(default_factory=tuple)

    def text(self) -> str:
        return self.head.decode("utf-8", "replace").lstrip("\ufeff")


class Importer(Protocol):
    """The contract each export format fulfils."""

    name: str
    label: str

    def sniff(self, probe: Probe) -> bool:
        """True if this looks like the importer's format. Cheap: reads only the probe."""

    def read(self, source: Source, options: ImportOptions) -> Iterator[Message]:
        """Yield the messages in file order. Raise ImportFormatError on damaged input."""


def sha256_file(path: Path) -> str:
    """Hash a file in chunks (constant memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def from_millis(value: Any) -> dt.datetime | None:
    """A UTC time from milliseconds since 1970, or None if it is not a plausible one."""
    try:
        millis = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return from_seconds(millis / 1000)


def from_seconds(value: Any) -> dt.datetime | None:
    """A UTC time from seconds since 1970, or None if it is not a plausible one."""
    try:
        seconds = float(value)
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_iso(value: Any, zone: dt.tzinfo) -> tuple[dt.datetime, bool] | None:
    """An aware time from ISO 8601 text, with whether the zone had to be assumed."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone), True
    return parsed, False

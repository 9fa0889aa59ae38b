"""What every importer shares: the file being read, options, and the importer contract.

An importer is a small object with a ``sniff`` (is this file mine?) and a ``read`` that yields
messages one at a time, so an export with a million messages never sits whole in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from dateutil import tz as dateutil_tz

from ally.evidence.errors import ImportFormatError
from ally.model.message import Message, Provenance

#: What reading a member of a damaged zip can raise, beyond ``BadZipFile`` (a bad CRC): a
#: deflated member with changed bytes fails inside ``zlib`` (``zlib.error``), a cut one with
#: ``EOFError``. Parsing errors (``ValueError``) are not here: they are the parser's to report.
DAMAGED_ZIP_READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
)

#: Opening a damaged zip can also raise ``ValueError`` or ``NotImplementedError`` (an odd
#: header, an unknown compression method).
DAMAGED_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    *DAMAGED_ZIP_READ_ERRORS,
    ValueError,
    NotImplementedError,
)

#: The one sentence a person reads about a zip that cannot be read to its end.
DAMAGED_ZIP = (
    "this .zip is damaged (cut short or changed), so it cannot be read. Nothing was added. "
    "If you still have the chat, export it again; if the zip came by download or e-mail, "
    "fetch it again."
)

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
    strict: bool = False
    """Refuse a chat text export with any line that cannot be read (the default, lenient,
    keeps such lines as they were written, each with its line number, and reports them)."""

    def zone(self) -> dt.tzinfo:
        return self.timezone if self.timezone is not None else dateutil_tz.tzlocal()


@dataclass
class ReadReport:
    """What an importer learnt while reading, for the summary (never any message content)."""

    encoding: str | None = None
    """The text encoding used, when it was not UTF-8 (e.g. "UTF-16 (little-endian)")."""
    date_order: str | None = None
    """The date order used (DMY, MDY, YMD, YDM) for exports that write dates without one."""
    date_order_ambiguous: bool = False
    """Another date order fitted every date too; the summary says which was chosen and how
    to choose the other."""
    date_order_reason: str | None = None
    """Why that order was chosen, in words."""
    platform_reason: str | None = None
    """How the app was recognised, when it had to be told from the content."""


@dataclass(frozen=True)
class Source:
    """The export file: where it is, its hash, and how to point into it."""

    path: Path
    sha256: str
    member: str | None = None
    report: ReadReport = field(default_factory=ReadReport, compare=False)

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

    def inside(self, member: str) -> Source:
        """The same export, pointing at one file inside its .zip (sharing its report)."""
        return Source(self.path, self.sha256, member, self.report)

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
        return self.utf8().decode("utf-8", "replace").lstrip("\ufeff")

    def json_object(self) -> bytes | None:
        """The head of a file that holds one JSON object (byte-order mark and white space
        skipped), for the JSON importers to sniff; None for a zip or anything else."""
        head = self.head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if self.zip_names is not None or not head.startswith(b"{"):
            return None
        return head

    def utf8(self) -> bytes:
        """The head as UTF-8 bytes (UTF-16, with or without a byte-order mark, re-encoded),
        without a byte-order mark, so text formats can be sniffed whatever their encoding."""
        head = self.head
        codec = _utf16(head)
        if codec is None:
            return head.removeprefix(b"\xef\xbb\xbf")
        head = head[2:] if head[:2] in (b"\xff\xfe", b"\xfe\xff") else head
        head = head[: len(head) - len(head) % 2]
        return head.decode(codec, "replace").encode("utf-8")


def _utf16(head: bytes) -> str | None:
    """UTF-16's codec for a file head, by byte-order mark or by zero bytes, else None."""
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    sample = head[:4096]
    half = len(sample) // 2
    if half < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > half * 0.4 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.4 and odd < half * 0.05:
        return "utf-16-be"
    return None


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

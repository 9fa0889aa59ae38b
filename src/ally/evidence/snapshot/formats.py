"""Reading a saved web page: plain HTML, SingleFile HTML, MHTML (.mht/.mhtml) and WARC.

Each reader returns a :class:`Capture`: the page's address and capture time as the file itself
records them (and which header or comment said so), the page's visible text, and the SHA-256
of the file and of every resource inside it. Nothing is fetched: a saved page is read as the
bytes it is. A file that is damaged, cut short or changed after it was written (a WARC record
whose digest does not match) is refused with a message saying so, before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import email.utils
import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.errors import CloseBoundaryNotFoundDefect, InvalidBase64CharactersDefect
from email.message import Message
from pathlib import Path
from typing import Any

from ally.evidence.errors import ImportFormatError, UnknownFormatError
from ally.evidence.snapshot.pagetext import PageText, decode_html, page_text

MAX_PAGE_BYTES = 256 * 1024**2
"""HTML and MHTML files are read whole; a saved page larger than this is refused."""
MAX_PARTS = 10_000
"""Resources listed for one page (a WARC of a whole site is not one page)."""
FORMAT_LABELS = {
    "html": "saved web page (HTML)",
    "singlefile": "SingleFile page",
    "mhtml": "web archive (MHTML)",
    "warc": "web archive (WARC)",
}


@dataclass(frozen=True)
class Part:
    """One resource inside a saved page: the page itself, an image, a style sheet..."""

    url: str | None
    media_type: str
    size: int
    sha256: str


@dataclass
class Capture:
    """A saved page as read, before it is stored."""

    format: str
    file_name: str
    file_size: int
    file_sha256: str
    title: str = ""
    text: str = ""
    url: str | None = None
    url_source: str | None = None
    captured_at: dt.datetime | None = None
    captured_at_source: str | None = None
    encoding: str = "utf-8"
    parts: list[Part] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return FORMAT_LABELS[self.format]

    @property
    def text_sha256(self) -> str:
        """The SHA-256 of the page text as stored (UTF-8), so a quote can be checked."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in 1 MiB pieces."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while piece := stream.read(1024 * 1024):
            digest.update(piece)
            size += len(piece)
    return digest.hexdigest(), size


def sniff(path: Path, head: bytes) -> str | None:
    """Which kind of saved page a file is, from its first bytes (and its name as a tie-break)."""
    name = path.name.lower()
    if head.startswith(b"WARC/") or name.endswith((".warc", ".warc.gz")):
        return "warc"
    if head.startswith(b"\x1f\x8b"):
        return None  # gzip, but not named as a WARC: not something Ally can tell apart
    lowered = head[:8192].lower()
    if name.endswith((".mht", ".mhtml")) or (
        b"mime-version" in lowered and b"multipart/related" in lowered
    ):
        return "mhtml"
    text = lowered.lstrip(b"\xef\xbb\xbf \t\r\n")
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    markers = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")
    if utf16 or text.startswith(markers) or name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    return None


def read_page(path: Path, display_name: str | None = None) -> Capture:
    """Read a saved web page of any kind Ally knows. Raises a clear error for anything else."""
    name = display_name or path.name
    try:
        with path.open("rb") as stream:
            head = stream.read(8192)
    except OSError as error:
        raise UnknownFormatError(
            f"{name}: Ally could not open this file ({error.strerror})."
        ) from None
    kind = sniff(path, head)
    if kind is None:
        raise UnknownFormatError(
            f"{name}: this is not a saved web page Ally can read. Save the page from your "
            "browser as “Web page, complete”, “Web page, single file” (MHTML), with the "
            "SingleFile extension, or as a WARC archive."
        )
    sha, size = file_digest(path)
    capture = Capture(format=kind, file_name=name, file_size=size, file_sha256=sha)
    if kind == "warc":
        _read_warc(path, capture)
        return capture
    if size > MAX_PAGE_BYTES:
        raise ImportFormatError(
            name, None, "this saved page is larger than 256 MiB; Ally reads pages up to that size."
        )
    data = path.read_bytes()
    if kind == "mhtml":
        _read_mhtml(data, capture)
    else:
        _read_html(data, capture)
    return capture


# --- HTML and SingleFile ------------------------------------------------------------------------

_JS_DATE = re.compile(
    r"(?:[A-Za-z]{3} )?([A-Za-z]{3}) (\d{1,2}) (\d{4})(?: (\d{2}):(\d{2}):(\d{2})(?: GMT([+-]\d{4}))?)?"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def javascript_date(text: str) -> dt.datetime | None:
    """A date as JavaScript's ``Date.toString()`` writes it (SingleFile's "saved date"):
    ``Sat Dec 05 2026 10:15:00 GMT+0100 (Central European Standard Time)``."""
    found = _JS_DATE.search(text)
    if not found:
        return None
    month = _MONTHS.get(found.group(1).lower())
    if month is None:
        return None
    hour, minute, second = (int(found.group(i) or 0) for i in (4, 5, 6))
    offset = found.group(7)
    zone: dt.tzinfo | None = None
    if offset:
        minutes = int(offset[1:3]) * 60 + int(offset[3:5])
        zone = dt.timezone(dt.timedelta(minutes=-minutes if offset[0] == "-" else minutes))
    try:
        return dt.datetime(
            int(found.group(3)), month, int(found.group(2)), hour, minute, second, tzinfo=zone
        )
    except ValueError:
        return None


def _apply_text(capture: Capture, page: PageText) -> None:
    capture.title = page.title
    capture.text = page.text
    if page.truncated:
        capture.notes.append(
            "The page's text was longer than 2 million characters; the rest is in the saved file."
        )


def _read_html(data: bytes, capture: Capture) -> None:
    html, capture.encoding = decode_html(data)
    page = page_text(html)
    _apply_text(capture, page)
    capture.parts.append(Part(None, "text/html", len(data), _sha256(data)))
    hints = page.hints
    if hints.get("singlefile"):
        capture.format = "singlefile"
        if hints.get("url"):
            capture.url, capture.url_source = hints["url"], "SingleFile's “url” comment"
        if hints.get("saved date"):
            moment = javascript_date(hints["saved date"])
            if moment is not None:
                capture.captured_at = moment
                capture.captured_at_source = "SingleFile's “saved date” comment"
                if moment.tzinfo is None:
                    capture.notes.append("SingleFile wrote the time without its time zone.")
            else:
                capture.notes.append("SingleFile's “saved date” could not be read.")
    else:
        capture.notes.append("A plain HTML file does not record when the page was saved.")
    if capture.format == "html" and hints.get("saved-from"):
        capture.url, capture.url_source = (
            hints["saved-from"],
            "the browser's “saved from url” comment",
        )
    if capture.url is None and page.canonical_url:
        capture.url, capture.url_source = page.canonical_url, "the page's canonical link"
    if capture.url is None and hints.get("og:url"):
        capture.url, capture.url_source = hints["og:url"], "the page's og:url"
    if not page.text and not page.title:
        capture.notes.append(
            "The page holds no visible text (it may need scripts to show anything)."
        )


# --- MHTML ---------------------------------------------------------------------------------------


def _damaged(capture: Capture, problem: str) -> ImportFormatError:
    return ImportFormatError(
        capture.file_name, None, problem + " Nothing was added to your journal."
    )


def _read_mhtml(data: bytes, capture: Capture) -> None:
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data)
    if not message.is_multipart():
        raise _damaged(capture, "this MHTML file has no parts: it is damaged or not a saved page.")
    if any(isinstance(defect, CloseBoundaryNotFoundDefect) for defect in message.defects):
        raise _damaged(capture, "this MHTML file is cut short (its last part never ends).")
    main: tuple[bytes, str | None, str | None] | None = None
    for part in _leaves(message):
        payload = part.get_payload(decode=True)
        body = payload if isinstance(payload, bytes) else b""
        if any(isinstance(defect, InvalidBase64CharactersDefect) for defect in part.defects):
            raise _damaged(
                capture, "a part of this MHTML file is damaged (its encoded bytes are not valid)."
            )
        location = part.get("Content-Location")
        media_type = part.get_content_type()
        if len(capture.parts) < MAX_PARTS:
            capture.parts.append(
                Part(str(location) if location else None, media_type, len(body), _sha256(body))
            )
        if main is None and media_type in ("text/html", "application/xhtml+xml"):
            main = (body, part.get_content_charset(), str(location) if location else None)
    if main is None:
        raise _damaged(capture, "this MHTML file holds no web page (no HTML part).")
    body, charset, location = main
    html, capture.encoding = decode_html(body, charset)
    page = page_text(html)
    _apply_text(capture, page)
    snapshot_location = message.get("Snapshot-Content-Location")
    if snapshot_location:
        capture.url, capture.url_source = (
            str(snapshot_location),
            "the MHTML Snapshot-Content-Location header",
        )
    elif location:
        capture.url, capture.url_source = location, "the MHTML page's Content-Location"
    _mhtml_date(message, capture)
    if message.get("Subject") and not capture.title:
        capture.title = str(message["Subject"])[:500]


def _leaves(message: Message) -> Iterator[Message]:
    for part in message.walk():
        if not part.is_multipart():
            yield part


def _mhtml_date(message: Message, capture: Capture) -> None:
    raw = message.get("Date")
    if not raw:
        capture.notes.append("The MHTML file does not say when it was saved.")
        return
    try:
        moment = email.utils.parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError):
        capture.notes.append("The MHTML file's Date header could not be read.")
        return
    if moment.tzinfo is None:  # "-0000": the time is in UTC (RFC 5322, section 3.3)
        moment = moment.replace(tzinfo=dt.UTC)
    capture.captured_at, capture.captured_at_source = moment, "the MHTML Date header"


# --- WARC ----------------------------------------------------------------------------------------

_WARC_ERRORS: tuple[type[BaseException], ...] = (
    ValueError, EOFError, OSError, zlib.error, KeyError, IndexError, UnicodeError, TypeError, AttributeError,
)  # fmt: skip


def _read_warc(path: Path, capture: Capture) -> None:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    main: tuple[bytes, str | None, str | None, str | None] | None = None
    try:
        _check_gzip(path)
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, check_digests="raise"):
                found = _warc_record(record, capture, want_page=main is None)
                if found is not None:
                    main = found
            _check_tail(stream)
    except (ArchiveLoadFailed, *_WARC_ERRORS) as error:
        raise _damaged(
            capture, f"this WARC file is damaged or cut short ({_why(error)})."
        ) from None
    if not capture.parts:
        raise _damaged(capture, "this WARC file holds no captured responses.")
    if main is None:
        raise _damaged(capture, "this WARC file holds no web page (no HTML response).")
    body, charset, url, when = main
    html, capture.encoding = decode_html(body, charset)
    _apply_text(capture, page_text(html))
    if url:
        capture.url, capture.url_source = url, "the WARC-Target-URI of the page's record"
    moment = _warc_date(when)
    if moment is not None:
        capture.captured_at, capture.captured_at_source = (
            moment,
            "the WARC-Date of the page's record",
        )
    else:
        capture.notes.append("The WARC record of the page has no readable WARC-Date.")


def _check_gzip(path: Path) -> None:
    """A compressed WARC must decompress to its very end (warcio stops quietly at a cut)."""
    with path.open("rb") as stream:
        if stream.read(2) != b"\x1f\x8b":
            return
        stream.seek(0)
        decompressor, fed = zlib.decompressobj(zlib.MAX_WBITS | 16), False
        while piece := stream.read(1024 * 1024):
            while piece:
                fed = True
                decompressor.decompress(piece, 1024 * 1024)
                piece = decompressor.unconsumed_tail
                if decompressor.eof:  # one gzip member ends; the next one starts afresh
                    piece = decompressor.unused_data + piece
                    decompressor, fed = zlib.decompressobj(zlib.MAX_WBITS | 16), False
        if fed and not decompressor.eof:
            raise EOFError("the compressed file is cut short")


def _check_tail(stream: Any) -> None:
    """Every WARC record ends with a blank line; warcio quietly ignores a last one cut short.
    (A compressed WARC was checked to its end by :func:`_check_gzip`.)"""
    stream.seek(0)
    if stream.read(2) == b"\x1f\x8b":
        return
    stream.seek(0, 2)
    stream.seek(max(0, stream.tell() - 4))
    if not stream.read(4).endswith((b"\r\n\r\n", b"\n\n")):
        raise EOFError("the last record is cut short")


def _why(error: BaseException) -> str:
    if isinstance(error, (TypeError, AttributeError, KeyError, IndexError)):
        return "a record could not be read"
    text = " ".join(str(error).split())[:120]
    return text or type(error).__name__


def _warc_record(
    record: Any, capture: Capture, want_page: bool
) -> tuple[bytes, str | None, str | None, str | None] | None:
    """Hash one response or resource record; return it if it is the page looked for."""
    if not record.rec_headers.get_header("Content-Length"):
        raise ValueError("a record has no Content-Length: its headers are cut short")
    if record.rec_type not in ("response", "resource"):
        return None
    headers = record.http_headers
    content_type = (
        (headers.get_header("Content-Type") if headers else None)
        or record.rec_headers.get_header("Content-Type")
        or ""
    )
    media_type = content_type.split(";")[0].strip().lower() or "application/octet-stream"
    is_page = want_page and media_type in ("text/html", "application/xhtml+xml")
    digest, size, kept = hashlib.sha256(), 0, bytearray()
    content = record.content_stream()
    while piece := content.read(1024 * 1024):
        digest.update(piece)
        size += len(piece)
        if is_page:
            if size > MAX_PAGE_BYTES:
                raise ValueError("the page's record is larger than 256 MiB")
            kept += piece
    while record.raw_stream.read(1024 * 1024):
        pass
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise ValueError("a record ends before its stated length")
    url = record.rec_headers.get_header("WARC-Target-URI")
    if len(capture.parts) < MAX_PARTS:
        capture.parts.append(Part(url, media_type, size, digest.hexdigest()))
    if not is_page:
        return None
    charset = None
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type, re.I)
    if match:
        charset = match.group(1)
    return bytes(kept), charset, url, record.rec_headers.get_header("WARC-Date")


def _warc_date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

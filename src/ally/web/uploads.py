"""Multipart forms read as they arrive: small text fields in memory, files handed on in pieces.

Starlette's own form parser spools files larger than 1 MiB to a temporary file, which would
put evidence on disk in plaintext. Here nothing is written anywhere: each piece of a file goes
straight to a sink (the vault's attachment writer, which encrypts it), and text fields are
capped in size. The caller sees a stream of events in the order the browser sent them, so it
can check the CSRF token (the first field of every form) before any file arrives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, cast

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ally.web import sealing
from ally.web.i18n import N_
from ally.web.pages import PageError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FIELDS_BYTES = 256 * 1024


@dataclass
class FieldPart:
    name: str
    value: str


@dataclass
class FileStart:
    name: str
    filename: str
    media_type: str | None


@dataclass
class FileData:
    data: bytes


@dataclass
class FileEnd:
    pass


Event = FieldPart | FileStart | FileData | FileEnd
BAD_FORM = N_("This form could not be checked. Please reload the page.")


def check_token(event: FieldPart | FileStart, fields: Mapping[str, str], csrf: str) -> None:
    """Refuse (403) a multipart form that does not open with this session's CSRF token.

    Call it for each field and each file as it arrives, with the fields kept so far: the token
    must be the first part and match, so nothing a forged form carries (text, let alone a
    file) is taken in before the form is known to come from Ally's own page.
    """
    if isinstance(event, FileStart):
        if "csrf" not in fields:
            raise PageError(403, BAD_FORM)
        return
    if not fields and event.name != "csrf":
        raise PageError(403, BAD_FORM)
    if event.name == "csrf" and not sealing.same_token(event.value, csrf):
        raise PageError(403, BAD_FORM)


def safe_filename(raw: str) -> str:
    """The last path component only, without control characters, at most 200 characters."""
    name = PureWindowsPath(PurePosixPath(raw).name).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"\\/')
    return name.strip()[:200] or "file"


class _Collector:
    """python-multipart's callbacks, turned into a list of events per chunk of the body."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._text: bytearray | None = None
        self._name = ""
        self.text_bytes = 0

    def on_part_begin(self) -> None:
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            self._text = bytearray()
            return
        self._text = None
        kind = self._headers.get(b"content-type", b"").decode("latin-1").strip() or None
        raw = filename.decode("utf-8", "replace")
        # A file input left empty still sends a part, with no file name: FileStart("") says so.
        self.events.append(FileStart(self._name, safe_filename(raw) if raw else "", kind))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._text is None:
            self.events.append(FileData(data[start:end]))
            return
        self.text_bytes += end - start
        if self.text_bytes > MAX_FIELDS_BYTES:
            raise PageError(413, N_("This form is too large."))
        self._text += data[start:end]

    def on_part_end(self) -> None:
        if self._text is None:
            self.events.append(FileEnd())
        else:
            self.events.append(FieldPart(self._name, self._text.decode("utf-8", "replace")))


TOO_LARGE = N_(
    "These files are too large for Ally to keep. Nothing was saved. "
    "Choose smaller files, or fewer at a time."
)
FORM_ALLOWANCE = MAX_FIELDS_BYTES + 64 * 1024
"""What a form may add to its files' size (its text fields and the multipart framing)."""


def refuse_if_too_large(request: Request, max_bytes: int) -> None:
    """413 from the Content-Length header alone, before a byte of the body is read.

    Uploads sent without a length (chunked) are counted as they arrive instead.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + FORM_ALLOWANCE:
        raise PageError(413, TOO_LARGE)


async def multipart_events(request: Request, max_bytes: int) -> AsyncIterator[Event]:
    """The form's fields and file pieces in order; PageError for anything malformed or too big."""
    refuse_if_too_large(request, max_bytes)
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise PageError(415, N_("This form was sent in a way Ally does not accept."))
    collector = _Collector()
    parser = MultipartParser(boundary, cast("MultipartCallbacks", _callbacks(collector)))
    received = file_bytes = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes + FORM_ALLOWANCE:
            raise PageError(413, TOO_LARGE)
        try:
            parser.write(chunk)
        except PageError:
            raise
        except Exception as error:  # python-multipart raises several types for a broken body
            raise PageError(400, N_("This form could not be read.")) from error
        for event in collector.events:
            if isinstance(event, FileData):
                file_bytes += len(event.data)
                if file_bytes > max_bytes:
                    raise PageError(413, TOO_LARGE)
            yield event
        collector.events.clear()
    parser.finalize()
    for event in collector.events:
        yield event


def _callbacks(collector: _Collector) -> dict[str, Any]:
    names = (
        "on_part_begin",
        "on_header_field",
        "on_header_value",
        "on_header_end",
        "on_headers_finished",
        "on_part_data",
        "on_part_end",
    )
    return {name: getattr(collector, name) for name in names}

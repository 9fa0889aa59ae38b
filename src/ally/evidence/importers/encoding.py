"""Which text encoding a chat export was saved in, and reading it as UTF-8 whatever it was.

Phones write UTF-8, but exports pass through other hands: Notepad's "Unicode" is UTF-16
(little-endian, with a byte-order mark), some editors drop the mark, and an older Windows
program may save Windows-1252 ("ANSI") or Latin-1. The parsers work on UTF-8 bytes, so any
other encoding is decoded and re-encoded as the file is read (:class:`Utf8Reader`), a block
at a time, and the summary names the encoding that was used.

How the encoding is told:

* a byte-order mark says it outright (UTF-8, UTF-16 LE or BE);
* without one, UTF-16 shows as zero bytes in every other place (text in Latin letters, digits
  and punctuation is one zero byte per character);
* otherwise the whole file is checked as UTF-8. A file that is valid UTF-8 is UTF-8. One with
  bytes above 127 that never form a UTF-8 sequence is a one-byte Western encoding:
  Windows-1252 when every byte is one Windows-1252 defines, else Latin-1. A file that is
  mostly UTF-8 with a few broken sequences stays UTF-8: those places are damaged, and the
  lenient reader keeps them with the lines reported.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ally.evidence.importers.base import PROBE_SIZE, _utf16

UTF8 = "utf-8"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16-le": "UTF-16 (little-endian)",
    "utf-16-be": "UTF-16 (big-endian)",
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
"""A complete, valid UTF-8 character of two to four bytes."""
_SCAN_BLOCK = 1 << 20


@dataclass(frozen=True)
class Encoding:
    """The encoding a file was read with, and how many bytes of byte-order mark it starts with."""

    codec: str
    bom: int = 0

    @property
    def name(self) -> str:
        """The encoding's name as a person knows it."""
        return NAMES.get(self.codec, self.codec)

    @property
    def is_utf8(self) -> bool:
        return self.codec in (UTF8, "utf-8-sig")


def detect(path: Path) -> Encoding:
    """The encoding of a text export (see the module docstring)."""
    with path.open("rb") as handle:
        return detect_stream(handle)


def detect_stream(handle: IO[bytes]) -> Encoding:
    head = handle.read(PROBE_SIZE)
    for mark, codec in _BOMS:
        if head.startswith(mark):
            return Encoding(codec, len(mark))
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return Encoding(utf16)
    return _utf8_or_western(head, handle)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a mark: most characters of a chat are ASCII, one zero byte each."""
    return _utf16(head)


def _utf8_or_western(head: bytes, handle: IO[bytes]) -> Encoding:
    decoder = codecs.getincrementaldecoder(UTF8)()
    multibyte = False
    valid = True
    block = head
    while block:
        if valid:
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                valid = False
        if not multibyte and not block.isascii():
            # Only whether there is one matters (looking for all took half of reading a chat).
            multibyte = MULTIBYTE.search(block) is not None
        block = handle.read(_SCAN_BLOCK)
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    if valid or multibyte:
        return Encoding(UTF8)  # UTF-8, perhaps with some damaged places
    handle.seek(0)
    defined = all(not _CP1252_UNDEFINED.intersection(chunk) for chunk in _blocks(handle))
    return Encoding("cp1252" if defined else "latin-1")


def _blocks(handle: IO[bytes]) -> list[bytes]:
    out = []
    while chunk := handle.read(_SCAN_BLOCK):
        out.append(chunk)
    return out


class Utf8Reader:
    """A binary stream of the file's text as UTF-8, decoded from ``encoding`` as it is read.

    Byte positions in what it returns are positions in the UTF-8 text, not in the original
    file (the importer then leaves byte offsets out and keeps line numbers, which agree).
    """

    def __init__(self, handle: IO[bytes], encoding: Encoding) -> None:
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder(encoding.codec)("replace")
        self._pending = b""
        handle.read(encoding.bom)

    def read(self, size: int = -1, /) -> bytes:
        while size < 0 or len(self._pending) < size:
            raw = self._handle.read(size if size > 0 else -1)
            final = not raw
            self._pending += self._decoder.decode(raw, final=final).encode(UTF8, "surrogatepass")
            if final or size < 0:
                break
        if size < 0:
            out, self._pending = self._pending, b""
        else:
            out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def __enter__(self) -> Utf8Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def open_text(path: Path, encoding: Encoding) -> IO[bytes] | Utf8Reader:
    """The file as UTF-8 bytes: the file itself when it is UTF-8, else a decoding reader."""
    handle = path.open("rb")
    if encoding.is_utf8:
        return handle
    return Utf8Reader(handle, encoding)

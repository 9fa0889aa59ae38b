"""Reading a screenshot: check that it is a whole image Ally can show, before it is stored."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ally.evidence.errors import ImportFormatError, UnknownFormatError
from ally.evidence.snapshot.formats import file_digest

MAX_SCREENSHOT_BYTES = 128 * 1024**2
MAX_PIXELS = 400_000_000
"""A full-page screenshot can be very tall; beyond this it is more likely a decompression bomb."""
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class Screenshot:
    """A checked screenshot, not yet stored."""

    file_name: str
    media_type: str
    size: int
    sha256: str
    width: int
    height: int


def read_screenshot(path: Path, display_name: str | None = None) -> Screenshot:
    """Check a screenshot file (PNG, JPEG, WebP or GIF): every byte of it must decode."""
    from PIL import Image, UnidentifiedImageError

    name = display_name or path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UnknownFormatError(
            f"{name}: Ally could not open this file ({error.strerror})."
        ) from None
    if size > MAX_SCREENSHOT_BYTES:
        raise ImportFormatError(name, None, "this screenshot is larger than 128 MiB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=list(MEDIA_TYPES)) as image:
                kind = image.format or ""
                width, height = image.size
                if kind not in MEDIA_TYPES:
                    raise UnknownFormatError(
                        f"{name}: a screenshot must be a PNG, JPEG, WebP or GIF image."
                    )
                if width * height > MAX_PIXELS:
                    raise ImportFormatError(
                        name, None, "this image is too large to be a screenshot."
                    )
                with _strict_decoding():
                    image.load()  # decodes every pixel: a cut-short file fails here
    except UnidentifiedImageError:
        raise UnknownFormatError(
            f"{name}: this is not an image Ally can read; a screenshot must be a PNG, JPEG, "
            "WebP or GIF image."
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImportFormatError(name, None, "this image is too large to be a screenshot.") from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise ImportFormatError(
            name,
            None,
            f"this image is damaged or cut short ({' '.join(str(error).split())[:100]}). "
            "Nothing was added to your journal.",
        ) from None
    if kind == "PNG" and not _ends_with_iend(path):
        raise ImportFormatError(
            name,
            None,
            "this PNG image is cut short (its end is missing). Nothing was added to your journal.",
        )
    sha, size = file_digest(path)
    return Screenshot(name, MEDIA_TYPES[kind], size, sha, width, height)


_STRICT = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Decode with Pillow's truncated-image tolerance off, whoever turned it on.

    WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole process when it is
    imported (the letters' PDFs use it), after which Pillow quietly fills a cut-short JPEG,
    WebP or GIF with grey and a damaged screenshot would be kept as evidence. The flag is a
    process-wide global, so it is switched off only around this one decode, under a lock.
    """
    from PIL import ImageFile

    with _STRICT:
        tolerant = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = tolerant


def _ends_with_iend(path: Path) -> bool:
    """A whole PNG file ends with its IEND chunk (Pillow shows a PNG cut just before it)."""
    with path.open("rb") as stream:
        stream.seek(0, 2)
        stream.seek(max(0, stream.tell() - 12))
        return stream.read() == b"\x00\x00\x00\x00IEND\xaeB`\x82"

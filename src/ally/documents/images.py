"""Copies of image exhibits made for showing inside a report.

A report shows a reduced JPEG copy of each photo or screenshot; the original stays untouched
in the vault and in the evidence bundle, and the report prints the original's SHA-256. The copy is
re-encoded from pixels only, so location and camera metadata (EXIF GPS) in the original never
reach HR, a platform or the other side through the report. Anything Pillow cannot read safely
(unknown format, truncated file, a decompression bomb) is listed instead of shown.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import warnings
from dataclasses import dataclass
from functools import cache

from PIL import Image, UnidentifiedImageError

MAX_SIDE = 1000
"""Smallest long side of a reduced copy, in pixels: the largest printed image (17 cm) at
150 dpi. A quarter of a 4000-pixel phone photo, so the JPEG decoder makes it directly (issue
17 item 11: the copies are a large part of a report's time). Copies are reduced by whole
factors, so a long side may be up to 1.5 times this."""

MAX_SOURCE_BYTES = 64 * 1024 * 1024
"""Images larger than this are listed, not shown (they are read into memory to be decoded)."""

MAX_PIXELS = 80_000_000
"""Refuse to decode more pixels than this (about 9,000 x 9,000): a guard against image bombs."""

_ORIENTATION = 0x0112
"""The EXIF tag saying how a photo is rotated."""

IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
)
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"})


@dataclass(frozen=True)
class DisplayImage:
    """A re-encoded copy for the page, with the original's pixel size for the caption."""

    data: bytes
    media_type: str
    width: int
    height: int
    original_width: int
    original_height: int

    def size_mm(
        self, max_width: float = 170, max_height: float = 150, dpi: float = 150
    ) -> tuple[float, float]:
        """Printed size: natural at ``dpi``, shrunk (never stretched) to fit the box."""
        width, height = self.width / dpi * 25.4, self.height / dpi * 25.4
        scale = min(1.0, max_width / width, max_height / height)
        return round(width * scale, 1), round(height * scale, 1)

    @property
    def reduced(self) -> bool:
        return (self.width, self.height) != (self.original_width, self.original_height)


def looks_like_image(media_type: str | None, filename: str | None) -> bool:
    """Whether an attachment is worth trying to show (by its type, else by its name)."""
    if media_type and media_type.lower() in IMAGE_TYPES:
        return True
    if filename:
        lowered = filename.lower()
        return any(lowered.endswith(suffix) for suffix in IMAGE_SUFFIXES)
    return False


def display_copy(data: bytes) -> DisplayImage | None:
    """A reduced, metadata-free copy of an image, or None when it cannot be read safely."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _convert(data)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None


def _convert(data: bytes) -> DisplayImage | None:
    with Image.open(io.BytesIO(data)) as image:
        original = image.size
        if original[0] * original[1] > MAX_PIXELS or 0 in original:
            return None
        photo = image.format == "JPEG"
        if photo:
            # Decode at 1/2, 1/4 or 1/8 scale straight from the JPEG data when that is still
            # big enough: a 12-megapixel photo then costs a sixteenth of the work.
            scale = min(1.0, MAX_SIDE / max(original))
            image.draft("RGB", (int(original[0] * scale), int(original[1] * scale)))
        image.load()
        orientation = image.getexif().get(_ORIENTATION, 1)
        frame = _smaller(image if image.mode in _REDUCIBLE else image.convert("RGBA"))
        if orientation in _TURN:
            frame = frame.transpose(_TURN[orientation])
        out = io.BytesIO()
        _flatten(frame).save(out, "JPEG", quality=82 if photo else 88)
        shown = (original[1], original[0]) if orientation in (5, 6, 7, 8) else original
        return DisplayImage(out.getvalue(), "image/jpeg", *frame.size, *shown)


_REDUCIBLE = frozenset({"L", "LA", "RGB", "RGBA", "CMYK"})
"""Modes Pillow can shrink by whole factors; palette and other images are converted first."""

_TURN = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
"""How to turn a photo upright for each EXIF orientation (as ``ImageOps.exif_transpose``),
applied to the reduced copy, which is cheaper than turning the full-size picture."""


def _smaller(image: Image.Image) -> Image.Image:
    """The copy's pixels: shrunk by a whole factor (each pixel the mean of a square of them)
    to a long side of MAX_SIDE up to twice that, and resampled only when that is still over
    1.5 x MAX_SIDE. A phone screenshot (1170 x 2532) then costs 6 ms instead of 16 ms after
    decoding; resampling was most of it (issue 17 item 11)."""
    factor = max(image.size) // MAX_SIDE
    frame = image.reduce(factor) if factor >= 2 else image
    if max(frame.size) > MAX_SIDE * 3 // 2:
        frame = frame.copy() if frame is image else frame
        frame.thumbnail((MAX_SIDE, MAX_SIDE))
    return frame


def _flatten(frame: Image.Image) -> Image.Image:
    """RGB on white. Every shown copy is a JPEG, which a PDF embeds as it is; a PNG would be
    decoded and compressed again, which for hundreds of screenshots costs seconds and memory."""
    if frame.mode in ("RGBA", "LA", "P", "PA"):
        rgba = frame.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return frame.convert("RGB")


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def give_back_memory() -> None:
    """Return the decoders' freed memory to the system once the copies are made.

    Each worker thread decodes in its own malloc arena, and glibc keeps what was freed there
    for later; the report's typesetting comes next and needs that room (issue 17 item 11: the
    report must stay under 500 MB). Elsewhere than glibc this does nothing."""
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is not None:
        trim(0)

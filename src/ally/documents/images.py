"""Copies of image exhibits made for showing inside a report.

A report shows a reduced JPEG copy of each photo or screenshot; the original stays untouched
in the vault and in the evidence bundle, and the report prints the original's SHA-256. The copy is
re-encoded from pixels only, so location and camera metadata (EXIF GPS) in the original never
reach HR, a platform or the other side through the report. Anything Pillow cannot read safely
(unknown format, truncated file, a decompression bomb) is listed instead of shown.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1000
"""Longest side of the shown copy, in pixels: the largest printed image (17 cm) at 150 dpi.
A quarter of a 4000-pixel phone photo, so the JPEG decoder makes it directly (issue 17 item
11: the copies are a large part of a report's time)."""

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
        frame: Image.Image = image
        if image.getexif().get(_ORIENTATION, 1) != 1:
            frame = ImageOps.exif_transpose(image)
        # Halving first (a box filter) and then resampling is about twice as fast as
        # resampling a 3-megapixel screenshot at once, and as sharp at this size.
        frame.thumbnail((MAX_SIDE, MAX_SIDE), reducing_gap=1.0)
        original = _oriented(image, original)
        out = io.BytesIO()
        _flatten(frame).save(out, "JPEG", quality=82 if photo else 88)
        return DisplayImage(out.getvalue(), "image/jpeg", *frame.size, *original)


def _flatten(frame: Image.Image) -> Image.Image:
    """RGB on white. Every shown copy is a JPEG, which a PDF embeds as it is; a PNG would be
    decoded and compressed again, which for hundreds of screenshots costs seconds and memory."""
    if frame.mode in ("RGBA", "LA", "P", "PA"):
        rgba = frame.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return frame.convert("RGB")


def _oriented(image: Image.Image, size: tuple[int, int]) -> tuple[int, int]:
    """The original's size as it is shown (width and height swap for rotated photos)."""
    orientation = image.getexif().get(_ORIENTATION, 1)
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size

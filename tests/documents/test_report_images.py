"""The reduced image copies in the PDF report still belong to their exhibits' SHA-256 lines.

Images are shown as reduced, metadata-free copies (``documents/images.py``), while the report
prints the fingerprint of the original file. A reader checks an exhibit by hashing the
original, so the picture printed above a fingerprint must be a copy of that very file, upright,
and the copy's own fingerprint must appear nowhere. pdfimages takes the pictures back out of
the PDF as they were embedded and pdftotext reads the lines around them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

from ally.documents.casefile import build_casefile
from ally.documents.evidence import MemoryEvidence
from ally.documents.images import MAX_SIDE
from ally.documents.report_pdf import render_pdf
from tests.documents.test_report import pdftotext, tool

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def picture(size: tuple[int, int], colour: str, mark: str) -> Image.Image:
    """A picture with a dark square in its top-left quarter, so a turned copy is noticed."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill="black")
    draw.text((size[0] // 2, size[1] // 2), mark, fill="white")
    return image


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def exhibits() -> list[tuple[str, str, bytes, Image.Image]]:
    """Phone photo (stored on its side, EXIF says turn it), screenshot, palette image, a
    middle-sized photo: (name, type, file, how it should look)."""
    upright = picture((3000, 4000), "navy", "photo")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned: a viewer turns it 90 degrees clockwise
    exif[0x010F] = "SecretCam"
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    shot = picture((1170, 2532), "white", "chat")
    palette = picture((2400, 1600), "green", "map").convert("P", palette=Image.Palette.ADAPTIVE)
    middle = picture((1600, 1200), "maroon", "car")
    return [
        ("IMG_0001.jpg", "image/jpeg", encoded(stored, "JPEG", quality=90, exif=exif), upright),
        ("Screenshot.png", "image/png", encoded(shot, "PNG"), shot),
        ("map.png", "image/png", encoded(palette, "PNG"), palette.convert("RGB")),
        ("car.jpg", "image/jpeg", encoded(middle, "JPEG", quality=90), middle),
    ]


def looks_alike(copy: Image.Image, original: Image.Image) -> bool:
    """Same picture the same way up: compared as 8 x 8 averages."""
    small = [im.convert("RGB").resize((8, 8), Image.Resampling.BOX) for im in (copy, original)]
    pairs = zip(small[0].tobytes(), small[1].tobytes(), strict=True)
    worst = max(abs(a - b) for a, b in pairs)
    return worst < 48


def test_each_shown_copy_sits_above_its_originals_fingerprint(tmp_path: Path) -> None:
    journal = MemoryEvidence("9-K7Q3-9XRT-M2PA-HW4D")
    files = exhibits()
    for day, (name, media_type, data, _) in enumerate(files, 1):
        start = dt.datetime(2026, 3, day, 9, 0, tzinfo=dt.UTC).isoformat()
        journal.add(
            "incident",
            {"when": {"start": start}, "what": f"Incident {name}"},
            [(name, media_type, data)],
        )
    case = build_casefile(journal, zone=dt.UTC, now=NOW)
    assert [exhibit.filename for exhibit in case.exhibits] == [name for name, *_ in files]

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(case))
    subprocess.run([tool("pdfimages"), "-j", str(pdf), str(tmp_path / "img")], check=True)
    embedded = sorted(tmp_path.glob("img-*.jpg"))
    text = " ".join(pdftotext(pdf).split())

    assert len(embedded) == len(files), "every image is shown, once"
    for exhibit, (name, _, data, looks), shown in zip(case.exhibits, files, embedded, strict=True):
        original = hashlib.sha256(data).hexdigest()
        assert exhibit.sha256 == original == journal.sha256(exhibit.attachment_id)
        display = exhibit.display
        assert display is not None
        # The PDF holds the copy exactly as made (the JPEG is embedded unchanged) ...
        assert shown.read_bytes() == display.data, f"{name}: the picture in the PDF"
        copy = Image.open(io.BytesIO(display.data))
        assert copy.size == (display.width, display.height)
        assert MAX_SIDE <= max(copy.size) <= MAX_SIDE * 3 // 2
        assert looks_alike(copy, looks), f"{name}: the copy shows the original, upright"
        assert b"SecretCam" not in display.data and b"Exif" not in display.data
        # ... printed directly above the original's fingerprint, never the copy's.
        caption = re.search(
            rf"{exhibit.label} · {re.escape(name)} · .*? SHA-256 ([0-9a-f]{{64}})", text
        )
        assert caption is not None and caption.group(1) == original, name
        assert hashlib.sha256(display.data).hexdigest() not in text
        assert f"{exhibit.label} · {name} · {len(data)} bytes" in text, "the appendix line"
        assert text.count(f"SHA-256 {original}") == 2, (
            "once under the picture, once in the appendix"
        )
    photo = case.exhibits[0].display
    assert photo is not None and (photo.original_width, photo.original_height) == (3000, 4000)
    assert "shown reduced from 3000 × 4000 pixels" in text

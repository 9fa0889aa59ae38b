"""Defensive readers for fields of parsed export objects.

Exports are untrusted: a field can be missing, null, or of the wrong type. These helpers
return ``None`` or a default instead of raising, so a damaged field never crashes an import.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path, PurePosixPath
from typing import Any

from ally.model.message import Attachment


def text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def opt_text(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return None


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def guess_type(name: str) -> str | None:
    return mimetypes.guess_type(name)[0]


def local_file(
    base: Path, relative: str, name: str | None = None, media_type: str | None = None
) -> Attachment:
    """An attachment named by a path relative to the export; hashed if the file is there."""
    clean = PurePosixPath(relative.replace("\\", "/"))
    shown = name or clean.name or relative
    kind = media_type or guess_type(shown)
    if clean.is_absolute() or ".." in clean.parts or not clean.parts:
        return Attachment(name=shown, media_type=kind, location=relative, included=False)
    candidate = base.joinpath(*clean.parts)
    try:
        if not candidate.is_file():
            return Attachment(name=shown, media_type=kind, location=relative, included=False)
        digest = hashlib.sha256()
        size = 0
        with candidate.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except (OSError, ValueError):
        return Attachment(name=shown, media_type=kind, location=relative, included=False)
    return Attachment(
        name=shown,
        media_type=kind,
        size=size,
        sha256=digest.hexdigest(),
        location=relative,
        included=True,
    )

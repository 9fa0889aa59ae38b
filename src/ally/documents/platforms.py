"""What each platform's report form takes, from ``letters/platforms.yaml`` in the packs.

Only sourced facts are kept there. No source we have states the length limit of any report
form, so a platform's ``limit`` is usually unknown; the letter says so, and the person can pass
the limit the form shows them (``--max-chars``) to get a description that fits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ally.documents.letters import LetterError

FILE = "platforms.yaml"


class PlatformSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    url: str
    status: Literal["official", "secondary"]
    note: str | None = None


class Platform(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    domains: list[str] = Field(default_factory=list)
    how: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    categories_note: str | None = None
    evidence: list[str] = Field(default_factory=list)
    confidential: str | None = None
    limit: int | None = Field(default=None, ge=1, description="Only with a source that states it.")
    sources: list[PlatformSource] = Field(default_factory=list)


class _PlatformFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platforms: list[Platform]


def load_platforms(folders: list[Path]) -> dict[str, Platform]:
    """Platforms from every pack's letters folder; a nearer pack replaces a platform by id."""
    found: dict[str, Platform] = {}
    for folder in reversed(folders):
        path = folder / FILE
        if not path.is_file():
            continue
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            parsed = _PlatformFile.model_validate(raw)
        except (yaml.YAMLError, ValidationError) as error:
            raise LetterError(f"{path} is not a valid platform list: {error}") from error
        found.update({platform.id: platform for platform in parsed.platforms})
    return found


def platform_context(
    platforms: dict[str, Platform], platform_id: str | None, max_chars: int | None
) -> dict[str, Any]:
    """The ``platform`` and ``max_chars`` values of the platform report template."""
    key = (platform_id or "other").lower()
    if key not in platforms:
        known = ", ".join(sorted(p for p in platforms if p != "other"))
        raise LetterError(f"Ally has no notes for the platform {key!r}. Known platforms: {known}.")
    platform = platforms[key]
    limit = max_chars or platform.limit
    return {
        "platform": {
            **platform.model_dump(),
            "limit_known": platform.limit is not None,
            "sources": [source.model_dump() for source in platform.sources],
        },
        "max_chars": limit,
    }

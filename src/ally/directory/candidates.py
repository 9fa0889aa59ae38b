"""What the search and its results share: the store's candidates and how they were ranked.

:mod:`ally.directory.search` asks the store for candidates and ranks them;
:mod:`ally.directory.results` turns ranked candidates into hits. Both need these types, so
they live here, below both, and imports run one way (search → results → this module).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol

Scope = Literal["local", "region", "country", "world"]
Document = dict[str, Any]


@dataclass(frozen=True)
class Match:
    """What the text index must match: every word, and one tag from each group."""

    words: tuple[str, ...] = ()
    tag_groups: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.words and not self.tag_groups


@dataclass(frozen=True, slots=True)
class Candidate:
    key: int
    service_id: str
    lat: float | None
    lon: float | None
    name: str
    hours: str | None
    areas: tuple[str, ...] = ()


class DirectoryIndex(Protocol):
    """What search needs from a store (``ally.storage.directory_store.DirectoryStore``)."""

    def located(self, match: Match, lat: float, lon: float, radius_km: float) -> list[Candidate]:
        """Entries with an address within (at least) the radius, matching ``match``."""
        ...

    def area_wide(self, match: Match, areas: Sequence[str]) -> list[Candidate]:
        """Entries without an address that serve one of the areas."""
        ...

    def anywhere(self, match: Match, limit: int) -> list[Candidate]:
        """The best-matching entries wherever they are."""
        ...

    def documents(self, service_ids: Sequence[str]) -> dict[str, tuple[Document, Document | None]]:
        """Service documents with their organisation documents."""
        ...


class Ranked(NamedTuple):
    candidate: Candidate
    distance: float | None
    scope: Scope
    score: float

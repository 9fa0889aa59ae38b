"""What the directory store and its two index backends share, below both of them.

:mod:`ally.storage.directory_store` picks a backend (``directory_sqlite`` or
``directory_postgres``) and drives it; the backends need the key layout, the SQL helpers and
the writer types. Keeping those here, rather than in the store, lets imports run one way
(store → backends → this module) with no circle between the files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

from ally.directory.candidates import Candidate, Match
from ally.directory.index import Entry
from ally.storage.database import Database

AREA_BASE = 1 << 62
SEQ_BITS = 32
Spatial = Literal["auto", "earthdistance", "zorder"]
Document = dict[str, Any]


INSERT_SERVICES = (
    "INSERT INTO directory_services (id, organization_id, doc, entry_keys, origin)"
    " VALUES (?, ?, ?, ?, ?)"
)
ServiceRow = tuple[str, str | None, bytes | str, str, str]


class DocumentWriter(Protocol):
    """Writes new service rows; a backend may do it beside the preparation of the next batch."""

    def insert(self, rows: list[ServiceRow]) -> None: ...
    def drain(self) -> None:
        """Return once every row handed over is written; raise what went wrong if it was not."""

    def close(self) -> None: ...


class DirectWriter:
    """Rows written at once, on the caller's thread."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, rows: list[ServiceRow]) -> None:
        self.db.executemany(INSERT_SERVICES, rows)

    def drain(self) -> None:
        return None

    def close(self) -> None:
        return None


class IndexBackend(Protocol):
    """The database-specific half of the store: the search index (see the two backends)."""

    def create(self) -> None: ...
    def rows(self, keyed: list[tuple[int, Entry]]) -> list[tuple[Any, ...]]: ...
    def insert_rows(self, rows: list[tuple[Any, ...]], state: dict[str, Any]) -> None: ...
    def delete(self, keys: list[int], state: dict[str, Any] | None = None) -> None: ...
    def loading(self, incoming: int) -> AbstractContextManager[bool]: ...
    def document_writer(self, bulk: bool) -> DocumentWriter: ...
    def finish(self, state: dict[str, Any]) -> None: ...
    def located(
        self, match: Match, lat: float, lon: float, radius_km: float
    ) -> Iterator[Candidate]: ...
    def area_wide(self, match: Match, areas: Sequence[str]) -> Iterator[Candidate]: ...
    def anywhere(self, match: Match, limit: int) -> Iterator[Candidate]: ...


def key_range(low_code: int, high_code: int) -> tuple[int, int]:
    """The entry keys of the grid cells ``low_code..high_code`` (inclusive)."""
    return low_code << SEQ_BITS, ((high_code + 1) << SEQ_BITS) - 1


Box = tuple[float, float, float, float]


def box_condition(boxes: Sequence[Box], prefix: str = "") -> tuple[str, tuple[float, ...]]:
    """SQL keeping only entries in a circle's bounding boxes (``geo.bounding_boxes``).

    Key ranges and index boxes cover more than the circle (whole grid cells: about twice
    its area); dropping the corners in the database halves the rows a big-city search turns
    into candidates in Python. ``prefix`` names the entries table (``"e."``)."""
    test = " OR ".join(
        f"({prefix}lat BETWEEN ? AND ? AND {prefix}lon BETWEEN ? AND ?)" for _ in boxes
    )
    return f"({test})", tuple(value for box in boxes for value in box)

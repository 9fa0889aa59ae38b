"""The directory's search index on PostgreSQL: full-text search and a spatial index.

* Words: a stored ``tsvector`` (name weighted above description, English stemming) with a GIN
  index; tags (type, language, area) in a ``text[]`` column with its own GIN index.
* Places: where the ``cube`` and ``earthdistance`` extensions can be used, each point is kept
  as an earth-centred ``cube`` with a GiST index and searched with ``earth_box``. The point is
  computed in Python and stored in a plain column, so the index holds no function call whose
  meaning could change with the search path. Where the extensions are missing (many hosted
  databases), the entry key's Z-order prefix on the primary-key B-tree does the same job:
  "near here" becomes a few key ranges.

Distances are checked exactly (haversine) by the search module either way.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ally.directory.candidates import Candidate, Match
from ally.directory.geo import EARTH_RADIUS_KM, bounding_boxes, zorder_ranges
from ally.directory.index import Entry
from ally.storage.database import Database, StorageError
from ally.storage.directory_backend import (
    AREA_BASE,
    DirectWriter,
    DocumentWriter,
    Spatial,
    box_condition,
    key_range,
)

ANALYZE_AFTER = 10_000
EARTH_RADIUS_M = 6378168.0  # the radius earthdistance's earth() uses
# Our distances use the mean radius; earth_box() measures on its larger sphere, so scale up
# (with a hair of margin) to be sure the box holds every point within the radius.
EARTH_BOX_SCALE = EARTH_RADIUS_M / (EARTH_RADIUS_KM * 1000.0) * 1.0001

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS directory_entries ("
    " key BIGINT PRIMARY KEY, service_id TEXT NOT NULL, lat DOUBLE PRECISION,"
    " lon DOUBLE PRECISION, name TEXT NOT NULL, body TEXT NOT NULL, tags TEXT[] NOT NULL,"
    " hours TEXT, tsv tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', body), 'B')"
    ") STORED)",
    "CREATE INDEX IF NOT EXISTS directory_entries_tsv ON directory_entries USING GIN (tsv)",
    "CREATE INDEX IF NOT EXISTS directory_entries_tags ON directory_entries USING GIN (tags)",
)


def earth_point(lat: float, lon: float) -> tuple[float, float, float]:
    """The point as earthdistance's ll_to_earth() makes it: x, y, z in metres."""
    phi, lam = math.radians(lat), math.radians(lon)
    return (
        EARTH_RADIUS_M * math.cos(phi) * math.cos(lam),
        EARTH_RADIUS_M * math.cos(phi) * math.sin(lam),
        EARTH_RADIUS_M * math.sin(phi),
    )


class PostgresIndex:
    def __init__(self, db: Database, spatial: Spatial) -> None:
        self.db = db
        self.requested = spatial
        self.ext: str | None = None

    def create(self) -> None:
        for statement in _SCHEMA:
            self.db.execute(statement)
        if self.requested != "zorder":
            self.ext = self._earthdistance_schema()
            if self.ext is None and self.requested == "earthdistance":
                raise StorageError(
                    "The PostgreSQL extensions cube and earthdistance are not available; "
                    "install them (postgresql-contrib) or use spatial='zorder'."
                )
        if self.ext is not None:
            self.db.execute(
                f"ALTER TABLE directory_entries ADD COLUMN IF NOT EXISTS earth {self.ext}.cube"
            )
            self.db.execute(
                "CREATE INDEX IF NOT EXISTS directory_entries_earth ON directory_entries USING GIST (earth)"
            )

    def _earthdistance_schema(self) -> str | None:
        """The schema holding cube and earthdistance, creating them in ``public`` if allowed."""
        found = self._extension_schemas()
        if "earthdistance" not in found:
            self.db.execute("SAVEPOINT directory_extensions")
            try:
                self.db.execute("CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA public")
                self.db.execute("CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA public")
                self.db.execute("RELEASE SAVEPOINT directory_extensions")
            except Exception:  # no permission, not installed, or created concurrently
                self.db.execute("ROLLBACK TO SAVEPOINT directory_extensions")
            found = self._extension_schemas()
        if found.get("earthdistance") and found.get("earthdistance") == found.get("cube"):
            return found["earthdistance"]
        return None

    def _extension_schemas(self) -> dict[str, str]:
        rows = self.db.query(
            "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n"
            " ON n.oid = e.extnamespace WHERE e.extname IN ('cube', 'earthdistance')"
        )
        return {str(name): str(schema) for name, schema in rows}

    @property
    def spatial(self) -> str:
        return "earthdistance" if self.ext else "zorder"

    def rows(self, keyed: list[tuple[int, Entry]]) -> list[tuple[Any, ...]]:
        """Table rows for entries."""
        return [
            (key, e.service_id, e.lat, e.lon, e.name, e.body, list(e.tags), e.hours)
            for key, e in keyed
        ]

    def insert_rows(self, rows: list[tuple[Any, ...]], state: dict[str, Any]) -> None:
        state["inserted"] = state.get("inserted", 0) + len(rows)
        columns = "key, service_id, lat, lon, name, body, tags, hours"
        plain = [row for row in rows if self.ext is None or row[2] is None]
        self.db.executemany(
            f"INSERT INTO directory_entries ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", plain
        )
        if self.ext is None:
            return
        self.db.executemany(
            f"INSERT INTO directory_entries ({columns}, earth)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, {self.ext}.cube(ARRAY[?, ?, ?]::float8[]))",
            [(*row, *earth_point(row[2], row[3])) for row in rows if row[2] is not None],
        )

    @contextmanager
    def loading(self, incoming: int) -> Iterator[bool]:
        """PostgreSQL has no bulk mode: its indexes take rows in any order at the same cost."""
        yield False

    def document_writer(self, bulk: bool) -> DocumentWriter:
        return DirectWriter(self.db)

    def finish(self, state: dict[str, Any]) -> None:
        """After a big import, fresh statistics, so the planner picks the right index at once."""
        if state.get("inserted", 0) >= ANALYZE_AFTER:
            self.db.execute("ANALYZE directory_entries")

    def delete(self, keys: list[int], state: dict[str, Any] | None = None) -> None:
        self.db.execute("DELETE FROM directory_entries WHERE key = ANY(?)", [keys])

    def _filters(self, match: Match) -> tuple[list[str], list[Any], str]:
        where: list[str] = []
        params: list[Any] = []
        rank = "0.0"
        if match.words:
            where.append("tsv @@ plainto_tsquery('english', ?)")
            params.append(" ".join(match.words))
            rank = "ts_rank(tsv, plainto_tsquery('english', ?))"
        for group in match.tag_groups:
            where.append("tags && ?::text[]")
            params.append(list(group))
        return where, params, rank

    def _rank_params(self, match: Match) -> list[Any]:
        return [" ".join(match.words)] if match.words else []

    def located(
        self, match: Match, lat: float, lon: float, radius_km: float
    ) -> Iterator[Candidate]:
        where, params, _ = self._filters(match)
        where.append("lat IS NOT NULL")
        if self.ext is not None:
            where.append(
                f"{self.ext}.earth_box({self.ext}.ll_to_earth(?, ?), ?) OPERATOR({self.ext}.@>) earth"
            )
            # The box's corners hold about a fifth of it: the distance drops them here.
            where.append(f"{self.ext}.earth_distance({self.ext}.ll_to_earth(?, ?), earth) <= ?")
            params += [lat, lon, radius_km * 1000.0 * EARTH_BOX_SCALE] * 2
        else:
            ranges = [key_range(low, high) for low, high in zorder_ranges(lat, lon, radius_km)]
            where.append("(" + " OR ".join("key BETWEEN ? AND ?" for _ in ranges) + ")")
            params += [bound for pair in ranges for bound in pair]
            box, box_params = box_condition(bounding_boxes(lat, lon, radius_km))
            where.append(box)
            params += box_params
        rows = self.db.query(
            f"SELECT key, service_id, lat, lon, name, hours FROM directory_entries"
            f" WHERE {' AND '.join(where)}",
            params,
        )
        for row in rows:
            yield Candidate(*row)

    def area_wide(self, match: Match, areas: Sequence[str]) -> Iterator[Candidate]:
        where, params, _ = self._filters(match)
        where += ["key >= ?", "tags && ?::text[]"]
        params += [AREA_BASE, [f"a:{code}" for code in areas]]
        rows = self.db.query(
            f"SELECT key, service_id, name, hours, tags FROM directory_entries"
            f" WHERE {' AND '.join(where)}",
            params,
        )
        for row in rows:
            areas_found = tuple(tag[2:] for tag in row[4] if tag.startswith("a:"))
            yield Candidate(row[0], row[1], None, None, row[2], row[3], areas_found)

    def anywhere(self, match: Match, limit: int) -> Iterator[Candidate]:
        where, params, rank = self._filters(match)
        condition = " AND ".join(where) or "TRUE"
        rows = self.db.query(
            f"SELECT key, service_id, lat, lon, name, hours, tags, {rank} AS relevance"
            " FROM directory_entries"
            f" WHERE {condition} ORDER BY relevance DESC, key LIMIT ?",
            [*self._rank_params(match), *params, limit],
        )
        for row in rows:
            areas_found = tuple(tag[2:] for tag in row[6] if tag.startswith("a:"))
            yield Candidate(row[0], row[1], row[2], row[3], row[4], row[5], areas_found)

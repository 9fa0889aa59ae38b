"""The directory's search index on SQLite: a table of entries, FTS5 and an R*Tree.

* ``directory_entries`` holds each entry (key, service, point, words, tags, hours), keyed by
  the Z-order key (``directory_store.entry_key``), so neighbours on the map are neighbours in
  the table.
* ``directory_fts`` (FTS5, external content, ``detail=column``) indexes the words and the
  filter tags. Tags are single tokens in their own column (``ztshelter0`` for type shelter,
  ``zles0`` for Spanish, ``zaus0`` for the United States), so type and language filters are
  part of one full-text match.
* ``directory_cells`` (R*Tree) indexes the occupied grid cells (16 x 16 grid steps, about
  20 x 10 km at the equator); each cell is one contiguous range of entry keys.

A search near a point with words or filters runs the full-text match once per key range
covering the circle (``rowid BETWEEN``), so FTS5 reads only that neighbourhood's postings,
not the whole country's. A search by distance alone asks the R*Tree which cells around the
point hold anything and reads their key ranges. (FTS5's bm25() is not used: it counts each
term's documents over the whole table on every query, which cost ~10 ms at 100,000 entries.)

A bulk import (at least ``BULK_MIN`` services, and at least half as many as are stored) is
still one transaction, arranged for speed:

* SQLite's rollback journal instead of the WAL when no other connection has the file open
  (``Database.rollback_journal``): new pages are written once, not to the WAL and again at
  the checkpoint.
* The documents are written on a second thread (``BackgroundWriter``) while the next batch
  is prepared in Python; both threads use the one connection, inside the one transaction.
* The entries wait in memory and are written in key order at the end, and the full-text
  index is rebuilt once (FTS5 needs rowids in ascending order to add postings cheaply).
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson

from ally.directory.candidates import Candidate, Match
from ally.directory.geo import GRID_SIZE, bounding_boxes, unspread, zorder_ranges
from ally.directory.index import WORLD, Entry
from ally.directory.taxonomy import TYPES_BY_CODE
from ally.storage.database import Database
from ally.storage.directory_backend import (
    AREA_BASE,
    SEQ_BITS,
    DirectWriter,
    DocumentWriter,
    ServiceRow,
    box_condition,
    key_range,
)

CELL_SHIFT = 8  # a coarse cell is 16 x 16 grid cells: 4 levels up, 8 bits of Z-order code

WEIGHTS = "10.0, 3.0, 0.0"
_TYPE_TOKENS = {f"zt{code.replace('_', '')}0": code for code in TYPES_BY_CODE}
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS directory_entries ("
    " key INTEGER PRIMARY KEY, service_id TEXT NOT NULL, lat REAL, lon REAL,"
    " name TEXT NOT NULL, body TEXT NOT NULL, tags TEXT NOT NULL, hours TEXT)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS directory_fts USING fts5("
    " name, body, tags, content='directory_entries', content_rowid='key', detail='column',"
    ' tokenize="porter unicode61 remove_diacritics 2")',
    "CREATE VIRTUAL TABLE IF NOT EXISTS directory_cells USING rtree("
    " id, min_lat, max_lat, min_lon, max_lon)",
)
MAX_CELL_RANGES = 32
BULK_MIN = 20_000
CACHE_KIB = -65_536  # 64 MiB
BULK_CACHE_KIB = -65536
FTS_HASH = 1 << 20  # FTS5's default pending-postings size
BULK_FTS_HASH = 1 << 28  # 256 MiB, only while a bulk import rebuilds the full-text index


@lru_cache(maxsize=4096)
def tag_token(tag: str) -> str:
    """One FTS token per tag: letters and digits only, ending in 0 so no stemmer touches it."""
    kind, _, value = tag.partition(":")
    if kind == "a" and value == WORLD:
        value = "world"
    return f"z{kind}{re.sub(r'[^a-z0-9]', '', value.lower())}0"


def token_areas(tokens: str) -> tuple[str, ...]:
    """The area codes in a tags column (the inverse of ``tag_token`` for ``a:`` tags)."""
    areas = []
    for token in tokens.split():
        if not token.startswith("za"):
            continue
        code = token[2:-1].upper()
        areas.append(
            WORLD if code == "WORLD" else code[:2] + ("-" + code[2:] if len(code) > 2 else "")
        )
    return tuple(areas)


@lru_cache(maxsize=4096)
def tags_text(tags: tuple[str, ...]) -> str:
    """The tags column of an entry (few distinct tag sets, so each is joined once)."""
    return " ".join(tag_token(tag) for tag in tags)


def cell_of(key: int) -> int:
    """The coarse grid cell (about 20 by 10 km at the equator) an entry key falls in."""
    return key >> (SEQ_BITS + CELL_SHIFT)


def cell_bounds(cell: int) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a coarse cell."""
    x, y = unspread(cell), unspread(cell >> 1)
    size = 1 << (CELL_SHIFT // 2)
    step_lon, step_lat = 360.0 / GRID_SIZE * size, 180.0 / GRID_SIZE * size
    return (
        y * step_lat - 90.0,
        (y + 1) * step_lat - 90.0,
        x * step_lon - 180.0,
        (x + 1) * step_lon - 180.0,
    )


def merged_cell_ranges(cells: set[int]) -> list[tuple[int, int]]:
    """Entry key ranges of coarse cells, neighbours in Z-order merged."""
    ranges: list[tuple[int, int]] = []
    for cell in sorted(cells):
        first = cell << (SEQ_BITS + CELL_SHIFT)
        last = ((cell + 1) << (SEQ_BITS + CELL_SHIFT)) - 1
        if ranges and ranges[-1][1] + 1 == first:
            ranges[-1] = (ranges[-1][0], last)
        else:
            ranges.append((first, last))
    return ranges


def fts_query(match: Match, extra_group: Sequence[str] = ()) -> str:
    """An FTS5 query string; every word is quoted, so nothing a person types is syntax."""
    parts = []
    if match.words:
        words = " AND ".join('"' + word.replace('"', '""') + '"' for word in match.words)
        parts.append(f"{{name body}} : ({words})")
    for group in (*match.tag_groups, tuple(extra_group)):
        if group:
            parts.append("tags : (" + " OR ".join(tag_token(tag) for tag in group) + ")")
    return " AND ".join(parts)


class BackgroundWriter:
    """Writes service documents on a second thread while the next batch is prepared.

    A bulk import spends about as long preparing a batch in Python as SQLite spends storing
    its documents, so the two run side by side on two cores. Each batch is one statement
    with two parameters (the rows' small fields as JSON, the documents as one blob that
    ``substr`` slices), so SQLite works through it without taking Python's interpreter lock
    back row by row, which is what made ``executemany`` on a second thread slower than one
    thread. Both threads use the one connection (SQLite serialises the calls), so the
    documents are part of the import's transaction like everything else. At most two
    batches wait, so memory stays flat; an error on the writer is raised on the next call.
    """

    SQL = (
        "INSERT INTO directory_services (id, organization_id, doc, entry_keys, origin)"
        " SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
        " substr(?2, json_extract(value, '$[2]'), json_extract(value, '$[3]')),"
        " json_extract(value, '$[4]'), json_extract(value, '$[5]') FROM json_each(?1)"
    )

    def __init__(self, db: Database) -> None:
        self.db = db
        self.jobs: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="ally-directory-documents")
        self.thread.start()

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None:
                    self.db.execute(self.SQL, job)
            except BaseException as error:  # handed to the importing thread
                self.error = error
            finally:
                self.jobs.task_done()

    def insert(self, rows: list[ServiceRow]) -> None:
        self._raise()
        fields = []
        documents = []
        position = 1
        # In id order, a batch's entries in the id index go to neighbouring pages. (Sorting
        # the whole import by id would make them appends, but then Python reads the service
        # documents in an order scattered over memory, which cost more than it saved.)
        rows = sorted(rows, key=itemgetter(0))
        for service_id, organization_id, document, keys, origin in rows:
            assert isinstance(document, bytes)
            fields.append((service_id, organization_id, position, len(document), keys, origin))
            documents.append(document)
            position += len(document)
        if fields:
            self.jobs.put((orjson.dumps(fields), b"".join(documents)))

    def drain(self) -> None:
        self.jobs.join()
        self._raise()

    def close(self) -> None:
        """Stop the thread; rows not yet written are dropped with the transaction they were in."""
        self.jobs.put(None)
        self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


class SqliteIndex:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self) -> None:
        for statement in _SCHEMA:
            self.db.execute(statement)
        self.db.execute(f"PRAGMA cache_size = {CACHE_KIB}")

    def rows(self, keyed: list[tuple[int, Entry]]) -> list[tuple[Any, ...]]:
        """Table rows for entries: the tags become their full-text tokens."""
        return [
            (key, e.service_id, e.lat, e.lon, e.name, e.body, tags_text(e.tags), e.hours)
            for key, e in keyed
        ]

    @contextmanager
    def loading(self, incoming: int) -> Iterator[bool]:
        """Around an import's transaction: whether to load in bulk, and the rollback journal
        for it when no other connection has the file open (``Database.rollback_journal``)."""
        if not self._plan_bulk(incoming):
            yield False
            return
        with self.db.rollback_journal():
            yield True

    def document_writer(self, bulk: bool) -> DocumentWriter:
        return BackgroundWriter(self.db) if bulk else DirectWriter(self.db)

    def _plan_bulk(self, incoming: int) -> bool:
        """Whether to rebuild the full-text index once at the end instead of row by row.

        A rebuild reads the entries in key order and writes each posting list once, which
        beats thousands of small incremental segments when the import is at least as big as
        what is already stored."""
        existing = int(self.db.query("SELECT COUNT(*) FROM directory_entries")[0][0])
        return incoming >= BULK_MIN and incoming >= existing // 2

    def insert_rows(self, rows: list[tuple[Any, ...]], state: dict[str, Any]) -> None:
        if state.get("bulk"):
            state.setdefault("pending_rows", []).extend(rows)
            return
        self.db.executemany("INSERT INTO directory_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        cells = {cell_of(row[0]) for row in rows if row[2] is not None}
        self.db.executemany(
            "INSERT INTO directory_fts (rowid, name, body, tags) VALUES (?, ?, ?, ?)",
            [(row[0], row[4], row[5], row[6]) for row in rows],
        )
        self._add_cells(cells, state)

    def finish(self, state: dict[str, Any]) -> None:
        """End a bulk import: entries in key order (B-tree appends), then one index rebuild."""
        if not state.get("bulk"):
            return
        rows: list[tuple[Any, ...]] = state.pop("pending_rows", [])
        dropped: set[int] = state.pop("dropped", set())
        if dropped:
            rows = [row for row in rows if row[0] not in dropped]
        rows.sort(key=itemgetter(0))
        for start in range(0, len(rows), 50_000):
            self.db.executemany(
                "INSERT INTO directory_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows[start : start + 50_000],
            )
        # FTS5 flushes its in-memory postings to a new segment every ``hashsize`` bytes (1 MiB
        # by default) and merges those segments as it goes; with room for the whole rebuild
        # it writes one segment, once (a faster rebuild, and fewer segments to search).
        self.db.execute(
            "INSERT INTO directory_fts (directory_fts, rank) VALUES ('hashsize', ?)",
            (BULK_FTS_HASH,),
        )
        self.db.execute("INSERT INTO directory_fts (directory_fts) VALUES ('rebuild')")
        self.db.execute(
            "INSERT INTO directory_fts (directory_fts, rank) VALUES ('hashsize', ?)",
            (FTS_HASH,),
        )
        self._add_cells({cell_of(row[0]) for row in rows if row[2] is not None}, state)

    def _add_cells(self, cells: set[int], state: dict[str, Any]) -> None:
        """Record grid cells that now hold an entry (each cell once, as its square).

        ``state`` lives for one import (one transaction), so cells learnt in it are never
        trusted after a rollback."""
        if not cells:
            return
        if "cells" not in state:
            state["cells"] = {row[0] for row in self.db.query("SELECT id FROM directory_cells")}
        known: set[int] = state["cells"]
        new = sorted(cells - known)
        self.db.executemany(
            "INSERT INTO directory_cells VALUES (?, ?, ?, ?, ?)",
            [(cell, *cell_bounds(cell)) for cell in new],
        )
        known.update(new)

    def delete(self, keys: list[int], state: dict[str, Any] | None = None) -> None:
        marks = ",".join("?" * len(keys))
        if state is not None and state.get("bulk"):
            # Entries of an earlier batch of this import are still waiting in memory.
            state.setdefault("dropped", set()).update(keys)
        else:
            rows = self.db.query(
                f"SELECT key, name, body, tags FROM directory_entries WHERE key IN ({marks})", keys
            )
            self.db.executemany(
                "INSERT INTO directory_fts (directory_fts, rowid, name, body, tags)"
                " VALUES ('delete', ?, ?, ?, ?)",
                rows,
            )
        self.db.execute(f"DELETE FROM directory_entries WHERE key IN ({marks})", keys)

    def located(
        self, match: Match, lat: float, lon: float, radius_km: float
    ) -> Iterator[Candidate]:
        if match.empty:
            yield from self._in_boxes(lat, lon, radius_km)
            return
        expression = fts_query(match)
        box, box_params = box_condition(bounding_boxes(lat, lon, radius_km), "e.")
        for low, high in zorder_ranges(lat, lon, radius_km):
            first, last = key_range(low, high)
            for row in self.db.execute(
                "SELECT e.key, e.service_id, e.lat, e.lon, e.name, e.hours"
                " FROM directory_fts CROSS JOIN directory_entries e ON e.key = directory_fts.rowid"
                " WHERE directory_fts MATCH ? AND directory_fts.rowid BETWEEN ? AND ? AND " + box,
                (expression, first, last, *box_params),
            ):
                yield Candidate(*row)

    def _in_boxes(self, lat: float, lon: float, radius_km: float) -> Iterator[Candidate]:
        """Distance alone: the R*Tree names the occupied cells, their key ranges hold the entries."""
        cells: set[int] = set()
        boxes = bounding_boxes(lat, lon, radius_km)
        for min_lat, max_lat, west, east in boxes:
            cells.update(
                row[0]
                for row in self.db.execute(
                    "SELECT id FROM directory_cells"
                    " WHERE max_lat >= ? AND min_lat <= ? AND max_lon >= ? AND min_lon <= ?",
                    (min_lat, max_lat, west, east),
                )
            )
        ranges = merged_cell_ranges(cells)
        if len(ranges) > MAX_CELL_RANGES:
            ranges = [key_range(low, high) for low, high in zorder_ranges(lat, lon, radius_km)]
        box, box_params = box_condition(boxes)
        for first, last in ranges:
            for row in self.db.execute(
                "SELECT key, service_id, lat, lon, name, hours FROM directory_entries"
                " WHERE key BETWEEN ? AND ? AND " + box,
                (first, last, *box_params),
            ):
                yield Candidate(*row)

    def area_wide(self, match: Match, areas: Sequence[str]) -> Iterator[Candidate]:
        expression = fts_query(match, [f"a:{code}" for code in areas])
        for row in self.db.execute(
            "SELECT e.key, e.service_id, e.name, e.hours, e.tags"
            " FROM directory_fts CROSS JOIN directory_entries e ON e.key = directory_fts.rowid"
            " WHERE directory_fts MATCH ? AND directory_fts.rowid >= ?",
            (expression, AREA_BASE),
        ):
            yield Candidate(row[0], row[1], None, None, row[2], row[3], token_areas(row[4]))

    def anywhere(self, match: Match, limit: int) -> Iterator[Candidate]:
        if match.empty:
            rows = self.db.execute(
                "SELECT key, service_id, lat, lon, name, hours, tags FROM directory_entries"
                " ORDER BY key LIMIT ?",
                (limit,),
            )
        else:
            rows = self.db.execute(
                "SELECT e.key, e.service_id, e.lat, e.lon, e.name, e.hours, e.tags"
                " FROM directory_fts CROSS JOIN directory_entries e ON e.key = directory_fts.rowid"
                f" WHERE directory_fts MATCH ? ORDER BY bm25(directory_fts, {WEIGHTS}) LIMIT ?",
                (fts_query(match), limit),
            )
        for row in rows:
            yield Candidate(row[0], row[1], row[2], row[3], row[4], row[5], token_areas(row[6]))

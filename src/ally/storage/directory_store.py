"""The resource directory's storage: HSDS documents plus a search index, on SQLite or PostgreSQL.

One API over both databases. Documents (organisations, services, taxonomy terms) are stored as
JSON beside a search index of *entries* (``ally.directory.index``): one per place a service
can be found. Each entry's integer key puts the Z-order code of its grid cell in the high bits
(``ally.directory.geo``), so entries that are close on the map are close in the key order;
the backends (``directory_sqlite``, ``directory_postgres``) use that to turn "near here" into
a few key ranges. An import runs in one transaction: it is applied whole or not at all.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import orjson

from ally.directory.candidates import Candidate, Match
from ally.directory.errors import Problem
from ally.directory.geo import zorder
from ally.directory.hsds import Bundle
from ally.directory.index import Entry, Indexer, term_types
from ally.storage.database import Database
from ally.storage.directory_backend import (
    AREA_BASE,
    SEQ_BITS,
    Document,
    IndexBackend,
    ServiceRow,
    Spatial,
)

BATCH = 5000

_TABLES = (
    "CREATE TABLE IF NOT EXISTS directory_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS directory_organizations ("
    " id TEXT PRIMARY KEY, name TEXT, doc TEXT NOT NULL, origin TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS directory_services ("
    " id TEXT PRIMARY KEY, organization_id TEXT, doc TEXT NOT NULL,"
    " entry_keys TEXT NOT NULL, origin TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS directory_terms ("
    " id TEXT PRIMARY KEY, doc TEXT NOT NULL, origin TEXT NOT NULL)",
)


@dataclass
class ImportReport:
    organizations: int = 0
    services: int = 0
    taxonomy_terms: int = 0
    entries: int = 0
    notes: list[Problem] = field(default_factory=list)


def entry_key(entry: Entry, seq: int) -> int:
    """Z-order cell in the high bits for entries with an address; area entries after them all."""
    low = seq & ((1 << SEQ_BITS) - 1)
    if entry.lat is None or entry.lon is None:
        return AREA_BASE | low
    return (zorder(entry.lat, entry.lon) << SEQ_BITS) | low


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A bulk load allocates millions of small objects and frees none of them: Python's cycle
    collector would walk them all again and again (half the import time at a million
    services) to find no garbage, so it waits until the load is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _dumps(document: Document) -> str:
    return orjson.dumps(document).decode()


def _chunks(items: Sequence[Any], size: int = 0) -> Iterator[Sequence[Any]]:
    size = size or BATCH
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(count: int) -> str:
    return ",".join("?" * count)


class DirectoryStore:
    """Import, export and search the directory; the same behaviour on SQLite and PostgreSQL."""

    def __init__(self, db: Database, *, spatial: Spatial = "auto") -> None:
        self.db = db
        if db.kind == "postgresql":
            from ally.storage.directory_postgres import PostgresIndex

            self.backend: IndexBackend = PostgresIndex(db, spatial)
        else:
            from ally.storage.directory_sqlite import SqliteIndex

            self.backend = SqliteIndex(db)
        with db.transaction():
            for statement in _TABLES:
                db.execute(statement)
            self.backend.create()

    @classmethod
    def open(cls, url: str, **options: Any) -> DirectoryStore:
        return cls(Database(url), **options)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Reads on PostgreSQL end their transaction; SQLite reads need none."""
        with self.db.transaction() if self.db.kind == "postgresql" else nullcontext():
            yield

    # --- writing -----------------------------------------------------------------------

    def import_bundle(self, bundle: Bundle, *, origin: str = "import") -> ImportReport:
        """Store a validated bundle, replacing records with the same ids; all or nothing."""
        report = self.load(
            bundle.services.values(),
            bundle.organizations.values(),
            bundle.taxonomy_terms.values(),
            origin=origin,
        )
        report.notes = list(bundle.notes)
        return report

    def load(
        self,
        services: Iterable[Document],
        organizations: Iterable[Document] = (),
        terms: Iterable[Document] = (),
        *,
        origin: str = "import",
    ) -> ImportReport:
        """Store documents that are already valid HSDS (the fast path behind every import).

        A service that comes twice is stored once, as it was the last time."""
        documents = list({str(service["id"]): service for service in services}.values())
        with (
            self.backend.loading(len(documents)) as bulk,
            self.db.transaction(),
            _collector_paused(),
        ):
            return self._load(documents, organizations, terms, origin, bulk=bulk)

    def _load(
        self,
        services: Iterable[Document],
        organizations: Iterable[Document],
        terms: Iterable[Document],
        origin: str,
        *,
        bulk: bool = False,
    ) -> ImportReport:
        report = ImportReport()
        report.taxonomy_terms = self._put_terms(list(terms), origin)
        renamed, names = self._put_organizations(list(organizations), origin)
        report.organizations = len(names)
        documents = list(services)
        with _ServiceWriter(self, names, origin, bulk=bulk) as writer:
            report.entries += writer.write_all(documents)
            service_ids = {str(service["id"]) for service in documents}
            report.services = len(service_ids)
            writer.documents.drain()
            report.entries += self._reindex_organizations(renamed, service_ids, writer)
            writer.finish()
        return report

    def sync_seeds(self, bundle: Bundle, fingerprint: str, origin: str) -> bool:
        """Replace the records from ``origin`` with ``bundle`` unless they are already current."""
        if self.meta(f"fingerprint:{origin}") == fingerprint:
            return False
        with self.db.transaction():
            self._remove_origin(origin)
            self._load(
                bundle.services.values(),
                bundle.organizations.values(),
                bundle.taxonomy_terms.values(),
                origin,
            )
            self._set_meta(f"fingerprint:{origin}", fingerprint)
        return True

    def _put_terms(self, terms: list[Document], origin: str) -> int:
        self.db.executemany(
            "INSERT INTO directory_terms (id, doc, origin) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, origin = excluded.origin",
            [(term["id"], _dumps(term), origin) for term in terms],
        )
        return len(terms)

    def _put_organizations(
        self, organizations: list[Document], origin: str
    ) -> tuple[set[str], dict[str, str | None]]:
        names = {str(org["id"]): org.get("name") for org in organizations}
        renamed: set[str] = set()
        for batch in _chunks(list(names)):
            rows = self.db.query(
                f"SELECT id, name FROM directory_organizations WHERE id IN ({_marks(len(batch))})",
                batch,
            )
            renamed.update(org_id for org_id, name in rows if name != names[org_id])
        self.db.executemany(
            "INSERT INTO directory_organizations (id, name, doc, origin) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc = excluded.doc,"
            " origin = excluded.origin",
            [(org["id"], org.get("name"), _dumps(org), origin) for org in organizations],
        )
        return renamed, names

    def _reindex_organizations(
        self, renamed: set[str], done: set[str], writer: _ServiceWriter
    ) -> int:
        """Entries carry their organisation's name: refresh services of renamed organisations."""
        entries = 0
        for batch in _chunks(sorted(renamed)):
            rows = self.db.query(
                f"SELECT doc, origin FROM directory_services WHERE organization_id IN ({_marks(len(batch))})",
                batch,
            )
            stale = [orjson.loads(doc) for doc, _ in rows]
            stale = [service for service in stale if service["id"] not in done]
            entries += writer.write_all(stale, keep_origin=True)
        return entries

    def _remove_origin(self, origin: str) -> int:
        """Delete every service and organisation that came from ``origin`` (e.g. a seed)."""
        rows = self.db.query(
            "SELECT id, entry_keys FROM directory_services WHERE origin = ?", [origin]
        )
        keys = [int(key) for _, text in rows for key in text.split(",") if key]
        for batch in _chunks(keys):
            self.backend.delete(list(batch))
        self.db.execute("DELETE FROM directory_services WHERE origin = ?", [origin])
        self.db.execute("DELETE FROM directory_organizations WHERE origin = ?", [origin])
        return len(rows)

    def meta(self, name: str) -> str | None:
        with self._reading():
            rows = self.db.query("SELECT value FROM directory_meta WHERE name = ?", [name])
        return str(rows[0][0]) if rows else None

    def set_meta(self, name: str, value: str) -> None:
        with self.db.transaction():
            self._set_meta(name, value)

    def _set_meta(self, name: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO directory_meta (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [name, value],
        )

    # --- reading -----------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self._reading():
            return {
                table: int(self.db.query(f"SELECT COUNT(*) FROM directory_{table}")[0][0])
                for table in ("organizations", "services", "terms")
            }

    def export_bundle(self) -> Bundle:
        """Everything stored, as a bundle (for ``ally directory export``)."""
        with self._reading():
            orgs = self.db.query("SELECT id, doc FROM directory_organizations ORDER BY id")
            services = self.db.query("SELECT id, doc FROM directory_services ORDER BY id")
            terms = self.db.query("SELECT id, doc FROM directory_terms ORDER BY id")
        return Bundle(
            organizations={key: orjson.loads(doc) for key, doc in orgs},
            services={key: orjson.loads(doc) for key, doc in services},
            taxonomy_terms={key: orjson.loads(doc) for key, doc in terms},
        )

    def terms(self) -> dict[str, Document]:
        with self._reading():
            rows = self.db.query("SELECT id, doc FROM directory_terms")
        return {key: orjson.loads(doc) for key, doc in rows}

    def located(self, match: Match, lat: float, lon: float, radius_km: float) -> list[Candidate]:
        with self._reading():
            return list(self.backend.located(match, lat, lon, radius_km))

    def area_wide(self, match: Match, areas: Sequence[str]) -> list[Candidate]:
        with self._reading():
            return list(self.backend.area_wide(match, areas))

    def anywhere(self, match: Match, limit: int) -> list[Candidate]:
        with self._reading():
            return list(self.backend.anywhere(match, limit))

    def documents(self, service_ids: Sequence[str]) -> dict[str, tuple[Document, Document | None]]:
        if not service_ids:
            return {}
        wanted = list(dict.fromkeys(service_ids))
        with self._reading():
            rows = self.db.query(
                "SELECT s.id, s.doc, o.doc FROM directory_services s LEFT JOIN directory_organizations o"
                f" ON o.id = s.organization_id WHERE s.id IN ({_marks(len(wanted))})",
                wanted,
            )
        return {
            key: (orjson.loads(service), orjson.loads(org) if org else None)
            for key, service, org in rows
        }


class _ServiceWriter:
    """Writes batches of services: old entries out, new entries and documents in.

    The backend's ``DocumentWriter`` may write the documents of one batch while the next is
    prepared (SQLite does so in bulk imports); every read of stored services waits for it
    first (``drain``), and leaving the ``with`` block stops it, whether the import worked
    or not, before the transaction ends.
    """

    def __init__(
        self, store: DirectoryStore, names: dict[str, str | None], origin: str, *, bulk: bool
    ) -> None:
        self.store = store
        self.db = store.db
        self.names = dict(names)
        self.origin = origin
        self.state: dict[str, Any] = {"bulk": bulk}
        rows = self.db.query("SELECT id, doc FROM directory_terms")
        self.indexer = Indexer(term_types({key: orjson.loads(doc) for key, doc in rows}))
        # SQLite keeps the JSON bytes as they are; PostgreSQL's text column wants str.
        self.encode = bytes if self.db.kind == "sqlite" else bytes.decode
        found = self.db.query("SELECT value FROM directory_meta WHERE name = 'next_seq'")
        self.seq = int(found[0][0]) if found else 1
        # Ids written by this import. When no service was stored before it began, a service
        # can only be replaced by another of this import, so batches of ids not seen yet need
        # no look-up of what they replace (about 1 us a service on a first import).
        self.fresh = not self.db.query("SELECT 1 FROM directory_services LIMIT 1")
        self.written: set[str] = set()
        self.documents = store.backend.document_writer(bulk)

    def __enter__(self) -> _ServiceWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.documents.close()

    def write_all(self, services: Sequence[Document], *, keep_origin: bool = False) -> int:
        """Write every service, a batch at a time."""
        self._learn_names(services)
        entries = 0
        batches = list(_chunks(services))
        if not batches:
            return 0
        for batch in batches:
            entries += self._apply(self._prepare(batch), keep_origin)
        return entries

    def _prepare(self, services: Sequence[Document]) -> _Prepared:
        keyed: list[tuple[int, Entry]] = []
        documents = []
        names, entries_for, encode, dumps = (
            self.names,
            self.indexer.entries,
            self.encode,
            orjson.dumps,
        )
        seq = self.seq
        for service in services:
            # The document first: serialising it brings it into the CPU cache for the rest.
            document = encode(dumps(service))
            organization_id = service.get("organization_id")
            entries = entries_for(service, names.get(organization_id or ""))
            keys = []
            for entry in entries:
                key = entry_key(entry, seq)
                seq += 1
                keyed.append((key, entry))
                keys.append(key)
            documents.append((service["id"], organization_id, document, ",".join(map(str, keys))))
        self.seq = seq
        if not self.state.get("bulk"):
            keyed.sort(key=itemgetter(0))  # a bulk import sorts everything once, at the end
        return _Prepared(documents, self.store.backend.rows(keyed), len(keyed))

    def _replaced(self, ids: list[str]) -> list[tuple[Any, ...]]:
        """(id, entry_keys, origin) of the stored services these ids replace."""
        written = self.written
        if self.fresh and written.isdisjoint(ids):
            written.update(ids)
            return []
        written.update(ids)
        self.documents.drain()
        return self.db.query(
            f"SELECT id, entry_keys, origin FROM directory_services WHERE id IN ({_marks(len(ids))})",
            ids,
        )

    def _apply(self, prepared: _Prepared, keep_origin: bool) -> int:
        ids = [document[0] for document in prepared.documents]
        old = self._replaced(ids)
        old_keys = [int(key) for _, text, _ in old for key in text.split(",") if key]
        for batch in _chunks(old_keys):
            self.store.backend.delete(list(batch), self.state)
        origins = {key: origin for key, _, origin in old} if keep_origin else {}
        self.store.backend.insert_rows(prepared.rows, self.state)
        rows: list[ServiceRow] = [
            (*document, origins.get(document[0], self.origin)) for document in prepared.documents
        ]
        existing = set(origins) if keep_origin else {key for key, _, _ in old}
        self.documents.insert([row for row in rows if row[0] not in existing])
        if existing:
            self.db.executemany(
                "UPDATE directory_services SET organization_id = ?, doc = ?, entry_keys = ?,"
                " origin = ? WHERE id = ?",
                [(*row[1:], row[0]) for row in rows if row[0] in existing],
            )
        return prepared.entries

    def _learn_names(self, services: Sequence[Document]) -> None:
        missing = sorted(
            {str(s["organization_id"]) for s in services if s.get("organization_id")}
            - set(self.names)
        )
        for batch in _chunks(missing):
            rows = self.db.query(
                f"SELECT id, name FROM directory_organizations WHERE id IN ({_marks(len(batch))})",
                batch,
            )
            self.names.update(dict(rows))
            self.names.update({key: None for key in batch if key not in self.names})

    def finish(self) -> None:
        self.store.backend.finish(self.state)
        self.store._set_meta("next_seq", str(self.seq))


@dataclass
class _Prepared:
    documents: list[tuple[str, str | None, bytes | str, str]]
    rows: list[tuple[Any, ...]]
    entries: int

"""Where a big directory import spends its time, in microseconds per service, by thread.

    .venv/bin/python benchmarks/directory_phases.py --n 1000000

Generates the services of ``benchmarks/directory.py`` and imports them into an empty SQLite
store, timing each SQL statement (by its first words and the thread that ran it) and the
Python preparation of each batch. Times on the second thread ("ally-directory-documents")
overlap those on the main thread; the wall time per service is what counts. The timers add
a little to every call, so the total runs a few per cent slower than ``directory.py``.

Two more lines bound what any arrangement of the same work could reach on this machine:

* the CPU the import used (user and system time of all its threads): two cores cannot
  import faster than two seconds of CPU time allow;
* the Python part alone, no database (the index entries, keys and serialised documents of
  every service, as the import builds them): Python runs it on one core at a time.
"""

from __future__ import annotations

import argparse
import collections
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from ally.directory.index import Indexer, term_types
from ally.directory.taxonomy import term_documents
from ally.storage import directory_sqlite, directory_store
from ally.storage.database import Database
from directory import generate

TIMES: collections.Counter[str] = collections.Counter()
LOCK = threading.Lock()


def _record(label: str, seconds: float) -> None:
    with LOCK:
        TIMES[f"{label}  [{threading.current_thread().name}]"] += seconds


def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _record(label, time.perf_counter() - started)

    return wrapper


def timed_sql(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(self: Database, statement: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(self, statement, *args)
        finally:
            _record("sql " + " ".join(statement.split()[:4]), time.perf_counter() - started)

    return wrapper


def instrument() -> None:
    Database.execute = timed_sql(Database.execute)  # type: ignore[method-assign]
    Database.executemany = timed_sql(Database.executemany)  # type: ignore[method-assign]
    writer = directory_store._ServiceWriter
    writer._prepare = timed("prepare a batch (Python)", writer._prepare)  # type: ignore[method-assign]
    writer._apply = timed("hand a batch over", writer._apply)  # type: ignore[method-assign]
    index = directory_sqlite.SqliteIndex
    index.finish = timed("finish (entries, index, cells)", index.finish)  # type: ignore[method-assign]


def python_part(services: list[dict[str, Any]], organizations: list[dict[str, Any]]) -> float:
    """Seconds to build every service's entries, keys and document, as the import does."""
    names = {org["id"]: org.get("name") for org in organizations}
    indexer = Indexer(term_types({term["id"]: term for term in term_documents()}))
    started = time.perf_counter()
    seq = 0
    with directory_store._collector_paused():  # as during an import
        for start in range(0, len(services), directory_store.BATCH):
            batch = []
            for service in services[start : start + directory_store.BATCH]:
                document = orjson.dumps(service)
                organization = names.get(service.get("organization_id") or "")
                keys = []
                for entry in indexer.entries(service, organization):
                    seq += 1
                    keys.append((directory_store.entry_key(entry, seq), entry))
                batch.append((document, keys))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="services to generate")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    services, organizations = generate(args.n, args.seed)
    folder = Path(tempfile.mkdtemp(prefix="ally-directory-phases-"))
    store = directory_store.DirectoryStore(Database(folder / "ally.sqlite3"))
    instrument()
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    store.load(services, organizations, term_documents())
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    store.close()
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    per = 1e6 / args.n
    print(
        f"{args.n:,} services: {args.n / wall:,.0f}/s, {wall * per:.1f} us a service;"
        f" CPU {(user + system) * per:.1f} us a service (user {user * per:.1f},"
        f" system {system * per:.1f}): two cores allow at most"
        f" {2 * args.n / (user + system):,.0f}/s"
    )
    python_alone = python_part(services, organizations)
    print(
        f"the Python part alone, no database: {python_alone * per:.1f} us a service"
        f" ({args.n / python_alone:,.0f}/s on its one core)"
    )
    for label, seconds in TIMES.most_common():
        if seconds * 1e6 / args.n >= 0.05:
            print(f"{seconds * 1e6 / args.n:8.2f} us  {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

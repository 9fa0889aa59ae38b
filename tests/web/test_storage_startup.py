"""App processes started together on an empty PostgreSQL database all come up.

A compose file or systemd starts several app processes at once; each creates the web tables
it needs. PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin (one
of them fails on the catalogue's unique index), so creation takes a lock.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import psycopg
import pytest

from ally.web.storage import WebStorage
from tests.hosted.conftest import PG_URL, schema_url


@pytest.fixture
def empty_schema() -> Iterator[str]:
    schema = f"web_start_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema_url(schema)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(3))
def test_processes_starting_at_once_all_create_their_tables(
    empty_schema: str, attempt: int
) -> None:
    starters = 6
    gate = threading.Barrier(starters)
    failures: list[BaseException] = []

    def start() -> None:
        gate.wait()
        try:
            WebStorage(empty_schema).close()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures

"""Fixtures: every vault test runs on SQLite and on real PostgreSQL (a fresh schema each time).

PostgreSQL is at ALLY_TEST_DATABASE_URL; if it is unreachable the tests fail, never skip.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from ally.vault import Vault

PASSPHRASE = "test passphrase for the vault"
WEAK = 10
"""scrypt work factor for test vaults (people always get 18)."""

PG_URL = os.environ.get("ALLY_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pg_schema_url(schema: str) -> str:
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def new_pg_location() -> Iterator[Callable[[], str]]:
    """Makes PostgreSQL URLs whose search_path is a new, empty schema (dropped afterwards)."""
    made: list[str] = []

    def make() -> str:
        schema = f"vault_test_{secrets.token_hex(6)}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        made.append(schema)
        return pg_schema_url(schema)

    yield make
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for schema in made:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
            conn.execute(f"DROP SCHEMA IF EXISTS {schema}_notes CASCADE")  # a decoy's


@pytest.fixture
def pg_location(new_pg_location: Callable[[], str]) -> str:
    return new_pg_location()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test vault lives: a folder (SQLite) or a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "vault")
    url: str = request.getfixturevalue("pg_location")
    return url


@pytest.fixture
def vault(location: str) -> Iterator[Vault]:
    opened = Vault.create(location, PASSPHRASE, work_factor=WEAK)
    try:
        yield opened
    finally:
        opened.close()

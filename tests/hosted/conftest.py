"""Fixtures: hosted stores on real PostgreSQL (a fresh schema each time) and on SQLite.

PostgreSQL is at ALLY_TEST_DATABASE_URL; if it is unreachable the tests fail, never skip.
Journal schemas made for test persons (``v_...``) are dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from ally.hosted.accounts import Accounts
from ally.hosted.passwords import PasswordPolicy
from ally.hosted.sessions import AccountSessions
from ally.hosted.store import HostedStore

PG_URL = os.environ.get("ALLY_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
FAST = PasswordPolicy(time_cost=1, memory_kib=1024, parallelism=1)
"""Argon2id settings for tests only (people get 3 passes over 64 MiB)."""
PASSWORD = "correct horse battery"
WEAK = 10
"""scrypt work factor for test journals."""


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def schema_url(schema: str) -> str:
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema; it and every journal
    schema made by accounts in it are dropped afterwards."""
    schema = f"hosted_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema_url(schema)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name = 'hosted_accounts'",
            (schema,),
        ).fetchall()
        vaults = (
            conn.execute(
                f"SELECT vault FROM {schema}.hosted_accounts WHERE vault IS NOT NULL"
            ).fetchall()
            if exists
            else []
        )
        for (vault,) in vaults:
            conn.execute(f"DROP SCHEMA IF EXISTS {vault} CASCADE")
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hosted.sqlite3")
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database: str) -> Iterator[HostedStore]:
    made = HostedStore(database)
    yield made
    made.close()


@pytest.fixture
def accounts(store: HostedStore, clock: Clock) -> Accounts:
    return Accounts(store, FAST, clock)


@pytest.fixture
def sessions(store: HostedStore, accounts: Accounts, clock: Clock) -> AccountSessions:
    return AccountSessions(store, accounts, clock=clock)


@pytest.fixture(autouse=True)
def server_key_file(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """One server key (which seals TOTP secrets) for the test and every process it starts,
    as every app process of one database must share it."""
    where = tmp_path_factory.getbasetemp() / "server.key"
    monkeypatch.setenv("ALLY_SERVER_KEY_FILE", str(where))
    return where

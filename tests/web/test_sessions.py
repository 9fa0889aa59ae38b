"""Server-side sessions: sealed at rest, locked when idle, reopened only with a save code."""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ally.storage.database import Database
from ally.web import sealing
from ally.web.sessions import SessionStore, WebSession
from ally.web.stepstatus import StepStatus, StepStatusStore
from ally.web.storage import WebStorage
from tests.web.conftest import Clock, make_config

SECRET_ANSWER = "my-manager-Jordan-Fairweather"


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[WebStorage]:
    storage = WebStorage(tmp_path / "sessions.sqlite3")
    yield storage
    storage.close()


@pytest.fixture
def store(storage: WebStorage, tmp_path: Path, clock: Clock) -> SessionStore:
    return SessionStore(storage, make_config(tmp_path / "unused.sqlite3", clock, lock_minutes=15))


def saved(store: SessionStore) -> WebSession:
    session = store.open(None)
    session.data["answers"] = {"who": SECRET_ANSWER}
    store.save(session)
    return session


def test_a_saved_session_opens_again_with_its_cookie(store: SessionStore) -> None:
    session = saved(store)
    again = store.open(session.token)
    assert again.row == session.row
    assert again.data == {"answers": {"who": SECRET_ANSWER}}
    assert not again.new_cookie


def test_the_token_changes_when_the_first_row_is_written(store: SessionStore) -> None:
    """A token planted in the browser before anything was saved is never the one that opens data."""
    planted = sealing.new_token()
    session = store.open(planted)
    assert session.token == planted and session.row is None
    store.save(session)
    assert session.token != planted and session.new_cookie
    assert store.open(planted).row is None


def test_answers_are_sealed_at_rest(store: SessionStore, storage: WebStorage) -> None:
    session = saved(store)
    with storage.transaction() as db:
        rows = db.query("SELECT * FROM web_sessions")
    dump = repr(rows)
    assert SECRET_ANSWER not in dump
    assert session.token not in dump


def test_idle_sessions_lock_and_without_a_code_are_deleted(
    store: SessionStore, storage: WebStorage, clock: Clock
) -> None:
    session = saved(store)
    clock.advance(15 * 60 + 1)
    reopened = store.open(session.token)
    assert reopened.locked_now and reopened.row is None and reopened.token != session.token
    with storage.transaction() as db:
        assert db.query("SELECT COUNT(*) FROM web_sessions") == [(0,)]


def test_activity_keeps_a_session_open(store: SessionStore, clock: Clock) -> None:
    session = saved(store)
    for _ in range(6):
        clock.advance(10 * 60)
        assert not store.open(session.token).locked_now


def test_a_save_code_reopens_a_locked_session_and_the_old_cookie_stays_dead(
    store: SessionStore, clock: Clock
) -> None:
    session = saved(store)
    code = store.make_code(session)
    clock.advance(16 * 60)
    assert store.open(session.token).locked_now
    typed = code.lower().replace("-", " ")
    restored = store.resume(typed)
    assert restored is not None and restored.data["answers"]["who"] == SECRET_ANSWER
    assert restored.token != session.token
    assert store.open(session.token).row is None
    assert store.open(restored.token).row == session.row


def test_a_wrong_code_opens_nothing(store: SessionStore) -> None:
    store.make_code(saved(store))
    assert store.resume(sealing.new_code()) is None
    assert store.resume("not a code") is None


def test_sweep_locks_idle_sessions_and_deletes_what_nobody_can_open(
    store: SessionStore, storage: WebStorage, clock: Clock
) -> None:
    lost = saved(store)
    kept = saved(store)
    store.make_code(kept)
    clock.advance(20 * 60)
    assert store.sweep() == 1
    with storage.transaction() as db:
        rows = db.query("SELECT id, cookie_key FROM web_sessions")
    assert rows == [(kept.row, None)]
    assert lost.row not in {row for row, _ in rows}
    clock.advance(31 * 86400)
    assert store.sweep() == 1


def test_forgetting_deletes_the_step_statuses_too(store: SessionStore, storage: WebStorage) -> None:
    session = saved(store)
    steps = StepStatusStore(storage)
    assert session.row is not None
    steps.set(session.row, "report-hr", StepStatus.REFUSED, dt.date(2026, 11, 25))
    assert steps.for_session(session.row) == {
        "report-hr": (StepStatus.REFUSED, dt.date(2026, 11, 25))
    }
    row = session.row
    store.forget(session)
    assert steps.for_session(row) == {}


def test_step_status_keeps_one_row_per_step(storage: WebStorage) -> None:
    steps = StepStatusStore(storage)
    steps.set("s1", "a", StepStatus.NO_ANSWER, dt.date(2026, 1, 1))
    steps.set("s1", "a", StepStatus.DONE, dt.date(2026, 1, 9))
    steps.set("s2", "a", StepStatus.REFUSED, dt.date(2026, 1, 2))
    assert steps.for_session("s1") == {"a": (StepStatus.DONE, dt.date(2026, 1, 9))}


@given(st.binary(max_size=200), st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_any_change_to_sealed_data_is_detected(data: bytes, where: int, flip: int) -> None:
    key = sealing.new_data_key()
    raw = bytearray(base64.urlsafe_b64decode(sealing.seal(key, data)))
    raw[where % len(raw)] ^= flip
    assert sealing.unseal(key, base64.urlsafe_b64encode(bytes(raw)).decode()) is None


@given(st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=20, max_size=20))
def test_codes_survive_the_ways_people_type_them(raw: str) -> None:
    code = "-".join(raw[i : i + 5] for i in range(0, 20, 5))
    assert sealing.normalise_code(code) == code
    assert sealing.normalise_code(" " + raw.lower() + " ") == code


def test_the_same_store_works_on_postgresql(tmp_path: Path, clock: Clock) -> None:
    url = os.environ.get("ALLY_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    database = Database(url)  # unreachable → StorageError: the test fails, it never skips
    schema = f"web_test_{secrets.token_hex(6)}"
    with database.transaction() as db:
        db.execute(f"CREATE SCHEMA {schema}")
        db.execute(f"SET search_path TO {schema}")
    try:
        storage = WebStorage(database)
        store = SessionStore(storage, make_config(tmp_path / "unused.sqlite3", clock))
        session = saved(store)
        code = store.make_code(session)
        assert session.row is not None
        StepStatusStore(storage).set(session.row, "call", StepStatus.DONE, dt.date(2026, 2, 3))
        StepStatusStore(storage).set(session.row, "call", StepStatus.REFUSED, dt.date(2026, 2, 4))
        assert store.open(session.token).data["answers"]["who"] == SECRET_ANSWER
        clock.advance(3600)
        assert store.sweep() == 0
        restored = store.resume(code)
        assert restored is not None and restored.row == session.row
        assert StepStatusStore(storage).for_session(session.row) == {
            "call": (StepStatus.REFUSED, dt.date(2026, 2, 4))
        }
    finally:
        with database.transaction() as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")
        database.close()

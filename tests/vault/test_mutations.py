"""Tamper evidence: any single change to stored data is detected by `verify`, without a key.

Hypothesis draws at least 10,000 mutations per backend in one run — a flipped bit or changed
number, a truncated value, a removed row, or two rows' contents swapped (reordering) — in the
records, the encrypted files and the vault's own information. Each is applied inside a
transaction, verified, and rolled back. Not covered, by design: ``vault_grants`` (re-wrapped
headers for a shared reader; damage there only denies that reader access) and
``vault_pending`` (bookkeeping for unfinished uploads, which are not evidence).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ally.storage.vault_store as vault_store
from ally.storage.database import Database
from ally.vault import Identity, Vault

from .conftest import PASSPHRASE, WEAK

MUTATIONS = int(os.environ.get("VAULT_MUTATIONS", "10000"))
TABLES = {
    "vault_records": (("seq",), ("seq", "record", "hash")),
    "vault_chunks": (("blob", "idx"), ("blob", "idx", "data")),
    "vault_meta": (("name",), ("name", "value")),
}


class RollbackError(Exception):
    """Raised to undo one mutation."""


@pytest.fixture
def small_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """4 KiB storage rows, so a 20 KB attachment spans several rows (and runs are fast)."""
    monkeypatch.setattr(vault_store, "CHUNK_ROW", 4096)


def build(location: str) -> Vault:
    """A vault with one of everything: edits, attachments, a forget, a re-key, a share."""
    vault = Vault.create(location, PASSPHRASE, work_factor=WEAK)
    first = vault.add_note("first")
    vault.edit(first.id, {"text": "first, corrected", "tags": []})
    vault.attach(first.id, io.BytesIO(os.urandom(20_000)), "a.jpg", "image/jpeg")
    gone = vault.add_note("to forget")
    vault.attach(gone.id, io.BytesIO(b"x" * 5000), "b.txt", None)
    vault.add_entry("message", {"text": "hello"}, conversation_id="c1")
    vault.forget(gone.id)
    vault.change_passphrase(PASSPHRASE + "!", work_factor=WEAK)
    vault.share(Identity.generate().recipient)
    vault.add_note("last")
    assert vault.verify().ok
    return vault


@dataclass(frozen=True)
class Mutation:
    op: str
    table: str
    row: int
    column: int
    position: int
    bit: int
    other: int


def mutations() -> st.SearchStrategy[Mutation]:
    return st.builds(
        Mutation,
        op=st.sampled_from(["flip", "truncate", "remove", "swap"]),
        table=st.sampled_from(sorted(TABLES)),
        row=st.integers(0, 10_000),
        column=st.integers(0, 2),
        position=st.integers(0, 1 << 20),
        bit=st.integers(0, 6),
        other=st.integers(1, 10_000),
    )


def load_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table, (keys, columns) in TABLES.items():
        rows = db.query(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(keys)}")
        out[table] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
    return out


def _flip(value: Any, position: int, bit: int) -> Any:
    if isinstance(value, int):
        return value ^ (1 << bit)
    if isinstance(value, bytes):
        data = bytearray(value)
        data[position % len(data)] ^= 1 << bit
        return bytes(data)
    text = list(value)
    i = position % len(text)
    flipped = ord(text[i]) ^ (1 << bit)
    text[i] = chr(flipped if flipped else ord(text[i]) ^ 0x40)
    return "".join(text)


def apply(db: Database, rows: dict[str, list[tuple[Any, ...]]], m: Mutation) -> str:
    keys, columns = TABLES[m.table]
    table_rows = rows[m.table]
    row = table_rows[m.row % len(table_rows)]
    where = " AND ".join(f"{k} = ?" for k in keys)
    key_values = row[: len(keys)]
    column = m.column % len(columns)
    if m.op == "remove":
        db.execute(f"DELETE FROM {m.table} WHERE {where}", key_values)
        return "remove"
    if m.op == "swap" or (m.op == "truncate" and isinstance(row[column], int)):
        return _swap(db, m, table_rows, row, keys, columns)
    value = row[column]
    if m.op == "truncate":
        new = value[: m.position % len(value)]
    else:
        new = _flip(value, m.position, m.bit)
        if column < len(keys):
            moved = (*row[:column], new, *row[column + 1 : len(keys)])
            clash = [r for r in table_rows if r[: len(keys)] == moved]
            if clash:
                return _swap_keys(db, m.table, keys, row, clash[0], column)
    db.execute(f"UPDATE {m.table} SET {columns[column]} = ? WHERE {where}", (new, *key_values))
    return m.op


def _swap(
    db: Database,
    m: Mutation,
    table_rows: list[tuple[Any, ...]],
    row: tuple[Any, ...],
    keys: tuple[str, ...],
    columns: tuple[str, ...],
) -> str:
    """Reordering: exchange the non-key contents of two different rows."""
    other = table_rows[(table_rows.index(row) + m.other) % len(table_rows)]
    if other == row:
        other = table_rows[(table_rows.index(row) + 1) % len(table_rows)]
    values = [c for c in columns if c not in keys]
    where = " AND ".join(f"{k} = ?" for k in keys)
    assign = ", ".join(f"{c} = ?" for c in values)
    a_vals, b_vals = row[len(keys) :], other[len(keys) :]
    if a_vals == b_vals:  # identical content: swap the keys' order instead
        return _swap_keys(db, m.table, keys, row, other, 0)
    db.execute(f"UPDATE {m.table} SET {assign} WHERE {where}", (*b_vals, *row[: len(keys)]))
    db.execute(f"UPDATE {m.table} SET {assign} WHERE {where}", (*a_vals, *other[: len(keys)]))
    return "swap"


def _swap_keys(
    db: Database,
    table: str,
    keys: tuple[str, ...],
    a: tuple[Any, ...],
    b: tuple[Any, ...],
    column: int,
) -> str:
    """A changed key that collides with another row: the two rows trade places."""
    name = keys[column]
    temp: Any = -1 if isinstance(a[column], int) else "~temp~"
    where = " AND ".join(f"{k} = ?" for k in keys)
    db.execute(f"UPDATE {table} SET {name} = ? WHERE {where}", (temp, *a[: len(keys)]))
    moved = (*a[:column], temp, *a[column + 1 : len(keys)])
    db.execute(f"UPDATE {table} SET {name} = ? WHERE {where}", (a[column], *b[: len(keys)]))
    db.execute(f"UPDATE {table} SET {name} = ? WHERE {where}", (b[column], *moved))
    return "swap"


@pytest.mark.slow
def test_every_single_mutation_is_detected(location: str, small_rows: None) -> None:
    vault = build(location)
    db = vault.store.db
    rows = load_rows(db)
    counts: dict[str, int] = {}

    @settings(
        max_examples=MUTATIONS,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(m=mutations())
    def check(m: Mutation) -> None:
        try:
            with db.transaction():
                kind = apply(db, rows, m)
                report = vault.verify()
                assert not report.ok, f"undetected: {m}"
                assert report.first_problem is not None
                counts[kind] = counts.get(kind, 0) + 1
                raise RollbackError
        except RollbackError:
            pass

    check()
    assert sum(counts.values()) >= MUTATIONS, counts
    assert all(
        counts.get(k, 0) > MUTATIONS // 20 for k in ("flip", "truncate", "remove", "swap")
    ), counts
    assert vault.verify().ok  # every mutation was rolled back
    vault.close()


def test_first_bad_entry_is_named(tmp_path: Any, small_rows: None) -> None:
    vault = build(str(tmp_path / "v"))
    db = vault.store.db
    text = db.query("SELECT record FROM vault_records WHERE seq = 5")[0][0]
    db.execute(
        "UPDATE vault_records SET record = ? WHERE seq = 5", (text.replace('"at":"2', '"at":"1'),)
    )
    report = vault.verify()
    assert not report.ok and report.first_problem is not None and report.first_problem.seq == 5
    assert "entry 5" in str(report.first_problem)
    vault.close()

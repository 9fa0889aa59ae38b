"""Tamper evidence: any single change to stored data is detected by `verify`, without a key.

Hypothesis draws at least 10,000 mutations per backend in one run — a flipped bit or changed
number, a truncated value, a removed row, or two rows' contents swapped (reordering) — in the
records, the encrypted files and the vault's own information. Each is applied inside a
transaction, verified, and rolled back. Not covered, by design: ``vault_grants`` (re-wrapped
headers for a shared reader; damage there only denies that reader access) and
``vault_pending`` (bookkeeping for unfinished uploads, which are not evidence).
Figures (10,000 per database, 30,000 on SQLite: all detected and located) and the command
are in docs/benchmarks.md, "Tamper test".
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ally.storage.vault_store as vault_store
from ally.evidence.indexing import INDEX_BLOB, page_index
from ally.storage.database import Database
from ally.vault import Identity, Vault
from ally.vault.chain import head_code
from ally.vault.errors import VaultNotFoundError
from ally.vault.verify import VerifyReport

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


def _page(*texts: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A page of imported messages and its search index (the page's second encrypted file)."""
    messages = [
        {"id": f"{n:016x}", "key": f"k{n}", "sender": "them", "text": text}
        for n, text in enumerate(texts)
    ]
    return {"messages": messages}, {INDEX_BLOB: page_index(messages)}


def build(location: str) -> Vault:
    """A vault with one of everything: edits, attachments, a forget, a re-key, a share, and
    pages of imported messages with their search-index files (a page, its reviewed version,
    and the page rewritten without one message: a tombstone plus a new page)."""
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
    page, index = _page("you again", "stop")
    with vault.batch() as batch:
        page_id = batch.add("messages", page, lookups=[("message", "k0")], extra=index)
    page, index = _page("you again", "stop, reviewed")
    vault.edit(page_id, page, extra=index)
    page, index = _page("stop, reviewed")
    vault.rewrite(page_id, "messages", page, [("message", "k1")], index)
    assert vault.read_extra(vault.records[-1].id, INDEX_BLOB) == index[INDEX_BLOB]
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


OPS = ["flip", "truncate", "remove", "swap", "invalid", "renumber"]
"""flip: a changed bit or number; truncate: a shortened value; remove: a deleted row; swap:
two rows' contents exchanged; invalid: a text column made invalid UTF-8 (SQLite; PostgreSQL
refuses such bytes, so there a character no record, hash or key may hold); renumber: a row's
number changed (to a free number, or trading places with the row that had it)."""

TEXT_COLUMNS = {
    "vault_records": ("record", "hash"),
    "vault_chunks": ("blob",),
    "vault_meta": ("name", "value"),
}
NUMBER_COLUMN = {"vault_records": "seq", "vault_chunks": "idx"}


def mutations() -> st.SearchStrategy[Mutation]:
    return st.builds(
        Mutation,
        op=st.sampled_from(OPS),
        table=st.sampled_from(sorted(TABLES)),
        row=st.integers(0, 10_000),
        column=st.integers(0, 2),
        position=st.integers(0, 1 << 20),
        bit=st.integers(0, 6),
        other=st.integers(1, 10_000),
    )


@dataclass(frozen=True)
class Applied:
    """What a mutation did: its kind and the rows it touched (as table rows)."""

    kind: str
    rows: tuple[tuple[Any, ...], ...]
    keys: tuple[tuple[Any, ...], ...] = ()
    """Keys a moved row now has (a file row whose name changed may join another file)."""


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


def apply(db: Database, rows: dict[str, list[tuple[Any, ...]]], m: Mutation) -> Applied:
    keys, columns = TABLES[m.table]
    table_rows = rows[m.table]
    row = table_rows[m.row % len(table_rows)]
    where = " AND ".join(f"{k} = ?" for k in keys)
    key_values = row[: len(keys)]
    column = m.column % len(columns)
    if m.op == "remove":
        db.execute(f"DELETE FROM {m.table} WHERE {where}", key_values)
        return Applied("remove", (row,))
    if m.op == "invalid":
        return _invalid(db, m, row, keys, columns)
    if m.op == "renumber" and m.table in NUMBER_COLUMN:
        return _renumber(db, m, table_rows, row, keys)
    if m.op in ("swap", "renumber") or (m.op == "truncate" and isinstance(row[column], int)):
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
    moved_key = tuple(new if i == column else v for i, v in enumerate(key_values))
    return Applied(m.op, (row,), (moved_key,) if column < len(keys) else ())


def _invalid(
    db: Database, m: Mutation, row: tuple[Any, ...], keys: tuple[str, ...], cols: tuple[str, ...]
) -> Applied:
    """Bytes that are not UTF-8 in a text column (SQLite stores them as TEXT as given)."""
    name = TEXT_COLUMNS[m.table][m.column % len(TEXT_COLUMNS[m.table])]
    value: str = row[cols.index(name)]
    i = m.position % len(value)
    where = " AND ".join(f"{k} = ?" for k in keys)
    if db.kind == "sqlite":
        raw = value.encode("ascii")
        bad = raw[:i] + bytes([0x80 | (m.bit * 17 % 0x40), 0xFF])[: 1 + m.bit % 2] + raw[i + 1 :]
        db.execute(
            f"UPDATE {m.table} SET {name} = CAST(? AS TEXT) WHERE {where}", (bad, *row[: len(keys)])
        )
    else:
        new = value[:i] + "\u00ff\ufffd"[m.bit % 2] + value[i + 1 :]
        db.execute(f"UPDATE {m.table} SET {name} = ? WHERE {where}", (new, *row[: len(keys)]))
    return Applied("invalid", (row,))


def _renumber(
    db: Database,
    m: Mutation,
    table_rows: list[tuple[Any, ...]],
    row: tuple[Any, ...],
    keys: tuple[str, ...],
) -> Applied:
    """A row's number changed: to a free number past the end (or below 1), or trading
    places with the row that had the number."""
    number = NUMBER_COLUMN[m.table]
    index = keys.index(number)
    siblings = [r for r in table_rows if r[: len(keys)][:index] == row[:index]]
    top = max(r[index] for r in siblings)
    choice = m.other % 3
    if choice == 2 and len(siblings) > 1:
        other = siblings[(siblings.index(row) + m.bit + 1) % len(siblings)]
        if other is not row:
            return _swap_keys(db, m.table, keys, row, other, index)
    new = top + 1 + m.position % 50 if choice == 0 else -1 - m.position % 5
    where = " AND ".join(f"{k} = ?" for k in keys)
    db.execute(f"UPDATE {m.table} SET {number} = ? WHERE {where}", (new, *row[: len(keys)]))
    return Applied("renumber", (row,))


def _swap(
    db: Database,
    m: Mutation,
    table_rows: list[tuple[Any, ...]],
    row: tuple[Any, ...],
    keys: tuple[str, ...],
    columns: tuple[str, ...],
) -> Applied:
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
    return Applied("swap", (row, other))


def _swap_keys(
    db: Database,
    table: str,
    keys: tuple[str, ...],
    a: tuple[Any, ...],
    b: tuple[Any, ...],
    column: int,
) -> Applied:
    """A changed key that collides with another row: the two rows trade places."""
    name = keys[column]
    temp: Any = -1000 if isinstance(a[column], int) else "~temp~"
    where = " AND ".join(f"{k} = ?" for k in keys)
    db.execute(f"UPDATE {table} SET {name} = ? WHERE {where}", (temp, *a[: len(keys)]))
    moved = (*a[:column], temp, *a[column + 1 : len(keys)])
    db.execute(f"UPDATE {table} SET {name} = ? WHERE {where}", (a[column], *b[: len(keys)]))
    db.execute(f"UPDATE {table} SET {name} = ? WHERE {where}", (b[column], *moved))
    return Applied("swap", (a, b))


class Blame:
    """Which chain position a mutation must be reported at: the record it touched, the
    entry owning a touched file, or 0 for the vault's own information."""

    def __init__(self, vault: Vault) -> None:
        self.owner = {r.id: r.seq for r in vault.records}

    def expected(self, table: str, applied: Applied) -> set[int]:
        if table == "vault_meta":
            return {0}
        if table == "vault_records":
            return {min(int(r[0]) for r in applied.rows)}
        seqs = {self.owner[str(r[0]).partition(":")[0]] for r in applied.rows}
        seqs |= {
            self.owner[key]
            for k in applied.keys
            if isinstance(k[0], str)
            and (key := k[0].partition(":")[0]) in self.owner
            and any(k[0] == f"{key}:{n}" for n in ("content", "meta", "file", "key", INDEX_BLOB))
        }
        return {min(seqs)}

    @staticmethod
    def accepts(table: str, applied: Applied, expected: set[int], report: VerifyReport) -> bool:
        first = report.first_problem
        assert first is not None
        if first.seq in expected:
            return True
        # The head row names the newest entry: a damaged head is reported at that entry (or
        # at the one it claims should exist), which is where a rollback would show.
        head = table == "vault_meta" and any(r[0] == "head" for r in applied.rows)
        return head and any(w in first.message for w in ("newest entry", "should hold"))


@pytest.mark.slow
def test_every_single_mutation_is_detected_and_located(location: str, small_rows: None) -> None:
    vault = build(location)
    db = vault.store.db
    rows = load_rows(db)
    blame = Blame(vault)
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
                applied = apply(db, rows, m)
                report = vault.verify()  # must not raise, whatever was done
                assert not report.ok, f"undetected: {m}"
                expected = blame.expected(m.table, applied)
                assert blame.accepts(m.table, applied, expected, report), (
                    f"{m} ({applied.kind}): expected entry {expected}, got {report.first_problem}"
                )
                counts[applied.kind] = counts.get(applied.kind, 0) + 1
                raise RollbackError
        except RollbackError:
            pass

    check()
    print(f"\n{db.kind}: {sum(counts.values())} mutations detected and located, by kind {counts}")
    assert sum(counts.values()) >= MUTATIONS, counts
    assert all(counts.get(k, 0) > MUTATIONS // 40 for k in OPS), counts
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


@pytest.mark.slow
def test_a_damaged_tombstone_is_named_not_the_entry_it_forgot(
    location: str, small_rows: None
) -> None:
    """Every character of every ``forget`` record changed (three bits each): the first
    problem is the tombstone itself, never the earlier entry whose content it deleted (the
    flaw CI found: a changed ``of`` made verify blame the deliberately forgotten entry)."""
    vault = build(location)
    db = vault.store.db
    rows = load_rows(db)
    forgotten = {r.of: r.seq for r in vault.records if r.kind == "forget"}
    innocent = {
        r.seq for r in vault.records if max(forgotten.get(r.id, 0), forgotten.get(r.of, 0)) > r.seq
    }
    tombstones = [i for i, r in enumerate(rows["vault_records"]) if '"kind":"forget"' in r[1]]
    assert len(tombstones) == 2 and innocent
    tried = 0
    for index in tombstones:
        seq = rows["vault_records"][index][0]
        for position in range(len(rows["vault_records"][index][1])):
            for bit in (0, 1, 4):
                with contextlib.suppress(RollbackError), db.transaction():
                    apply(db, rows, Mutation("flip", "vault_records", index, 1, position, bit, 1))
                    report = vault.verify()
                    first = report.first_problem
                    assert first is not None and first.seq == seq, (position, bit, first)
                    assert not innocent & {p.seq for p in report.problems}, report.problems
                    tried += 1
                    raise RollbackError
    assert tried > 1000 and vault.verify().ok
    vault.close()


def test_a_record_claiming_an_earlier_number_is_blamed_where_it_is_stored(
    location: str, small_rows: None
) -> None:
    """Entry 3's record rewritten to say it is entry 1: blamed at 3, not at entry 1 (which
    is intact), for what it claims and for its references alike."""
    with build(location) as vault:
        db = vault.store.db
        text = db.query("SELECT record FROM vault_records WHERE seq = 3")[0][0]
        with contextlib.suppress(RollbackError), db.transaction():
            db.execute(
                "UPDATE vault_records SET record = ? WHERE seq = 3",
                (text.replace('"seq":3,', '"seq":1,'),),
            )
            report = vault.verify()
            assert {p.seq for p in report.problems} == {3}, report.problems
            assert "it says it is entry 1" in str(report.first_problem)
            raise RollbackError


@pytest.mark.slow
def test_a_truncated_vault_file_is_verified_as_far_as_it_goes(
    tmp_path_factory: pytest.TempPathFactory, small_rows: None
) -> None:
    """SQLite: the file cut at any point. Verify never raises; whatever it calls verified
    (entries 1 to N) is exactly what was written, checked against the journal codes of the
    intact vault; it is never OK while something is lost."""
    folder = tmp_path_factory.mktemp("whole")
    with build(str(folder / "v")) as vault:
        for i in range(30):
            vault.add_note(f"more {i}")
        hashes = vault.record_hashes()
    original = (folder / "v" / "vault.db").read_bytes()
    codes = [head_code(n, h) for n, h in enumerate(hashes, start=1)]

    @settings(max_examples=60, deadline=None, database=None)
    @given(cut=st.integers(0, len(original) - 1))
    def check(cut: int) -> None:
        damaged = tmp_path_factory.mktemp("cut") / "vault.db"
        damaged.write_bytes(original[:cut])
        try:
            report = Vault.verify_at(damaged.parent, codes=codes)
        except VaultNotFoundError:
            assert cut < 8192, cut  # only when even the table list is gone
            return
        if report.ok:  # cut only unused pages at the end: then truly nothing is lost
            assert report.entries == len(hashes) and all(report.codes.values()), cut
            return
        sound = report.chain_intact_to
        assert all(report.codes[c] for c in codes[:sound]), (cut, sound)
        assert report.intact_to <= sound <= len(hashes)
        assert report.intact_to < len(hashes)  # something is lost, and it says where

    check()

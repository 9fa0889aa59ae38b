"""Verify on damaged and tampered vaults: always a located result, never an exception.

Each test damages one thing the way someone editing the database by hand would, and checks
that verify names exactly the record that was touched (by its position in the chain), and
that records after it are still judged on their own.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from ally.vault import Vault
from ally.vault.verify import VerifyReport

from .conftest import PASSPHRASE, WEAK

INVALID_UTF8 = b'{"at":"\xff\xfe\x80 not text'


@pytest.fixture
def journal(location: str) -> Vault:
    """key(1), note A(2), attachment to A(3), note B(4), forget A(5), note C(6), attach C(7)."""
    vault = Vault.create(location, PASSPHRASE, work_factor=WEAK)
    a = vault.add_note("A")
    vault.attach(a.id, io.BytesIO(os.urandom(3000)), "a.jpg", "image/jpeg")
    vault.add_note("B")
    vault.forget(a.id)
    c = vault.add_note("C")
    vault.attach(c.id, io.BytesIO(b"c" * 2000), "c.txt", "text/plain")
    assert vault.verify().ok and vault.verify().entries == 7
    return vault


def first(report: VerifyReport) -> int:
    assert not report.ok and report.first_problem is not None
    return report.first_problem.seq


def set_text(vault: Vault, table: str, column: str, where: str, value: bytes | str) -> None:
    """Store ``value`` in a TEXT column; on SQLite raw bytes (even invalid UTF-8) go in as TEXT."""
    db = vault.store.db
    if isinstance(value, bytes):
        db.execute(f"UPDATE {table} SET {column} = CAST(? AS TEXT) WHERE {where}", (value,))
    else:
        db.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (value,))


def not_text(vault: Vault) -> bytes | str:
    """Invalid UTF-8 on SQLite; PostgreSQL refuses such bytes in text, so a non-ASCII
    character, which no record or hash may contain, stands in for it there."""
    return INVALID_UTF8 if vault.store.db.kind == "sqlite" else '{"at":"\u00ff\u2028 not text'


@pytest.mark.parametrize("column", ["record", "hash"])
def test_invalid_text_in_a_record_names_that_entry(journal: Vault, column: str) -> None:
    set_text(journal, "vault_records", column, "seq = 4", not_text(journal))
    report = journal.verify()
    assert first(report) == 4
    assert all(p.seq >= 4 for p in report.problems)


def test_invalid_text_in_the_vault_information_is_reported(journal: Vault) -> None:
    set_text(journal, "vault_meta", "value", "name = 'vault_id'", not_text(journal))
    report = journal.verify()
    assert first(report) == 0 and "own information" in str(report.first_problem)


def test_invalid_text_in_the_head_is_reported(journal: Vault) -> None:
    set_text(journal, "vault_meta", "value", "name = 'head'", not_text(journal))
    report = journal.verify()
    assert first(report) == 0 and "newest entry" in str(report.first_problem)


def test_invalid_file_key_names_the_files_entry(journal: Vault) -> None:
    attachment = journal.records[6]
    key = f"{attachment.id}:file"
    bad = INVALID_UTF8 if journal.store.db.kind == "sqlite" else "\u00ff" + key[1:]
    set_text(journal, "vault_chunks", "blob", f"blob = '{key}'", bad)
    report = journal.verify()
    assert first(report) == 7 and "missing" in str(report.first_problem)


def test_wrong_types_in_file_rows_name_the_files_entry(tmp_path: Path) -> None:
    """SQLite only: PostgreSQL enforces column types, so such values cannot be stored there."""
    vault = Vault.create(tmp_path / "v", PASSPHRASE, work_factor=WEAK)
    note = vault.add_note("x")
    vault.attach(note.id, io.BytesIO(b"y" * 100), "y.txt", None)
    key = f"{vault.records[2].id}:file"
    vault.store.db.execute("UPDATE vault_chunks SET idx = 'zero' WHERE blob = ?", (key,))
    assert first(vault.verify()) == 3
    vault.store.db.execute("UPDATE vault_chunks SET idx = 0 WHERE blob = ?", (key,))
    assert vault.verify().ok
    vault.store.db.execute(
        "UPDATE vault_chunks SET data = CAST(data AS TEXT) || 'x' WHERE blob = ?", (key,)
    )
    assert first(vault.verify()) == 3
    vault.close()


def test_a_deleted_tombstone_is_blamed_not_the_entry_it_forgot(journal: Vault) -> None:
    journal.store.db.execute("DELETE FROM vault_records WHERE seq = 5")
    report = journal.verify()
    assert first(report) == 5 and "missing" in str(report.first_problem)
    assert [p.seq for p in report.problems] == [5], report.problems  # 6 and 7 judged alone
    assert any("Entry 2" in n and "forgotten" in n for n in report.notes), report.notes
    assert not any("upload" in n for n in report.notes), report.notes


def test_a_deleted_entry_is_named_and_its_attachment_is_judged_alone(journal: Vault) -> None:
    journal.store.db.execute("DELETE FROM vault_records WHERE seq = 6")
    report = journal.verify()
    assert first(report) == 6
    assert {p.seq for p in report.problems} == {6, 7}  # 7 belongs to the missing entry
    assert "does not exist" in str(next(p for p in report.problems if p.seq == 7))
    assert any("no readable entry" in n for n in report.notes), report.notes
    assert not any("upload" in n for n in report.notes), report.notes


@pytest.mark.parametrize(("seq", "to"), [(4, 40), (1, 0), (2, 0), (3, -5)])
def test_a_renumbered_record_is_named(journal: Vault, seq: int, to: int) -> None:
    journal.store.db.execute("UPDATE vault_records SET seq = ? WHERE seq = ?", (to, seq))
    report = journal.verify()
    assert first(report) == seq, report.problems
    assert any(f"it says it is entry {seq}" in p.message for p in report.problems) or any(
        p.seq == seq and f"number {to}" in p.message for p in report.problems
    )


def test_only_a_never_completed_upload_is_called_interrupted(journal: Vault) -> None:
    writer = journal.attachment_writer("6", "p.bin", None)
    writer.write(b"z" * 10)
    writer.finish()  # stored, but never closed: no record names it
    report = journal.verify()
    assert report.ok, report.problems
    assert [n for n in report.notes if "never completed" in n], report.notes
    journal.store.db.execute("DELETE FROM vault_pending")
    report = journal.verify()
    assert report.ok and not [n for n in report.notes if "upload" in n], report.notes
    assert [n for n in report.notes if "belong to no entry" in n], report.notes


def test_the_last_entry_deleted_is_named(journal: Vault) -> None:
    journal.store.db.execute("DELETE FROM vault_records WHERE seq = 7")
    report = journal.verify()
    assert first(report) == 7 and "should hold 7" in str(report.first_problem)


def test_codes_are_checked_against_the_chain_as_stored(journal: Vault) -> None:
    code, location = journal.head_code(), where(journal)
    codes = [code, "3-AAAA-AAAA-AAAA-AAAA", "nonsense"]
    report = Vault.verify_at(location, codes=codes)
    assert report.ok and report.codes == {code: True, codes[1]: False, "nonsense": False}
    journal.store.db.execute("DELETE FROM vault_records WHERE seq = 7")  # rolled back
    journal.store.db.execute("UPDATE vault_meta SET value = ? WHERE name = 'head'", ("6:x",))
    report = Vault.verify_at(location, codes=[code])
    assert report.codes == {code: False} and first(report) == 6


def where(vault: Vault) -> str:
    """The location a vault was opened from (folder for SQLite, URL for PostgreSQL)."""
    url = vault.store.db.url
    return url if vault.store.db.kind == "postgresql" else str(Path(url).parent)

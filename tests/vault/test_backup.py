"""Backups: consistent, verified, and never missing what was acknowledged before they began.

The reason backups exist: a copy of ``vault.db`` alone, made while Ally runs, can lack the
newest entries (they sit in ``vault.db-wal``). The first test shows that hazard is real on
this machine, so the others prove something.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from ally.vault import Vault
from ally.vault.backup import backup_target

from .conftest import PASSPHRASE, WEAK
from .test_cli import run


def fill(vault: Vault, notes: int) -> None:
    for i in range(notes):
        note = vault.add_note(f"note {i}")
        if i % 4 == 0:
            vault.attach(note.id, io.BytesIO(os.urandom(5000)), f"{i}.bin", None)


def test_copying_vault_db_alone_misses_new_entries_but_backup_does_not(tmp_path: Path) -> None:
    with Vault.create(tmp_path / "v", PASSPHRASE, work_factor=WEAK) as vault:
        fill(vault, 3)  # closing the last connection writes these into vault.db itself
    vault = Vault.open(tmp_path / "v", PASSPHRASE)
    for i in (3, 4):
        vault.add_note(f"note {i}")
    entries = len(vault.records)
    assert (tmp_path / "v" / "vault.db-wal").stat().st_size > 0  # entries still in the WAL
    (tmp_path / "naive").mkdir()
    shutil.copy(tmp_path / "v" / "vault.db", tmp_path / "naive" / "vault.db")
    naive = Vault.verify_at(tmp_path / "naive")
    assert naive.ok and naive.entries < entries  # the hazard: "OK", silently incomplete

    result = vault.backup(tmp_path / "backup")
    assert result.path == tmp_path / "backup" / "vault.db"
    assert result.report.ok and result.report.entries == entries
    assert result.head_code == vault.head_code()
    assert not (tmp_path / "backup" / "vault.db-wal").exists()  # one self-contained file
    assert (result.path.stat().st_mode & 0o077) == 0  # private, like the vault
    vault.close()
    with Vault.open(tmp_path / "backup", PASSPHRASE) as copy:
        texts = [e.note().text for e in copy.entries("note")]
        assert texts == [f"note {i}" for i in range(5)]


def test_backup_of_either_database_is_a_verified_vault_file(location: str, tmp_path: Path) -> None:
    vault = Vault.create(location, PASSPHRASE, work_factor=WEAK)
    fill(vault, 9)
    forgotten = vault.add_note("to forget")
    vault.forget(forgotten.id)
    writer = vault.attachment_writer("2", "unfinished.bin", None)
    writer.write(b"u" * 100)
    writer.finish()  # an upload that never completed: not part of the journal
    result = vault.backup(tmp_path / "b.db")
    assert result.path == tmp_path / "b.db"
    assert result.report.ok, result.report.problems
    assert result.report.entries == len(vault.records) and result.report.forgotten == 1
    assert result.head_code == vault.head_code()
    with Vault.open(result.path, PASSPHRASE) as copy:
        assert [r.id for r in copy.records] == [r.id for r in vault.records]
        assert copy.entry("2").note().text == "note 0"
    with pytest.raises(Exception, match="already exists"):
        vault.backup(tmp_path / "b.db")
    vault.close()


def test_backup_under_concurrent_writes_loses_nothing_acknowledged(
    location: str, tmp_path: Path
) -> None:
    """A writer keeps adding entries while backups are taken; every entry acknowledged
    before a backup began is in that backup, and every backup verifies."""
    Vault.create(location, PASSPHRASE, work_factor=WEAK).close()
    acknowledged: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with Vault.open(location, PASSPHRASE) as vault:
                i = 0
                while not stop.is_set():
                    entry = vault.add_note(f"concurrent {i}")
                    if i % 5 == 0:
                        vault.attach(entry.id, io.BytesIO(os.urandom(4000)), "f.bin", None)
                    acknowledged.append(entry.id)  # add_note returned: acknowledged
                    i += 1
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        checked = 0
        with Vault.open(location) as source:
            for n in range(4):
                # Each backup is taken while the writer is writing, once it has done more
                # work (waited for, not slept for: a busy machine may be slow to open it).
                deadline = time.monotonic() + 60
                while len(acknowledged) < 5 * (n + 1) and not failures:
                    assert time.monotonic() < deadline, "the writer wrote nothing"
                    time.sleep(0.05)
                before = list(acknowledged)
                result = source.backup(tmp_path / f"b{n}")
                assert result.report.ok, result.report.problems
                with Vault.open(result.path) as copy:
                    ids = {r.id for r in copy.records}
                missing = [i for i in before if i not in ids]
                assert missing == [], f"backup {n} lost {len(missing)} acknowledged entries"
                checked += len(before)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures
    assert checked > 0 and len(acknowledged) > 10


def test_cli_backup_prints_the_code_and_where_it_is(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Vault.create(home / "vaults" / "default", PASSPHRASE, work_factor=WEAK) as vault:
        fill(vault, 3)
        code = vault.head_code()
    result = run(home, "backup", str(tmp_path / "usb" / "ally-backup"), passphrase=None)
    assert result.returncode == 0, result.stderr
    assert "verified: 5 entries" in result.stdout and f"Journal code: {code}" in result.stdout
    assert "someone you trust" in result.stdout
    assert backup_target(tmp_path / "usb" / "ally-backup").is_file()
    again = run(home, "backup", str(tmp_path / "usb" / "ally-backup"), passphrase=None)
    assert again.returncode == 1 and "already exists" in again.stderr
    checked = run(home, "verify", "--vault", str(tmp_path / "usb" / "ally-backup"), "--code", code)
    assert checked.returncode == 0 and "part of this journal's history" in checked.stdout

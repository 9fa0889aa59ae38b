"""A vault whose stored data is damaged (or that is not there) says so plainly and names
where, when opened or first read; unfinished old uploads are cleared on unlock."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from ally.vault import Identity, Vault, VaultDamagedError, VaultNotFoundError

from .conftest import PASSPHRASE, WEAK


def made(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    with Vault.create(folder, PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_note("First note.")
        vault.add_note("Second note.")
    return folder


def change(folder: Path, sql: str, *args: object) -> None:
    with sqlite3.connect(folder / "vault.db") as db:
        db.execute(sql, args)
    db.close()


def test_a_vault_from_a_newer_ally_is_refused_with_what_to_do(tmp_path: Path) -> None:
    folder = made(tmp_path)
    change(folder, "UPDATE vault_meta SET value = '99' WHERE name = 'format'")
    for passphrase in (PASSPHRASE, None):
        with pytest.raises(VaultDamagedError, match="newer Ally or is damaged"):
            Vault.open(folder, passphrase)


def test_a_missing_entry_is_named(tmp_path: Path) -> None:
    folder = made(tmp_path)
    change(folder, "DELETE FROM vault_records WHERE seq = 2")
    with (
        Vault.open(folder, PASSPHRASE) as vault,  # the chain is read when first needed
        pytest.raises(VaultDamagedError, match=r"^Entry 2 is missing\. Run `ally vault verify`"),
    ):
        vault.entries("note")


def test_a_garbled_entry_is_named(tmp_path: Path) -> None:
    folder = made(tmp_path)
    change(folder, "UPDATE vault_records SET record = '{\"v\":1}' WHERE seq = 3")
    with (
        Vault.open(folder, PASSPHRASE) as vault,
        pytest.raises(VaultDamagedError, match=r"^Entry 3 is damaged") as caught,
    ):
        vault.add_note("Third note.")
    assert caught.value.__cause__ is not None  # the parser's reason, for --debug


def test_old_unfinished_uploads_are_cleared_when_unlocked(tmp_path: Path) -> None:
    folder = made(tmp_path)
    now = dt.datetime.now(dt.UTC)
    for blob, started in [
        ("old", (now - dt.timedelta(hours=2)).isoformat()),
        ("garbled", "yesterday-ish"),
        ("fresh", (now - dt.timedelta(minutes=5)).isoformat()),
    ]:
        change(folder, "INSERT INTO vault_pending (blob, started_at) VALUES (?, ?)", blob, started)
    with Vault.open(folder) as locked:  # only unlocking clears: a verify changes nothing
        assert [key for key, _ in locked.store.pending()] == ["fresh", "garbled", "old"]
    with Vault.open(folder, PASSPHRASE) as vault:
        assert [key for key, _ in vault.store.pending()] == ["fresh"]
        assert [e.note().text for e in vault.entries("note")] == ["First note.", "Second note."]


def test_no_vault_there_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(VaultNotFoundError, match="ally vault init"):
        Vault.open(tmp_path / "nothing", PASSPHRASE)
    with pytest.raises(VaultNotFoundError):
        Vault.open_with_identity(tmp_path / "nothing", Identity.generate())
    (tmp_path / "empty").mkdir()
    sqlite3.connect(tmp_path / "empty" / "vault.db").close()  # a database, but no vault in it
    with pytest.raises(VaultNotFoundError, match="ally vault init"):
        Vault.open(tmp_path / "empty", PASSPHRASE)

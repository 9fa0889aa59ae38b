"""Damaged vaults: verify says how far the journal verifies, salvage copies that part out.

A truncated SQLite file is the common case (a copy that broke off, a full disk); on both
databases a removed record (a break in the chain) and a damaged encrypted file are salvaged.
The damaged vault must never change.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest

from ally.vault import Vault
from ally.vault.chain import head_code
from ally.vault.salvage import SalvageError, salvage

from .conftest import PASSPHRASE, WEAK
from .test_cli import run


def build(location: str | Path, notes: int = 60) -> tuple[list[str], list[str]]:
    """Notes with small attachments; returns (record hashes, note ids) of the whole chain."""
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as vault:
        ids = []
        for i in range(notes):
            note = vault.add_note(f"note {i}")
            ids.append(note.id)
            if i % 3 == 0:
                vault.attach(note.id, io.BytesIO(os.urandom(3000)), f"{i}.bin", None)
        assert vault.verify().ok
        return vault.record_hashes(), ids


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fraction", [0.35, 0.6, 0.85])
def test_a_truncated_file_is_verified_as_far_as_it_goes(tmp_path: Path, fraction: float) -> None:
    hashes, _ = build(tmp_path / "good")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    shutil.copy(tmp_path / "good" / "vault.db", damaged / "vault.db")
    size = (damaged / "vault.db").stat().st_size
    with (damaged / "vault.db").open("r+b") as handle:
        handle.truncate(int(size * fraction) // 4096 * 4096 + 1000)
    before = digest(damaged / "vault.db")

    report = Vault.verify_at(damaged)
    assert not report.ok and report.intact_to < len(hashes)
    try:
        result = salvage(damaged, tmp_path / "copy")
    except SalvageError as error:  # the records' first page itself is gone
        assert report.chain_intact_to == 0, error
        return
    assert digest(damaged / "vault.db") == before  # never changed
    kept = result.entries
    assert 0 < kept == report.chain_intact_to < len(hashes)
    copy = Vault.verify_at(tmp_path / "copy")
    # The copy holds entries 1..kept exactly as they were, so the old codes still check.
    assert copy.head_code == head_code(kept, hashes[kept - 1])
    lost = sorted(result.lost_files + result.forgotten_later)
    assert sorted({p.seq for p in copy.problems}) == lost
    assert all(not p.chain for p in copy.problems)
    if result.lost_files == []:
        assert copy.ok
    if 1 not in result.lost_files:  # the key survived: the copy opens with the passphrase
        with Vault.open(tmp_path / "copy", PASSPHRASE) as opened:
            broken = {r.of for r in opened.records if r.seq in result.lost_files}
            sound = [
                r.seq
                for r in opened.records
                if r.kind == "note" and r.seq not in result.lost_files and r.id not in broken
            ]
            texts = [opened.entry(str(seq)).note().text for seq in sound]
            assert texts and all(text.startswith("note ") for text in texts)


def test_salvage_after_a_removed_record(location: str, new_pg_location: object) -> None:
    hashes, _ = build(location, notes=8)
    with Vault.open(location) as vault:
        vault.store.db.execute("DELETE FROM vault_records WHERE seq = 6")
    dest = _dest(location, new_pg_location)
    result = salvage(location, dest)
    assert result.entries == 5 and result.lost_files == []
    assert result.first_problem is not None and result.first_problem.seq == 6
    assert result.report.ok and result.report.head_code == head_code(5, hashes[4])
    report = Vault.verify_at(location)  # the damaged vault is as it was
    assert report.first_problem is not None and report.first_problem.seq == 6


def test_salvage_leaves_out_a_damaged_file_and_says_so(
    location: str, new_pg_location: object
) -> None:
    hashes, _ = build(location, notes=8)
    with Vault.open(location) as vault:
        attachment = vault.records[2]  # note 0 is entry 2, its attachment entry 3
        assert attachment.kind == "attachment"
        vault.store.db.execute(
            "UPDATE vault_chunks SET data = ? WHERE blob = ?",
            (b"not what was stored", f"{attachment.id}:file"),
        )
    result = salvage(location, _dest(location, new_pg_location))
    assert result.entries == len(hashes) and result.lost_files == [3]
    assert not result.report.ok and [p.seq for p in result.report.problems] == [3]
    assert "missing" in str(result.report.first_problem)


def test_salvage_refuses_an_existing_vault_and_the_source_itself(tmp_path: Path) -> None:
    build(tmp_path / "a", notes=1)
    build(tmp_path / "b", notes=1)
    with pytest.raises(Exception, match="already exists"):
        salvage(tmp_path / "a", tmp_path / "b")
    with pytest.raises(SalvageError, match="new place"):
        salvage(tmp_path / "a", tmp_path / "a")


def test_cli_verify_and_salvage_a_truncated_vault(tmp_path: Path) -> None:
    home = tmp_path / "home"
    build(home / "vaults" / "default", notes=90)
    db = home / "vaults" / "default" / "vault.db"
    with db.open("r+b") as handle:
        handle.truncate(db.stat().st_size * 3 // 4)
    checked = run(home, "verify", passphrase=None)
    assert checked.returncode == 1 and "NOT OK" in checked.stdout, checked.stderr
    assert "could not be read" in checked.stdout and "verify completely" in checked.stdout
    assert "ally vault salvage" in checked.stdout and "Traceback" not in checked.stderr
    saved = run(home, "salvage", str(tmp_path / "saved"), passphrase=None)
    assert saved.returncode == 0, saved.stderr
    assert "Copied entries 1 to" in saved.stdout and "was not changed" in saved.stdout
    again = run(home, "verify", "--vault", str(tmp_path / "saved"), passphrase=None)
    assert "Journal code" in again.stdout or "Could not be recovered" in saved.stdout


def _dest(location: str, new_pg_location: object) -> str:
    if location.startswith("postgres"):
        assert callable(new_pg_location)
        return str(new_pg_location())
    return location + "-salvaged"

"""Duress passphrase, decoy journal, wipe, recovery code and the failed-unlock limit (issue 16).

What a person forced to open their journal needs: the duress passphrase shows the decoy and
never the real entries, every try costs the same scrypt work (counted, not timed), "wipe"
leaves nothing that opens the real journal, and the failure limit holds across restarts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from ally.vault import (
    Incident,
    IncidentTime,
    PassphraseError,
    Vault,
    VaultError,
    VaultNotFoundError,
    WrongPassphraseError,
    agefmt,
    crypto,
)
from ally.vault.keyslots import (
    NoRecoveryCodeError,
    RecoveryRequiredError,
    WrongRecoveryCodeError,
    decoy_location,
)
from tests.vault.conftest import PASSPHRASE, PG_URL, WEAK

DURESS = "blue kettle on the windowsill"
REAL_TEXT = "He followed me home from the bus stop and waited outside."
DECOY_TEXT = "Dentist moved to Thursday; bring the form."
BEFORE_DURESS = Path(__file__).parents[1] / "fixtures" / "vaults" / "before-duress"


@pytest.fixture
def real(tmp_path: Path) -> str:
    """A vault in a folder with one real incident; returns its location."""
    location = str(tmp_path / "vault")
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_incident(Incident(when=IncidentTime(description="last week"), what=REAL_TEXT))
    return location


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], int]]:
    """Counts scrypt derivations (the work an unlock does), whoever calls them."""
    calls: list[int] = []
    original = agefmt._scrypt_key

    def counting(passphrase: bytes, salt: bytes, log_n: int) -> bytes:
        calls.append(log_n)
        return original(passphrase, salt, log_n)

    monkeypatch.setattr(agefmt, "_scrypt_key", counting)

    def take() -> int:
        count = len(calls)
        calls.clear()
        return count

    yield take


def _texts(vault: Vault) -> str:
    return "\n".join(str(entry.payload) for entry in vault.entries())


def _with_decoy(location: str, mode: str = "decoy") -> None:
    with Vault.open(location, PASSPHRASE) as vault:
        vault.set_duress(DURESS, mode)
    if mode == "decoy":
        with Vault.open(location, DURESS) as decoy:
            decoy.add_note(DECOY_TEXT)


def test_the_duress_passphrase_opens_the_decoy_and_never_the_real_entries(real: str) -> None:
    _with_decoy(real)
    assert Path(decoy_location(real)).stat().st_mode & 0o777 == 0o600  # private, as the real one
    with Vault.open(real, DURESS) as decoy:
        assert decoy.location == decoy_location(real)
        assert DECOY_TEXT in _texts(decoy)
        assert REAL_TEXT not in _texts(decoy)
        assert decoy.duress_mode() is None  # the decoy looks like a journal without one
        assert decoy.failure_limit() is None
        assert decoy.verify().ok
    with Vault.open(real, PASSPHRASE) as vault:
        assert vault.location == real
        assert REAL_TEXT in _texts(vault)
        assert DECOY_TEXT not in _texts(vault)
        assert vault.duress_mode() == "decoy"
    with pytest.raises(WrongPassphraseError):
        Vault.open(real, "not the passphrase at all")


def test_real_duress_and_wrong_passphrases_do_the_same_scrypt_work(
    real: str, scrypt_calls: Callable[[], int]
) -> None:
    Vault.open(real, PASSPHRASE).close()
    assert scrypt_calls() == 1  # without a duress passphrase
    _with_decoy(real)
    scrypt_calls()
    for passphrase in (PASSPHRASE, DURESS, "a wrong guess entirely"):
        with contextlib.suppress(WrongPassphraseError):
            Vault.open(real, passphrase).close()
        assert scrypt_calls() == 1, passphrase
    with Vault.open(real, PASSPHRASE) as vault:  # a new passphrase keeps the shared salt
        vault.change_passphrase("a brand new passphrase", work_factor=WEAK)
    scrypt_calls()
    for passphrase in ("a brand new passphrase", DURESS, PASSPHRASE):
        try:
            Vault.open(real, passphrase).close()
        except WrongPassphraseError:
            assert passphrase == PASSPHRASE
        assert scrypt_calls() == 1, passphrase


def test_the_duress_passphrase_must_differ_from_the_real_one(real: str) -> None:
    with Vault.open(real, PASSPHRASE) as vault:
        with pytest.raises(PassphraseError, match="must differ"):
            vault.set_duress(PASSPHRASE)
        vault.set_duress(DURESS)
        with pytest.raises(PassphraseError, match="duress passphrase"):
            vault.change_passphrase(DURESS, work_factor=WEAK)


def test_changing_the_duress_passphrase_keeps_the_decoy_and_turning_it_off_deletes_it(
    real: str,
) -> None:
    _with_decoy(real)
    with Vault.open(real, PASSPHRASE) as vault:
        vault.set_duress("another duress passphrase", "decoy")
    with Vault.open(real, "another duress passphrase") as decoy:
        assert DECOY_TEXT in _texts(decoy)
    with pytest.raises(WrongPassphraseError):
        Vault.open(real, DURESS)
    with Vault.open(real, PASSPHRASE) as vault:
        vault.clear_duress()
        assert vault.duress_mode() is None
    assert not Path(decoy_location(real)).exists()
    with pytest.raises(WrongPassphraseError):
        Vault.open(real, "another duress passphrase")


def _files_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


def test_wipe_destroys_the_real_key_material_and_opens_an_empty_journal(real: str) -> None:
    with Vault.open(real, PASSPHRASE) as vault:
        code = vault.make_recovery_code()
        old_key = vault.store.blob_bytes(f"{vault._keys().key.id}:key")  # type: ignore[union-attr]
        entry_blob = vault.store.blob_bytes(f"{vault.entries()[0].id}:content")
        vault.set_duress(DURESS, "wipe")
    old_payload = crypto.split_header(old_key)[1]
    assert old_payload in _files_bytes(Path(real))

    with Vault.open(real, DURESS) as empty:
        assert empty.entries() == []
        assert empty.location == decoy_location(real)
    with pytest.raises(WrongPassphraseError):
        Vault.open(real, PASSPHRASE)
    with pytest.raises(NoRecoveryCodeError):
        Vault.recover(real, code, "a new passphrase", work_factor=WEAK)
    # Not a copy of the locked key is left in the files, not even in free pages or the WAL.
    assert old_payload not in _files_bytes(Path(real))
    with Vault.open(real) as husk:
        assert husk.verify().ok  # the chain still verifies: a key record replaced the key
        records = len(husk.records)
        stored = husk.store.blob_bytes(f"{husk.records[1].id}:content")
        assert stored == entry_blob  # the ciphertext is still there, and nothing opens it
        key_files = [husk.store.blob_bytes(f"{r.id}:key") for r in husk.records if r.kind == "key"]
    assert [bool(k) for k in key_files] == [False, True]  # the old one deleted, one unopenable
    for key_file in key_files[-1:]:
        with pytest.raises(WrongPassphraseError):
            crypto.unlock_identity(key_file, PASSPHRASE)
        with pytest.raises(WrongPassphraseError):
            crypto.unlock_identity(key_file, DURESS)
    # The duress passphrase keeps opening the empty journal, without wiping again.
    with Vault.open(real, DURESS) as empty:
        assert empty.entries() == []
    with Vault.open(real) as husk:
        assert len(husk.records) == records


def test_the_failure_limit_requires_the_recovery_code_even_after_a_restart(
    location: str,
) -> None:
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_note("kept")
        code = vault.set_failure_limit(3)
        assert code is not None and len(code) == 29
        assert vault.set_failure_limit(3) is None  # the code is made once, not again
    for _ in range(2):
        with pytest.raises(WrongPassphraseError):
            Vault.open(location, "guess")
    Vault.open(location, PASSPHRASE).close()  # a success starts the count afresh
    for _ in range(2):
        with pytest.raises(WrongPassphraseError):
            Vault.open(location, "guess")
    with pytest.raises(RecoveryRequiredError):
        Vault.open(location, "guess")
    with pytest.raises(RecoveryRequiredError):
        Vault.open(location, PASSPHRASE)
    assert _open_in_new_process(location, PASSPHRASE) == "RecoveryRequiredError"
    # Clearing the counter does not help: the key file itself now needs the recovery code.
    with Vault.open(location) as locked, locked.store.db.transaction() as tx:
        tx.execute("DELETE FROM vault_guard WHERE name IN ('failures', 'locked_out')")
    with pytest.raises(WrongPassphraseError):
        Vault.open(location, PASSPHRASE)
    with pytest.raises(WrongRecoveryCodeError):
        Vault.recover(location, "0000-00000-00000-00000-00000", "x y z w", work_factor=WEAK)
    with Vault.recover(
        location, code.lower().replace("-", " "), "fresh words", work_factor=WEAK
    ) as v:
        assert "kept" in _texts(v)
        assert v.verify().ok
    with Vault.open(location, "fresh words") as vault:
        assert vault.failure_limit() == 3
    with pytest.raises(WrongPassphraseError):
        Vault.open(location, PASSPHRASE)


def _open_in_new_process(location: str, passphrase: str) -> str:
    """Try to open the vault in a fresh interpreter, as after a restart; the error's name."""
    script = (
        "import sys\nfrom ally.vault import Vault\n"
        "try:\n    Vault.open(sys.argv[1], sys.argv[2]).close()\n    print('opened')\n"
        "except Exception as e:\n    print(type(e).__name__)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script, location, passphrase],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_create_with_a_recovery_code_and_recover_a_forgotten_passphrase(location: str) -> None:
    with Vault.create(location, PASSPHRASE, work_factor=WEAK, recovery=True) as vault:
        code = vault.recovery_code
        assert code is not None
        vault.add_note("still here")
    with Vault.recover(location, code, "remembered now", work_factor=WEAK) as vault:
        assert "still here" in _texts(vault)
    with pytest.raises(WrongPassphraseError):
        Vault.open(location, PASSPHRASE)


def _schema(location: str) -> str | None:
    """The schema a PostgreSQL test location names (None for a folder)."""
    return location.rpartition("search_path%3D")[2] if location.startswith("postgres") else None


def test_a_decoy_works_the_same_on_sqlite_and_postgresql(
    location: str, scrypt_calls: Callable[[], int]
) -> None:
    """On PostgreSQL the decoy is a vault in the schema beside the real one (``<schema>_notes``);
    everything a person meets is as on SQLite: the decoy opens for the duress passphrase
    after the same work, never shows the real entries, survives a new duress passphrase,
    and is deleted when the duress passphrase is removed."""
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_incident(Incident(when=IncidentTime(description="last week"), what=REAL_TEXT))
    _with_decoy(location)
    where = decoy_location(location, _schema(location))
    assert where != location
    scrypt_calls()
    with Vault.open(location, DURESS) as decoy:
        assert scrypt_calls() == 1
        assert decoy.location == where
        assert DECOY_TEXT in _texts(decoy) and REAL_TEXT not in _texts(decoy)
        assert decoy.duress_mode() is None and decoy.verify().ok
    with Vault.open(location, PASSPHRASE) as vault:
        assert scrypt_calls() == 1
        assert REAL_TEXT in _texts(vault) and DECOY_TEXT not in _texts(vault)
        assert vault.duress_mode() == "decoy"
        vault.set_duress("another duress passphrase", "decoy")
    with Vault.open(location, "another duress passphrase") as decoy:
        assert DECOY_TEXT in _texts(decoy)
    with pytest.raises(WrongPassphraseError):
        Vault.open(location, DURESS)
    with Vault.open(location, PASSPHRASE) as vault:
        vault.clear_duress()
    with pytest.raises(VaultNotFoundError):
        Vault.open(where)
    with pytest.raises(WrongPassphraseError):
        Vault.open(location, "another duress passphrase")
    with Vault.open(location, PASSPHRASE) as vault:
        assert REAL_TEXT in _texts(vault) and vault.verify().ok


def test_wipe_on_postgresql_leaves_nothing_that_opens_the_real_journal(pg_location: str) -> None:
    with Vault.create(pg_location, PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_note(REAL_TEXT)
        code = vault.make_recovery_code()
        vault.set_duress(DURESS, "wipe")
    with Vault.open(pg_location, DURESS) as empty:
        assert empty.entries() == []
        assert empty.location == decoy_location(pg_location, _schema(pg_location))
    with pytest.raises(WrongPassphraseError):
        Vault.open(pg_location, PASSPHRASE)
    with pytest.raises(NoRecoveryCodeError):
        Vault.recover(pg_location, code, "a new passphrase", work_factor=WEAK)
    with Vault.open(pg_location) as husk:
        assert husk.verify().ok
        keys = [husk.store.blob_bytes(f"{r.id}:key") for r in husk.records if r.kind == "key"]
    assert [bool(k) for k in keys] == [False, True]
    with pytest.raises(WrongPassphraseError):
        crypto.unlock_identity(keys[-1], PASSPHRASE)


def test_postgresql_never_takes_over_another_journal_for_the_decoy(
    new_pg_location: Callable[[], str],
) -> None:
    """The decoy's schema is named after the journal's; if another journal already lives
    there, setting and removing the duress passphrase refuse and leave it untouched."""
    real = new_pg_location()
    other = decoy_location(real, _schema(real))
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{_schema(real)}_notes"')
    with Vault.create(other, "someone else's passphrase", work_factor=WEAK) as theirs:
        theirs.add_note("not a decoy")
    with Vault.create(real, PASSPHRASE, work_factor=WEAK) as vault:
        with pytest.raises(VaultError, match="Another journal") as refused:
            vault.set_duress(DURESS)
        assert "Nothing was changed" in str(refused.value)
        assert vault.duress_mode() is None
    with pytest.raises(WrongPassphraseError):
        Vault.open(real, DURESS)
    with Vault.open(other, "someone else's passphrase") as theirs:
        assert "not a decoy" in _texts(theirs)


def test_a_vault_from_before_duress_opens_and_gains_every_protection(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(BEFORE_DURESS / "vault.db", folder / "vault.db")
    passphrase = "older vault passphrase here"
    with Vault.open(str(folder), passphrase) as vault:
        assert "took my phone" in _texts(vault)
        assert vault.verify().ok
        assert vault.duress_mode() is None and not vault.has_recovery_code()
        code = vault.set_failure_limit(5)
        vault.set_duress(DURESS)
    assert code is not None
    with Vault.open(str(folder), passphrase) as vault:
        assert "took my phone" in _texts(vault)
    with Vault.open(str(folder), DURESS) as decoy:
        assert decoy.entries() == []
    # The added tables are beside the chain: the records are those of the old format.
    with sqlite3.connect(folder / "vault.db") as db:
        kinds = [row[0] for row in db.execute("SELECT record FROM vault_records")]
    assert all(
        '"kind":"key"' in k or '"kind":"incident"' in k or '"kind":"note"' in k for k in kinds
    )

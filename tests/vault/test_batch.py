"""Batches (many entries in one transaction) and lookups (finding entries without decrypting).

Every test runs on SQLite and on real PostgreSQL (see conftest). The kill test runs a batch
in a subprocess and kills it with SIGKILL at random moments: the journal then holds all of
the batch or none of it, and still verifies.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import ally.storage.vault_store as vault_store
import ally.vault.batch as batch_module
from ally.vault import Identity, ReadOnlyVaultError, Vault, VaultError
from ally.vault.crypto import open_sealed

from .conftest import PASSPHRASE, WEAK


def messages(vault: Vault, conversation: str | None = None) -> list[str]:
    return [str((e.payload or {})["text"]) for e in vault.entries("message", conversation)]


def test_a_batch_stores_everything_in_order_and_verifies(vault: Vault, location: str) -> None:
    photo = os.urandom(300_000)
    with vault.batch() as batch:
        export = batch.add("export", {"file": "chat.txt"}, lookup="sha-1")
        attachment = batch.attach(export, io.BytesIO(photo), "chat.txt", "text/plain")
        for i in range(1200):  # several flushes
            batch.add("message", {"text": f"m{i}"}, conversation_id="c", lookup=f"k{i}")
        assert batch.added == 1201
    assert messages(vault, "c") == [f"m{i}" for i in range(1200)]
    assert b"".join(vault.read_attachment(attachment)) == photo
    assert vault.entry(export).attachments[0].filename == "chat.txt"
    assert vault.verify().ok
    vault.close()
    with Vault.open(location, PASSPHRASE) as again:
        assert len(again.entries("message")) == 1200 and again.verify().ok
        assert again.head_code().startswith("1203-")  # key, export, attachment, 1200 messages


def test_an_error_in_a_batch_stores_nothing(vault: Vault) -> None:
    vault.add_note("before")
    head = vault.head_code()
    with pytest.raises(RuntimeError), vault.batch() as batch:
        for i in range(700):
            batch.add("message", {"text": f"m{i}"}, lookup=f"k{i}")
        batch.attach(batch.add("note", {"text": "x"}), io.BytesIO(b"data"), "a", None)
        assert len(vault.entries("message")) == 700  # the batch sees its own writes …
        raise RuntimeError("stop")
    assert vault.head_code() == head and messages(vault) == []  # … and they are all gone
    assert vault.find("message", ["k1", "k699"]) == {}
    assert vault.store.db.query("SELECT count(*) FROM vault_chunks")[0][0] == 2  # key, note
    assert vault.verify().ok
    vault.add_note("after")  # the vault is usable, and the chain continues from the old head
    assert vault.head_code().startswith("3-") and vault.verify().ok


def test_invalid_entry_rolls_back_the_whole_batch(vault: Vault) -> None:
    with pytest.raises(VaultError), vault.batch() as batch:
        batch.add("note", {"text": "ok"})
        batch.add("note", {"text": ""})  # a note needs text
    with pytest.raises(VaultError), vault.batch() as batch:
        batch.add("key", {"text": "x"})  # a system kind
    assert vault.entries() == [] and vault.verify().ok


def test_other_writes_wait_for_the_batch(vault: Vault) -> None:
    note = vault.add_note("existing")
    with vault.batch() as batch:
        with pytest.raises(VaultError, match="batch is open"):
            vault.add_note("meanwhile")
        with pytest.raises(VaultError, match="batch is open"):
            vault.attach(note.id, io.BytesIO(b"x"), "x", None)
        with pytest.raises(VaultError, match="batch is open"), vault.batch():
            pass
        batch.add("note", {"text": "in the batch"})
    vault.add_note("afterwards")
    assert [e.note().text for e in vault.entries()] == ["existing", "in the batch", "afterwards"]


def test_attach_inside_a_batch_to_new_and_existing_entries(vault: Vault) -> None:
    old = vault.add_note("old")
    gone = vault.add_note("gone")
    vault.forget(gone.id)
    with vault.batch() as batch:
        new = batch.add("note", {"text": "new"})
        for i in range(600):
            batch.add("note", {"text": f"n{i}"})
        batch.attach(new, io.BytesIO(b"for the new one"), "n.txt", None)  # not the last added
        batch.attach(old.id[:6], io.BytesIO(b"for the old one"), "o.txt", None)
        with pytest.raises(VaultError, match="forgotten"):
            batch.attach(gone.id, io.BytesIO(b"x"), "x", None)
    assert b"".join(vault.read_attachment(vault.entry(new).attachments[0].id)) == b"for the new one"
    assert vault.entry(old.id).attachments[0].filename == "o.txt"
    assert vault.verify().ok


def test_a_large_attachment_in_a_batch_is_cut_into_rows(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vault_store, "CHUNK_ROW", 4096)
    monkeypatch.setattr(batch_module, "FLUSH_BYTES", 20_000)
    data = os.urandom(100_000)
    with vault.batch() as batch:
        entry = batch.add("note", {"text": "video"})
        attachment = batch.attach(entry, io.BytesIO(data), "v.mp4", "video/mp4")
    rows = vault.store.db.query(
        "SELECT count(*) FROM vault_chunks WHERE blob = ?", (f"{attachment}:file",)
    )
    assert rows[0][0] == 25  # 100,000 bytes + age overhead in 4 KiB rows
    assert b"".join(vault.read_attachment(attachment)) == data
    assert vault.verify().ok


def test_find_uses_keyed_digests_and_sees_the_open_batch(vault: Vault, location: str) -> None:
    with vault.batch() as batch:
        first = batch.add("message", {"text": "a"}, lookup="natural-key-1")
        assert vault.find("message", ["natural-key-1", "natural-key-2"]) == {"natural-key-1": first}
        batch.add("message", {"text": "b"}, lookup="natural-key-2")
    assert set(vault.find("message", ["natural-key-1", "natural-key-2", "other"])) == {
        "natural-key-1",
        "natural-key-2",
    }
    assert vault.find("export", ["natural-key-1"]) == {}  # per kind
    digests = [r[0] for r in vault.store.db.query("SELECT digest FROM vault_lookup")]
    plain = hashlib.sha256(b"natural-key-1").hexdigest()
    assert len(digests) == 2 and plain not in digests and all(len(d) == 64 for d in digests)
    raw = repr(vault.store.db.query("SELECT * FROM vault_lookup"))
    assert "natural-key" not in raw
    vault.change_passphrase("a new passphrase", work_factor=WEAK)  # digests survive re-keying
    assert len(vault.find("message", ["natural-key-1"])) == 1
    vault.close()
    with Vault.open(location, "a new passphrase") as again:
        assert len(again.find("message", ["natural-key-2"])) == 1


def test_two_vaults_digest_the_same_value_differently(tmp_path: Path) -> None:
    found = []
    for name in ("one", "two"):
        with Vault.create(tmp_path / name, PASSPHRASE, work_factor=WEAK) as vault:
            with vault.batch() as batch:
                batch.add("message", {"text": "same"}, lookup="same message")
            found.append(vault.store.db.query("SELECT digest FROM vault_lookup")[0][0])
    assert found[0] != found[1]


def test_a_lookup_used_twice_is_refused(vault: Vault) -> None:
    with pytest.raises(VaultError, match="same lookup key"), vault.batch() as batch:
        batch.add("message", {"text": "a"}, lookup="k")
        batch.add("message", {"text": "b"}, lookup="k")
    assert vault.entries() == [] and vault.verify().ok
    with vault.batch() as batch:
        batch.add("message", {"text": "a"}, lookup="k")
    with pytest.raises(VaultError, match="same lookup key"), vault.batch() as batch:
        batch.add("message", {"text": "c"}, lookup="other")
        batch.add("message", {"text": "b"}, lookup="k")  # taken by an earlier batch
    assert [e.payload for e in vault.entries()] == [{"text": "a"}] and vault.verify().ok


def test_forgetting_an_entry_drops_its_lookups(vault: Vault) -> None:
    with vault.batch() as batch:
        keep = batch.add("message", {"text": "keep"}, lookup="keep")
        gone = batch.add("message", {"text": "gone"}, lookup="gone")
    vault.edit(keep, {"text": "keep, reviewed"})
    vault.forget(gone)
    assert vault.find("message", ["keep", "gone"]) == {"keep": keep}  # an edit keeps its root
    with vault.batch() as batch:  # so it can be added again
        batch.add("message", {"text": "gone"}, lookup="gone")
    assert vault.verify().ok


def test_lookups_need_the_vault_key(vault: Vault, location: str) -> None:
    advocate = Identity.generate()
    vault.share(advocate.recipient)
    with vault.batch() as batch:
        entry = batch.add("message", {"text": "shared"}, lookup="k")
    with Vault.open_with_identity(location, advocate) as theirs:
        assert theirs.entry(entry).payload == {"text": "shared"}  # batch content is shared too
        with pytest.raises(ReadOnlyVaultError):
            theirs.find("message", ["k"])
        with pytest.raises(ReadOnlyVaultError), theirs.batch():
            pass
    with Vault.open(location) as locked, pytest.raises(VaultError):
        locked.find("message", ["k"])


def _make_older(location: str) -> None:
    """Turn a vault into one made before lookups existed (what an older Ally left)."""
    with Vault.open(location) as vault, vault.store.db.transaction() as tx:
        tx.execute("DROP TABLE vault_lookup")
        tx.execute("DROP TABLE vault_lookup_state")


def test_an_older_vault_opens_and_gets_lookups_on_first_use(vault: Vault, location: str) -> None:
    with vault.batch() as batch:
        for i in range(30):
            batch.add("message", {"text": f"m{i}", "key": f"k{i}"}, conversation_id="c")
        batch.add("note", {"text": "not a message"})
    forgotten = vault.entries("message")[0]
    vault.forget(forgotten.id)
    vault.close()
    _make_older(location)
    with Vault.open(location, PASSPHRASE) as older:
        assert older.verify().ok and len(older.entries("message")) == 30
        assert older.find("message", ["k5"]) == {}  # not indexed yet

        def key_of(payload: dict[str, object]) -> str | None:
            value = payload.get("key")
            return value if isinstance(value, str) else None

        assert older.backfill_lookups("message", key_of) == 29  # the forgotten one is skipped
        assert older.backfill_lookups("message", key_of) == 0  # once only
        assert set(older.find("message", [f"k{i}" for i in range(30)])) == {
            f"k{i}" for i in range(1, 30)
        }
        with older.batch() as batch:  # new entries get their lookups as they are written
            batch.add("message", {"text": "new", "key": "k-new"}, lookup="k-new")
        assert len(older.find("message", ["k-new", "k7"])) == 2
        assert older.verify().ok


def test_a_restored_bundle_gets_its_lookups_back(vault: Vault, tmp_path: Path) -> None:
    with vault.batch() as batch:
        batch.add("message", {"text": "a", "key": "ka"}, lookup="ka")
    bundle = vault.export(tmp_path / "bundle").path
    with Vault.import_bundle(bundle, tmp_path / "restored", PASSPHRASE) as restored:
        assert restored.find("message", ["ka"]) == {}
        assert restored.backfill_lookups("message", lambda p: str(p["key"])) == 1
        assert list(restored.find("message", ["ka"])) == ["ka"]
        assert restored.verify().ok


def test_add_entries_is_a_batch(vault: Vault) -> None:
    ids = vault.add_entries("message", [({"text": f"m{i}"}, "chat") for i in range(20)])
    assert [e.id for e in vault.entries("message", "chat")] == ids
    assert vault.add_entries("message", []) == []


def test_batch_content_is_encrypted_to_the_vault_key(vault: Vault) -> None:
    with vault.batch() as batch:
        entry = batch.add("message", {"text": "secret words"}, lookup="k")
    stored = vault.store.blob_bytes(f"{entry}:content")
    assert b"secret words" not in stored
    assert b"secret words" in open_sealed(stored, vault.identity_for_export())


KILL_HELPER = """
import os, sys, time
from ally.vault import Vault
vault = Vault.open(sys.argv[1], sys.argv[2])
with vault.batch() as batch:
    for i in range(int(sys.argv[4])):
        batch.add("message", {"text": f"m{i}"}, conversation_id=sys.argv[3], lookup=f"{sys.argv[3]}:{i}")
        if i % 100 == 0:
            os.write(1, f"ADDED {i}\\n".encode())
            if f"ADDED {i}" == sys.argv[5]:
                time.sleep(600)  # held inside the batch until the test kills it
    os.write(1, b"COMMITTING\\n")
os.write(1, b"DONE\\n")
"""


@pytest.mark.slow
def test_kill_minus_nine_leaves_all_or_none_of_a_batch(vault: Vault, location: str) -> None:
    count, rng = 1500, random.Random(7)
    vault.add_note("already there")
    kept: dict[str, int] = {}
    for round_no in range(6):
        conversation = f"round{round_no}"
        stop = "COMMITTING" if round_no == 5 else f"ADDED {rng.randrange(0, count, 100)}"
        # In every round but the last, the helper waits at ``stop`` until it is killed: on a busy
        # machine it could otherwise add the rest and commit before the kill came. The last
        # round is killed at the commit, or just after it.
        hold = "" if stop == "COMMITTING" else stop
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                KILL_HELPER,
                location,
                PASSPHRASE,
                conversation,
                str(count),
                hold,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        seen = []
        while (line := process.stdout.readline().strip()) and line != stop and line != "DONE":
            seen.append(line)
        process.send_signal(signal.SIGKILL)
        process.wait()
        found = len(messages(vault, conversation))
        assert found in (0, count), f"round {round_no}: {found} of {count} messages"
        if round_no < 5:
            assert found == 0  # killed before the commit
        kept[conversation] = found
        assert vault.verify().ok
        assert {c: len(messages(vault, c)) for c in kept} == kept  # earlier rounds intact
        assert len(vault.find("message", [f"{conversation}:{i}" for i in range(count)])) == found
    assert [e.note().text for e in vault.entries("note")] == ["already there"]

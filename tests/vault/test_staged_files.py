"""Files streamed in before their entry is saved (the web's upload path), on SQLite and
PostgreSQL: the entry and all its files become part of the journal together, or nothing does."""

from __future__ import annotations

import pytest

from ally.vault import Vault, VaultError
from ally.vault.attachments import AttachmentWriter

WHAT = {"when": {"description": "last Tuesday"}, "what": "He followed me to the car park."}


def staged(vault: Vault, name: str, data: bytes, media_type: str = "image/png") -> AttachmentWriter:
    writer = vault.staged_attachment(name, media_type)
    for start in range(0, len(data), 1000):
        writer.write(data[start : start + 1000])
    writer.finish()
    return writer


def test_an_entry_and_its_staged_files_are_saved_together(vault: Vault) -> None:
    photo, video = b"\x89PNG" + bytes(range(256)) * 40, b"\x00\x00\x00\x18ftyp" * 3000
    before = len(vault.records)
    files = [staged(vault, "photo.png", photo), staged(vault, "clip.mp4", video, "video/mp4")]
    assert len(vault.records) == before  # staged: not part of the journal yet
    entry = vault.add_entry_with_files("incident", WHAT, files)
    assert len(vault.records) == before + 3
    assert entry.incident().what == "He followed me to the car park."
    assert [(a.filename, a.media_type, a.size) for a in entry.attachments] == [
        ("photo.png", "image/png", len(photo)),
        ("clip.mp4", "video/mp4", len(video)),
    ]
    read = [b"".join(vault.read_attachment(a.id)) for a in entry.attachments]
    assert read == [photo, video]
    assert vault.verify().ok


def test_staged_files_can_join_an_existing_entry_but_not_a_forgotten_one(vault: Vault) -> None:
    entry = vault.add_entry("incident", WHAT)
    vault.attach_files(entry.id, [])  # nothing to add: nothing recorded
    before = len(vault.records)
    vault.attach_files(entry.id, [staged(vault, "later.png", b"later")])
    assert len(vault.records) == before + 1
    (added,) = vault.entry(entry.id).attachments
    assert added.filename == "later.png" and b"".join(vault.read_attachment(added.id)) == b"later"
    vault.forget(entry.id)
    with pytest.raises(VaultError, match="forgotten"):
        vault.attach_files(entry.id, [staged(vault, "x.png", b"x")])
    with pytest.raises(VaultError, match="forgotten"):
        vault.attachment_writer(entry.id, "y.png")


def test_an_aborted_upload_leaves_nothing(vault: Vault) -> None:
    before = len(vault.records)
    chunks = vault.store.db.query("SELECT count(*) FROM vault_chunks")
    writer = vault.staged_attachment("half.png", "image/png")
    writer.write(b"only the first half" * 100_000)  # more than one stored chunk
    writer.abort()
    assert len(vault.records) == before
    assert vault.store.db.query("SELECT count(*) FROM vault_chunks") == chunks
    pending = vault.store.db.query("SELECT count(*) FROM vault_pending")
    assert pending == [(0,)]
    assert vault.verify().ok

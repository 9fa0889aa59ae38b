"""Round trips and behaviour of the Vault API, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest

from ally.model.journal import Incident, IncidentTime, Note
from ally.vault import (
    EntryNotFoundError,
    Identity,
    ReadOnlyVaultError,
    Vault,
    VaultError,
    VaultExistsError,
    VaultLockedError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from ally.vault.location import default_location

from .conftest import PASSPHRASE, WEAK


def incident(what: str = "He shouted at me in the corridor", **extra: object) -> Incident:
    when = IncidentTime(start=dt.datetime(2024, 3, 2, 14, 30, tzinfo=dt.UTC))
    return Incident.model_validate({"when": when, "what": what, **extra})


def test_incident_and_note_round_trip(vault: Vault, location: str) -> None:
    first = vault.add_incident(
        incident(
            where="office",
            who=["M."],
            witnesses=["J."],
            impact="scared",
            tags=["a"],
            contexts=["work"],
        )
    )
    note = vault.add_note(Note(text="Called HR, no answer", tags=["hr"]))
    vault.close()
    with Vault.open(location, PASSPHRASE) as again:
        assert again.entry(first.id).incident() == first.incident()
        assert again.entry(str(note.seq)).note().text == "Called HR, no answer"
        assert [e.kind for e in again.entries()] == ["incident", "note"]
        assert again.verify().ok


def test_messages_for_importers(vault: Vault) -> None:
    sent = "2023-01-05T10:00:00+00:00"
    vault.add_entry(
        "message", {"sender": "X", "text": "hi", "sent_at": sent}, conversation_id="wa:1"
    )
    vault.add_entry("message", {"sender": "Y", "text": "yo"}, conversation_id="wa:2")
    found = vault.entries(kind="message", conversation_id="wa:1")
    assert len(found) == 1 and found[0].payload == {"sender": "X", "text": "hi", "sent_at": sent}
    assert found[0].occurred_at() == dt.datetime(2023, 1, 5, 10, tzinfo=dt.UTC)
    with pytest.raises(VaultError):
        vault.add_entry("forget", {})
    with pytest.raises(VaultError):
        vault.add_entry("Bad Kind", {})


def test_timeline_orders_by_when_it_happened(vault: Vault) -> None:
    vault.add_incident(incident("later", when={"start": "2024-05-01T00:00:00Z"}))
    vault.add_incident(incident("earlier", when={"start": "2023-05-01T00:00:00Z"}))
    vault.add_incident(incident("vague", when={"description": "some time last year"}))
    order = [e.payload["what"] for e in vault.timeline() if e.payload]
    assert order[:2] == ["earlier", "later"]


@pytest.mark.parametrize("size", [0, 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345])
def test_attachment_round_trip(vault: Vault, size: int) -> None:
    entry = vault.add_note("photos of the car")
    data = os.urandom(size)
    att = vault.attach(entry.id, io.BytesIO(data), "car.jpg", "image/jpeg")
    assert (att.filename, att.media_type, att.size) == ("car.jpg", "image/jpeg", size)
    assert b"".join(vault.read_attachment(att.id)) == data
    out = io.BytesIO()
    assert vault.save_attachment(str(att.seq), out) == size and out.getvalue() == data
    assert vault.entry(entry.id).attachments == (att,)
    assert vault.verify().ok


def test_attachment_writer_push_style_and_abort(vault: Vault) -> None:
    entry = vault.add_note("upload")
    with vault.attachment_writer(entry.id, "a.bin", None) as writer:
        for _ in range(5):
            writer.write(b"x" * 300_000)
    assert writer.result and writer.result.size == 1_500_000
    with pytest.raises(RuntimeError), vault.attachment_writer(entry.id, "b.bin", None) as w2:
        w2.write(b"y" * 3_000_000)
        raise RuntimeError("upload dropped")
    assert len(vault.entry(entry.id).attachments) == 1
    assert vault.store.pending() == []
    report = vault.verify()
    assert report.ok and not report.notes


def test_edit_keeps_every_version(vault: Vault) -> None:
    entry = vault.add_incident(incident("first account"))
    vault.edit(entry.id, incident("corrected account"))
    latest = vault.edit(str(entry.seq), incident("third"))
    assert latest.version == 3 and latest.seq == entry.seq and latest.root_id == entry.id
    assert [v.payload["what"] for v in vault.history(entry.id) if v.payload] == [
        "first account",
        "corrected account",
        "third",
    ]
    assert len(vault.entries()) == 1
    with pytest.raises(VaultError):
        vault.edit(entry.id, {"what": ""})
    assert vault.verify().ok


def test_forget_leaves_a_tombstone_that_verifies(vault: Vault) -> None:
    entry = vault.add_incident(incident("something I must not keep"))
    vault.edit(entry.id, incident("edited"))
    att = vault.attach(entry.id, io.BytesIO(b"image"), "p.png", "image/png")
    other = vault.add_note("keep me")
    other_att = vault.attach(other.id, io.BytesIO(b"doc"), "d.pdf", "application/pdf")
    vault.forget(str(entry.seq))
    vault.forget(other_att.id)
    gone = vault.entry(entry.id)
    assert gone.forgotten and gone.payload is None and all(a.forgotten for a in gone.attachments)
    assert [v.payload for v in vault.history(entry.id)] == [None, None]
    with pytest.raises(EntryNotFoundError):
        b"".join(vault.read_attachment(att.id))
    assert vault.entry(other.id).payload == {"text": "keep me", "tags": []}
    report = vault.verify()
    assert report.ok and report.forgotten == 4, report.problems
    assert [e.payload for e in vault.timeline()] == [{"text": "keep me", "tags": []}]
    kinds = [r.kind for r in vault.records]
    assert kinds.count("forget") == 2
    with pytest.raises(VaultError):
        vault.edit(entry.id, incident("again"))


def test_forgotten_content_is_gone_from_storage(vault: Vault) -> None:
    marker = os.urandom(32)
    entry = vault.add_note("secret")
    vault.attach(entry.id, io.BytesIO(marker * 1000), "x", None)
    before = sum(1 for _ in vault.store.iter_chunks())
    vault.forget(entry.id)
    assert sum(1 for _ in vault.store.iter_chunks()) == before - 3  # content, meta, file


def test_wrong_passphrase_changes_nothing(vault: Vault, location: str) -> None:
    vault.add_note("a")
    hashes = vault.record_hashes()
    vault.close()
    with pytest.raises(WrongPassphraseError):
        Vault.open(location, "not the passphrase")
    with Vault.open(location, PASSPHRASE) as again:
        assert again.record_hashes() == hashes and again.verify().ok


def test_change_passphrase_only_relocks_the_key(vault: Vault, location: str) -> None:
    entry = vault.add_note("unchanged content")
    before = vault.store.blob_bytes(f"{entry.id}:content")
    vault.change_passphrase("a brand new passphrase", work_factor=WEAK)
    vault.close()
    with pytest.raises(WrongPassphraseError):
        Vault.open(location, PASSPHRASE)
    with Vault.open(location, "a brand new passphrase") as again:
        assert again.store.blob_bytes(f"{entry.id}:content") == before
        assert again.entry(entry.id).note().text == "unchanged content"
        assert again.verify().ok


def test_locked_vault_verifies_but_does_not_read(vault: Vault, location: str) -> None:
    vault.add_note("private")
    code = vault.head_code()
    with Vault.open(location) as locked:
        assert locked.verify().ok and locked.head_code() == code
        with pytest.raises(VaultLockedError):
            locked.entries()
        with pytest.raises(VaultLockedError):
            locked.add_note("x")


def test_create_refuses_to_overwrite_and_open_needs_a_vault(
    vault: Vault, location: str, tmp_path: Path
) -> None:
    with pytest.raises(VaultExistsError):
        Vault.create(location, "another", work_factor=WEAK)
    with pytest.raises(VaultNotFoundError):
        Vault.open(tmp_path / "nowhere", PASSPHRASE)


def test_head_code_changes_and_old_codes_stay_checkable(vault: Vault) -> None:
    vault.add_note("one")
    early = vault.head_code()
    vault.add_note("two")
    assert vault.head_code() != early and vault.head_code().startswith("3-")
    assert vault.check_code(early) and vault.check_code(early.lower().replace("0", "o"))
    assert not vault.check_code(early[:-1] + ("A" if early[-1] != "A" else "B"))
    assert not vault.check_code("garbage")


def test_share_lets_an_advocate_read(vault: Vault, location: str) -> None:
    old = vault.add_note("before sharing")
    att = vault.attach(old.id, io.BytesIO(b"evidence file"), "e.txt", "text/plain")
    advocate = Identity.generate()
    vault.share(str(advocate.recipient))
    new = vault.add_note("after sharing")
    assert vault.shared_with() == [advocate.recipient]
    with Vault.open_with_identity(location, advocate.identity_file()) as theirs:
        assert theirs.entry(old.id).note().text == "before sharing"
        assert theirs.entry(new.id).note().text == "after sharing"
        assert b"".join(theirs.read_attachment(att.id)) == b"evidence file"
        with pytest.raises(ReadOnlyVaultError):
            theirs.add_note("x")
    stranger = Identity.generate()
    with Vault.open_with_identity(location, stranger) as nope, pytest.raises(VaultError):
        nope.entry(old.id)
    vault.unshare(advocate.recipient)
    assert vault.shared_with() == []
    assert vault.verify().ok


def test_a_second_writer_is_seen(vault: Vault, location: str) -> None:
    """The web app and an importer may write to the same vault; each sees the other."""
    with Vault.open(location, PASSPHRASE) as other:
        vault.add_note("from the first")
        other.add_note("from the second")
        assert [e.seq for e in vault.entries()] == [2, 3]
        assert [e.seq for e in other.entries()] == [2, 3]
    assert vault.verify().ok


def test_unknown_references_are_clear_errors(vault: Vault) -> None:
    with pytest.raises(EntryNotFoundError):
        vault.entry("999")
    with pytest.raises(EntryNotFoundError):
        vault.entry("1")  # the key record, not an entry
    with pytest.raises(EntryNotFoundError):
        vault.attach("nope", io.BytesIO(b""), "x", None)


def test_default_location_honours_ally_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ALLY_VAULT", raising=False)
    monkeypatch.setenv("ALLY_HOME", str(tmp_path))
    assert default_location() == str(tmp_path / "vaults" / "default")
    monkeypatch.setenv("ALLY_VAULT", "postgresql://x/y")
    assert default_location() == "postgresql://x/y"


def test_sqlite_vault_is_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    with Vault.create(folder, PASSPHRASE, work_factor=WEAK) as created:
        created.add_note("x")
    assert (folder / "vault.db").is_file()
    raw = b"".join(p.read_bytes() for p in folder.iterdir())
    assert b"test passphrase" not in raw and b"AGE-SECRET-KEY" not in raw


def test_bulk_import_is_all_or_nothing(vault: Vault) -> None:
    ids = vault.add_entries("message", [({"text": f"m{i}"}, "chat") for i in range(50)])
    assert len(ids) == 50 and len(vault.entries(kind="message", conversation_id="chat")) == 50
    before = vault.record_hashes()
    with pytest.raises(VaultError):
        vault.add_entries("note", [({"text": "ok"}, None), ({"text": ""}, None)])
    assert vault.record_hashes() == before and vault.verify().ok


def test_errors_never_echo_journal_text(vault: Vault) -> None:
    secret = "my-very-private-words"
    with pytest.raises(VaultError) as caught:
        vault.edit(vault.add_note(secret).id, {"text": "", "tags": [secret]})
    assert secret not in str(caught.value)

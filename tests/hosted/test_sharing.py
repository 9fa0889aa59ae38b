"""Advocates by consent, in the core: case keys, shares, reads, notes and revoking, on SQLite
and real PostgreSQL. What an advocate reads is exactly what was shared with them; the tables
hold no plaintext; every share, read and revoke is in the audit log under the person."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from ally.documents.evidence import MemoryEvidence
from ally.hosted import audit
from ally.hosted.accounts import Account, Accounts
from ally.hosted.keys import CaseKeyError, CaseKeys
from ally.hosted.sharing import NotSharedError, ShareContent, Sharing, SharingError
from ally.hosted.store import HostedStore
from ally.vault import Identity, Vault, WrongPassphraseError
from tests.hosted.conftest import PASSWORD, WEAK, Clock

SHARED = "SHARED-ENTRY-MARKER-5521"
PRIVATE = "PRIVATE-ENTRY-MARKER-7730"
NEWER = "NEW-ENTRY-MARKER-3308"
KEY_PASS = "copper kettle winter sparrow"
CASE = {
    "events": [
        {"kind": "answers", "on": "2026-05-01", "pack": "us", "answers": {"setting": "work"}}
    ],
    "journal_dates": [],
}


class World:
    def __init__(self, store: HostedStore, accounts: Accounts, clock: Clock) -> None:
        self.store = store
        self.keys = CaseKeys(store, clock, work_factor=WEAK)
        self.sharing = Sharing(store, self.keys, clock)
        self.north = accounts.create_org("North", "north", open_signup=True)
        self.south = accounts.create_org("South", "south", open_signup=True)
        self.alice = accounts.sign_up(self.north, "alice", PASSWORD)
        self.bob = accounts.sign_up(self.north, "bob", PASSWORD)
        self.ada = accounts.add_staff(self.north, "ada", "advocate", PASSWORD).account
        self.abe = accounts.add_staff(self.north, "abe", "advocate", PASSWORD).account
        self.sol = accounts.add_staff(self.south, "sol", "advocate", PASSWORD).account
        self.admin = accounts.add_staff(self.north, "root", "admin", PASSWORD).account
        self.ids = {a.id: self.keys.create(a, KEY_PASS) for a in (self.ada, self.abe, self.sol)}
        self.journal = Identity.generate()  # stands in for Alice's journal key
        evidence = MemoryEvidence()
        self.shared = evidence.add(
            "incident", {"when": {"start": "2026-05-03T14:00:00+00:00"}, "what": SHARED},
            files=[("photo.txt", "text/plain", f"file {SHARED}".encode())],
        )  # fmt: skip
        self.private = evidence.add("note", {"text": PRIVATE})
        self.newer = evidence.add("note", {"text": NEWER})
        self.evidence = evidence

    def content(self) -> ShareContent:
        files = [
            (a, b"".join(self.evidence.read_attachment(a.id))) for a in self.shared.attachments
        ]
        return ShareContent(case=CASE, entries=[self.shared], files=files)

    def identity(self, advocate: Account) -> Identity:
        return self.ids[advocate.id]


@pytest.fixture
def world(store: HostedStore, accounts: Accounts, clock: Clock) -> World:
    return World(store, accounts, clock)


def raw_bytes(store: HostedStore) -> bytes:
    """Every row of every sharing table (and the keys and the audit log), as stored."""
    out = bytearray()
    with store.transaction() as db:
        for table in (
            "hosted_shares", "hosted_share_readers", "hosted_share_items", "hosted_share_notes",
            "hosted_case_keys", "hosted_audit",
        ):  # fmt: skip
            for row in db.query(f"SELECT * FROM {table}"):
                for value in row:
                    out += (
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else str(value).encode()
                    )
    return bytes(out)


def test_an_advocate_reads_exactly_what_was_shared_with_them(world: World) -> None:
    share = world.sharing.share(
        world.alice, world.journal.recipient, world.ada.id, world.content(), new_entries=False
    )
    case = world.sharing.open_case(world.ada, world.identity(world.ada), share.id)
    assert [e.payload["what"] for e in case.entries if e.payload] == [SHARED]
    assert case.case == CASE
    [attachment] = case.files.values()
    assert attachment.filename == "photo.txt"
    file = world.sharing.read_file(world.ada, world.identity(world.ada), share.id, attachment.id)
    assert file == f"file {SHARED}".encode()
    assert [s.id for s in world.sharing.caseload(world.ada)] == [share.id]
    # Not shared with: another advocate here, one of another organisation, an admin.
    for other in (world.abe, world.sol):
        assert world.sharing.caseload(other) == []
        with pytest.raises(NotSharedError):
            world.sharing.open_case(other, world.identity(other), share.id)
        with pytest.raises(NotSharedError):
            world.sharing.read_file(other, world.identity(other), share.id, attachment.id)
        with pytest.raises(NotSharedError):
            world.sharing.add_note(other, share.id, "let me in")
    with pytest.raises(NotSharedError):
        world.sharing.open_case(world.admin, world.identity(world.ada), share.id)
    assert world.sharing.caseload(world.admin) == []
    # Bob cannot take Alice's share back; nothing changes.
    assert not world.sharing.revoke(world.bob, share.id)
    assert world.sharing.caseload(world.ada)


def test_the_database_holds_no_plaintext_of_what_is_shared(world: World) -> None:
    share = world.sharing.share(
        world.alice, world.journal.recipient, None, world.content(), new_entries=True
    )
    world.sharing.add_new(world.alice, world.newer, [])
    world.sharing.add_note(world.ada, share.id, "NOTE-MARKER-1190 call the clinic on Monday")
    stored = raw_bytes(world.store)
    for marker in (SHARED, PRIVATE, NEWER, "NOTE-MARKER-1190", "photo.txt", "setting"):
        assert marker.encode() not in stored, marker
    assert KEY_PASS.encode() not in stored
    for identity in world.ids.values():
        assert identity.identity_file().split("\n")[1].encode() not in stored  # no secret key


def test_revoking_deletes_everything_at_once(world: World) -> None:
    share = world.sharing.share(
        world.alice, world.journal.recipient, None, world.content(), new_entries=True
    )
    world.sharing.add_note(world.ada, share.id, "We will call you.")
    assert world.sharing.revoke(world.alice, share.id)
    for advocate in (world.ada, world.abe):
        assert world.sharing.caseload(advocate) == []
        with pytest.raises(NotSharedError):
            world.sharing.open_case(advocate, world.identity(advocate), share.id)
        with pytest.raises(NotSharedError):
            world.sharing.add_note(advocate, share.id, "still here?")
    assert world.sharing.add_new(world.alice, world.newer, []) == 0
    with world.store.transaction() as db:
        for table in ("hosted_share_items", "hosted_share_notes", "hosted_share_readers"):
            assert db.query(f"SELECT COUNT(*) FROM {table}")[0][0] == 0, table
    assert world.sharing.notes_for_person(world.alice) == []


def test_a_team_share_reaches_every_advocate_and_new_entries_only_when_asked(
    world: World,
) -> None:
    team = world.sharing.share(
        world.alice, world.journal.recipient, None, world.content(), new_entries=True
    )
    one = world.sharing.share(
        world.alice, world.journal.recipient, world.abe.id, world.content(), new_entries=False
    )
    assert world.sharing.add_new(world.alice, world.newer, []) == 1
    texts = {
        a.login: [
            (e.payload or {}).get("text") or (e.payload or {}).get("what")
            for e in world.sharing.open_case(a, world.identity(a), team.id).entries
        ]
        for a in (world.ada, world.abe)
    }
    assert texts == {"ada": [SHARED, NEWER], "abe": [SHARED, NEWER]}
    alone = world.sharing.open_case(world.abe, world.identity(world.abe), one.id)
    assert [e.payload["what"] for e in alone.entries if e.payload] == [SHARED]  # not asked
    assert world.sol.id not in team.readers


def test_notes_are_for_the_person_and_the_shared_advocates_only(
    world: World, tmp_path: Path
) -> None:
    vault = Vault.create(tmp_path / "journal", "journal passphrase", work_factor=WEAK)
    share = world.sharing.share(
        world.alice, vault.recipient, world.ada.id, world.content(), new_entries=False
    )
    world.sharing.add_note(world.ada, share.id, "Bring the letter on Tuesday.")
    [note] = world.sharing.notes_for_person(world.alice)
    assert note.author == "ada"
    assert vault.open_addressed(note.sealed) == b"Bring the letter on Tuesday."
    seen = world.sharing.open_case(world.ada, world.identity(world.ada), share.id).notes
    assert [text for _, text in seen] == ["Bring the letter on Tuesday."]
    assert world.sharing.notes_for_person(world.bob) == []
    vault.close()


def test_every_share_read_note_and_revoke_is_in_the_persons_audit_log(world: World) -> None:
    share = world.sharing.share(
        world.alice, world.journal.recipient, world.ada.id, world.content(), new_entries=False
    )
    world.sharing.open_case(world.ada, world.identity(world.ada), share.id)
    attachment = world.shared.attachments[0].id
    world.sharing.read_file(world.ada, world.identity(world.ada), share.id, attachment)
    world.sharing.add_note(world.ada, share.id, "Noted.")
    with pytest.raises(NotSharedError):
        world.sharing.open_case(world.abe, world.identity(world.abe), share.id)
    world.sharing.revoke(world.alice, share.id)
    mine = [
        (e.account, e.kind)
        for e in audit.events(world.store, world.north.id, world.alice.id)
        if e.kind != "sign-up"
    ]
    assert mine == [
        (world.alice.id, "case-shared"),
        (world.ada.id, "shared-case-read"),
        (world.ada.id, "shared-file-read"),
        (world.ada.id, "case-note-added"),
        (world.alice.id, "case-share-revoked"),
    ]
    assert audit.verify(world.store, world.north.id) is None
    assert audit.events(world.store, world.south.id, world.alice.id) == []


def test_case_keys_open_only_with_their_passphrase(world: World) -> None:
    again = world.keys.unlock(world.ada, KEY_PASS, "192.0.2.7")
    assert again.recipient == world.identity(world.ada).recipient
    with pytest.raises(WrongPassphraseError):
        world.keys.unlock(world.ada, "not the passphrase", "192.0.2.7")
    with pytest.raises(CaseKeyError):
        world.keys.create(world.ada, "another passphrase here")  # never replaced
    with pytest.raises(CaseKeyError):
        world.keys.create(world.alice, KEY_PASS)  # people have journals, not case keys
    with pytest.raises(CaseKeyError):
        world.keys.unlock(world.admin, KEY_PASS, "192.0.2.7")
    with pytest.raises(SharingError):
        world.sharing.share(
            world.alice, world.journal.recipient, world.admin.id, world.content(),
            new_entries=False,
        )  # fmt: skip
    assert [name for _, name in world.sharing.advocates(world.alice)] == ["abe", "ada"]


@pytest.mark.postgres
def test_on_postgresql_the_raw_rows_hold_only_ciphertext(pg_url: str, clock: Clock) -> None:
    from tests.hosted.conftest import FAST, PG_URL

    store = HostedStore(pg_url)
    world = World(store, Accounts(store, FAST, clock), clock)
    world.sharing.share(
        world.alice, world.journal.recipient, world.ada.id, world.content(), new_entries=False
    )
    schema = pg_url.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        dump = conn.execute(
            f"SELECT string_agg(encode(sealed, 'escape'), '') FROM {schema}.hosted_share_items"
        ).fetchone()
    assert dump and dump[0] and SHARED not in dump[0] and "photo.txt" not in dump[0]
    store.close()

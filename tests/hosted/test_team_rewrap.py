"""A share with the team follows the team (issue 19 item 2), on real PostgreSQL.

An advocate who makes their case key after a person shared with the team cannot read the
share until someone who can open it is here with their key (the person's journal, or an
advocate already on the share); then everything it holds is encrypted again to the team as
it is now, and the person's trail names the new reader. A disabled advocate is never added
and is taken out; a share with one advocate never extends; revoking still ends it for all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ally.hosted import audit
from ally.hosted.accounts import Account, Accounts
from ally.hosted.admin import Admin
from ally.hosted.sessions import AccountSessions
from ally.hosted.sharing import NotSharedError
from ally.hosted.store import HostedStore
from ally.vault import Identity, Vault, VaultError, crypto
from tests.hosted.conftest import FAST, PASSWORD, WEAK, Clock
from tests.hosted.test_sharing import KEY_PASS, SHARED, World

pytestmark = pytest.mark.postgres

NOTE = "NOTE-BEFORE-CAL-JOINED-2207"


class Team(World):
    """The sharing world, plus Cal: an advocate of North who makes a key only later, and
    Alice's real journal (its key opens what she shares)."""

    def __init__(self, store: HostedStore, accounts: Accounts, clock: Clock, tmp: Path) -> None:
        super().__init__(store, accounts, clock)
        self.accounts = accounts
        self.clock = clock
        self.cal = accounts.add_staff(self.north, "cal", "advocate", PASSWORD).account
        self.vault = Vault.create(tmp / "alice-journal", "journal passphrase", work_factor=WEAK)

    def join(self, advocate: Account) -> Identity:
        identity = self.keys.create(advocate, KEY_PASS)
        self.ids[advocate.id] = identity
        return identity

    def entries(self, advocate: Account, share: str) -> list[str]:
        case = self.sharing.open_case(advocate, self.identity(advocate), share)
        return [str((e.payload or {}).get("what")) for e in case.entries]

    def from_journal(self) -> int:
        """What the person's unlock does: their team shares follow the team."""
        return len(
            self.sharing.refresh_for_person(
                self.alice, self.vault.recipient, self.vault.open_addressed
            )
        )


@pytest.fixture
def team(pg_url: str, clock: Clock, tmp_path: Path) -> Iterator[Team]:
    store = HostedStore(pg_url)
    made = Team(store, Accounts(store, FAST, clock), clock, tmp_path)
    yield made
    made.vault.close()
    store.close()


def trail(team: Team) -> list[tuple[str, str]]:
    """The person's own audit trail, as (who, what), sign-up left out."""
    names = {a.id: a.login for a in (team.alice, team.ada, team.abe, team.cal)}
    return [
        (names.get(str(e.account), "?"), e.kind)
        for e in audit.events(team.store, team.north.id, team.alice.id)
        if e.kind != "sign-up"
    ]


def test_a_late_advocate_reads_the_team_share_after_the_person_next_opens_their_journal(
    team: Team,
) -> None:
    share = team.sharing.share(
        team.alice, team.vault.recipient, None, team.content(), new_entries=True
    )
    team.sharing.add_note(team.ada, share.id, NOTE)
    cal = team.join(team.cal)
    # Before: Cal is not a reader, and nothing stored opens with his key.
    assert team.sharing.caseload(team.cal) == []
    with pytest.raises(NotSharedError):
        team.sharing.open_case(team.cal, cal, share.id)
    assert team.sharing.pending_for(team.cal) == 1
    with team.store.transaction() as db:
        sealed = [bytes(r[0]) for r in db.query("SELECT sealed FROM hosted_share_items")]
    for data in sealed:
        with pytest.raises(VaultError):
            crypto.open_sealed(data, cal)
    # The person opens their journal: the share is encrypted again to the team as it is now.
    assert team.from_journal() == 1
    assert team.from_journal() == 0  # nothing left to do
    assert [s.id for s in team.sharing.caseload(team.cal)] == [share.id]
    assert team.entries(team.cal, share.id) == [SHARED]
    opened = team.sharing.open_case(team.cal, cal, share.id)
    assert opened.case == team.content().case
    assert [text for _, text in opened.notes] == [NOTE]  # the note before he joined too
    [attachment] = opened.files.values()
    assert team.sharing.read_file(team.cal, cal, share.id, attachment.id) == (
        f"file {SHARED}".encode()
    )
    assert team.sharing.pending_for(team.cal) == 0
    # Everyone who could read it still can; the person's journal still opens the note.
    for advocate in (team.ada, team.abe):
        assert team.entries(advocate, share.id) == [SHARED]
    [note] = team.sharing.notes_for_person(team.alice)
    assert team.vault.open_addressed(note.sealed) == NOTE.encode()
    # A new entry reaches him too; the person's trail names him.
    team.sharing.add_new(team.alice, team.newer, [])
    assert len(team.entries(team.cal, share.id)) == 2
    assert ("cal", "case-share-extended") in trail(team)
    assert trail(team).index(("cal", "case-share-extended")) > trail(team).index(
        ("alice", "case-shared")
    )
    assert audit.verify(team.store, team.north.id) is None


def test_a_colleague_on_the_share_unlocking_their_key_brings_the_late_advocate_in(
    team: Team,
) -> None:
    share = team.sharing.share(
        team.alice, team.vault.recipient, None, team.content(), new_entries=False
    )
    cal = team.join(team.cal)
    # Cal's own key opens nothing, so his unlock changes nothing.
    assert team.sharing.refresh_for_advocate(team.cal, cal) == []
    with pytest.raises(NotSharedError):
        team.sharing.open_case(team.cal, cal, share.id)
    # Sol (another organisation) cannot bring anyone in.
    assert team.sharing.refresh_for_advocate(team.sol, team.identity(team.sol)) == []
    [change] = team.sharing.refresh_for_advocate(team.ada, team.identity(team.ada))
    assert change.added == (team.cal.id,) and change.removed == ()
    assert team.entries(team.cal, share.id) == [SHARED]
    assert team.sol.id not in team.sharing.caseload(team.cal)[0].readers
    assert [w for w in trail(team) if w[1] == "case-share-extended"] == [
        ("cal", "case-share-extended")
    ]


def test_a_disabled_advocate_is_never_added_and_is_taken_out(team: Team) -> None:
    share = team.sharing.share(
        team.alice, team.vault.recipient, None, team.content(), new_entries=True
    )
    admin = Admin(AccountSessions(team.store, team.accounts, clock=team.clock))
    team.join(team.cal)
    admin.disable(team.admin, team.cal.id)  # disabled after making a key, before any re-wrap
    admin.disable(team.admin, team.abe.id)  # a reader when the share was made
    assert team.from_journal() == 1
    after = team.sharing.caseload(team.ada)[0]
    assert after.readers == (team.ada.id,)
    for gone in (team.cal, team.abe):
        assert team.sharing.caseload(gone) == []
        with pytest.raises(NotSharedError):
            team.sharing.open_case(gone, team.identity(gone), share.id)
    # What is stored no longer opens with Abe's key, even read straight from the table.
    with team.store.transaction() as db:
        sealed = [bytes(r[0]) for r in db.query("SELECT sealed FROM hosted_share_items")]
    for data in sealed:
        with pytest.raises(VaultError):
            crypto.open_sealed(data, team.identity(team.abe))
        with pytest.raises(VaultError):
            crypto.open_sealed(data, team.identity(team.cal))
    team.sharing.add_new(team.alice, team.newer, [])
    with team.store.transaction() as db:
        newest = [bytes(r[0]) for r in db.query("SELECT sealed FROM hosted_share_items")]
    for data in newest:
        with pytest.raises(VaultError):
            crypto.open_sealed(data, team.identity(team.abe))
    assert ("abe", "case-share-narrowed") in trail(team)
    assert ("cal", "case-share-extended") not in trail(team)


def test_a_share_with_one_advocate_never_extends(team: Team) -> None:
    share = team.sharing.share(
        team.alice, team.vault.recipient, team.ada.id, team.content(), new_entries=True
    )
    team.join(team.cal)
    assert team.sharing.stale_team_shares(team.north.id) == []
    assert team.from_journal() == 0
    assert team.sharing.refresh_for_advocate(team.ada, team.identity(team.ada)) == []
    assert team.sharing.pending_for(team.cal) == 0
    for other in (team.cal, team.abe):
        assert team.sharing.caseload(other) == []
        with pytest.raises(NotSharedError):
            team.sharing.open_case(other, team.identity(other), share.id)
    assert team.sharing.caseload(team.ada)[0].readers == (team.ada.id,)


def test_revoking_after_a_rewrap_ends_it_for_everyone(team: Team) -> None:
    share = team.sharing.share(
        team.alice, team.vault.recipient, None, team.content(), new_entries=True
    )
    team.join(team.cal)
    assert team.from_journal() == 1
    assert team.sharing.revoke(team.alice, share.id)
    for advocate in (team.ada, team.abe, team.cal):
        assert team.sharing.caseload(advocate) == []
        with pytest.raises(NotSharedError):
            team.sharing.open_case(advocate, team.identity(advocate), share.id)
    assert team.from_journal() == 0
    with team.store.transaction() as db:
        for table in ("hosted_share_items", "hosted_share_notes", "hosted_share_readers"):
            assert db.query(f"SELECT COUNT(*) FROM {table}")[0][0] == 0, table


def test_another_journal_key_changes_nothing(team: Team, tmp_path: Path) -> None:
    """The decoy journal (or any journal but the one shared from) cannot re-wrap the share."""
    share = team.sharing.share(
        team.alice, team.vault.recipient, None, team.content(), new_entries=False
    )
    team.join(team.cal)
    decoy = Vault.create(tmp_path / "decoy", "decoy passphrase", work_factor=WEAK)
    assert team.sharing.refresh_for_person(team.alice, decoy.recipient, decoy.open_addressed) == []
    # Even if it were asked to, an opener that does not fit leaves the share as it was.
    info = team.sharing.stale_team_shares(team.north.id)[0]
    assert team.sharing._rewrap(info, decoy.open_addressed) is None
    decoy.close()
    with pytest.raises(NotSharedError):
        team.sharing.open_case(team.cal, team.identity(team.cal), share.id)


def test_an_advocates_key_brings_a_large_team_in_a_batch_at_a_time(team: Team) -> None:
    for who in (team.alice, team.bob):
        team.sharing.share(who, team.vault.recipient, None, team.content(), new_entries=False)
    team.join(team.cal)
    ada = team.identity(team.ada)
    assert len(team.sharing.stale_team_shares(team.north.id, reader=team.ada.id)) == 2
    assert len(team.sharing.refresh_for_advocate(team.ada, ada, limit=1)) == 1
    assert team.sharing.pending_for(team.cal) == 1
    assert len(team.sharing.refresh_for_advocate(team.ada, ada, limit=1)) == 1
    assert team.sharing.pending_for(team.cal) == 0
    assert team.sharing.refresh_for_advocate(team.ada, ada) == []
    assert {s.person_login for s in team.sharing.caseload(team.cal)} == {"alice", "bob"}

"""Invitations (single use, expiring, withdrawable, an advocate's second factor set up on
the way) and what an admin can see and do (counts only, own organisation only)."""

from __future__ import annotations

import pytest

from ally.hosted import audit, totp
from ally.hosted.accounts import Accounts, Organisation
from ally.hosted.admin import Admin
from ally.hosted.errors import (
    CodeNotRightError,
    InvitationError,
    NameTakenError,
    NotAllowedError,
    SignInError,
)
from ally.hosted.invitations import LIFETIME, Invitations
from ally.hosted.sessions import AccountSessions
from ally.hosted.store import HostedStore
from tests.hosted.conftest import PASSWORD, Clock


@pytest.fixture
def north(accounts: Accounts) -> Organisation:
    return accounts.create_org("North", "north")


def test_a_person_invitation_works_once(
    accounts: Accounts, sessions: AccountSessions, north: Organisation, store: HostedStore
) -> None:
    advocate = accounts.add_staff(north, "adv@n.example", "advocate", PASSWORD).account
    invitations = Invitations(accounts)
    made = invitations.make(advocate, "person")
    assert invitations.find(made.token) == made.invitation
    with store.transaction() as db:  # only the token's hash is kept
        stored = db.query("SELECT token_hash FROM hosted_invitations")[0][0]
    assert made.token not in str(stored)
    person = invitations.accept(made.token, "sam", PASSWORD)
    assert person.role == "person" and person.org == north.id and person.vault
    assert invitations.find(made.token) is None
    with pytest.raises(InvitationError):
        invitations.accept(made.token, "someone-else", PASSWORD)
    assert accounts.store.transaction  # the second try made no account:
    with store.transaction() as db:
        assert db.query("SELECT count(*) FROM hosted_accounts WHERE role = 'person'")[0][0] == 1
    assert sessions.sign_in(north, "sam", PASSWORD, "", "192.0.2.1")[1].account.id == person.id
    kinds = [(e.account, e.kind) for e in audit.events(store, north.id)]
    assert (advocate.id, "invitation-made") in kinds and (person.id, "invitation-used") in kinds


def test_an_invitation_expires_and_can_be_withdrawn(
    accounts: Accounts, north: Organisation, clock: Clock
) -> None:
    advocate = accounts.add_staff(north, "adv@n.example", "advocate", PASSWORD).account
    other = accounts.add_staff(north, "adv2@n.example", "advocate", PASSWORD).account
    invitations = Invitations(accounts)
    late = invitations.make(advocate, "person")
    clock.advance(LIFETIME + 1)
    with pytest.raises(InvitationError):
        invitations.accept(late.token, "sam", PASSWORD)
    pulled = invitations.make(advocate, "person")
    assert not invitations.withdraw(other, pulled.invitation.id)  # not theirs
    assert invitations.pending(north.id, advocate.id) == [pulled.invitation]
    assert invitations.withdraw(advocate, pulled.invitation.id)
    with pytest.raises(InvitationError):
        invitations.accept(pulled.token, "sam", PASSWORD)
    assert invitations.pending(north.id) == []


def test_who_may_invite_whom(accounts: Accounts, north: Organisation) -> None:
    invitations = Invitations(accounts)
    person = accounts.invite_person(north, "sam", PASSWORD)
    advocate = accounts.add_staff(north, "adv@n.example", "advocate", PASSWORD).account
    with pytest.raises(NotAllowedError):
        invitations.make(person, "person")
    with pytest.raises(NotAllowedError):
        invitations.make(advocate, "advocate")  # only admins bring in staff


def test_an_advocate_sets_up_the_second_factor_from_the_invitation(
    accounts: Accounts, sessions: AccountSessions, north: Organisation, clock: Clock,
    store: HostedStore,
) -> None:  # fmt: skip
    admin = accounts.add_staff(north, "admin@n.example", "admin", PASSWORD).account
    invitations = Invitations(accounts)
    made = invitations.make(admin, "advocate")
    secret = invitations.setup_secret(made.token)
    assert invitations.setup_secret(made.token) == secret  # the same secret on every load
    with store.transaction() as db:
        kept = str(db.query("SELECT totp_secret FROM hosted_invitations")[0][0])
    assert kept.startswith(totp.SEALED) and secret not in kept
    with pytest.raises(CodeNotRightError):
        invitations.accept(made.token, "adv@n.example", PASSWORD, "000000")
    code = totp.code_at(secret, clock())
    advocate = invitations.accept(made.token, "adv@n.example", PASSWORD, code)
    assert advocate.role == "advocate"
    with store.transaction() as db:  # the account holds its own sealed copy; the link's is gone
        assert db.query("SELECT totp_secret FROM hosted_invitations")[0][0] is None
    with pytest.raises(SignInError):  # the code used to join is spent
        sessions.sign_in(north, "adv@n.example", PASSWORD, code, "192.0.2.1")
    clock.advance(30)
    _, current = sessions.sign_in(
        north, "adv@n.example", PASSWORD, totp.code_at(secret, clock()), "192.0.2.1"
    )
    assert current.second_factor and current.account.id == advocate.id


def test_a_taken_name_leaves_the_invitation_usable(accounts: Accounts, north: Organisation) -> None:
    advocate = accounts.add_staff(north, "adv@n.example", "advocate", PASSWORD).account
    accounts.invite_person(north, "sam", PASSWORD)
    invitations = Invitations(accounts)
    made = invitations.make(advocate, "person")
    with pytest.raises(NameTakenError):
        invitations.accept(made.token, "Sam", PASSWORD)
    assert invitations.accept(made.token, "sam2", PASSWORD).login == "sam2"


def test_admin_counts_and_actions_stay_in_the_organisation(
    accounts: Accounts, sessions: AccountSessions, north: Organisation, clock: Clock,
    store: HostedStore,
) -> None:  # fmt: skip
    south = accounts.create_org("South", "south")
    admin = accounts.add_staff(north, "admin@n.example", "admin", PASSWORD)
    other_admin = accounts.add_staff(south, "admin@s.example", "admin", PASSWORD).account
    advocate = accounts.add_staff(north, "adv@n.example", "advocate", PASSWORD)
    for name in ("sam", "kim"):
        accounts.invite_person(north, name, PASSWORD)
        sessions.sign_in(north, name, PASSWORD, "", "192.0.2.1")
    accounts.invite_person(south, "lee", PASSWORD)
    with pytest.raises(SignInError):
        sessions.sign_in(north, "sam", "not the password", "", "192.0.2.1")
    code = totp.code_at(advocate.totp_secret, clock())
    token, _ = sessions.sign_in(north, "adv@n.example", PASSWORD, code, "192.0.2.1")
    panel = Admin(sessions)
    counts = panel.counts(admin.account)
    assert (counts.people, counts.sign_ins, counts.failed_sign_ins) == (2, 3, 1)
    assert (counts.active_cases, counts.shares) == (0, 0)
    staff = panel.staff(admin.account)
    assert [(m.login, m.role, m.sessions) for m in staff] == [
        ("admin@n.example", "admin", 0),
        ("adv@n.example", "advocate", 1),
    ]  # staff only: people's names are never listed
    with pytest.raises(NotAllowedError):
        panel.staff(advocate.account)
    # Another organisation's admin reaches nothing, and an admin cannot lock themselves out.
    assert panel.disable(other_admin, advocate.account.id) == []
    assert panel.end_sessions(other_admin, advocate.account.id) == []
    assert panel.disable(admin.account, admin.account.id) == []
    assert sessions.open(token) is not None
    ended = panel.disable(admin.account, advocate.account.id)
    assert len(ended) == 1
    assert sessions.open(token) is None  # refused at the very next request
    clock.advance(30)
    with pytest.raises(SignInError):
        sessions.sign_in(
            north, "adv@n.example", PASSWORD, totp.code_at(advocate.totp_secret, clock()), "x"
        )
    panel.set_open_signup(admin.account, True)
    assert accounts.org_by_slug("north").open_signup
    assert not accounts.org_by_slug("south").open_signup
    log = panel.log(admin.account)
    assert (admin.account.id, "account-disabled", advocate.account.id) in [
        (e.account, e.kind, e.subject) for e in log
    ]
    assert log[-1].kind == "signup-opened"
    assert panel.verify(admin.account) is None
    assert all(e.org == north.id for e in log)

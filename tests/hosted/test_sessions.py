"""Signing in, sessions kept in the database, revocation, the second factor and throttling."""

from __future__ import annotations

import pytest

from ally.hosted import totp
from ally.hosted.accounts import Accounts, Organisation
from ally.hosted.errors import SignInError, SignInThrottledError
from ally.hosted.sessions import AccountSessions, SessionPolicy, token_hash
from ally.hosted.store import HostedStore
from tests.hosted.conftest import FAST, PASSWORD, Clock

CLIENT = "192.0.2.10"


@pytest.fixture
def org(accounts: Accounts) -> Organisation:
    return accounts.create_org("Shelter North", "shelter-north", open_signup=True)


def test_a_person_signs_in_and_the_session_names_them(
    accounts: Accounts, sessions: AccountSessions, org: Organisation
) -> None:
    person = accounts.sign_up(org, "sam", PASSWORD)
    token, current = sessions.sign_in(org, " SAM ", PASSWORD, "", CLIENT)
    assert current.account == person
    opened = sessions.open(token)
    assert opened is not None and opened.account == person and opened.session == current.session
    with sessions.store.transaction() as db:
        stored = db.query("SELECT token_hash FROM hosted_sessions")
    assert stored == [(token_hash(token),)]  # the token itself is not kept
    assert sessions.open(token + "x") is None and sessions.open(None) is None


def test_a_wrong_password_or_an_unknown_name_gets_one_message(
    accounts: Accounts, sessions: AccountSessions, org: Organisation
) -> None:
    accounts.sign_up(org, "sam", PASSWORD)
    messages = set()
    for login, password in (("sam", "wrong password!"), ("nobody", PASSWORD), ("", PASSWORD)):
        with pytest.raises(SignInError) as refused:
            sessions.sign_in(org, login, password, "", CLIENT)
        messages.add(str(refused.value))
    assert len(messages) == 1
    other = accounts.create_org("Other", "other")
    with pytest.raises(SignInError):  # the right name and password, the wrong organisation
        sessions.sign_in(other, "sam", PASSWORD, "", CLIENT)


def test_staff_need_a_valid_unused_totp_code(
    accounts: Accounts, sessions: AccountSessions, org: Organisation, clock: Clock
) -> None:
    staff = accounts.add_staff(org, "advocate@north.example", "advocate", PASSWORD)
    login = "advocate@north.example"
    with pytest.raises(SignInError):
        sessions.sign_in(org, login, PASSWORD, "", CLIENT)
    with pytest.raises(SignInError):
        sessions.sign_in(org, login, PASSWORD, "000000", CLIENT)
    stale = totp.code_at(staff.totp_secret, clock() - 90)
    with pytest.raises(SignInError):
        sessions.sign_in(org, login, PASSWORD, stale, CLIENT)
    code = totp.code_at(staff.totp_secret, clock())
    with pytest.raises(SignInError):  # the right code with a wrong password
        sessions.sign_in(org, login, "wrong password!", code, CLIENT)
    token, current = sessions.sign_in(org, login, PASSWORD, code, CLIENT)
    assert current.account == staff.account and sessions.open(token) is not None
    with pytest.raises(SignInError):  # the same code again: replay
        sessions.sign_in(org, login, PASSWORD, code, CLIENT)
    clock.advance(30)
    sessions.sign_in(org, login, PASSWORD, totp.code_at(staff.totp_secret, clock()), CLIENT)


def test_staff_without_a_secret_cannot_sign_in_at_all(
    accounts: Accounts, sessions: AccountSessions, org: Organisation
) -> None:
    staff = accounts.add_staff(org, "admin@north.example", "admin", PASSWORD)
    with sessions.store.transaction() as db:
        db.execute(
            "UPDATE hosted_accounts SET totp_secret = NULL WHERE id = ?", (staff.account.id,)
        )
    with pytest.raises(SignInError):
        sessions.sign_in(org, "admin@north.example", PASSWORD, "", CLIENT)


def test_a_revoked_session_is_refused_and_only_its_owner_can_revoke_it(
    accounts: Accounts, sessions: AccountSessions, org: Organisation
) -> None:
    alice = accounts.sign_up(org, "alice", PASSWORD)
    bob = accounts.sign_up(org, "bob", PASSWORD)
    token_a, session_a = sessions.sign_in(org, "alice", PASSWORD, "", CLIENT)
    assert not sessions.revoke(session_a.session, bob)  # Bob cannot end Alice's session
    assert sessions.open(token_a) is not None
    assert sessions.revoke(session_a.session, alice)
    assert sessions.open(token_a) is None
    assert not sessions.revoke(session_a.session, alice)  # already ended


def test_sign_out_everywhere_keeps_only_the_session_asking(
    accounts: Accounts, sessions: AccountSessions, org: Organisation
) -> None:
    alice = accounts.sign_up(org, "alice", PASSWORD)
    accounts.sign_up(org, "bob", PASSWORD)
    tokens = [sessions.sign_in(org, "alice", PASSWORD, "", CLIENT) for _ in range(3)]
    bob_token, _ = sessions.sign_in(org, "bob", PASSWORD, "", CLIENT)
    keep = tokens[0][1].session
    assert {s.id for s in sessions.live(alice.id)} == {t[1].session for t in tokens}
    assert sessions.revoke_all(alice, keep=keep) == 2
    assert [sessions.open(t) is not None for t, _ in tokens] == [True, False, False]
    assert sessions.open(bob_token) is not None
    assert [s.id for s in sessions.live(alice.id)] == [keep]


def test_sessions_end_when_idle_and_after_their_longest_life(
    store: HostedStore, accounts: Accounts, org: Organisation, clock: Clock
) -> None:
    sessions = AccountSessions(
        store, accounts, clock=clock, policy=SessionPolicy(idle_seconds=600, max_seconds=3600)
    )
    accounts.sign_up(org, "sam", PASSWORD)
    idle, _ = sessions.sign_in(org, "sam", PASSWORD, "", CLIENT)
    used, _ = sessions.sign_in(org, "sam", PASSWORD, "", CLIENT)
    for _ in range(5):
        clock.advance(500)
        assert sessions.open(used) is not None or clock() - 1_800_000_000 > 3600
    assert sessions.open(idle) is None
    clock.advance(1200)
    assert sessions.open(used) is None
    clock.advance(-3000)  # even if the clock went back, an ended session stays ended
    assert sessions.open(idle) is None and sessions.open(used) is None


def test_a_disabled_account_loses_its_sessions_at_once(
    accounts: Accounts, sessions: AccountSessions, org: Organisation
) -> None:
    person = accounts.sign_up(org, "sam", PASSWORD)
    token, _ = sessions.sign_in(org, "sam", PASSWORD, "", CLIENT)
    with sessions.store.transaction() as db:
        db.execute("UPDATE hosted_accounts SET disabled = 1 WHERE id = ?", (person.id,))
    assert sessions.open(token) is None
    with pytest.raises(SignInError):
        sessions.sign_in(org, "sam", PASSWORD, "", CLIENT)


def test_repeated_failures_throttle_the_name_in_every_process(
    store: HostedStore, accounts: Accounts, org: Organisation, clock: Clock
) -> None:
    accounts.sign_up(org, "sam", PASSWORD)
    first = AccountSessions(store, accounts, clock=clock)
    # A second app process: its own objects and its own connection to the same database.
    second = AccountSessions(
        HostedStore(store.url), Accounts(HostedStore(store.url), FAST, clock), clock=clock
    )
    for attempt in range(6):
        with pytest.raises(SignInError):
            (first if attempt % 2 else second).sign_in(
                org, "sam", "wrong password!", "", f"198.51.100.{attempt}"
            )
    with pytest.raises(SignInThrottledError) as waiting:
        second.sign_in(org, "sam", PASSWORD, "", "203.0.113.1")  # right password, other address
    assert waiting.value.retry_after == 2
    with pytest.raises(SignInThrottledError):
        first.sign_in(org, "SAM", PASSWORD, "", "203.0.113.1")
    clock.advance(3)
    token, _ = first.sign_in(org, "sam", PASSWORD, "", "203.0.113.1")
    assert second.open(token) is not None
    with store.transaction() as db:  # a success clears the count; the table names nobody
        keys = [row[0] for row in db.query("SELECT key FROM hosted_login_failures")]
    assert not any("sam" in key for key in keys)
    assert all(key.startswith("client:") for key in keys)


def test_many_failures_from_one_address_throttle_it_for_every_name(
    accounts: Accounts, sessions: AccountSessions, org: Organisation
) -> None:
    accounts.sign_up(org, "sam", PASSWORD)
    for number in range(21):
        with pytest.raises(SignInError):
            sessions.sign_in(org, f"guess{number}", PASSWORD, "", CLIENT)
    with pytest.raises(SignInThrottledError):
        sessions.sign_in(org, "sam", PASSWORD, "", CLIENT)
    sessions.sign_in(org, "sam", PASSWORD, "", "192.0.2.99")  # another address is not held up

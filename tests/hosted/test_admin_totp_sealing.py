"""TOTP secrets sealed at rest with the server key, the migration of rows stored in clear,
and the audit log's ``subject`` (whom an admin acted on) kept in the hash chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from ally.hosted import audit, totp
from ally.hosted.accounts import Accounts
from ally.hosted.errors import HostedError, SignInError
from ally.hosted.sessions import AccountSessions
from ally.hosted.store import HostedStore
from tests.hosted.conftest import FAST, PASSWORD, Clock


def stored_secret(store: HostedStore, account: str) -> str:
    with store.transaction() as db:
        return str(
            db.query("SELECT totp_secret FROM hosted_accounts WHERE id = ?", (account,))[0][0]
        )


def test_a_staff_secret_is_stored_sealed_and_still_signs_in(
    store: HostedStore, accounts: Accounts, sessions: AccountSessions, clock: Clock
) -> None:
    org = accounts.create_org("North", "north")
    staff = accounts.add_staff(org, "adv@n.example", "advocate", PASSWORD)
    stored = stored_secret(store, staff.account.id)
    assert stored.startswith(totp.SEALED)
    assert staff.totp_secret not in stored  # the clear secret is nowhere in the row
    code = totp.code_at(staff.totp_secret, clock())
    _, current = sessions.sign_in(org, "adv@n.example", PASSWORD, code, "192.0.2.1")
    assert current.second_factor and current.account.id == staff.account.id
    assert sessions.open(sessions.start(current.account)[0]) is not None


def test_a_sealed_secret_moved_to_another_row_does_not_open(
    store: HostedStore, accounts: Accounts, sessions: AccountSessions, clock: Clock
) -> None:
    org = accounts.create_org("North", "north")
    victim = accounts.add_staff(org, "adv@n.example", "advocate", PASSWORD)
    thief = accounts.add_staff(org, "other@n.example", "advocate", PASSWORD)
    sealed = stored_secret(store, victim.account.id)
    with store.transaction() as db:  # someone with write access copies the victim's secret
        db.execute(
            "UPDATE hosted_accounts SET totp_secret = ? WHERE id = ?", (sealed, thief.account.id)
        )
    code = totp.code_at(victim.totp_secret, clock())
    with pytest.raises(HostedError):
        sessions.sign_in(org, "other@n.example", PASSWORD, code, "192.0.2.1")


def test_clear_secrets_from_before_are_sealed_once_and_a_wrong_key_stops_the_start(
    store: HostedStore, clock: Clock, tmp_path: Path
) -> None:
    key = totp.ServerKey.load(tmp_path / "one.key")
    accounts = Accounts(store, FAST, clock, key)
    org = accounts.create_org("North", "north")
    staff = accounts.add_staff(org, "admin@n.example", "admin", PASSWORD)
    with store.transaction() as db:  # as an Ally before sealing stored it
        db.execute(
            "UPDATE hosted_accounts SET totp_secret = ? WHERE id = ?",
            (staff.totp_secret, staff.account.id),
        )
    assert totp.bind_key(store, key) == 1
    assert totp.bind_key(store, key) == 0  # nothing left in clear: a second start changes nothing
    stored = stored_secret(store, staff.account.id)
    assert stored.startswith(totp.SEALED) and staff.totp_secret not in stored
    sessions = AccountSessions(store, accounts, clock=clock)
    code = totp.code_at(staff.totp_secret, clock())
    assert sessions.sign_in(org, "admin@n.example", PASSWORD, code, "192.0.2.1")[1].second_factor
    other = totp.ServerKey.load(tmp_path / "two.key")
    assert (tmp_path / "two.key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(HostedError, match="not the one this database was set up with"):
        totp.bind_key(store, other)
    wrong = AccountSessions(store, Accounts(store, FAST, clock, other), clock=clock)
    clock.advance(30)
    with pytest.raises(HostedError, match="does not open with this server key"):
        wrong.sign_in(
            org, "admin@n.example", PASSWORD, totp.code_at(staff.totp_secret, clock()), "x"
        )


def test_a_person_without_a_code_gets_a_session_without_second_factor(
    accounts: Accounts, sessions: AccountSessions
) -> None:
    org = accounts.create_org("North", "north", open_signup=True)
    accounts.sign_up(org, "sam", PASSWORD)
    _, current = sessions.sign_in(org, "sam", PASSWORD, "", "192.0.2.1")
    assert not current.second_factor
    with pytest.raises(SignInError):
        sessions.sign_in(org, "sam", "wrong password!", "", "192.0.2.1")


def test_whom_an_admin_acted_on_is_part_of_the_chain(
    store: HostedStore, accounts: Accounts
) -> None:
    org = accounts.create_org("North", "north")
    audit.append(store, org.id, "person-1", "sign-in", 10)
    audit.append(store, org.id, "admin-1", "account-disabled", 11, subject="advocate-1")
    found = audit.events(store, org.id)
    assert [(e.account, e.kind, e.subject) for e in found] == [
        ("person-1", "sign-in", None),
        ("admin-1", "account-disabled", "advocate-1"),
    ]
    assert audit.events(store, org.id, newest=1)[0].seq == 2
    assert audit.verify(store, org.id) is None
    with store.transaction() as db:
        if store.kind == "postgresql":
            db.execute("DROP TRIGGER hosted_audit_append_only ON hosted_audit")
        else:
            db.execute("DROP TRIGGER hosted_audit_no_update")
        db.execute("UPDATE hosted_audit SET subject = 'advocate-2' WHERE seq = 2")
    assert audit.verify(store, org.id) == 2  # whom it was done to cannot be changed unseen


def test_rotating_the_key_reseals_every_secret_and_the_old_key_stops_working(
    store: HostedStore, clock: Clock, tmp_path: Path
) -> None:
    old = totp.ServerKey.load(tmp_path / "old.key")
    accounts = Accounts(store, FAST, clock, old)
    totp.bind_key(store, old)
    org = accounts.create_org("North", "north")
    staff = accounts.add_staff(org, "admin@n.example", "admin", PASSWORD)
    before = stored_secret(store, staff.account.id)
    new = totp.ServerKey.load(tmp_path / "new.key")
    assert totp.rotate_key(store, old, new) == 1
    assert stored_secret(store, staff.account.id) != before
    assert totp.bind_key(store, new) == 0
    with pytest.raises(HostedError, match="not the one"):
        totp.bind_key(store, old)
    sessions = AccountSessions(store, Accounts(store, FAST, clock, new), clock=clock)
    code = totp.code_at(staff.totp_secret, clock())
    assert sessions.sign_in(org, "admin@n.example", PASSWORD, code, "x")[1].second_factor


def test_a_lost_app_gets_a_new_secret_and_the_old_codes_stop(
    accounts: Accounts, sessions: AccountSessions, clock: Clock
) -> None:
    org = accounts.create_org("North", "north")
    staff = accounts.add_staff(org, "adv@n.example", "advocate", PASSWORD)
    fresh = accounts.reset_second_factor(org, "ADV@n.example")
    assert fresh.totp_secret != staff.totp_secret
    with pytest.raises(SignInError):
        sessions.sign_in(
            org, "adv@n.example", PASSWORD, totp.code_at(staff.totp_secret, clock()), "x"
        )
    clock.advance(30)
    code = totp.code_at(fresh.totp_secret, clock())
    assert sessions.sign_in(org, "adv@n.example", PASSWORD, code, "x")[1].second_factor

    with pytest.raises(HostedError, match="no advocate or admin"):
        accounts.reset_second_factor(org, "nobody")

"""The audit log: sign-ins, failures and ended sessions, hash-chained and append-only."""

from __future__ import annotations

import pytest

from ally.hosted import audit
from ally.hosted.accounts import Accounts
from ally.hosted.errors import SignInError, SignInThrottledError
from ally.hosted.sessions import AccountSessions
from ally.hosted.store import HostedStore
from tests.hosted.conftest import PASSWORD


def kinds(store: HostedStore, org: str, account: str | None = None) -> list[tuple[str | None, str]]:
    return [(e.account, e.kind) for e in audit.events(store, org, account)]


def test_sign_ins_failures_and_ended_sessions_are_recorded_in_order(
    store: HostedStore, accounts: Accounts, sessions: AccountSessions
) -> None:
    org = accounts.create_org("North", "north", open_signup=True)
    other = accounts.create_org("South", "south", open_signup=True)
    sam = accounts.sign_up(org, "sam", PASSWORD)
    with pytest.raises(SignInError):
        sessions.sign_in(org, "sam", "wrong password!", "", "192.0.2.1")
    with pytest.raises(SignInError):
        sessions.sign_in(org, "nobody", PASSWORD, "", "192.0.2.1")
    _, current = sessions.sign_in(org, "sam", PASSWORD, "", "192.0.2.1")
    sessions.sign_in(org, "sam", PASSWORD, "", "192.0.2.1")
    assert sessions.revoke_all(sam, keep=current.session) == 1
    assert sessions.revoke(current.session, sam, "sign-out")
    assert kinds(store, org.id) == [
        (sam.id, "sign-in-failed"),
        (None, "sign-in-failed"),  # an unknown name is not recorded
        (sam.id, "sign-in"),
        (sam.id, "sign-in"),
        (sam.id, "session-ended"),
        (sam.id, "sign-out"),
    ]
    assert kinds(store, other.id) == []  # one chain per organisation
    assert [e.seq for e in audit.events(store, org.id)] == [1, 2, 3, 4, 5, 6]
    assert len(kinds(store, org.id, sam.id)) == 5  # what the person sees of their own
    assert audit.verify(store, org.id) is None


def test_a_throttled_sign_in_is_recorded_as_refused(
    store: HostedStore, accounts: Accounts, sessions: AccountSessions
) -> None:
    org = accounts.create_org("North", "north", open_signup=True)
    sam = accounts.sign_up(org, "sam", PASSWORD)
    for _ in range(6):
        with pytest.raises(SignInError):
            sessions.sign_in(org, "sam", "wrong password!", "", "192.0.2.1")
    with pytest.raises(SignInThrottledError):
        sessions.sign_in(org, "sam", PASSWORD, "", "192.0.2.1")
    assert kinds(store, org.id)[-1] == (sam.id, "sign-in-refused")


def test_the_log_refuses_changes_and_deletions(store: HostedStore, accounts: Accounts) -> None:
    org = accounts.create_org("North", "north")
    audit.append(store, org.id, None, "sign-in-failed", 1)
    statements = ["UPDATE hosted_audit SET kind = 'sign-in'", "DELETE FROM hosted_audit"]
    if store.kind == "postgresql":  # TRUNCATE is not a DELETE to PostgreSQL's triggers
        statements.append("TRUNCATE hosted_audit")
    for statement in statements:
        with pytest.raises(Exception, match="append-only"), store.transaction() as db:
            db.execute(statement)
    assert kinds(store, org.id) == [(None, "sign-in-failed")]
    with pytest.raises(ValueError):
        audit.append(store, org.id, None, "made-up", 1)


def test_a_changed_or_removed_row_breaks_the_chain_where_it_happened(
    store: HostedStore, accounts: Accounts
) -> None:
    org = accounts.create_org("North", "north")
    for at in range(1, 6):
        audit.append(store, org.id, None, "sign-in-failed", at)
    assert audit.verify(store, org.id) is None
    trigger = "hosted_audit_append_only" if store.kind == "postgresql" else None
    with store.transaction() as db:  # someone who owns the database drops the guard
        if trigger:
            db.execute(f"DROP TRIGGER {trigger} ON hosted_audit")
        else:
            db.execute("DROP TRIGGER hosted_audit_no_update")
            db.execute("DROP TRIGGER hosted_audit_no_delete")
        db.execute("UPDATE hosted_audit SET kind = 'sign-in' WHERE seq = 3")
    assert audit.verify(store, org.id) == 3
    with store.transaction() as db:
        db.execute("UPDATE hosted_audit SET kind = 'sign-in-failed' WHERE seq = 3")
        db.execute("DELETE FROM hosted_audit WHERE seq = 2")
    assert audit.verify(store, org.id) == 2


def test_two_writers_never_fork_the_chain(store: HostedStore, accounts: Accounts) -> None:
    import threading

    org = accounts.create_org("North", "north")
    second = HostedStore(store.url)  # another process's connection

    def write(target: HostedStore) -> None:
        for at in range(20):
            audit.append(target, org.id, None, "sign-in-failed", at)

    threads = [threading.Thread(target=write, args=(s,)) for s in (store, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.seq for e in audit.events(store, org.id)] == list(range(1, 41))
    assert audit.verify(store, org.id) is None
    second.close()

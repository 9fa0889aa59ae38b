"""Unlocked keys any app process can use (issue 19 item 6), in-process and fast: the wrapping
itself, and two "processes" (two keepers, two keyrings, each with its own connections and
memory) sharing only the database. The two real ``ally serve`` processes are in
test_serve_hosted.py."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.hosted.accounts import Accounts
from ally.hosted.sessions import AccountSessions, Current
from ally.hosted.store import HostedStore
from ally.vault import Vault
from ally.vault.crypto import Identity
from ally.vault.throttle import LocalGate, MemoryLedger, UnlockThrottle
from ally.web import keywrap
from ally.web.config import WebConfig
from ally.web.keyring import IDLE_SECONDS, CaseKeyring
from ally.web.progress import STALE_SECONDS, ProgressBoard
from ally.web.sessions import SessionStore, WebSession
from ally.web.storage import WebStorage
from ally.web.vaults import JournalKeys, VaultKeeper
from tests.hosted.conftest import FAST, PASSWORD, WEAK, Clock
from tests.web.conftest import Browser
from tests.web.test_advocate_pages import hosted_app

SECRET = "x" * 43
ENTRY = "He followed me to the bus stop. MARKER-5512"
JOURNAL = "lantern orbit pepper quietly"


def test_a_wrapped_key_opens_only_with_its_secret_session_and_purpose() -> None:
    blob = keywrap.wrap(SECRET, keywrap.JOURNAL, "row-1", b"the key")
    assert b"the key" not in blob.encode() and SECRET not in blob
    assert keywrap.unwrap(SECRET, keywrap.JOURNAL, "row-1", blob) == b"the key"
    assert keywrap.wrap(SECRET, keywrap.JOURNAL, "row-1", b"the key") != blob  # fresh salt
    for secret, purpose, row in [
        ("y" * 43, keywrap.JOURNAL, "row-1"),  # another browser's cookie
        (SECRET, keywrap.JOURNAL, "row-2"),  # copied to another session's row
        (SECRET, keywrap.CASE_KEY, "row-1"),  # used for another purpose
        ("", keywrap.JOURNAL, "row-1"),
    ]:
        with pytest.raises(keywrap.UnwrapError, match="unlock again with your passphrase"):
            keywrap.unwrap(secret, purpose, row, blob)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b[:-2] + ("A" if b[-2] != "A" else "B") + b[-1],  # a changed byte
        lambda b: b[:40],  # cut short
        lambda b: "w0" + b[2:],  # unknown version
        lambda b: b + "!!",  # not base64
    ],
)
def test_a_changed_blob_is_refused(tamper: object) -> None:
    blob = keywrap.wrap(SECRET, keywrap.JOURNAL, "row-1", b"the key")
    with pytest.raises(keywrap.UnwrapError):
        keywrap.unwrap(SECRET, keywrap.JOURNAL, "row-1", tamper(blob))  # type: ignore[operator]


class Process:
    """What one app process holds of the person pages: its own connection, sessions, keeper."""

    def __init__(self, database: Path, vault: str, clock: Clock) -> None:
        config = WebConfig(database=database, clock=clock, vault=vault)
        storage = WebStorage(database)
        throttle = UnlockThrottle(LocalGate(), MemoryLedger(), clock=clock)
        self.keeper = VaultKeeper(vault, clock, throttle, JournalKeys(storage, clock))
        self.sessions = SessionStore(storage, config, on_lock=self.keeper.lock)
        self.sessions.on_use = self.keeper.sync
        self.storage = storage

    def visit(self, token: str) -> WebSession:
        """A request with this cookie (the session object lives as long as the request)."""
        return self.sessions.open(token)

    def read(self, token: str) -> list[str] | None:
        session = self.visit(token)
        with self.keeper.using(session.row) as vault:
            return None if vault is None else [e.model_dump_json() for e in vault.entries()]

    def close(self) -> None:
        self.keeper.lock_all()
        self.storage.close()


@pytest.fixture
def two(tmp_path: Path, clock: Clock) -> tuple[Process, Process]:
    vault = str(tmp_path / "vault")
    with Vault.create(vault, JOURNAL, work_factor=WEAK) as made:
        made.add_note(ENTRY)
    return Process(tmp_path / "web.sqlite3", vault, clock), Process(
        tmp_path / "web.sqlite3", vault, clock
    )


def unlocked_in(first: Process) -> tuple[str, str]:
    """A session whose journal the first process unlocked: (cookie token, row)."""
    session = first.sessions.open(None)
    first.sessions.save(session)
    assert session.row is not None
    first.keeper.unlock(session.row, JOURNAL, 900, "client")
    return session.token, session.row


def stored_keys(process: Process) -> list[tuple[str, str]]:
    with process.storage.transaction() as db:
        return [
            (str(r[0]), str(r[1])) for r in db.query("SELECT session, wrap FROM web_journal_keys")
        ]


def test_a_journal_unlocked_in_one_process_is_read_and_locked_from_the_other(
    two: tuple[Process, Process],
) -> None:
    a, b = two
    token, row = unlocked_in(a)
    [(kept_row, blob)] = stored_keys(a)
    assert kept_row == row and "AGE-SECRET-KEY" not in blob and "vault" not in blob
    assert ENTRY in str(b.read(token))  # b never saw the passphrase
    assert ENTRY in str(a.read(token))
    session = b.visit(token)
    b.keeper.lock(session.row)  # "Lock the journal", served by b
    assert stored_keys(a) == []
    assert a.read(token) is None  # a held it open: its copy goes at the next request
    assert b.read(token) is None


def test_a_wrong_cookie_or_changed_key_reads_nothing_and_changes_nothing(
    two: tuple[Process, Process],
) -> None:
    a, b = two
    token, row = unlocked_in(a)
    before = stored_keys(a)
    session = b.visit(token)
    session.token = "z" * 43  # what a stolen database row plus a guessed cookie would bring
    with b.keeper.using(session.row) as vault:
        assert vault is None
    assert stored_keys(a) == before
    with a.storage.transaction() as db:  # a row changed in the database
        blob = before[0][1]
        db.execute(
            "UPDATE web_journal_keys SET wrap = ? WHERE session = ?", (blob[:-4] + "AAAA", row)
        )
    assert b.read(token) is None
    assert a.read(token) is None  # a's own copy no longer matches the row: dropped


def test_an_idle_or_locked_session_takes_its_journal_key_with_it(
    two: tuple[Process, Process], clock: Clock
) -> None:
    a, b = two
    token, _ = unlocked_in(a)
    assert b.read(token) is not None
    clock.advance(901)  # the session's idle time (900 s) has passed
    b.sessions.sweep()
    assert stored_keys(b) == []
    assert a.read(token) is None and b.read(token) is None
    token, _ = unlocked_in(a)
    b.sessions.lock(b.visit(token))  # quick exit in b
    assert stored_keys(a) == []
    assert a.read(token) is None


@pytest.fixture
def hosted(tmp_path: Path) -> HostedStore:
    return HostedStore(str(tmp_path / "hosted.sqlite3"))


def test_a_case_key_unlocked_in_one_process_opens_in_the_other_until_locked_or_revoked(
    hosted: HostedStore, clock: Clock
) -> None:
    accounts = Accounts(hosted, FAST, clock)
    org = accounts.create_org("Shelter North", "north")
    ada = accounts.add_staff(org, "ada", "advocate", PASSWORD).account
    other = HostedStore(hosted.url)  # the second process's own connection
    sessions = [AccountSessions(s, Accounts(s, FAST, clock), clock=clock) for s in (hosted, other)]
    rings = [CaseKeyring(s, clock) for s in (hosted, other)]
    token, _ = sessions[0].start(ada, second_factor=True)

    def who(n: int, cookie: str = "") -> Current:
        found = sessions[n].open(cookie or token)
        assert found is not None
        return found

    key = Identity.generate()
    rings[0].keep(who(0), key)
    with hosted.transaction() as db:
        stored = str(db.query("SELECT case_key FROM hosted_sessions")[0][0])
    assert "AGE-SECRET-KEY" not in stored.upper()
    opened = rings[1].get(who(1))
    assert opened is not None and opened.recipient == key.recipient
    # Another browser's cookie with this row's key: nothing, and nothing changed.
    forged = Current(who(1).session, ada, True, "q" * 43, stored, who(1).case_key_used)
    assert rings[1].get(forged) is None
    assert rings[0].get(who(0)) is not None
    # Locked in one process: gone in the other at its next request.
    rings[1].lock(who(1))
    assert rings[0].get(who(0)) is None
    # Idle for 15 minutes: locked wherever it is asked for.
    rings[0].keep(who(0), key)
    clock.advance(IDLE_SECONDS + 1)
    assert rings[1].get(who(1)) is None and rings[0].get(who(0)) is None
    # "Sign out everywhere" deletes it with the session.
    rings[0].keep(who(0), key)
    assert rings[1].get(who(1)) is not None
    sessions[1].revoke_all(ada)
    assert sessions[0].open(token) is None
    with hosted.transaction() as db:
        assert db.query("SELECT case_key FROM hosted_sessions")[0][0] is None
    other.close()
    hosted.close()


def test_an_uploads_progress_is_readable_from_the_other_process(
    two: tuple[Process, Process], clock: Clock
) -> None:
    a, b = two
    boards = [ProgressBoard(p.storage, clock) for p in (a, b)]
    counts = {"phase": "receiving", "received": 512, "expected": 2048, "done": 0, "total": 0}
    boards[0].publish("row-1", counts)
    assert boards[1].read("row-1") == counts and boards[1].running("row-1")
    assert boards[1].read("row-2") is None and not boards[1].running("row-2")
    clock.advance(STALE_SECONDS + 1)  # the receiving process stopped writing: not running
    assert not boards[1].running("row-1")
    boards[0].clear("row-1")
    assert boards[1].read("row-1") is None


class Alternating(httpx.BaseTransport):
    """Each request to the next of several in-process apps (no sticky sessions)."""

    def __init__(self, apps: list[FastAPI]) -> None:
        self.transports = [TestClient(app)._transport for app in apps]
        self.turn = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.turn += 1
        return self.transports[self.turn % len(self.transports)].handle_request(request)


@pytest.mark.postgres
def test_sign_out_everywhere_from_one_process_locks_the_journal_in_the_other(
    pg_url: str, clock: Clock
) -> None:
    store = HostedStore(pg_url)
    accounts = Accounts(store, FAST, clock)
    org = accounts.create_org("Shelter North", "north", open_signup=True)
    alice = accounts.sign_up(org, "alice", PASSWORD)
    where = accounts.vault_location(alice)
    assert where is not None
    with Vault.create(where, JOURNAL, work_factor=WEAK) as made:  # cheap to unlock here
        made.add_note(ENTRY)
    apps = [hosted_app(pg_url, clock) for _ in range(2)]
    roaming = Browser(TestClient(apps[0]))
    roaming.client._transport = Alternating(apps)
    other = Browser(TestClient(apps[1]))  # her second browser, on one process
    for who in (roaming, other):
        who.open("/account/sign-in?org=north")
        who.submit("/account/sign-in", {"org": "north", "name": "alice", "password": PASSWORD})
    roaming.open("/journal")
    opened = roaming.submit("/journal/unlock", {"passphrase": JOURNAL, "next": "/journal"})
    assert ENTRY in opened.text
    assert ENTRY in roaming.open("/journal").text and ENTRY in roaming.open("/journal").text
    with store.transaction() as db:
        assert db.query("SELECT COUNT(*) FROM web_journal_keys")[0][0] == 1
    other.open("/account")
    other.submit("/account/sessions/end-others", {})
    with store.transaction() as db:
        assert db.query("SELECT COUNT(*) FROM web_journal_keys")[0][0] == 0
    for _ in range(2):  # both processes: signed out, nothing of the journal
        refused = roaming.get("/journal")
        assert refused.status_code == 303 and refused.headers["location"] == "/account/sign-in"
    store.close()

"""The hosted web app on real PostgreSQL: accounts, each person's own journal, revocation,
the second factor, throttling, and two app processes sharing only the database."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.hosted.store import HostedStore
from ally.web import WebConfig, create_app
from ally.web.state import WebState
from tests.hosted.conftest import FAST, PASSWORD, PG_URL, Clock
from tests.web.conftest import Browser

pytestmark = pytest.mark.postgres

MARKER = "PERSON-A-EVIDENCE-MARKER-4417"
JOURNAL_A = "lantern orbit pepper quietly"
JOURNAL_B = "meadow copper violin sideways"


def hosted_app(url: str, clock: Clock) -> FastAPI:
    config = WebConfig(
        database=url, allowed_hosts=("testserver",), clock=clock, hosted=True, passwords=FAST
    )
    return create_app(config)


@pytest.fixture
def app(pg_url: str, clock: Clock) -> FastAPI:
    return hosted_app(pg_url, clock)


@pytest.fixture
def accounts(pg_url: str, clock: Clock) -> Iterator[Accounts]:
    store = HostedStore(pg_url)
    made = Accounts(store, FAST, clock)
    made.create_org("Shelter North", "north", open_signup=True)
    made.create_org("Clinic South", "south")
    yield made
    store.close()


def browser(app: FastAPI) -> Browser:
    return Browser(TestClient(app))


def sign_up(app: FastAPI, name: str) -> Browser:
    person = browser(app)
    person.open("/account/sign-up?org=north")
    done = person.submit(
        "/account/sign-up",
        {"org": "north", "name": name, "password": PASSWORD, "again": PASSWORD},
    )
    assert done.status_code == 200 and str(done.url).endswith("/"), done.text[:300]
    return person


def sign_in(person: Browser, name: str, org: str = "north", code: str = "") -> int:
    person.open(f"/account/sign-in?org={org}")
    done = person.post(
        "/account/sign-in", {"org": org, "name": name, "password": PASSWORD, "code": code}
    )
    return done.status_code


def create_journal(person: Browser, passphrase: str) -> None:
    person.open("/journal")
    done = person.post("/journal/create", {"passphrase": passphrase, "confirm": passphrase})
    assert done.status_code == 200, done.text[:300]
    assert "write down its recovery code" in done.text  # shown once, to this person only


def add_incident(person: Browser, what: str) -> str:
    person.open("/journal/new")
    response = person.client.post(
        "/journal/new",
        data={"csrf": person.csrf, "when_date": "2026-05-03", "when_time": "14:30", "what": what},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return str(response.headers["location"])


def state(app: FastAPI) -> WebState:
    found: WebState = app.state.web
    return found


def test_anonymous_visitors_reach_only_sign_in_and_the_neutral_pages(
    app: FastAPI, accounts: Accounts
) -> None:
    visitor = browser(app)
    for path in ("/", "/interview", "/plan", "/journal", "/case", "/privacy", "/account"):
        response = visitor.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/account/sign-in", path
    form = visitor.open("/account/sign-in?org=north")
    assert form.status_code == 200 and 'value="north"' in form.text
    assert 'autocomplete="one-time-code"' in form.text
    posted = visitor.post("/journal/create", {"passphrase": JOURNAL_A, "confirm": JOURNAL_A})
    assert posted.status_code == 303 and posted.headers["location"] == "/account/sign-in"
    assert visitor.get("/exit").status_code in (200, 303)
    assert "Content-Security-Policy" in visitor.open("/account/sign-in").headers


def test_each_person_reaches_only_their_own_journal(app: FastAPI, accounts: Accounts) -> None:
    alice = sign_up(app, "alice")
    create_journal(alice, JOURNAL_A)
    entry = add_incident(alice, f"He waited outside my flat. {MARKER}")
    assert MARKER in alice.open(entry).text
    bob = sign_up(app, "bob")
    seen = [
        bob.open("/journal"),
        bob.open(entry),
        bob.open("/case"),
        bob.open("/journal/integrity"),
    ]
    assert "Create your journal" in seen[0].text or "journal/create" in seen[0].text
    for page in seen:
        assert MARKER not in page.text
    refused = bob.post("/journal/unlock", {"passphrase": JOURNAL_A})
    assert refused.status_code == 404 and MARKER not in refused.text  # Bob has no journal yet
    create_journal(bob, JOURNAL_B)
    assert MARKER not in bob.open("/journal").text
    assert MARKER not in bob.open(entry).text  # the same number in Bob's own journal
    wrong = bob.post("/journal/lock", {})
    assert wrong.status_code == 303
    assert bob.post("/journal/unlock", {"passphrase": JOURNAL_A}).status_code == 400
    assert MARKER in alice.open(entry).text  # Alice's journal is untouched by all of this
    person_a = next(a for a in _people(accounts) if a[0] == "alice")
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        rows = conn.execute(f"SELECT data FROM {person_a[1]}.vault_chunks").fetchall()
    assert rows and all(MARKER.encode() not in bytes(row[0]) for row in rows)


def _people(accounts: Accounts) -> list[tuple[str, str]]:
    with accounts.store.transaction() as db:
        rows = db.query("SELECT login, vault FROM hosted_accounts WHERE role = 'person'")
    return [(str(r[0]), str(r[1])) for r in rows]


def test_a_revoked_session_is_refused_and_its_journal_locked(
    app: FastAPI, accounts: Accounts
) -> None:
    laptop = sign_up(app, "alice")
    create_journal(laptop, JOURNAL_A)
    phone = browser(app)
    assert sign_in(phone, "alice") == 303
    phone.open("/journal")
    assert phone.post("/journal/unlock", {"passphrase": JOURNAL_A}).status_code == 303
    assert "Journal" in phone.open("/journal").text
    phone_visit = phone.client.cookies.get("ally_session")
    assert phone_visit
    keeper = state(app).vaults
    assert keeper is not None
    held_before = set(keeper._held)
    page = laptop.open("/account")
    assert "Sign out everywhere else" in page.text and "(this browser)" in page.text
    assert laptop.submit("/account/sessions/end-others", {}).status_code == 200
    assert set(keeper._held) < held_before  # the phone's journal was locked at once
    refused = phone.get("/journal")
    assert refused.status_code == 303 and refused.headers["location"] == "/account/sign-in"
    assert laptop.open("/journal").status_code == 200  # the laptop carries on
    assert sign_in(phone, "alice") == 303
    again = phone.open("/journal")
    assert "Unlock your journal" in again.text  # signed in again: the journal stays locked


def test_signing_out_ends_the_session_for_good(app: FastAPI, accounts: Accounts) -> None:
    alice = sign_up(app, "alice")
    token = alice.client.cookies.get("ally_account")
    assert token
    alice.open("/account")
    out = alice.post("/account/sign-out", {})
    assert out.status_code == 303 and out.headers["location"] == "/account/sign-in"
    thief = browser(app)
    thief.client.cookies.set("ally_account", token)
    assert thief.get("/plan").headers["location"] == "/account/sign-in"


def test_staff_need_their_code_and_do_not_reach_person_pages(
    app: FastAPI, accounts: Accounts, clock: Clock
) -> None:
    org = accounts.org_by_slug("north")
    staff = accounts.add_staff(org, "advocate@north.example", "advocate", PASSWORD)
    advocate = browser(app)
    assert sign_in(advocate, "advocate@north.example") == 400
    assert "That organisation, name, password or code is not right" in advocate.last.text  # type: ignore[union-attr]
    assert sign_in(advocate, "advocate@north.example", code="123456") == 400
    code = totp.code_at(staff.totp_secret, clock())
    assert sign_in(advocate, "advocate@north.example", code=code) == 303
    assert advocate.last is not None and advocate.last.headers["location"] == "/account"
    for path in ("/plan", "/journal", "/interview"):
        assert advocate.get(path).headers["location"] == "/account"
    other = browser(app)
    assert sign_in(other, "advocate@north.example", code=code) == 400  # the code was used


def test_sign_in_is_throttled_after_repeated_failures(app: FastAPI, accounts: Accounts) -> None:
    sign_up(app, "alice")
    guesser = browser(app)
    guesser.open("/account/sign-in?org=north")
    for _ in range(6):
        wrong = guesser.post(
            "/account/sign-in", {"org": "north", "name": "alice", "password": "guess 123456"}
        )
        assert wrong.status_code == 400
    held = guesser.post("/account/sign-in", {"org": "north", "name": "alice", "password": PASSWORD})
    assert held.status_code == 429 and held.headers["retry-after"] == "2"
    assert "Too many sign-ins failed" in held.text
    assert "ally_account" not in held.headers.get("set-cookie", "")


def test_sign_up_only_where_the_organisation_allows_it(app: FastAPI, accounts: Accounts) -> None:
    visitor = browser(app)
    closed = visitor.open("/account/sign-up?org=south")
    assert "does not let people create their own accounts" in closed.text
    refused = visitor.post(
        "/account/sign-up", {"org": "south", "name": "sam", "password": PASSWORD, "again": PASSWORD}
    )
    assert refused.status_code == 403
    sign_up(app, "sam")
    again = browser(app)
    again.open("/account/sign-up?org=north")
    taken = again.post(
        "/account/sign-up", {"org": "north", "name": "SAM", "password": PASSWORD, "again": PASSWORD}
    )
    assert taken.status_code == 409 and "That sign-in name is taken" in taken.text
    assert visitor.open("/account/sign-up?org=nowhere").status_code == 404


def test_camouflage_is_not_one_persons_to_change(app: FastAPI, accounts: Accounts) -> None:
    alice = sign_up(app, "alice")
    page = alice.open("/privacy")
    assert "camouflage-heading" not in page.text
    refused = alice.post("/privacy/camouflage", {"name": "recipes"})
    assert refused.status_code == 403
    assert state(app).settings.camouflage() is None


def test_two_app_processes_share_nothing_but_the_database(
    pg_url: str, accounts: Accounts, clock: Clock
) -> None:
    first, second = hosted_app(pg_url, clock), hosted_app(pg_url, clock)
    alice = sign_up(first, "alice")
    other = browser(second)
    for name, value in alice.client.cookies.items():
        other.client.cookies.set(name, value)
    assert other.open("/account").status_code == 200  # the session is in the database
    assert "Signed in as alice" in other.last.text  # type: ignore[union-attr]
    other.post("/account/sign-out", {})
    assert alice.get("/plan").headers["location"] == "/account/sign-in"


def test_local_mode_has_no_accounts(tmp_path: object, clock: Clock) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    config = WebConfig(
        database=folder / "ally.sqlite3", vault=str(folder / "vault"),
        allowed_hosts=("testserver",), clock=clock,
    )  # fmt: skip
    local = browser(create_app(config))
    assert local.get("/account/sign-in").status_code == 404
    assert local.get("/plan").status_code in (200, 303)
    assert local.get("/plan").headers.get("location") != "/account/sign-in"
    assert state(local.client.app).hosted is None  # type: ignore[arg-type]

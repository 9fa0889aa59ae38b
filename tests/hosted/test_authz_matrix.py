"""The authorisation matrix of the hosted app: every route x role x method, generated from the
app's own route table, so a route added later is in it without being listed here.

Person A has answers, a journal with an incident and a file and a second, private entry, is
signed in and unlocked, and shares the first entry (with its file) with one advocate of her
organisation. Every other role (anonymous, person B of the same organisation, person C of
another one, the advocate A shared with, an advocate of A's organisation she did not share
with, an advocate of another organisation, an admin of A's organisation, an admin of the
other organisation) then sends every method of every route, with A's entry number,
attachment id, share id and session id wherever a route takes one, and A's journal
passphrase in the form. Expected: 0 cross-person and 0 cross-tenant reads (nothing of A's in
any response, except that the advocate she shared with sees the shared entry and her name on
the advocate pages, and never the private entry) and writes (A's journal, visit, account,
sessions, share, and the organisations' and app's settings byte-for-byte unchanged; only
the shared-with advocate may add a note to her share); anonymous visitors reach only the
sign-in and neutral pages, staff none of the person pages, and nobody but advocates the
advocate pages.

The admin pages (``/admin...``) answer only admins who gave a TOTP code, each about their own
organisation: anonymous visitors are sent to sign in, people and advocates get 403, and the
staff accounts of both organisations stay as they were (forms name A's account, a person's,
which no admin action may touch).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI

from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.hosted.jobs import JobStore
from ally.hosted.store import HostedStore
from ally.web.accounts.gate import NEUTRAL, is_account_page, is_admin_page, is_advocate_page
from ally.web.pages import get_visit
from tests.hosted.conftest import FAST, PASSWORD, PG_URL, Clock
from tests.hosted.test_web import JOURNAL_A, browser, create_journal, hosted_app, sign_in
from tests.web.conftest import Browser

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MARKER = "PERSON-A-ONLY-9138"
PRIVATE = "PERSON-A-NEVER-SHARED-4410"
A_NAME = "alice-zq7"
CASE_KEY = "copper kettle winter sparrow"
SHARED_WITH = "advocate shared-with"
SAMPLES = {
    "number": "1", "attachment_id": "", "draft_id": "0" * 32, "pack_id": "us",
    "job_id": "0" * 16, "case_id": "", "share_id": "", "file_id": "", "chat_id": "0" * 16,
}  # fmt: skip
"""A value for every path parameter; a new parameter name fails the test until it has one."""
LAST = ("/account/sign-out", "/account/sessions/end", "/exit", "/start-again")
"""Routes that end the requester's own session: sent last, so the rest are sent signed in."""
PROBES = (
    "/journal", "/journal/entries/{number}", "/journal/attachments/{attachment_id}", "/case",
    "/share", "/advocate/cases/{case_id}",
)  # fmt: skip
"""Read after every write: a write (an unlock, say) that let a role in is caught at once."""


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    gated: bool
    """Whether the route goes through ``pages.get_visit`` (and so the hosted gate)."""


def _uses(dependant: Any, call: Any) -> bool:
    return dependant.call is call or any(_uses(d, call) for d in dependant.dependencies)


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (path, method) the app serves, read from its route table (static files aside)."""
    found: list[Endpoint] = []
    for route in app.routes:
        contexts = (
            list(route.effective_route_contexts())
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            methods = getattr(context, "methods", None)
            if not methods:
                continue  # the static files mount: same files for everyone
            dependant = getattr(context, "dependant", None)
            gated = dependant is not None and _uses(dependant, get_visit)
            for method in sorted(set(methods) - {"HEAD"}):
                found.append(Endpoint(context.path, method, gated))
    # Routes that end the requester's own session come last.
    return sorted(found, key=lambda e: (e.path.startswith(LAST), e.path, e.method))


@dataclass
class World:
    app: FastAPI
    accounts: Accounts
    alice: Browser
    a_vault: str
    a_session: str
    a_visit: str
    roles: dict[str, Browser | None]


@pytest.fixture
def world(pg_url: str, clock: Clock) -> Iterator[World]:
    store = HostedStore(pg_url)
    accounts = Accounts(store, FAST, clock)
    north = accounts.create_org("Shelter North", "north", open_signup=True)
    south = accounts.create_org("Clinic South", "south", open_signup=True)
    app = hosted_app(pg_url, clock)
    accounts.sign_up(north, A_NAME, PASSWORD)
    accounts.sign_up(north, "bob", PASSWORD)
    accounts.sign_up(south, "carol", PASSWORD)
    staff = {
        SHARED_WITH: (north, "adv@n.example", "advocate"),
        "advocate not shared-with": (north, "adv2@n.example", "advocate"),
        "advocate of another organisation": (south, "adv@s.example", "advocate"),
        "admin of A's organisation": (north, "admin@n.example", "admin"),
        "admin of another organisation": (south, "admin@s.example", "admin"),
    }
    made_staff = {
        role: (org, accounts.add_staff(org, login, kind, PASSWORD))  # type: ignore[arg-type]
        for role, (org, login, kind) in staff.items()
    }
    alice = browser(app)
    assert sign_in(alice, A_NAME) == 303
    alice.start("us")
    create_journal(alice, JOURNAL_A)
    alice.open("/journal/new")
    made = alice.client.post(
        "/journal/new",
        data={"csrf": alice.csrf, "when_date": "2026-05-03", "what": f"At the gate. {MARKER}"},
        files=[("files", ("a.txt", MARKER.encode() * 3, "text/plain"))],
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = alice.open(made.headers["location"])
    number = made.headers["location"].rsplit("/", 1)[1]
    attachment = re.findall(r'href="/journal/attachments/([0-9a-f]+)"', page.text)
    assert MARKER in page.text and attachment
    alice.open("/journal/new")
    private = alice.client.post(
        "/journal/new",
        data={"csrf": alice.csrf, "when_date": "2026-05-04", "what": f"Diary. {PRIVATE}"},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert private.status_code == 303
    roles: dict[str, Browser | None] = {"anonymous": browser(app)}
    for name, org in (
        ("person B, same organisation", "north"),
        ("person C, other organisation", "south"),
    ):
        person = browser(app)
        assert sign_in(person, "bob" if org == "north" else "carol", org) == 303
        roles[name] = person
    for name, (org, new) in made_staff.items():
        member = browser(app)
        code = totp.code_at(new.totp_secret, clock())
        assert sign_in(member, new.account.login, org.slug, code) == 303
        if new.account.role == "advocate":  # every advocate has a case key
            member.open("/advocate/key")
            made_key = member.post(
                "/advocate/key/create", {"passphrase": CASE_KEY, "confirm": CASE_KEY}
            )
            assert made_key.headers["location"] == "/advocate"
        roles[name] = member
    share_id = _share_first_entry(alice, made_staff[SHARED_WITH][1].account.id)
    SAMPLES.update(case_id=share_id, share_id=share_id, file_id=attachment[0])
    with store.transaction() as db:
        a_row = db.query("SELECT id, vault FROM hosted_accounts WHERE login = ?", (A_NAME,))[0]
        a_session = db.query("SELECT id FROM hosted_sessions WHERE account = ?", (a_row[0],))[0][0]
        a_visit = db.query("SELECT visit FROM hosted_bindings WHERE session = ?", (a_session,))[0][
            0
        ]
    SAMPLES.update(number=number, attachment_id=attachment[0], account=str(a_row[0]))
    SAMPLES.update(job_id=_a_job(app, pg_url, str(a_row[0]), str(a_visit)))
    yield World(app, accounts, alice, str(a_row[1]), str(a_session), str(a_visit), roles)
    store.close()


def _a_job(app: FastAPI, pg_url: str, account: str, visit: str) -> str:
    """A report job of A's, waiting for a worker, with A's marker in its (sealed) title."""
    jobs = JobStore(pg_url)
    try:
        with app.state.web.vaults.using(visit) as vault:
            assert vault is not None
            options = {"format": "md", "paper": "A4", "title": MARKER}
            return jobs.create(account, "report", vault, options)
    finally:
        jobs.close()


def _share_first_entry(alice: Browser, advocate: str) -> str:
    """A shares her first entry (and its file), not the private one, with one advocate."""
    page = alice.open("/share")
    root = re.search(r'value="([0-9a-f]+)">\s*<label[^>]*>[^<]*' + MARKER, page.text)
    assert root and PRIVATE in page.text
    done = alice.post("/share", {"with": advocate, "entry": root.group(1)})
    assert done.status_code == 303
    stop = re.search(r'action="/share/([0-9a-f]{32})/stop"', alice.open("/share").text)
    assert stop
    return stop.group(1)


def a_state(world: World, schema: str) -> dict[str, Any]:
    """Everything of A's, and everything shared by the organisations, as stored."""
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (world.a_vault,),
        ).fetchall()]  # fmt: skip
        state: dict[str, Any] = {
            table: conn.execute(
                f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
                f" FROM {world.a_vault}.{table} t"
            ).fetchone()
            for table in tables
        }
        for name, sql, args in (
            ("visit", "SELECT * FROM {s}.web_sessions WHERE id = %s", (world.a_visit,)),
            ("steps", "SELECT * FROM {s}.step_status WHERE session = %s", (world.a_visit,)),
            ("account", "SELECT * FROM {s}.hosted_accounts WHERE login = %s", (A_NAME,)),
            ("sessions", "SELECT * FROM {s}.hosted_sessions WHERE id = %s", (world.a_session,)),
            ("binding", "SELECT * FROM {s}.hosted_bindings WHERE session = %s", (world.a_session,)),
            ("orgs", "SELECT * FROM {s}.hosted_orgs ORDER BY id", ()),
            ("staff", "SELECT * FROM {s}.hosted_accounts WHERE role <> 'person' ORDER BY id", ()),
            ("settings", "SELECT * FROM {s}.web_settings ORDER BY name", ()),
            ("drafts", "SELECT * FROM {s}.journal_drafts ORDER BY id", ()),
            ("share", "SELECT * FROM {s}.hosted_shares ORDER BY id", ()),
            ("readers", "SELECT * FROM {s}.hosted_share_readers ORDER BY share, advocate", ()),
            (
                "items",
                "SELECT share, id, kind, ref, md5(sealed) FROM {s}.hosted_share_items"
                " ORDER BY share, id",
                (),
            ),
            ("keys", "SELECT * FROM {s}.hosted_case_keys ORDER BY account", ()),
            ("jobs", "SELECT id, account, state, key_seal, options FROM {s}.queue_jobs", ()),
        ):
            state[name] = conn.execute(sql.format(s=schema), args).fetchall()
    assert len(tables) >= 5 and state["visit"] and state["binding"]
    return state


def _advocate_page_answer(role: str, endpoint: Endpoint, got: tuple[int, str | None]) -> bool:
    """Advocate pages: anonymous to sign-in; people and admins "no such page"; an advocate
    not shared with gets "no such page" for A's case (their own caseload is open to them)."""
    if role == "anonymous":
        return got == (303, "/account/sign-in")
    if not role.startswith("advocate"):
        return got[0] == 404
    if role != SHARED_WITH and "{case_id}" in endpoint.path:
        return got[0] in (303, 404) and got[1] in (None, "/advocate/key")
    return got[0] < 500


def concrete(path: str) -> str:
    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        assert name in SAMPLES, f"give the path parameter {name!r} a sample value"
        return SAMPLES[name]

    return re.sub(r"{([^}:]+)(?::[^}]+)?}", value, path)


def form(requester: Browser, world: World) -> dict[str, str]:
    """A form that tries A's secrets and ids in every field a route might read."""
    return {
        "csrf": requester.csrf,
        "passphrase": JOURNAL_A,
        "confirm": JOURNAL_A,
        "session": world.a_session,
        "org": "north",
        "name": A_NAME,
        "password": "not the password",
        "again": "not the password",
        "what": "overwritten?",
        "when_date": "2026-05-04",
        "next": "/journal",
        "account": SAMPLES.get("account", ""),
        "invitation": "",
        "token": "",
        "code": "",
    }


def admin_answer(role: str, endpoint: Endpoint, response: Any) -> str | None:
    """What is wrong with this answer from an admin page, if anything."""
    got = (response.status_code, response.headers.get("location"))
    if role == "anonymous":
        return None if got == (303, "/account/sign-in") else f"{got}"
    if not role.startswith("admin"):
        return None if response.status_code == 403 else f"{got} (not 403)"
    if endpoint.method == "GET":
        return None if response.status_code == 200 else f"{got} (admin refused)"
    return None if response.status_code in (200, 303, 400) else f"{got}"


def test_no_role_reads_or_writes_anything_of_person_a(world: World, pg_url: str) -> None:
    schema = re.search(r"search_path%3D(\w+)", pg_url)
    assert schema
    before = a_state(world, schema.group(1))
    shared_with = world.roles[SHARED_WITH]  # what was shared does reach its advocate
    assert shared_with is not None
    case = shared_with.open(concrete("/advocate/cases/{case_id}"))
    assert MARKER in case.text and A_NAME in case.text and PRIVATE not in case.text
    routes = endpoints(world.app)
    paths = {e.path for e in routes}
    assert {"/journal", "/plan", "/account/sign-in", "/journal/entries/{number}"} <= paths
    ungated = {e.path for e in routes if not e.gated}
    assert ungated and all(p.startswith("/api/") for p in ungated), ungated  # stateless API
    leaks, wrong = [], []
    sent = 0
    for role, requester in world.roles.items():
        assert requester is not None

        def leaked(path: str, seen: str, role: str = role) -> list[str]:
            """What of A's this response shows that this role may not see there."""
            allowed = role == SHARED_WITH and is_advocate_page(path.split("?")[0])
            secret = (
                (PRIVATE, world.a_vault) if allowed else (MARKER, PRIVATE, A_NAME, world.a_vault)
            )
            return [s for s in secret if s in seen]

        for endpoint in routes:
            requester.open("/account")  # a fresh form token, as a browser would have
            path = concrete(endpoint.path)
            if endpoint.method == "GET":
                response = requester.get(path)
            else:
                response = requester.client.request(
                    endpoint.method, path, data=form(requester, world), follow_redirects=False
                )
            sent += 1
            seen = response.text + str(response.headers)
            leaks += [f"{role} {endpoint.method} {path}" for s in leaked(path, seen)]
            advocate_page = is_advocate_page(endpoint.path)
            admin_page = is_admin_page(endpoint.path)
            if admin_page and (problem := admin_answer(role, endpoint, response)):
                wrong.append(f"{role} {endpoint.method} {path}: {problem}")
            person_page = (
                endpoint.gated
                and endpoint.path not in NEUTRAL
                and not is_account_page(endpoint.path)
                and not advocate_page
                and not admin_page
            )
            expected = {
                "anonymous": "/account/sign-in",
                "advocate": "/account",
                "admin": "/account",
            }
            where = expected.get(role.split()[0])
            got = (response.status_code, response.headers.get("location"))
            if person_page and where is not None and got != (303, where):
                wrong.append(f"{role} {endpoint.method} {path}: {response.status_code}")
            if advocate_page and not _advocate_page_answer(role, endpoint, got):
                wrong.append(f"{role} {endpoint.method} {path}: {response.status_code}")
            if endpoint.method != "GET":  # read back at once whatever this write let in
                for probe in PROBES:
                    seen = requester.get(concrete(probe))
                    text = seen.text + str(seen.headers)
                    leaks += [
                        f"{role} {endpoint.method} {path} then {probe}" for s in leaked(probe, text)
                    ]
    assert sent >= 8 * 80
    assert leaks == []
    assert wrong == []
    assert a_state(world, schema.group(1)) == before
    with world.accounts.store.transaction() as db:
        authors = db.query(
            "SELECT DISTINCT a.login FROM hosted_share_notes n"
            " JOIN hosted_accounts a ON a.id = n.author"
        )
    assert {str(r[0]) for r in authors} <= {"adv@n.example"}  # only the shared-with advocate
    journal = world.alice.open("/journal")  # A is still signed in, unlocked, with her entry
    assert MARKER in world.alice.open(f"/journal/entries/{SAMPLES['number']}").text
    assert journal.status_code == 200

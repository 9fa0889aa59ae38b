"""Advocates by consent through the web pages, on real PostgreSQL: a person shares their plan
and one chosen entry with one advocate; that advocate's caseload and case page show exactly
that (next step, the person's own deadline, the chosen entry, not the other), a letter is
drafted from it, a note reaches the person; another advocate, one of another organisation
and the people get nothing; "Stop sharing" ends it at once; the tables hold no plaintext."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.hosted import audit, totp
from ally.hosted.accounts import Accounts, NewStaff
from ally.hosted.store import HostedStore
from ally.web import WebConfig, create_app
from tests.hosted.conftest import FAST, PASSWORD, PG_URL, WEAK, Clock, clock, pg_url
from tests.web.conftest import Browser
from tests.web.test_case_pages import Today, answer_all, text_of
from tests.web.test_one_deadline import ANSWERS, EEOC_DEADLINE, JOURNAL_INCIDENT

pytestmark = pytest.mark.postgres
__all__ = ["clock", "pg_url"]  # fixtures, used by name

SHARED = "SHARED-WITH-ADA-6642"
PRIVATE = "NEVER-SHARED-1175"
LATER = "ADDED-LATER-8830"
JOURNAL = "lantern orbit pepper quietly"
KEY = "copper kettle winter sparrow"
DUE = "October 22, 2026"  # 180 days after the journal's incident (tests/web/test_one_deadline)


@dataclass
class World:
    app: FastAPI
    store: HostedStore
    accounts: Accounts
    clock: Clock
    staff: dict[str, NewStaff]
    org: str


def hosted_app(url: str, clock: Clock) -> FastAPI:
    today = Today()
    today.day = dt.date(2026, 5, 2)
    config = WebConfig(
        database=url, allowed_hosts=("testserver",), clock=clock, hosted=True, passwords=FAST,
        case_key_work_factor=WEAK, today=today,
    )  # fmt: skip
    return create_app(config)


@pytest.fixture
def world(pg_url: str, clock: Clock) -> Iterator[World]:
    store = HostedStore(pg_url)
    accounts = Accounts(store, FAST, clock)
    north = accounts.create_org("Shelter North", "north", open_signup=True)
    south = accounts.create_org("Clinic South", "south", open_signup=True)
    for name in ("alice", "bob"):
        accounts.sign_up(north, name, PASSWORD)
    staff = {
        "ada": accounts.add_staff(north, "ada", "advocate", PASSWORD),
        "abe": accounts.add_staff(north, "abe", "advocate", PASSWORD),
        "root": accounts.add_staff(north, "root", "admin", PASSWORD),
        "sol": accounts.add_staff(south, "sol", "advocate", PASSWORD),
    }
    yield World(hosted_app(pg_url, clock), store, accounts, clock, staff, north.id)
    store.close()


def person(world: World, name: str) -> Browser:
    who = Browser(TestClient(world.app))
    who.open("/account/sign-in?org=north")
    done = who.submit("/account/sign-in", {"org": "north", "name": name, "password": PASSWORD})
    assert done.status_code == 200, done.text[:300]
    return who


def staff(world: World, name: str, key: bool = True) -> Browser:
    made = world.staff[name]
    org = "south" if name == "sol" else "north"
    who = Browser(TestClient(world.app))
    world.clock.advance(31)  # a fresh TOTP step: a code is accepted once
    who.open(f"/account/sign-in?org={org}")
    code = totp.code_at(made.totp_secret, world.clock())
    done = who.submit(
        "/account/sign-in", {"org": org, "name": name, "password": PASSWORD, "code": code}
    )
    assert done.status_code == 200 and str(done.url).endswith("/account"), done.text[:300]
    if key and made.account.role == "advocate":
        first = who.open("/advocate")
        assert str(first.url).endswith("/advocate/key") and "Make my case key" in first.text
        made_key = who.submit("/advocate/key/create", {"passphrase": KEY, "confirm": KEY})
        assert made_key.status_code == 200 and str(made_key.url).endswith("/advocate")
    return who


def add_entry(who: Browser, what: str, with_file: bool = False) -> str:
    who.open("/journal/new")
    files = [("files", ("proof.txt", f"file of {what}".encode(), "text/plain"))] if with_file else [
        ("files", ("", b"", "application/octet-stream"))
    ]  # fmt: skip
    made = who.client.post(
        "/journal/new",
        data={"csrf": who.csrf, "when_date": JOURNAL_INCIDENT.isoformat(), "what": what},
        files=files,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:300]
    return str(made.headers["location"])


def root_id_of(page: str, marker: str) -> str:
    found = re.search(r'value="([0-9a-f]+)">\s*<label[^>]*>[^<]*' + re.escape(marker), page)
    assert found, page[:2000]
    return found.group(1)


def share_case(world: World) -> tuple[Browser, str]:
    """Alice answers, keeps two entries, and shares her plan and the first with Ada."""
    alice = person(world, "alice")
    answer_all(alice, ANSWERS)
    alice.open("/journal")
    created = alice.submit("/journal/create", {"passphrase": JOURNAL, "confirm": JOURNAL})
    assert created.status_code == 200
    add_entry(alice, f"He shouted at me in the office. {SHARED}", with_file=True)
    add_entry(alice, f"I spoke to my sister. {PRIVATE}")
    assert 'href="/share"' in alice.open("/account").text  # and in every page's menu
    page = alice.open("/share")
    assert "ada" in page.text and "abe" in page.text and "sol" not in page.text
    ada_id = world.staff["ada"].account.id
    done = alice.submit(
        "/share",
        {"with": ada_id, "plan": "yes", "entry": root_id_of(page.text, SHARED), "new": "yes"},
    )
    assert done.status_code == 200 and str(done.url).endswith("/share"), done.text[:500]
    assert "With ada" in text_of(done.text) and "1 entry, 1 file" in text_of(done.text)
    return alice, ada_id


def case_link(caseload: str) -> str:
    found = re.search(r'href="(/advocate/cases/[0-9a-f]{32})"', caseload)
    assert found, caseload[:2000]
    return found.group(1)


def test_the_advocate_sees_exactly_what_was_shared_and_nothing_after_stop(world: World) -> None:
    ada, abe, sol, root = (staff(world, n) for n in ("ada", "abe", "sol", "root"))
    alice, _ = share_case(world)
    caseload = ada.open("/advocate")
    assert caseload.status_code == 200
    words = text_of(caseload.text)
    assert "alice" in words and "Next step:" in words
    assert f"{DUE} : {EEOC_DEADLINE} (173 days left)" in words  # the person's own deadline
    later = "February 19, 2027 : Last day to file a charge with the EEOC if your state"
    assert words.index(DUE) < words.index(later)  # soonest first
    assert SHARED not in caseload.text  # the caseload shows steps, not entries
    link = case_link(caseload.text)
    case = ada.open(link)
    assert case.status_code == 200
    assert SHARED in case.text and PRIVATE not in case.text
    assert DUE in text_of(case.text)
    person_case = text_of(alice.open("/case").text)
    assert DUE in person_case  # what the person sees on their own case page
    file = re.search(r'href="(' + re.escape(link) + r'/files/[0-9a-f]+)"', case.text)
    assert file
    download = ada.get(file.group(1))
    assert download.status_code == 200
    assert download.content == f"file of He shouted at me in the office. {SHARED}".encode()
    assert "attachment" in download.headers["content-disposition"]
    # A letter drafted from the shared case names the shared incident only.
    letter_link = re.search(r'href="(' + re.escape(link) + r'/letters/\d+)"', case.text)
    assert letter_link
    letter = ada.open(letter_link.group(1))
    assert letter.status_code == 200 and "Letter draft" in letter.text
    assert PRIVATE not in letter.text
    assert SHARED in letter.text, text_of(letter.text)[:3000]
    subject = re.search(r'id="subject"[^>]*value="([^"]*)"', letter.text)
    assert subject and len(subject.group(1).split()) >= 3, "the draft has a subject line"
    # Everyone else: nothing.
    for other in (abe, sol):
        assert "alice" not in other.open("/advocate").text
        for path in (link, file.group(1), letter_link.group(1)):
            refused = other.get(path)
            assert refused.status_code == 404 and SHARED not in refused.text, path
        note = other.submit(f"{link}/notes", {"note": "let me in"})
        assert note.status_code == 404
    for who in (root, person(world, "bob"), alice):
        for path in ("/advocate", link, file.group(1)):
            refused = who.get(path)
            assert refused.status_code == 404 and SHARED not in refused.text, path
    # New entries reach the share because Alice asked; the note reaches Alice.
    add_entry(alice, f"It happened again. {LATER}")
    assert LATER in ada.open(link).text
    noted = ada.submit(f"{link}/notes", {"note": "I will call you on Monday about the EEOC."})
    assert "I will call you on Monday" in noted.text
    mine = alice.open("/share")
    assert "I will call you on Monday about the EEOC." in mine.text
    assert "I will call you on Monday" not in person(world, "bob").open("/share").text
    # Stop sharing, with the journal locked (stopping never waits for it): gone at once.
    alice.submit("/journal/lock", {})
    mine = alice.open("/share")
    assert "Your journal is locked. You can stop sharing" in text_of(mine.text)
    assert "I will call you on Monday" not in mine.text  # notes need the journal open
    stop = re.search(r'action="(/share/[0-9a-f]{32}/stop)"', mine.text)
    assert stop
    alice.submit(stop.group(1), {})
    assert "alice" not in ada.open("/advocate").text
    for path in (link, file.group(1), letter_link.group(1)):
        gone = ada.get(path)
        assert gone.status_code == 404 and SHARED not in gone.text
    with world.store.transaction() as db:
        assert db.query("SELECT COUNT(*) FROM hosted_share_items")[0][0] == 0
        assert db.query("SELECT COUNT(*) FROM hosted_share_notes")[0][0] == 0
    kinds = [e.kind for e in audit.events(world.store, world.org, _id(world, "alice"))]
    assert kinds.count("case-shared") == 1 and kinds[-1] == "case-share-revoked"
    assert {"shared-case-read", "shared-file-read", "shared-letter-drafted"} <= set(kinds)
    assert "case-note-added" in kinds
    assert audit.verify(world.store, world.org) is None


def _id(world: World, login: str) -> str:
    with world.store.transaction() as db:
        return str(db.query("SELECT id FROM hosted_accounts WHERE login = ?", (login,))[0][0])


def test_the_database_holds_no_plaintext_of_a_shared_entry(world: World, pg_url: str) -> None:
    staff(world, "ada")
    share_case(world)
    schema = pg_url.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            ).fetchall()
        ]
        dumped = "".join(
            str(conn.execute(f"SELECT string_agg(t::text, ',') FROM {schema}.{t} t").fetchone())
            for t in tables
        )
    assert "hosted_share_items" in tables
    for marker in (SHARED, PRIVATE, KEY, "proof.txt", "He shouted"):
        assert marker not in dumped, marker


def test_the_case_key_opens_only_with_its_passphrase_and_locks(world: World) -> None:
    ada = staff(world, "ada")
    locked = ada.submit("/advocate/key/lock", {})
    assert str(locked.url).endswith("/advocate/key") and "Unlock your case key" in locked.text
    assert str(ada.open("/advocate").url).endswith("/advocate/key")
    wrong = ada.submit("/advocate/key/unlock", {"passphrase": "not my passphrase"})
    assert wrong.status_code == 400 and "does not open your case key" in wrong.text
    right = ada.submit("/advocate/key/unlock", {"passphrase": KEY})
    assert str(right.url).endswith("/advocate") and "Nobody has shared" in right.text
    other = "another long passphrase"
    again = ada.submit("/advocate/key/create", {"passphrase": other, "confirm": other})
    assert again.status_code == 409  # a key is never replaced
    world.clock.advance(16 * 60)  # idle: the key locks itself
    assert str(ada.open("/advocate").url).endswith("/advocate/key")
    anonymous = Browser(TestClient(world.app))
    assert anonymous.get("/advocate").headers["location"] == "/account/sign-in"

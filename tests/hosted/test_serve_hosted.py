"""`ally serve --hosted` as an operator starts it: two app processes on one PostgreSQL
database, with a person's and an advocate's requests alternating between them through a whole
flow (issue 19 item 6: no sticky sessions)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from ally.hosted import totp
from ally.hosted.accounts import Accounts, NewStaff
from ally.hosted.store import HostedStore
from tests.hosted.conftest import FAST, PASSWORD
from tests.web.conftest import free_port
from tests.web.test_advocate_pages import JOURNAL, KEY, case_link, root_id_of
from tests.web.test_case_pages import text_of
from tests.web.test_one_deadline import ANSWERS, EEOC_DEADLINE, JOURNAL_INCIDENT

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
_QUESTION = re.compile(r'name="question" value="([^"]*)"')
ENTRY = "ENTRY-ACROSS-PROCESSES-4471"
NOTE = "NOTE-ACROSS-PROCESSES-9302"


def serve(pg_url: str, home: Path) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ally.cli.main", "serve", "--hosted", "--port", str(port),
         "--database", pg_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ALLY_HOME": str(home)},
    )  # fmt: skip
    return process, port


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/account/sign-in", timeout=60)
            return
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "ally serve --hosted did not start listening"
            time.sleep(0.2)


@pytest.fixture
def staff(pg_url: str) -> NewStaff:
    """The organisation (open sign-up) and its advocate; the tables exist before two
    processes race to make them."""
    store = HostedStore(pg_url)
    accounts = Accounts(store, FAST)
    org = accounts.create_org("Shelter North", "north", open_signup=True)
    made = accounts.add_staff(org, "ada", "advocate", PASSWORD)
    store.close()
    return made


@pytest.fixture
def two_processes(pg_url: str, tmp_path: Path, staff: NewStaff) -> Iterator[list[int]]:
    started = [serve(pg_url, tmp_path / str(n)) for n in range(2)]
    try:
        for _, port in started:
            wait_for(port)
        yield [port for _, port in started]
    finally:
        for process, _ in started:
            process.terminate()
            process.wait(timeout=60)


class Browser:
    """One browser (one cookie jar) whose every request goes to the next app process in turn,
    as a load balancer without sticky sessions would send it."""

    def __init__(self, ports: list[int]) -> None:
        self.client = httpx.Client(follow_redirects=False, timeout=120)  # cookies ignore ports
        self.ports = ports
        self.turn = 0
        self.csrf = ""
        self.served: list[int] = []

    def _url(self, path: str) -> str:
        self.turn += 1
        port = self.ports[self.turn % len(self.ports)]
        self.served.append(port)
        return f"http://127.0.0.1:{port}{path}"

    def _seen(self, page: httpx.Response) -> httpx.Response:
        found = _CSRF.search(page.text) if "html" in page.headers.get("content-type", "") else None
        self.csrf = found.group(1) if found else self.csrf
        return page

    def get(self, path: str) -> httpx.Response:
        return self._seen(self.client.get(self._url(path)))

    def open(self, path: str) -> httpx.Response:
        """GET, then follow redirects (each one a request of its own, to the next process)."""
        page = self.get(path)
        while page.status_code in (302, 303):
            page = self.get(page.headers["location"])
        return page

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self._seen(
            self.client.post(self._url(path), data={"csrf": self.csrf, **data}, **kwargs)
        )

    def submit(self, path: str, data: dict[str, Any]) -> httpx.Response:
        done = self.post(path, data)
        assert done.status_code in (200, 303), (path, done.status_code, done.text[:300])
        return self.open(done.headers["location"]) if done.status_code == 303 else done


def test_a_whole_flow_alternating_between_two_app_processes(
    two_processes: list[int], staff: NewStaff
) -> None:
    """Person and advocate, every request to the other process than the one before: nothing
    but PostgreSQL is shared, yet the unlocked journal and case key follow the browser."""
    sam, ada = Browser(two_processes), Browser(two_processes)
    assert sam.get("/plan").headers["location"] == "/account/sign-in"
    # The advocate signs in with TOTP and makes their case key.
    ada.open("/account/sign-in?org=north")
    code = totp.code_at(staff.totp_secret, time.time())
    signed = ada.submit(
        "/account/sign-in", {"org": "north", "name": "ada", "password": PASSWORD, "code": code}
    )
    assert "Signed in as ada" in text_of(signed.text)
    assert ada.open("/advocate").url.path == "/advocate/key"
    made = ada.submit("/advocate/key/create", {"passphrase": KEY, "confirm": KEY})
    assert made.url.path == "/advocate" and "Nobody has shared" in made.text
    # The person signs up and answers the interview.
    sam.open("/account/sign-up?org=north")
    sam.submit(
        "/account/sign-up", {"org": "north", "name": "sam", "password": PASSWORD, "again": PASSWORD}
    )
    sam.open("/interview/start")
    page = sam.submit("/interview/start", {"action": "answer", "answer": "us"})
    for _ in range(60):
        if page.url.path == "/plan":
            break
        found = _QUESTION.search(page.text)
        assert found, page.text[:500]
        question = found.group(1)
        data = {"action": "skip", "question": question}
        if question in ANSWERS:
            data = {"action": "answer", "question": question, "answer": ANSWERS[question]}
        page = sam.submit("/interview", data)
    assert EEOC_DEADLINE in text_of(page.text)
    # A journal: made, locked, unlocked again, an incident added; every step on a new process.
    sam.open("/journal")
    created = sam.submit("/journal/create", {"passphrase": JOURNAL, "confirm": JOURNAL})
    assert "recovery code" in text_of(created.text).lower()
    opened_journal = sam.open("/journal")
    assert (
        opened_journal.url.path == "/journal" and "Unlock your journal" not in opened_journal.text
    )
    locked = sam.submit("/journal/lock", {})
    assert "Unlock your journal" in locked.text
    unlocked = sam.submit("/journal/unlock", {"passphrase": JOURNAL, "next": "/journal"})
    assert unlocked.url.path == "/journal" and "Unlock your journal" not in unlocked.text
    sam.get("/journal/new")
    added = sam.post(
        "/journal/new",
        {"when_date": JOURNAL_INCIDENT.isoformat(), "what": f"He waited at my car. {ENTRY}"},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert added.status_code == 303, added.text[:500]
    for _ in range(2):  # both processes read it
        assert ENTRY in sam.open("/journal").text
    plan = sam.open("/plan")
    assert plan.status_code == 200 and EEOC_DEADLINE in text_of(plan.text)
    # Shared with the advocate (the plan and the entry).
    shares = sam.open("/share")
    done = sam.submit(
        "/share", {"with": staff.account.id, "plan": "yes", "entry": root_id_of(shares.text, ENTRY)}
    )
    assert "With ada" in text_of(done.text)
    # The advocate locks the case key, unlocks it, reads the caseload and the shared entry.
    assert ada.submit("/advocate/key/lock", {}).url.path == "/advocate/key"
    assert ada.open("/advocate").url.path == "/advocate/key"  # locked on both processes
    opened = ada.submit("/advocate/key/unlock", {"passphrase": KEY})
    assert opened.url.path == "/advocate" and "sam" in text_of(opened.text)
    caseload = ada.open("/advocate")
    assert "sam" in text_of(caseload.text) and "Next step:" in text_of(caseload.text)
    link = case_link(caseload.text)
    for _ in range(2):
        assert ENTRY in ada.open(link).text
    noted = ada.submit(f"{link}/notes", {"note": f"I will call you on Monday. {NOTE}"})
    assert NOTE in noted.text
    # The person reads the note, then locks the journal: the other process refuses reads.
    for _ in range(2):
        assert NOTE in sam.open("/share").text
    sam.submit("/journal/lock", {})
    for path in ("/journal", "/journal", "/share", "/share"):
        refused = sam.open(path)
        assert ENTRY not in refused.text and NOTE not in refused.text, path
    assert "Unlock your journal" in sam.open("/journal").text
    assert set(sam.served) == set(ada.served) == set(two_processes)
    out = sam.post("/account/sign-out", {})
    assert out.status_code == 303 and out.headers["location"] == "/account/sign-in"
    for _ in range(2):  # refused by both processes
        assert sam.get("/interview").headers["location"] == "/account/sign-in"


def test_hosted_mode_needs_postgresql(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ally.cli.main", "serve", "--hosted", "--port", str(free_port()),
         "--database", str(tmp_path / "x.sqlite3")],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "ALLY_HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 2 and "--hosted needs --database postgresql://" in done.stderr

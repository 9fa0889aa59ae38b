"""`ally serve --hosted` as an operator starts it: two app processes on one PostgreSQL
database, with a person's requests alternating between them through a whole flow."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from ally.hosted.accounts import Accounts
from ally.hosted.store import HostedStore
from tests.hosted.conftest import PASSWORD
from tests.web.conftest import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


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
def two_processes(pg_url: str, tmp_path: Path) -> Iterator[list[int]]:
    store = HostedStore(pg_url)  # the tables exist before two processes race to make them
    Accounts(store).create_org("Shelter North", "north", open_signup=True)
    store.close()
    started = [serve(pg_url, tmp_path / str(n)) for n in range(2)]
    try:
        for _, port in started:
            wait_for(port)
        yield [port for _, port in started]
    finally:
        for process, _ in started:
            process.terminate()
            process.wait(timeout=60)


def test_a_flow_alternating_between_two_app_processes(two_processes: list[int]) -> None:
    client = httpx.Client(follow_redirects=False, timeout=60)  # cookies ignore the port
    csrf = ""
    turn = 0

    def url(path: str) -> str:
        nonlocal turn
        turn += 1
        return f"http://127.0.0.1:{two_processes[turn % 2]}{path}"

    def get(path: str) -> httpx.Response:
        nonlocal csrf
        page = client.get(url(path))
        found = _CSRF.search(page.text)
        csrf = found.group(1) if found else csrf
        return page

    def post(path: str, data: dict[str, str]) -> httpx.Response:
        return client.post(url(path), data={"csrf": csrf, **data})

    assert get("/plan").headers["location"] == "/account/sign-in"
    get("/account/sign-up?org=north")
    made = post(
        "/account/sign-up", {"org": "north", "name": "sam", "password": PASSWORD, "again": PASSWORD}
    )
    assert made.status_code == 303 and made.headers["location"] == "/"
    assert get("/").status_code == 200
    get("/interview/start")
    answered = post("/interview/start", {"action": "answer", "answer": "us"})
    assert answered.status_code == 303
    question = get("/interview")
    assert question.status_code == 200 and 'name="question"' in question.text
    account = get("/account")
    assert "Signed in as sam with Shelter North." in account.text
    assert get("/account").text.count("(this browser)") == 1
    out = post("/account/sign-out", {})
    assert out.status_code == 303 and out.headers["location"] == "/account/sign-in"
    for _ in range(2):  # refused by both processes
        assert get("/interview").headers["location"] == "/account/sign-in"


def test_hosted_mode_needs_postgresql(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ally.cli.main", "serve", "--hosted", "--port", str(free_port()),
         "--database", str(tmp_path / "x.sqlite3")],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "ALLY_HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 2 and "--hosted needs --database postgresql://" in done.stderr

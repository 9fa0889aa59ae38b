"""Fixtures for the web app: an app on a temporary database, a form-aware client, a fake clock,
a live server on loopback, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn
from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.web import WebConfig, create_app
from tests.inprocess import weakly_locked_journals

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "web"
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
_QUESTION = re.compile(r'name="question" value="([^"]*)"')


class Clock:
    """A settable clock, so the idle lock can be tested without waiting."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Browser:
    """A TestClient that, like a browser, keeps cookies and the last page's form token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""
        self.last: httpx.Response | None = None

    def _seen(self, response: httpx.Response) -> httpx.Response:
        self.last = response
        found = (
            _CSRF.search(response.text)
            if "html" in response.headers.get("content-type", "")
            else None
        )
        if found:
            self.csrf = found.group(1)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._seen(self.client.get(path, follow_redirects=False, **kwargs))

    def open(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET following redirects, as a person clicking a link would."""
        return self._seen(self.client.get(path, follow_redirects=True, **kwargs))

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        fields = {"csrf": self.csrf, **data}
        return self._seen(self.client.post(path, data=fields, follow_redirects=False, **kwargs))

    def submit(self, path: str, data: dict[str, Any]) -> httpx.Response:
        """POST, then follow the redirect like a browser."""
        response = self.post(path, data)
        if response.status_code == 303:
            return self.open(response.headers["location"])
        return response

    def question_id(self) -> str | None:
        assert self.last is not None
        found = _QUESTION.search(self.last.text)
        return found.group(1) if found else None

    def start(self, pack: str = "us") -> httpx.Response:
        self.open("/interview/start")
        return self.submit("/interview/start", {"action": "answer", "answer": pack})

    def skip_to_plan(self, limit: int = 60) -> httpx.Response:
        """Answer "I'd rather not say" to every question until the plan shows."""
        response = self.open("/interview")
        for _ in range(limit):
            if str(response.url).endswith("/plan"):
                return response
            question = self.question_id()
            assert question, response.text[:500]
            response = self.submit("/interview", {"action": "skip", "question": question})
        raise AssertionError("the interview did not end")


def make_config(database: Path, clock: Clock | None = None, **kwargs: Any) -> WebConfig:
    hosts = ("testserver", "127.0.0.1", "localhost")
    kwargs.setdefault("vault", str(database.parent / "vault"))
    return WebConfig(database=database, allowed_hosts=hosts, clock=clock or time.time, **kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path: Path, clock: Clock) -> Iterator[FastAPI]:
    yield create_app(make_config(tmp_path / "web.sqlite3", clock))


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Browser]:
    with TestClient(app) as client:
        yield Browser(client)


JOURNAL_PASSPHRASE = "lantern orbit pepper quietly"


@pytest.fixture
def journal(browser: Browser) -> Browser:
    """A browser with a freshly created, unlocked journal.

    Locked with scrypt's least work (tests/inprocess.py: the form and the app run unchanged,
    only Vault.create's default work factor is lowered while it is made), so the test's own
    unlocks cost milliseconds, not 1.7 s each; tests about the passphrase's strength make
    their journals themselves."""
    page = browser.open("/journal")
    assert "Start your journal" in page.text
    with weakly_locked_journals():
        created = browser.submit(
            "/journal/create", {"passphrase": JOURNAL_PASSPHRASE, "confirm": JOURNAL_PASSPHRASE}
        )
    assert "Your journal" in created.text, created.text[:300]
    return browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """The app served by uvicorn on loopback in a background thread."""

    def __init__(self, app: FastAPI, neutral: str = "") -> None:
        self.neutral = neutral
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


class _Weather(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>Weather</title><h1>Weather</h1>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def neutral_site() -> Iterator[str]:
    """Stands in for the weather site quick exit leaves for, so tests never touch the network."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Weather)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/weather"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, neutral_site: str
) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("live") / "web.sqlite3"
    config = make_config(database, quick_exit_url=neutral_site)
    with LiveServer(create_app(config), neutral_site) as server:
        yield server


BUSY_MACHINE_MS = 120_000
"""How long a browser test waits for a page or an action. The first interview page loads
every pack and a duress passphrase is derived at full strength: with two test workers and two
more busy processes on two cores, a click's navigation took more than Playwright's default 30 s."""


class Chromium:
    """The launched browser, whose contexts wait up to ``BUSY_MACHINE_MS``."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser

    def new_context(self, **options: Any) -> Any:
        context = self.browser.new_context(**options)
        context.set_default_timeout(BUSY_MACHINE_MS)
        return context


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    """Debian's Chromium; a missing browser is a failure, never a download or a skip."""
    from playwright.sync_api import expect, sync_playwright

    # expect() waits 5 s by default; a busy two-core CI machine can take longer to show a
    # page. What it waits for comes after a page has loaded, so 30 s is plenty.
    expect.set_options(timeout=30_000)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/system-deps).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield Chromium(browser)
        browser.close()


def keep_screenshot(page: Any, path: Path, full_page: bool = False, tries: int = 3) -> None:
    """A screenshot kept for people to look at. Headless Chromium on a busy machine sometimes
    has no frame ready ("Unable to capture screenshot"); the picture is not what a test checks,
    so it is taken again after a moment instead of failing the test."""
    for attempt in range(tries):
        try:
            page.screenshot(path=str(path), full_page=full_page)
            return
        except Exception as error:  # playwright's Error, imported lazily like the browser
            if "Unable to capture screenshot" not in str(error) or attempt == tries - 1:
                raise
            page.wait_for_timeout(500)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

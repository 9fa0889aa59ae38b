"""Behind a TLS proxy: cookies stay ``Secure`` whenever the public address is https, and the
forwarded headers are believed only from the proxies Ally was told to trust."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import Request
from starlette.testclient import TestClient

from ally.errors import UsageError
from ally.web import create_app
from ally.web.config import public_host, trusted_proxy_list
from ally.web.person.journal import client_of
from tests.web.conftest import free_port, make_config

PROXY = ("10.0.0.5", 41000)
STRANGER = ("203.0.113.9", 41000)


def session_cookies(tmp_path: Path, client: tuple[str, int], **config: Any) -> list[str]:
    """The Set-Cookie headers of a first visit, from ``client``, with X-Forwarded-Proto: https."""
    app = create_app(make_config(tmp_path / "web.sqlite3", **config))
    with TestClient(app, client=client) as browser:
        page = browser.get(
            "/interview/start",
            headers={"x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.7"},
        )
    assert page.status_code == 200
    cookies = page.headers.get_list("set-cookie")
    assert cookies, "a first visit starts a session"
    return cookies


def test_without_https_anywhere_cookies_are_not_secure(tmp_path: Path) -> None:
    for cookie in session_cookies(tmp_path, STRANGER):
        assert "HttpOnly" in cookie and "Secure" not in cookie


def test_an_https_public_url_makes_every_cookie_secure(tmp_path: Path) -> None:
    cookies = session_cookies(tmp_path, STRANGER, public_url="https://ally.example.org")
    assert all(cookie.endswith("; Secure") or "; Secure;" in cookie for cookie in cookies)


def test_an_http_public_url_does_not(tmp_path: Path) -> None:
    for cookie in session_cookies(tmp_path, STRANGER, public_url="http://ally.lan"):
        assert "Secure" not in cookie


def test_a_trusted_proxy_reporting_https_makes_cookies_secure(tmp_path: Path) -> None:
    cookies = session_cookies(tmp_path, PROXY, trusted_proxies=("10.0.0.0/24",))
    assert all("Secure" in cookie for cookie in cookies)


def test_forwarded_headers_from_anyone_else_are_ignored(tmp_path: Path) -> None:
    for cookie in session_cookies(tmp_path, STRANGER, trusted_proxies=("10.0.0.0/24",)):
        assert "Secure" not in cookie


def test_the_back_off_counts_the_person_behind_the_proxy_not_the_proxy(tmp_path: Path) -> None:
    """Every person arrives from the proxy's address; the forwarded one tells them apart."""
    seen: list[str] = []
    app = create_app(make_config(tmp_path / "web.sqlite3", trusted_proxies=("10.0.0.5",)))

    @app.get("/_who")
    def who(request: Request) -> None:
        seen.append(client_of(request))

    for client in (PROXY, STRANGER):
        with TestClient(app, client=client) as browser:
            browser.get("/_who", headers={"x-forwarded-for": "198.51.100.7"})
    assert seen == ["198.51.100.7", "203.0.113.9"]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://ally.example.org", "ally.example.org"),
        ("https://Ally.Example.org:8443/", "ally.example.org"),
        ("http://[2001:db8::1]:8765", "[2001:db8::1]"),
    ],
)
def test_the_public_url_names_an_allowed_host(url: str, host: str) -> None:
    assert public_host(url) == host


@pytest.mark.parametrize(
    "url",
    [
        "ally.example.org",
        "ftp://ally.example.org",
        "https://",
        "https://a@b.org",
        "https://b.org/?x",
    ],
)
def test_a_public_url_that_is_not_a_plain_address_is_refused(url: str) -> None:
    with pytest.raises(UsageError, match="--public-url"):
        public_host(url)


def test_trusted_proxies_must_be_addresses() -> None:
    assert trusted_proxy_list([" 10.0.0.1", "fd00::/8"]) == ("10.0.0.1", "fd00::/8")
    for bad in ("*", "proxy.lan", "10.0.0.0/33"):
        with pytest.raises(UsageError, match="--trusted-proxy"):
            trusted_proxy_list([bad])


def _serve(tmp_path: Path, *options: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = {**os.environ, "ALLY_HOME": str(tmp_path), "ALLY_DATABASE_URL": str(tmp_path / "w.db")}
    process = subprocess.Popen(
        [sys.executable, "-m", "ally.cli.main", "serve", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return process, port


def _first_cookies(port: int, host: str = "127.0.0.1") -> list[str]:
    deadline = time.monotonic() + 120  # from the process start: its imports took 33 s when busy
    while True:
        try:
            page = httpx.get(
                f"http://127.0.0.1:{port}/interview/start",
                headers={"x-forwarded-proto": "https", "host": host},
                timeout=60,  # the first page loads the packs; the machine may be busy
            )
            break
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "ally serve did not start listening"
            time.sleep(0.1)
    assert page.status_code == 200, page.text[:300]
    return page.headers.get_list("set-cookie")


@pytest.mark.parametrize(
    ("options", "secure"),
    [
        ((), False),  # uvicorn's own default would trust 127.0.0.1; Ally does not, untold
        (("--trusted-proxy", "127.0.0.1"), True),
        (("--public-url", "https://ally.example.org"), True),
    ],
)
def test_ally_serve_behind_a_proxy(tmp_path: Path, options: tuple[str, ...], secure: bool) -> None:
    process, port = _serve(tmp_path, *options)
    try:
        host = "ally.example.org" if "--public-url" in options else "127.0.0.1"
        cookies = _first_cookies(port, host)
    finally:
        process.terminate()
        out, err = process.communicate(timeout=120)
    assert cookies and all(("Secure" in cookie) == secure for cookie in cookies), cookies
    if "--public-url" in options:
        assert "People reach it at https://ally.example.org." in out
    assert "Traceback" not in err


def test_ally_serve_refuses_a_bad_proxy_or_url_before_starting(tmp_path: Path) -> None:
    for options in (("--trusted-proxy", "*"), ("--public-url", "ally.example.org")):
        process, _ = _serve(tmp_path, *options)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 2, err
        assert options[0] in err and "Traceback" not in err and "running" not in out

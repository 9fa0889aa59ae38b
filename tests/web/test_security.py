"""Headers, cookies, CSRF and error handling that every response must get right."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.web.security import CSP
from tests.web.conftest import Browser

PAGES = [
    "/",
    "/interview/start",
    "/privacy",
    "/resume",
    "/locked",
    "/no-such-page",
    "/documents",
    "/help",
    "/evidence/import",
]


@pytest.mark.parametrize("path", [*PAGES, "/static/ally.css", "/api/health", "/api/openapi.json"])
def test_every_response_carries_the_security_headers(browser: Browser, path: str) -> None:
    response = browser.get(path)
    headers = response.headers
    assert headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    if not path.startswith("/static/"):
        assert headers["cache-control"] == "no-store"


def test_the_session_cookie_is_only_a_random_token(browser: Browser) -> None:
    cookie = browser.get("/").headers["set-cookie"]
    assert re.fullmatch(
        r"ally_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict", cookie
    ), cookie


def test_pages_load_nothing_from_other_sites(browser: Browser) -> None:
    browser.start("us")
    pages = [browser.open(path).text for path in [*PAGES, "/interview"]] + [
        browser.skip_to_plan().text
    ]
    for html in pages:
        assert "<style" not in html and " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html)
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html):
            for url in re.findall(r'(?:src|href)="([^"]+)"', tag):
                assert url.startswith("/"), tag


def test_a_form_without_its_token_is_refused_and_changes_nothing(browser: Browser) -> None:
    browser.open("/")
    refused = browser.client.post(
        "/interview/start", data={"action": "answer", "answer": "us"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert browser.get("/interview").headers["location"] == "/interview/start"


def test_cross_site_posts_are_refused(browser: Browser) -> None:
    browser.open("/")
    for headers in ({"sec-fetch-site": "cross-site"}, {"origin": "https://evil.example"}):
        response = browser.client.post(
            "/interview/start",
            data={"csrf": browser.csrf, "action": "answer", "answer": "us"},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 403


def test_multipart_and_oversized_forms_are_refused(browser: Browser) -> None:
    browser.open("/")
    multipart = browser.client.post(
        "/interview/start", files={"answer": ("a.txt", b"us")}, data={"csrf": browser.csrf}
    )
    assert multipart.status_code == 415
    huge = browser.client.post(
        "/interview/start", data={"csrf": browser.csrf, "answer": "x" * 70_000}
    )
    assert huge.status_code == 413


def test_other_host_names_are_refused(browser: Browser) -> None:
    """Against DNS rebinding: a page elsewhere cannot reach Ally under another name."""
    assert browser.client.get("/", headers={"host": "attacker.example"}).status_code == 400


def test_the_language_switch_never_redirects_to_another_site(browser: Browser) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        browser.open("/")
        response = browser.post("/language", {"lang": "es", "next": target})
        assert response.headers["location"] == "/"


def test_an_unexpected_error_shows_a_plain_page_and_logs_no_details(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    def boom() -> None:
        raise RuntimeError("Jordan hit me on 2026-05-03")

    app.add_api_route("/boom", boom)
    with caplog.at_level(logging.ERROR), TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert response.headers["content-security-policy"] == CSP
    assert "Jordan" not in response.text and "Jordan" not in caplog.text
    assert "RuntimeError" in caplog.text

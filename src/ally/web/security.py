"""Headers and checks that hold for every response, in one place.

- A strict Content-Security-Policy: only this origin's own files, no inline code, no framing.
- No caching of pages (the back button after a quick exit must not show a cached page) and no
  Referer sent anywhere (leaving for another site must not reveal Ally).
- The session cookie: a random token only, HttpOnly, SameSite=Strict, Secure over HTTPS (the
  connection's own, one a trusted proxy reports, or always when the public URL is https).
- Cross-site form posts are refused by Origin, on top of each form's CSRF token.
- An unexpected error becomes a plain 500 page; the log gets only its type and path, never
  its message (which might quote a person's data).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ally.web.sessions import COOKIE, LEFT_COOKIE

log = logging.getLogger("ally.web")

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

HEADERS = {
    "content-security-policy": CSP,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

FALLBACK_500 = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>Something went wrong - Ally</title>"
    b"<main><h1>Something went wrong</h1><p>Ally hit a problem it did not expect. Your saved "
    b"answers are safe. <a href=/>Go to the start</a>.</p></main></html>"
)


def session_cookie(token: str, secure: bool) -> str:
    """A browser-session cookie: no expiry, so closing the browser forgets it."""
    return cookie(COOKIE, token, secure)


def cookie(name: str, value: str | None, secure: bool) -> str:
    """One of Ally's cookies (None deletes it). All are HttpOnly and end with the browser.

    The quick-exit marker is SameSite=Lax, so it also comes with "Back" from the neutral site
    and with typing the address again; it holds no secret. The others are Strict.
    """
    same_site = "Lax" if name == LEFT_COOKIE else "Strict"
    flags = f"Path=/; HttpOnly; SameSite={same_site}" + ("; Secure" if secure else "")
    if value is None:
        return f"{name}=; {flags}; Max-Age=0"
    return f"{name}={value}; {flags}"


def _origin_allowed(scope: Scope) -> bool:
    """Refuse posts another site made the browser send (by Fetch metadata, else by Origin).

    With ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on our own forms, so
    "null" is not a reason to refuse; the CSRF token still has to match.
    """
    if scope["method"] not in UNSAFE_METHODS:
        return True
    headers = Headers(scope=scope)
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return True
    return origin.split("://", 1)[-1] == headers.get("host", "")


class SecurityMiddleware:
    """Pure ASGI, so it also covers responses made by error handlers and static files."""

    def __init__(self, app: ASGIApp, *, always_secure: bool = False) -> None:
        self.app = app
        self.always_secure = always_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _origin_allowed(scope):
            await _plain(send, 403, b"Cross-site form posts are not accepted.")
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _decorate(scope, message, self.always_secure)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:  # the catch-all for bugs: log the kind, not the content
            log.error("Unexpected %s while serving %s", type(error).__name__, _route(scope))
            if not started:
                await _plain(send, 500, FALLBACK_500, "text/html; charset=utf-8")


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", "a page"))


def _decorate(scope: Scope, message: Message, always_secure: bool) -> None:
    headers = MutableHeaders(scope=message)
    for name, value in HEADERS.items():
        headers[name] = value
    if not scope["path"].startswith("/static/"):
        headers["cache-control"] = "no-store"
    visit: Any = scope.get("state", {}).get("visit")
    if visit is None:
        return
    secure = always_secure or scope["scheme"] == "https"
    if visit.session.new_cookie:
        headers.append("set-cookie", session_cookie(visit.session.token, secure))
    for name, value in visit.cookies.items():
        headers.append("set-cookie", cookie(name, value, secure))


async def _plain(send: Send, status: int, body: bytes, kind: str = "text/plain") -> None:
    headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(name.encode(), value.encode()) for name, value in HEADERS.items()]
    headers.append((b"cache-control", b"no-store"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

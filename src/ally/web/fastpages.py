"""Reloads of an unchanged page answered on the event loop, before any thread or route is used.

Why: once the plan page came from ``pagecache``, a reload still cost about 2 ms of the app's
CPU, almost none of it the page: two thread-pool hops (the session dependency, then the
handler), FastAPI's routing and dependency solving, reading and unsealing the session row.
A bare Starlette endpoint needs about 0.2 ms (issue 19 item 7, ``benchmarks/web.py``). This
layer remembers, for a session that has just been shown a page, what it was shown, and
answers the same request again with the same bytes as long as nothing it was made from can
have changed, with no thread-pool hop at all.

What "nothing can have changed" means, each checked on every answer (else the request goes
the ordinary way, which opens the session, touches it and rebuilds or re-caches the page):

- **The same person**: an entry is found by the SHA-256 lookup hash of the session cookie
  (what the database indexes sessions by, ``sealing.lookup_key``), so only the browser
  holding that cookie finds it; the entry also names the session row it belongs to.
- **Nothing written**: the web database's write count (``WebStorage.writes``, every
  INSERT/UPDATE/DELETE by this process: answers, marks, places, settings, locks, sweeps) is
  the one read before the session was opened for that page. Any write, for anyone, makes
  every entry stale. Local mode is one process, so every write goes through it.
- **The session still open and not due a touch**: its last activity is recent enough that
  the ordinary path would neither lock it for idleness nor record activity (``_touch``:
  at most every 30 s), so the idle lock and its bookkeeping happen exactly as before.
- **The same day, the same journal state** (for the plan; the first screen shows nothing of
  the journal): the journal's state the page was made with, still so: the app has no
  journal, or the session's journal exists and is not open in this process. A page made
  with the journal open is never kept (its head can move); a journal unlocked since sends
  the request the ordinary way; a session that had no journal yet checks, in a worker
  thread, that none has appeared meanwhile (another process may create one).
- **The same request**: GET, the same path, no query string, the same Accept-Language, no
  quick-exit marker cookie; entries expire after five minutes and are dropped the moment the
  session locks, quick-exits or is deleted (``forget``).

Hosted mode never uses it: there the sign-in gate runs on every page and any number of app
processes share the database, so a write this process did not make would go unseen.
The entry's body is the page the ordinary path sent (for the plan, the very bytes held by
``pagecache``), and the security headers are added by ``SecurityMiddleware`` around this
layer as for any response.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import anyio.to_thread
from starlette.requests import Request, cookie_parser
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ally.web import sealing
from ally.web.sessions import COOKIE, LEFT_COOKIE, WebSession

if TYPE_CHECKING:
    from ally.web.config import WebConfig
    from ally.web.storage import WebStorage
    from ally.web.vaults import VaultKeeper


class WebState(Protocol):
    """What this module reads of the app's ``ally.web.state.WebState`` (which holds a
    :class:`FastPages`, so it is named by shape here rather than imported back)."""

    @property
    def config(self) -> WebConfig: ...
    @property
    def storage(self) -> WebStorage: ...
    @property
    def vaults(self) -> VaultKeeper | None: ...
    @property
    def hosted(self) -> object | None: ...
    @property
    def gate(self) -> object | None: ...
    @property
    def fast(self) -> FastPages: ...


class ShownVisit(Protocol):
    """What :meth:`FastPages.keep` reads of a page's ``Visit`` (``ally.web.pages``, which
    imports this module's users: named by shape here, so no import goes round in a circle)."""

    session: WebSession
    cookies: dict[str, str | None]


PATHS = frozenset({"/", "/plan"})
"""The pages answered here: the first screen and the plan, the two pages people reload."""
SIZE = 128
SECONDS = 300.0
TOUCH_SECONDS = 30
"""As ``SessionStore._touch``: activity is recorded at most this often (or a tenth of the lock)."""
HEADERS = tuple(
    (name, value) for name, value in HTMLResponse(b"").raw_headers if name != b"content-length"
)
"""What an ``HTMLResponse`` of the page says besides its length (its content type)."""
ANY = "any"
"""The journal's state of a page that shows nothing of the journal (the first screen)."""


@dataclass(frozen=True)
class _Entry:
    row: str
    writes: int
    last_seen: float
    touch_every: float
    day: dt.date
    journal: str
    expires: float
    body: bytes


class FastPages:
    """Pages last shown to each session, with what they depend on (see the module's doc)."""

    def __init__(self, size: int = SIZE, seconds: float = SECONDS) -> None:
        self.size = size
        self.seconds = seconds
        self._entries: OrderedDict[tuple[str, str, bytes], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, request: Request, visit: ShownVisit, body: bytes, journal: str = ANY) -> None:
        """Remember the page the ordinary path is about to send, if it can be answered again.

        ``journal`` is the journal's stamp the page was made with (``tracking.journal_stamp``),
        for a page that shows anything of the journal; a page made while it was open is not
        kept (its head may move at any time)."""
        state: WebState = request.app.state.web
        session = visit.session
        made = getattr(request.state, "made", None)  # the write count and day before reading
        if (
            state.hosted is not None
            or state.gate is not None
            or made is None
            or session.row is None
            or session.new_cookie
            or session.locked_now
            or visit.cookies
            or request.method != "GET"
            or request.url.path not in PATHS
            or request.url.query
            or request.cookies.get(LEFT_COOKIE)
        ):
            return
        if journal != ANY:
            if journal.startswith("open"):
                return
            if state.vaults is None:
                journal = "none"
            elif journal != "locked":  # none found when the page was made: look again later
                journal = "unknown"
        lock_seconds = session.lock_seconds(state.config)
        writes, day = made
        entry = _Entry(
            row=session.row,
            writes=writes,
            last_seen=session.last_seen,
            touch_every=min(TOUCH_SECONDS, lock_seconds / 10),
            day=day,
            journal=journal,
            expires=time.monotonic() + self.seconds,
            body=body,
        )
        key = (
            sealing.lookup_key(session.token, "cookie"),
            request.url.path,
            request.headers.get("accept-language", "").encode(),
        )
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def find(self, key: tuple[str, str, bytes], state: WebState) -> _Entry | None:
        """The entry for this request if every condition still holds (not the journal's)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= time.monotonic() or entry.writes != state.storage.writes:
                del self._entries[key]
                return None
        if state.config.clock() - entry.last_seen >= entry.touch_every:
            return None  # the ordinary path records the activity (or locks the session)
        if state.config.today() != entry.day:
            return None
        return entry

    def forget(self, row: str) -> None:
        """Drop every entry of this session (it locked, quick-exited or was deleted)."""
        with self._lock:
            for key in [key for key, entry in self._entries.items() if entry.row == row]:
                del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _journal(state: WebState, row: str) -> str | None:
    """The journal's state now, known without reading anything: "none" (no journal in this
    app), "locked" (it exists and is not open here), "unknown" (none found yet: checked again
    in a thread), or None when it is open (the ordinary path reads its head)."""
    vaults = state.vaults
    if vaults is None:
        return "none"
    if vaults.is_unlocked(row):
        return None
    return "locked" if vaults.known(row) else "unknown"


class FastPagesMiddleware:
    """Pure ASGI: answers a request from ``FastPages`` or passes it on untouched."""

    def __init__(self, app: ASGIApp, state: WebState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in PATHS:
            entry = await self._entry(scope)
            if entry is not None:
                headers = [(b"content-length", str(len(entry.body)).encode()), *HEADERS]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": entry.body})
                return
        await self.app(scope, receive, send)

    async def _entry(self, scope: Scope) -> _Entry | None:
        if scope["query_string"]:
            return None
        cookie = language = None
        for name, value in scope["headers"]:  # the first of each, as Request.headers.get
            if name == b"cookie" and cookie is None:
                cookie = value
            elif name == b"accept-language" and language is None:
                language = value
        token = _cookie(cookie or b"")
        if token is None:
            return None
        state = self.state
        key = (sealing.lookup_key(token, "cookie"), scope["path"], language or b"")
        entry = state.fast.find(key, state)
        if entry is None or entry.journal == ANY:
            return entry
        now = _journal(state, entry.row)
        if now == "unknown" and state.vaults is not None:
            vaults = state.vaults
            exists = await anyio.to_thread.run_sync(lambda: vaults.exists(entry.row))
            now = "locked" if exists else "unknown"
        return entry if now == entry.journal else None


def _cookie(header: bytes) -> str | None:
    """The session token from a Cookie header, read as ``Request.cookies`` reads it; None
    without one, or with the quick-exit marker (the ordinary path shows the locked page)."""
    if COOKIE.encode() not in header:
        return None
    cookies = cookie_parser(header.decode("latin-1"))
    token = cookies.get(COOKIE)
    if cookies.get(LEFT_COOKIE) or not token or not sealing.looks_like_token(token):
        return None
    return token

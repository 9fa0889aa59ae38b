"""The app factory: one FastAPI app serving the person-facing pages, static files and /api."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ally import __version__, debug
from ally.errors import AllyError
from ally.web import advocate, api, person
from ally.web.accounts import gate, routes
from ally.web.config import WebConfig
from ally.web.fastpages import FastPagesMiddleware
from ally.web.i18n import DEFAULT_LANGUAGE, N_
from ally.web.pages import PageError, Redirect, Visit, get_visit, render, see_other
from ally.web.person import share as person_share
from ally.web.problems import problem_for
from ally.web.routing import add_routes
from ally.web.security import SecurityMiddleware
from ally.web.sessions import WebSession
from ally.web.state import WebState
from ally.web.templating import STATIC

SWEEP_SECONDS = 60
DRAFT_MARKS_SECONDS = 86400
"""How long a used draft's mark refuses a late copy of it (see drafts.py)."""
_log = logging.getLogger("ally.web")


def create_app(config: WebConfig | None = None) -> FastAPI:
    """A ready app. Tables are created if missing, and idle sessions lock on time while it runs."""
    config = config or WebConfig()
    state = WebState.create(config)
    state.sessions.sweep()
    if state.hosted is not None:
        state.gate = gate.admit

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _settle_heap()
        sweeper = asyncio.create_task(_sweep_forever(state))
        try:
            yield
        finally:
            sweeper.cancel()
            gc.unfreeze()  # many apps come and go in one test process: let theirs be freed
            if state.vaults is not None:
                state.vaults.lock_all()
            person.help.close_directory(app)
            state.storage.close()
            if state.hosted is not None:
                state.hosted.close()
                person.jobs.close(app)

    app = FastAPI(
        title="Ally",
        version=__version__,
        summary="Plans for people being harassed, from the same engine as the `ally` CLI.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs load third-party scripts: never served
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = state
    if state.hosted is not None:  # imports and reports go to the queue (person/jobs.py)
        app.state.after_unlock = [person.jobs.after_unlock, person_share.after_unlock]
    pages = [person.router()]
    if state.hosted is not None:
        pages += [routes.router(), person_share.router, advocate.router()]
    add_routes(app.router, pages)  # one flat table: see web/routing.py
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _error_pages(app)
    if state.hosted is None:  # innermost: a reload of an unchanged page, see web/fastpages.py
        app.add_middleware(FastPagesMiddleware, state=state)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(config.allowed_hosts))
    app.add_middleware(SecurityMiddleware, always_secure=config.always_secure)
    if config.trusted_proxies:  # outermost: the scheme and address are right for all below
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(config.trusted_proxies))
    return app


def _settle_heap() -> None:
    """Keep what startup built (modules, templates, the app) out of the garbage collector's way.

    Under load a full collection walked every one of those objects and stopped all requests
    for 165-200 ms, which set the plan page's p99 (benchmarks/web.py, docs/benchmarks.md).
    Frozen objects are never freed by the cycle collector; they live as long as the process
    anyway, and reference counting still frees anything that is let go. No collection first:
    it would cost every test that starts an app a full collection.
    """
    gc.freeze()


async def _sweep_forever(state: WebState) -> None:
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        await asyncio.to_thread(state.sessions.sweep)
        await asyncio.to_thread(state.drafts.sweep, int(state.config.clock()) - DRAFT_MARKS_SECONDS)
        if state.vaults is not None:
            await asyncio.to_thread(state.vaults.lock_idle)
        if state.hosted is not None:
            await asyncio.to_thread(state.hosted.sweep, state.config.clock())


def _visit(request: Request) -> Visit:
    """The visit for an error page, opening the session if the error came before it was."""
    visit = getattr(request.state, "visit", None)
    if isinstance(visit, Visit):
        return visit
    try:
        return get_visit(request)
    except Redirect:  # the session just locked: show the error without it
        return Visit(WebSession("-", new_cookie=False), DEFAULT_LANGUAGE)


async def _problem(
    request: Request, status: int, message: str, advice: tuple[str, ...] = ()
) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    visit = await anyio.to_thread.run_sync(_visit, request)
    return render(
        request,
        visit,
        "person/problem.html",
        status=status,
        message=visit._(message),
        advice=[visit._(item) for item in advice],
    )


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(Redirect)
    async def redirect(request: Request, error: Redirect) -> Response:
        return see_other(error.location)

    @app.exception_handler(PageError)
    async def page_problem(request: Request, error: PageError) -> Response:
        return await _problem(request, error.status, error.message)

    @app.exception_handler(api.ApiError)
    async def api_error(request: Request, error: api.ApiError) -> Response:
        return JSONResponse({"detail": error.detail}, status_code=error.status)

    @app.exception_handler(AllyError)
    async def ally_error(request: Request, error: AllyError) -> Response:
        # Core errors are written in English for the CLI and never carry the person's data;
        # failures on Ally's side get a translated page saying what to do (web/problems.py).
        problem = problem_for(error)
        if problem.status >= 500:
            _log.warning("%s answered %d", type(error).__name__, problem.status)
            if debug.enabled():
                _log.warning("%s", debug.describe(error))
        response = await _problem(request, problem.status, problem.message, problem.advice)
        if problem.retry_after is not None:
            response.headers["Retry-After"] = str(problem.retry_after)
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(error.detail)}, status_code=error.status_code)
        if error.status_code == 404:
            return await _problem(request, 404, N_("There is no page at this address."))
        if error.status_code == 405:
            return await _problem(request, 405, N_("This page cannot be used that way."))
        return await _problem(
            request, error.status_code, N_("Something went wrong with this request.")
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            parts = [
                f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                for e in error.errors()
            ]
            return JSONResponse({"detail": "; ".join(parts)}, status_code=422)
        return await _problem(request, 400, N_("Something went wrong with this request."))
